#pragma once
// LEB128-style unsigned varints (7 bits a byte, low bits first): the length prefixes of
// records, listpacks and packed hashes.
#include <cstddef>
#include <cstdint>

namespace ember {

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes `v` at `p`; returns the bytes written (VarintSize(v)).
inline size_t PutVarint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}

// Reads a varint at `p` into `*v`; returns the bytes read.
inline size_t GetVarint(const uint8_t* p, uint64_t* v) {
  uint64_t result = 0;
  size_t n = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = p[n++];
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  *v = result;
  return n;
}

}  // namespace ember
