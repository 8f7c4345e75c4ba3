#pragma once
// HyperLogLog in Redis's own byte format, so values move between ember and Redis as they are:
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused | cached cardinality (8 bytes, little
//   endian; the top bit of the last byte set: stale) | registers
// 16384 registers of 6 bits: dense packs them (12288 bytes, register i at bit 6*i, low bits
// first); sparse run-length codes them with three opcodes:
//   ZERO  00xxxxxx           1..64 zero registers
//   XZERO 01xxxxxx yyyyyyyy  1..16384 zero registers
//   VAL   1vvvvvxx           1..4 registers of value 1..32
// A sparse value past hll-sparse-max-bytes, or a register past 32, turns dense. Elements hash
// with MurmurHash64A; the estimate is Ertl's improved estimator (as Redis 5+).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ember::hll {

inline constexpr int kPrecision = 14;
inline constexpr uint32_t kRegisters = 1u << kPrecision;
inline constexpr int kRegisterBits = 6;
inline constexpr int kHashBits = 64 - kPrecision;  // Redis's HLL_Q: bits left for the run
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + kRegisters * kRegisterBits / 8;
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
inline constexpr uint8_t kMaxRegister = kHashBits + 1;  // the longest run a hash can give
inline constexpr uint32_t kSparseValMax = 32;

// Austin Appleby's MurmurHash64A (64-bit, little-endian reads).
uint64_t MurmurHash64A(const void* data, size_t len, uint64_t seed);

// The register an element updates and the value it offers (run of zeros + 1).
struct Pattern {
  uint32_t index;
  uint8_t count;
};
Pattern PatternOf(std::string_view element);

// Redis's check before using a string as a HyperLogLog: magic, a known encoding, and the exact
// size for dense ones. (Sparse opcodes are checked as they are walked.)
bool LooksValid(std::string_view bytes);
inline uint8_t EncodingOf(std::string_view bytes) {
  return static_cast<uint8_t>(bytes[4]);
}

// An empty HyperLogLog (sparse: one XZERO run over every register), cached count 0.
std::string NewEmpty();

// The cached cardinality in the header.
bool CacheValid(std::string_view bytes);
uint64_t CachedCount(std::string_view bytes);
void SetCachedCount(char* bytes, uint64_t count);
inline void InvalidateCache(char* bytes) {
  bytes[15] = static_cast<char>(static_cast<uint8_t>(bytes[15]) | 0x80);
}

// Dense registers (the bytes after the header).
uint8_t GetDenseRegister(const uint8_t* registers, uint32_t index);
void SetDenseRegister(uint8_t* registers, uint32_t index, uint8_t value);
// Raises register `index` to `count`; true when it grew.
inline bool DenseSet(uint8_t* registers, uint32_t index, uint8_t count) {
  if (GetDenseRegister(registers, index) >= count) return false;
  SetDenseRegister(registers, index, count);
  return true;
}

// Raises register `index` of the HyperLogLog in `hll` (either encoding) to `count`; a sparse
// one may turn dense. 1: changed, 0: unchanged, -1: corrupt.
int SetRegister(std::string& hll, uint32_t index, uint8_t count, size_t sparse_max_bytes);
inline int Add(std::string& hll, std::string_view element, size_t sparse_max_bytes) {
  Pattern p = PatternOf(element);
  return SetRegister(hll, p.index, p.count, sparse_max_bytes);
}

// Rewrites a sparse `hll` as dense (the header is kept); false when the sparse data is corrupt.
// A dense one is left alone.
bool ToDense(std::string& hll);

// max[i] = max(max[i], register i of `hll`) for every register; false when corrupt.
bool MergeInto(std::string_view hll, uint8_t* max);

// The estimated cardinality of `hll`; *invalid set when its sparse data is corrupt.
uint64_t Count(std::string_view hll, bool* invalid);
// The same for plain registers, one byte each (PFCOUNT of several keys).
uint64_t CountRegisters(const uint8_t* registers);

// PFDEBUG DECODE's text of a sparse HyperLogLog ("Z:16384", "z:3 v:2,1 ..."); false when
// the opcodes run past the end.
bool DecodeSparse(std::string_view hll, std::string* out);

// PFSELFTEST: empty when the encodings and the estimator behave, else what failed.
std::string SelfTest();

}  // namespace ember::hll
