#include "scripting/function_load.h"

#include "persistence/dump_payload.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_input.h"
#include "persistence/rdb_value_reader.h"
#include "persistence/rdb_writer.h"
#include "scripting/function_library.h"
#include "scripting/lua_interpreter.h"
#include "server/config.h"

namespace ember {

bool BuildLibrary(std::string_view source, FunctionLibrary* out, std::string* error) {
  LibraryMetadata metadata;
  if (!ParseLibraryMetadata(source, &metadata, error)) return false;
  if (!ValidFunctionName(metadata.name)) {
    *error = kInvalidNameError;
    return false;
  }
  if (!EngineIsLua(metadata.engine)) {
    *error = "ERR Engine '" + metadata.engine + "' not found";
    return false;
  }
  out->name = metadata.name;
  out->code.assign(source);
  return LuaInterpreter::ForThisThread().LoadLibrary(metadata.code, &out->functions, nullptr,
                                                     error);
}

bool LoadLibraries(const std::vector<std::string>& sources, JoinPolicy policy, std::string* error) {
  std::vector<FunctionLibrary> libraries(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    if (!BuildLibrary(sources[i], &libraries[i], error)) return false;
  }
  return FunctionRegistry::Instance().Join(std::move(libraries), policy, false, error);
}

void AppendFunctionEntries(std::string* out, const FunctionSet& set, bool compress) {
  for (const auto& [name, library] : set.libraries) {
    out->push_back(static_cast<char>(rdb::kOpFunction2));
    AppendRdbString(out, library->code, compress);
  }
}

std::string DumpFunctionPayload(const FunctionSet& set, bool compress) {
  std::string payload;
  AppendFunctionEntries(&payload, set, compress);
  AppendDumpFooter(&payload);
  return payload;
}

bool ReadFunctionPayload(std::string_view payload, std::vector<std::string>* sources,
                         std::string* error) {
  if (!DumpPayloadIntact(payload)) {
    *error = "ERR DUMP payload version or checksum are wrong";
    return false;
  }
  size_t body = payload.size() - kDumpFooterBytes;
  static const ServerConfig kConfig;  // strings only: no encoding thresholds needed
  RdbInput in(payload.substr(0, body));
  RdbValueReader reader(in, kConfig);
  while (in.offset() < body) {
    uint8_t type = 0;
    if (!in.ReadByte(&type)) break;
    if (type != rdb::kOpFunction2) {
      *error = "ERR given type is not a function";
      return false;
    }
    std::string source;
    if (!reader.ReadString(&source)) {
      *error = "ERR failed loading the given functions payload";
      return false;
    }
    sources->push_back(std::move(source));
  }
  return true;
}

}  // namespace ember
