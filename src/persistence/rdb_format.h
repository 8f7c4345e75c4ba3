#pragma once
// The constants of Redis's RDB format (rdb.h of Redis 7.0/7.2), shared by the writer and the
// reader.
#include <cstdint>

namespace ember::rdb {

inline constexpr int kVersion = 10;     // what we write (Redis 7.0)
inline constexpr int kMaxVersion = 11;  // what we read (Redis 7.2 writes 11)

// Value types: the byte before a key.
enum Type : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kZSet2 = 5,  // binary double scores
  kModule = 6,
  kModule2 = 7,
  kHashZipmap = 9,
  kListZiplist = 10,
  kSetIntset = 11,
  kZSetZiplist = 12,
  kHashZiplist = 13,
  kListQuicklist = 14,
  kStreamListpacks = 15,
  kHashListpack = 16,
  kZSetListpack = 17,
  kListQuicklist2 = 18,
  kStreamListpacks2 = 19,
  kSetListpack = 20,
  kStreamListpacks3 = 21,
};

// Opcodes: bytes in the type position that are not keys.
enum Opcode : uint8_t {
  kOpFunction2 = 245,
  kOpFunctionPreGa = 246,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

// Length prefixes: the top two bits of the first byte.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncoded = 3;  // 11xxxxxx: a specially encoded string follows

// Special string encodings (the low six bits after 11).
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistPlain = 1;
inline constexpr uint64_t kQuicklistPacked = 2;

// Old (RDB < 8) ZSET scores as text: these lengths stand for non-finite values.
inline constexpr uint8_t kScoreNan = 253;
inline constexpr uint8_t kScorePosInf = 254;
inline constexpr uint8_t kScoreNegInf = 255;

}  // namespace ember::rdb
