#include "types/hyperloglog.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace ember::hll {
namespace {

constexpr uint64_t kHashSeed = 0xadc83b19ULL;  // Redis's seed: the same elements, same registers
constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
constexpr uint32_t kZeroMaxLen = 64;
constexpr uint32_t kXZeroMaxLen = 16384;
constexpr uint32_t kValMaxLen = 4;

// Sparse opcodes.
bool IsZero(uint8_t b) {
  return (b & 0xc0) == 0;
}
bool IsXZero(uint8_t b) {
  return (b & 0xc0) == 0x40;
}
uint32_t ZeroLen(uint8_t b) {
  return (b & 0x3f) + 1u;
}
uint32_t XZeroLen(uint8_t b0, uint8_t b1) {
  return (((b0 & 0x3fu) << 8) | b1) + 1u;
}
uint8_t ValValue(uint8_t b) {
  return static_cast<uint8_t>(((b >> 2) & 0x1f) + 1);
}
uint32_t ValLen(uint8_t b) {
  return (b & 0x3u) + 1;
}
char MakeVal(uint32_t value, uint32_t len) {
  return static_cast<char>(0x80 | ((value - 1) << 2) | (len - 1));
}
// A zero run as the shortest opcode for it.
void AppendZeros(std::string* out, uint32_t len) {
  if (len > kZeroMaxLen) {
    out->push_back(static_cast<char>(0x40 | ((len - 1) >> 8)));
    out->push_back(static_cast<char>((len - 1) & 0xff));
  } else {
    out->push_back(static_cast<char>(len - 1));
  }
}

uint8_t* Registers(std::string& hll) {
  return reinterpret_cast<uint8_t*>(hll.data()) + kHeaderSize;
}

// Visits a sparse HyperLogLog's runs: fn(first register, length, value). False when an opcode
// is cut short or the runs do not cover exactly every register.
template <class Fn>
bool ForEachRun(std::string_view hll, Fn&& fn) {
  const auto* p = reinterpret_cast<const uint8_t*>(hll.data());
  size_t pos = kHeaderSize, end = hll.size();
  uint32_t index = 0;
  while (pos < end) {
    uint8_t b = p[pos];
    uint32_t len;
    uint8_t value = 0;
    if (IsZero(b)) {
      len = ZeroLen(b);
      ++pos;
    } else if (IsXZero(b)) {
      if (pos + 1 >= end) return false;
      len = XZeroLen(b, p[pos + 1]);
      pos += 2;
    } else {
      len = ValLen(b);
      value = ValValue(b);
      ++pos;
    }
    if (index + len > kRegisters) return false;
    fn(index, len, value);
    index += len;
  }
  return index == kRegisters;
}

// Ertl's sigma and tau (arXiv:1702.01284), summed until the terms stop changing the result.
double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1.0, z = x, previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1.0 - x, previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= std::pow(1.0 - x, 2) * y;
  } while (previous != z);
  return z / 3.0;
}

