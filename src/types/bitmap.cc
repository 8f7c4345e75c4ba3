#include "types/bitmap.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ember::bitmap {
namespace {

// The 64 bits starting at byte `byte` (which must have 8 bytes after it), bit 0 first.
uint64_t LoadWord(std::string_view bytes, size_t byte) {
  uint64_t w;
  memcpy(&w, bytes.data() + byte, 8);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  return w;
}

// The 72 bits starting at byte `byte`, zero past the end of `bytes`: any field of up to 64 bits
// that starts within the first byte fits in them.
unsigned __int128 LoadNineBytes(std::string_view bytes, uint64_t byte) {
  unsigned __int128 acc = 0;
  for (uint64_t i = 0; i < 9; ++i) {
    uint64_t at = byte + i;
    uint8_t b = at < bytes.size() ? static_cast<uint8_t>(bytes[at]) : 0;
    acc = (acc << 8) | b;
  }
  return acc;
}

// The popcount loop, compiled twice: with the POPCNT instruction (chosen at run time where the
// CPU has it; the build targets baseline x86-64, where std::popcount is a library call) and
// portable.
template <bool kHardware>
[[gnu::always_inline]] inline uint64_t CountBitsLoop(const char* p, size_t n) {
  uint64_t count = 0;
  // Four words per step: independent popcounts keep the pipeline full.
  while (n >= 32) {
    uint64_t w[4];
    memcpy(w, p, 32);
    count += std::popcount(w[0]) + std::popcount(w[1]) + std::popcount(w[2]) + std::popcount(w[3]);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    count += std::popcount(w);
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    count += std::popcount(static_cast<uint8_t>(*p++));
    --n;
  }
  return count;
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) uint64_t CountBitsPopcnt(const char* p, size_t n) {
  return CountBitsLoop<true>(p, n);
}
#endif

}  // namespace

uint64_t CountBits(std::string_view bytes) {
#if defined(__x86_64__)
  static const bool has_popcnt = __builtin_cpu_supports("popcnt");
  if (has_popcnt) return CountBitsPopcnt(bytes.data(), bytes.size());
#endif
  return CountBitsLoop<false>(bytes.data(), bytes.size());
}

int64_t FindBit(std::string_view bytes, uint64_t first, uint64_t last, bool bit) {
  uint64_t pos = first;
  while (pos <= last) {
    // Whole aligned words at a time once aligned; single bits at the ragged edges.
    if ((pos & 63) == 0 && pos + 63 <= last) {
      uint64_t w = LoadWord(bytes, pos >> 3);
      if (!bit) w = ~w;
      if (w == 0) {
        pos += 64;
        continue;
      }
      return static_cast<int64_t>(pos + std::countl_zero(w));
    }
    if (GetBit(bytes, pos) == bit) return static_cast<int64_t>(pos);
    ++pos;
  }
  return -1;
}

void Compute(BitOp op, std::span<const std::string_view> sources, uint8_t* out, size_t out_len) {
  if (out_len == 0) return;  // out may be null then; memset/memcpy must not see it
  memset(out, 0, out_len);
  if (sources.empty()) return;
  std::string_view first = sources[0];
  if (op == BitOp::kNot) {
    for (size_t i = 0; i < first.size(); ++i) out[i] = static_cast<uint8_t>(~first[i]);
    return;
  }
  if (!first.empty()) memcpy(out, first.data(), first.size());  // a missing key's view is null
  for (size_t s = 1; s < sources.size(); ++s) {
    const auto* src = reinterpret_cast<const uint8_t*>(sources[s].data());
    size_t n = sources[s].size();
    switch (op) {
      case BitOp::kAnd:
        for (size_t i = 0; i < n; ++i) out[i] &= src[i];
        memset(out + n, 0, out_len - n);  // past its end the source is zeros
        break;
      case BitOp::kOr:
        for (size_t i = 0; i < n; ++i) out[i] |= src[i];
        break;
      case BitOp::kXor:
        for (size_t i = 0; i < n; ++i) out[i] ^= src[i];
        break;
      case BitOp::kNot:
        break;
    }
  }
}

uint64_t GetField(std::string_view bytes, uint64_t offset, uint8_t bits) {
  unsigned __int128 acc = LoadNineBytes(bytes, offset >> 3);
  unsigned shift = 72 - static_cast<unsigned>(offset & 7) - bits;
  uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  return static_cast<uint64_t>(acc >> shift) & mask;
}

int64_t GetFieldValue(std::string_view bytes, uint64_t offset, FieldType type) {
  uint64_t raw = GetField(bytes, offset, type.bits);
  if (!type.is_signed || type.bits == 64) return static_cast<int64_t>(raw);
  uint64_t sign = uint64_t{1} << (type.bits - 1);
  // Sign extension: (raw ^ sign) - sign maps the top bit to the negative range.
  return static_cast<int64_t>((raw ^ sign) - sign);
}

void SetField(uint8_t* bytes, uint64_t offset, uint8_t bits, uint64_t value) {
  uint64_t byte = offset >> 3;
  unsigned lead = static_cast<unsigned>(offset & 7);
  unsigned span = (lead + bits + 7) / 8;  // bytes the field touches (at most 9)
  unsigned __int128 acc = 0;
  for (unsigned i = 0; i < span; ++i) acc = (acc << 8) | bytes[byte + i];
  unsigned shift = span * 8 - lead - bits;
  unsigned __int128 mask = ((bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1));
  acc = (acc & ~(mask << shift)) | ((static_cast<unsigned __int128>(value) & mask) << shift);
  for (unsigned i = span; i-- > 0;) {
    bytes[byte + i] = static_cast<uint8_t>(acc);
    acc >>= 8;
  }
}

bool AddToField(FieldType type, int64_t value, int64_t incr, Overflow policy, int64_t* result) {
  __int128 lo, hi, current;
  if (type.is_signed) {
    hi = (__int128{1} << (type.bits - 1)) - 1;
    lo = -hi - 1;
    current = value;
  } else {
    hi = (__int128{1} << type.bits) - 1;  // in 128 bits: u63's bound overflows int64_t
    lo = 0;
    // As Redis reads it: a negative value given to an unsigned field is a huge one.
    current = static_cast<uint64_t>(value);
  }
  __int128 sum = current + incr;
  bool over = current > hi || sum > hi;
  bool under = !over && sum < lo;
  if (!over && !under) {
    *result = static_cast<int64_t>(sum);
    return true;
  }
  switch (policy) {
    case Overflow::kFail:
      return false;
    case Overflow::kSat:
      *result = static_cast<int64_t>(over ? hi : lo);
      return true;
    case Overflow::kWrap:
      break;
  }
  uint64_t wrapped = static_cast<uint64_t>(sum);  // modulo 2^64, then to the field's width
  if (type.bits < 64) {
    uint64_t mask = (uint64_t{1} << type.bits) - 1;
    wrapped &= mask;
    if (type.is_signed) {
      uint64_t sign = uint64_t{1} << (type.bits - 1);
      wrapped = (wrapped ^ sign) - sign;
    }
  }
  *result = static_cast<int64_t>(wrapped);
  return true;
}

}  // namespace ember::bitmap
