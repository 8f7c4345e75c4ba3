#pragma once
// Function libraries from source and to and from bytes: FUNCTION LOAD's checks in Redis's
// order, the RDB FUNCTION2 entries (snapshots, AOF bases) and the FUNCTION DUMP payload
// (those entries, the RDB version and a CRC-64, so payloads travel between ember and Redis).
#include <string>
#include <string_view>
#include <vector>

#include "scripting/function_registry.h"

namespace ember {

// Checks `source` (metadata, names, engine) and runs it in this thread's interpreter to learn
// its functions. False with *error as FUNCTION LOAD answers it.
bool BuildLibrary(std::string_view source, FunctionLibrary* out, std::string* error);
// Builds every source and joins them to the registry, all or none (RDB load, RESTORE).
bool LoadLibraries(const std::vector<std::string>& sources, JoinPolicy policy, std::string* error);

// One FUNCTION2 opcode and the library's source per library.
void AppendFunctionEntries(std::string* out, const FunctionSet& set, bool compress);
// FUNCTION DUMP's payload.
std::string DumpFunctionPayload(const FunctionSet& set, bool compress);
// FUNCTION RESTORE: the sources in a payload; false with *error (Redis's words, "ERR ...").
bool ReadFunctionPayload(std::string_view payload, std::vector<std::string>* sources,
                         std::string* error);

}  // namespace ember