// The estimate from the histogram of register values (histogram[v]: registers holding v).
uint64_t Estimate(const int* histogram) {
  double m = kRegisters;
  double z = m * Tau((m - histogram[kHashBits + 1]) / m);
  for (int j = kHashBits; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * Sigma(histogram[0] / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

// Raises register `index` of a sparse HyperLogLog, Redis's way, so both write the same bytes:
// split the run holding it into at most five opcodes, then merge equal neighbouring values.
// Returns 2 when the value must turn dense first.
int SparseSet(std::string& hll, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kSparseValMax) return 2;
  auto byte = [&](size_t at) { return static_cast<uint8_t>(hll[at]); };
  size_t pos = kHeaderSize, prev = std::string::npos, end = hll.size();
  uint32_t first = 0, span = 0;
  while (pos < end) {
    uint8_t b = byte(pos);
    size_t oplen = IsXZero(b) ? 2 : 1;
    if (pos + oplen > end) return -1;
    span = IsZero(b) ? ZeroLen(b) : IsXZero(b) ? XZeroLen(b, byte(pos + 1)) : ValLen(b);
    if (index <= first + span - 1) break;
    prev = pos;
    pos += oplen;
    first += span;
  }
  if (pos >= end) return -1;
  uint8_t op = byte(pos);
  bool is_val = !IsZero(op) && !IsXZero(op);
  if (is_val) {
    if (ValValue(op) >= count) return 0;
    if (span == 1) {
      hll[pos] = MakeVal(count, 1);
      goto merge;
    }
  } else if (IsZero(op) && span == 1) {
    hll[pos] = MakeVal(count, 1);
    goto merge;
  }
  {
    uint32_t last = first + span - 1;
    std::string seq;
    if (is_val) {
      uint8_t old = ValValue(op);
      if (index != first) seq.push_back(MakeVal(old, index - first));
      seq.push_back(MakeVal(count, 1));
      if (index != last) seq.push_back(MakeVal(old, last - index));
    } else {
      if (index != first) AppendZeros(&seq, index - first);
      seq.push_back(MakeVal(count, 1));
      if (index != last) AppendZeros(&seq, last - index);
    }
    size_t oldlen = IsXZero(op) ? 2 : 1;
    if (seq.size() > oldlen && hll.size() + seq.size() - oldlen > sparse_max_bytes) return 2;
    hll.replace(pos, oldlen, seq);
  }
merge:
  // Up to five opcodes from the one before the change: where a new VAL may equal a neighbour.
  pos = prev != std::string::npos ? prev : kHeaderSize;
  for (int scan = 5; pos < hll.size() && scan-- > 0;) {
    uint8_t b = byte(pos);
    if (IsXZero(b)) {
      pos += 2;
      continue;
    }
    if (IsZero(b)) {
      ++pos;
      continue;
    }
    if (pos + 1 < hll.size()) {
      uint8_t next = byte(pos + 1);
      if (!IsZero(next) && !IsXZero(next) && ValValue(b) == ValValue(next)) {
        uint32_t len = ValLen(b) + ValLen(next);
        if (len <= kValMaxLen) {
          hll[pos] = MakeVal(ValValue(b), len);
          hll.erase(pos + 1, 1);
          continue;  // the merged run may merge again
        }
      }
    }
    ++pos;
  }
  InvalidateCache(hll.data());
  return 1;
}

}  // namespace

uint64_t MurmurHash64A(const void* data, size_t len, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = seed ^ (len * m);
  size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k;
    memcpy(&k, p + i * 8, 8);
    if constexpr (std::endian::native == std::endian::big) k = __builtin_bswap64(k);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const uint8_t* tail = p + blocks * 8;
  size_t rest = len & 7;
  if (rest > 0) {
    for (size_t i = rest; i-- > 0;) h ^= uint64_t{tail[i]} << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element.data(), element.size(), kHashSeed);
  auto index = static_cast<uint32_t>(hash & (kRegisters - 1));
  hash >>= kPrecision;
  hash |= uint64_t{1} << kHashBits;  // bounds the run at kHashBits zeros
  return {index, static_cast<uint8_t>(std::countr_zero(hash) + 1)};
}

bool LooksValid(std::string_view bytes) {
  if (bytes.size() < kHeaderSize || bytes.substr(0, 4) != "HYLL") return false;
  uint8_t encoding = EncodingOf(bytes);
  if (encoding > kSparse) return false;
  return encoding != kDense || bytes.size() == kDenseSize;
}

std::string NewEmpty() {
  std::string hll(kHeaderSize, '\0');
  memcpy(hll.data(), "HYLL", 4);
  hll[4] = static_cast<char>(kSparse);
  AppendZeros(&hll, kXZeroMaxLen);
  return hll;
}

bool CacheValid(std::string_view bytes) {
  return (static_cast<uint8_t>(bytes[15]) & 0x80) == 0;
}

uint64_t CachedCount(std::string_view bytes) {
  uint64_t count = 0;
  for (int i = 7; i >= 0; --i) count = (count << 8) | static_cast<uint8_t>(bytes[8 + i]);
  return count;
}

void SetCachedCount(char* bytes, uint64_t count) {
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
}

uint8_t GetDenseRegister(const uint8_t* registers, uint32_t index) {
  uint32_t bit = index * kRegisterBits;
  uint32_t byte = bit >> 3, shift = bit & 7;
  unsigned v = registers[byte] >> shift;
  // The last register ends inside its byte: never read past the registers.
  if (shift > 8 - kRegisterBits) v |= unsigned{registers[byte + 1]} << (8 - shift);
  return static_cast<uint8_t>(v & 0x3f);
}

void SetDenseRegister(uint8_t* registers, uint32_t index, uint8_t value) {
  uint32_t bit = index * kRegisterBits;
  uint32_t byte = bit >> 3, shift = bit & 7;
  registers[byte] = static_cast<uint8_t>((registers[byte] & ~(0x3fu << shift)) | (value << shift));
  if (shift > 8 - kRegisterBits) {
    unsigned keep = ~(0x3fu >> (8 - shift));
    registers[byte + 1] =
        static_cast<uint8_t>((registers[byte + 1] & keep) | (value >> (8 - shift)));
  }
}

int SetRegister(std::string& hll, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (EncodingOf(hll) == kSparse) {
    int result = SparseSet(hll, index, count, sparse_max_bytes);
    if (result != 2) return result;
    if (!ToDense(hll)) return -1;
  }
  if (!DenseSet(Registers(hll), index, count)) return 0;
  InvalidateCache(hll.data());
  return 1;
}

bool ToDense(std::string& hll) {
  if (EncodingOf(hll) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  memcpy(dense.data(), hll.data(), kHeaderSize);
  dense[4] = static_cast<char>(kDense);
  uint8_t* registers = Registers(dense);
  bool ok = ForEachRun(hll, [&](uint32_t first, uint32_t len, uint8_t value) {
    if (value == 0) return;
    for (uint32_t i = first; i < first + len; ++i) SetDenseRegister(registers, i, value);
  });
  if (!ok) return false;
  hll.swap(dense);
  return true;
}

bool MergeInto(std::string_view hll, uint8_t* max) {
  if (EncodingOf(hll) == kDense) {
    const auto* registers = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
    for (uint32_t i = 0; i < kRegisters; ++i) {
      uint8_t v = GetDenseRegister(registers, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return ForEachRun(hll, [&](uint32_t first, uint32_t len, uint8_t value) {
    for (uint32_t i = first; i < first + len; ++i) {
      if (value > max[i]) max[i] = value;
    }
  });
}

uint64_t Count(std::string_view hll, bool* invalid) {
  int histogram[64] = {0};
  if (EncodingOf(hll) == kDense) {
    // Four registers in every three bytes.
    const auto* p = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
    for (uint32_t i = 0; i < kRegisters / 4; ++i, p += 3) {
      ++histogram[p[0] & 0x3f];
      ++histogram[((p[0] >> 6) | (p[1] << 2)) & 0x3f];
      ++histogram[((p[1] >> 4) | (p[2] << 4)) & 0x3f];
      ++histogram[p[2] >> 2];
    }
  } else {
    bool ok = ForEachRun(hll, [&](uint32_t, uint32_t len, uint8_t value) {
      histogram[value] += static_cast<int>(len);
    });
    if (!ok) {
      *invalid = true;
      return 0;
    }
  }
  return Estimate(histogram);
}

uint64_t CountRegisters(const uint8_t* registers) {
  int histogram[64] = {0};
  for (uint32_t i = 0; i < kRegisters; ++i) ++histogram[registers[i] & 0x3f];
  return Estimate(histogram);
}

bool DecodeSparse(std::string_view hll, std::string* out) {
  out->clear();
  const auto* p = reinterpret_cast<const uint8_t*>(hll.data());
  for (size_t pos = kHeaderSize; pos < hll.size();) {
    uint8_t b = p[pos];
    if (!out->empty()) out->push_back(' ');
    if (IsZero(b)) {
      *out += "z:" + std::to_string(ZeroLen(b));
      ++pos;
    } else if (IsXZero(b)) {
      if (pos + 1 >= hll.size()) return false;
      *out += "Z:" + std::to_string(XZeroLen(b, p[pos + 1]));
      pos += 2;
    } else {
      *out += "v:" + std::to_string(ValValue(b)) + "," + std::to_string(ValLen(b));
      ++pos;
    }
  }
  return true;
}

}  // namespace ember::hll
