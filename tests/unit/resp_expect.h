#pragma once
// Expected replies for command tests, spelled as RESP2 bytes: EXPECT_EQ(r.Run(...), Int(3)).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ember::testing {

inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";
inline const std::string kNilArray = "*-1\r\n";
inline const std::string kSyntax = "-ERR syntax error\r\n";
inline const std::string kNotInt = "-ERR value is not an integer or out of range\r\n";
inline const std::string kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

inline std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string Int(int64_t v) {
  return ":" + std::to_string(v) + "\r\n";
}
inline std::string Err(std::string_view msg) {
  return "-" + std::string(msg) + "\r\n";
}
inline std::string Arity(std::string_view cmd) {
  return Err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}
// An array of bulk strings.
template <class C>
std::string Array(const C& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& s : items) out += Bulk(s);
  return out;
}
inline std::string Array(std::initializer_list<std::string_view> items) {
  return Array(std::vector<std::string_view>(items));
}
inline std::string Ints(std::initializer_list<int64_t> items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (int64_t v : items) out += Int(v);
  return out;
}

}  // namespace ember::testing
