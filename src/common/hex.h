#pragma once
// Bytes as lower-case hex ("0a1b..."), as Redis writes password hashes, run ids and passwords.
#include <cstddef>
#include <string>

namespace ember {

inline std::string HexLower(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace ember
