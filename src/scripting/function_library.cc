#include "scripting/function_library.h"

#include <cctype>
#include <utility>

#include "scripting/lua_interpreter.h"

namespace ember {
namespace {

constexpr std::pair<std::string_view, uint32_t> kFlags[] = {
    {"no-writes", kScriptNoWrites},
    {"allow-oom", kScriptAllowOom},
    {"allow-stale", kScriptAllowStale},
    {"no-cluster", kScriptNoCluster},
    {"allow-cross-slot-keys", kScriptAllowCrossSlot},
};

bool IsSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

bool ParseLibraryMetadata(std::string_view source, LibraryMetadata* out, std::string* error) {
  if (!source.starts_with("#!")) {
    *error = "ERR Missing library metadata";
    return false;
  }
  size_t eol = source.find('\n');
  if (eol == std::string_view::npos) {
    *error = "ERR Invalid library metadata";
    return false;
  }
  std::string_view line = source.substr(2, eol - 2);
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (i > start) parts.push_back(line.substr(start, i - start));
  }
  out->engine = parts.empty() ? "" : std::string(parts[0]);
  out->name.clear();
  bool named = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!parts[i].starts_with("name=")) {
      *error = "ERR Invalid metadata value given: " + std::string(parts[i]);
      return false;
    }
    if (named) {
      *error = "ERR Invalid metadata value, name argument was given multiple times";
      return false;
    }
    named = true;
    out->name = parts[i].substr(5);
  }
  if (!named) {
    *error = "ERR Library name was not given";
    return false;
  }
  out->code.assign(source.substr(eol));
  return true;
}

bool EngineIsLua(std::string_view engine) {
  if (engine.size() != 3) return false;
  for (size_t i = 0; i < 3; ++i) {
    if (std::tolower(static_cast<unsigned char>(engine[i])) != "lua"[i]) return false;
  }
  return true;
}

bool ValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::optional<uint32_t> FunctionFlagByName(std::string_view name) {
  for (const auto& [flag_name, bit] : kFlags) {
    if (flag_name == name) return bit;
  }
  return std::nullopt;
}

std::vector<std::string_view> FunctionFlagNames(uint32_t flags) {
  std::vector<std::string_view> names;
  for (const auto& [flag_name, bit] : kFlags) {
    if (flags & bit) names.push_back(flag_name);
  }
  return names;
}

std::string FunctionKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

}  // namespace ember
