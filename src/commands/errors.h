#pragma once
// Redis's error strings, in one place. Each includes its error code prefix.
#include <span>
#include <string>
#include <string_view>

namespace ember::err {

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrFloatNaN = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetRange = "ERR offset is out of range";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
// The random-pick commands (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) negate a negative count, so
// LLONG_MIN is refused, in Redis's words.
inline constexpr std::string_view kRandCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";

// An argument as Redis prints it into an error message with %s: up to its first NUL byte.
std::string_view AsCString(std::string_view arg);
std::string WrongArity(std::string_view command);
std::string UnknownCommand(std::span<const std::string_view> args);
std::string UnknownSubcommand(std::string_view command, std::string_view sub);
std::string InvalidExpire(std::string_view command);
// A RESP2 client in subscribed mode ran `command` (its full name, "client|list").
std::string NotInSubscribedMode(std::string_view command);
// Arity of a subcommand (CLIENT ID, CONFIG GET...): false with Redis's error when wrong.
bool CheckSubcommandArity(std::string_view command, std::string_view sub, int arity, size_t argc,
                          std::string* error);

}  // namespace ember::err
