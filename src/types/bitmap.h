#pragma once
// Bit-level operations on string values (SETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD), as pure
// functions over byte ranges. Bit 0 is the most significant bit of byte 0, as in Redis.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ember::bitmap {

// The number of set bits in `bytes`.
uint64_t CountBits(std::string_view bytes);

// The position of the first bit equal to `bit` within bits [first, last] of `bytes` (both
// inclusive, last < bytes.size() * 8), or -1 when there is none.
int64_t FindBit(std::string_view bytes, uint64_t first, uint64_t last, bool bit);

inline bool GetBit(std::string_view bytes, uint64_t offset) {
  uint64_t byte = offset >> 3;
  if (byte >= bytes.size()) return false;
  return (static_cast<uint8_t>(bytes[byte]) >> (7 - (offset & 7))) & 1;
}

inline void SetBit(uint8_t* bytes, uint64_t offset, bool on) {
  uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
  if (on) {
    bytes[offset >> 3] |= mask;
  } else {
    bytes[offset >> 3] &= static_cast<uint8_t>(~mask);
  }
}

enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };

// BITOP: `out` (as long as the longest source) = op over `sources`; a shorter source counts
// as zero bytes past its end. NOT takes exactly one source.
void Compute(BitOp op, std::span<const std::string_view> sources, uint8_t* out, size_t out_len);

// BITFIELD integer fields: 1..64 bits signed, 1..63 unsigned, at any bit offset.
struct FieldType {
  bool is_signed = false;
  uint8_t bits = 0;
};
enum class Overflow : uint8_t { kWrap, kSat, kFail };

// The field's raw bits (zero past the end of `bytes`), as an unsigned number.
uint64_t GetField(std::string_view bytes, uint64_t offset, uint8_t bits);
// The field as the number it holds (sign-extended for signed types), as an int64.
int64_t GetFieldValue(std::string_view bytes, uint64_t offset, FieldType type);
// Writes the low `bits` bits of `value`; bytes must hold bit offset + bits - 1.
void SetField(uint8_t* bytes, uint64_t offset, uint8_t bits, uint64_t value);

// value + incr in the field's range (SET is incr 0 with the new value). False when it
// overflows and the policy is FAIL; otherwise *result is the sum, wrapped or saturated.
bool AddToField(FieldType type, int64_t value, int64_t incr, Overflow policy, int64_t* result);

}  // namespace ember::bitmap
