#pragma once
// What a function library is before any Lua runs: the `#!lua name=<lib>` metadata line, the
// names Redis accepts for libraries and functions, and the function flags by name. Pure logic,
// shared by FUNCTION LOAD, FUNCTION RESTORE and the RDB loader.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct LibraryMetadata {
  std::string engine;  // as written ("lua", "LUA")
  std::string name;
  // The code to compile: the metadata line blanked (an empty first line), so that errors name
  // the lines the user wrote.
  std::string code;
};

// Reads the metadata line of a library's source. False with *error worded as Redis 7.0's
// ("ERR Missing library metadata", "ERR Library name was not given" ...). The engine is not
// checked here (EngineIsLua does).
bool ParseLibraryMetadata(std::string_view source, LibraryMetadata* out, std::string* error);
// Whether `engine` names the one engine there is (case-insensitive, as Redis's engine table).
bool EngineIsLua(std::string_view engine);

// Letters, digits and underscores, at least one (library and function names alike).
bool ValidFunctionName(std::string_view name);
inline constexpr std::string_view kInvalidNameError =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least "
    "one character long";

// A function flag (the ScriptFlag bits of lua_interpreter.h) by its name; nullopt if unknown.
std::optional<uint32_t> FunctionFlagByName(std::string_view name);
// The names of the flags set in `flags`, in the order FUNCTION LIST shows them.
std::vector<std::string_view> FunctionFlagNames(uint32_t flags);

// Function names are case-insensitive (FCALL f finds F): the key they are stored under.
std::string FunctionKey(std::string_view name);

}  // namespace ember
