#include "persistence/rdb_writer.h"

#include <liblzf/lzf.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/clock.h"
#include "common/numbers.h"
#include "persistence/crc64.h"
#include "persistence/rdb_blobs.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_stream.h"
#include "types/hash_value.h"
#include "types/list_value.h"
#include "types/packed_pairs.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ember {
namespace {

constexpr size_t kMinCompressLen = 20;  // Redis compresses only strings longer than this

void PutByte(std::string* out, uint8_t b) {
  out->push_back(static_cast<char>(b));
}

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) PutByte(out, static_cast<uint8_t>(v >> (8 * i)));
}

// The special integer encodings (11000000 | width), for values that fit 32 bits.
bool AppendEncodedInt(std::string* out, int64_t v) {
  if (v >= INT8_MIN && v <= INT8_MAX) {
    PutByte(out, (rdb::kLenEncoded << 6) | rdb::kEncInt8);
    PutLe(out, static_cast<uint64_t>(v), 1);
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    PutByte(out, (rdb::kLenEncoded << 6) | rdb::kEncInt16);
    PutLe(out, static_cast<uint64_t>(v), 2);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    PutByte(out, (rdb::kLenEncoded << 6) | rdb::kEncInt32);
    PutLe(out, static_cast<uint64_t>(v), 4);
  } else {
    return false;
  }
  return true;
}

bool AppendLzf(std::string* out, std::string_view s) {
  // Worth it only when it saves at least 4 bytes (Redis's rule); the scratch buffer is kept
  // per thread so a snapshot does not allocate per value.
  thread_local std::string scratch;
  size_t limit = s.size() - 4;
  if (scratch.size() < limit) scratch.resize(std::max(limit, scratch.size() * 2));
  unsigned int n = lzf_compress(s.data(), static_cast<unsigned int>(s.size()), scratch.data(),
                                static_cast<unsigned int>(limit));
  if (n == 0) return false;
  PutByte(out, (rdb::kLenEncoded << 6) | rdb::kEncLzf);
  AppendRdbLength(out, n);
  AppendRdbLength(out, s.size());
  out->append(scratch.data(), n);
  return true;
}

void AppendDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  PutLe(out, bits, 8);
}

// A score as text for a listpack: the shortest form that reads back to the same double.
std::string_view ScoreText(double score, char* buf, size_t size) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  auto res = std::to_chars(buf, buf + size, score);
  return std::string_view(buf, static_cast<size_t>(res.ptr - buf));
}

void AppendList(std::string* out, const ListValue& list, bool compress) {
  AppendRdbLength(out, list.node_count());
  RedisListpackBuilder node;
  size_t current = 0;
  list.Scan(false, [&](size_t, std::string_view value) {
    node.Add(value);
    if (node.size() == list.node_size(current)) {
      AppendRdbLength(out, rdb::kQuicklistPacked);
      AppendRdbString(out, node.Finish(), compress);
      ++current;
    }
    return true;
  });
}

void AppendHash(std::string* out, const Record& record, bool compress) {
  if (record.encoding() == Encoding::kPacked) {
    RedisListpackBuilder pack;
    PackedPairs(record.packed_value()).ForEach([&](std::string_view f, std::string_view v) {
      pack.Add(f);
      pack.Add(v);
      return true;
    });
    AppendRdbString(out, pack.Finish(), compress);
    return;
  }
  const auto* hash = static_cast<const HashValue*>(record.object());
  AppendRdbLength(out, hash->size());
  hash->ForEach([&](std::string_view f, std::string_view v) {
    AppendRdbString(out, f, compress);
    AppendRdbString(out, v, compress);
    return true;
  });
}

void AppendSet(std::string* out, const SetValue& set, bool compress) {
  if (set.kind() == SetValue::Kind::kIntset) {
    std::vector<int64_t> values;
    values.reserve(set.size());
    set.ForEach([&](std::string_view m) {
      values.push_back(ParseInt64(m).value_or(0));
      return true;
    });
    std::sort(values.begin(), values.end());
    AppendRdbString(out, BuildRedisIntset(values), compress);
    return;
  }
  // RDB 10 has no set listpack (Redis 7.2 added it): small sets go out as plain sets.
  AppendRdbLength(out, set.size());
  set.ForEach([&](std::string_view m) {
    AppendRdbString(out, m, compress);
    return true;
  });
}

void AppendZSet(std::string* out, const ZSetValue& zset, bool compress) {
  if (zset.is_listpack()) {
    RedisListpackBuilder pack;
    char buf[32];
    zset.Visit(0, zset.size(), false, [&](std::string_view member, double score) {
      pack.Add(member);
      pack.Add(ScoreText(score, buf, sizeof(buf)));
      return true;
    });
    AppendRdbString(out, pack.Finish(), compress);
    return;
  }
  AppendRdbLength(out, zset.size());
  zset.Visit(0, zset.size(), false, [&](std::string_view member, double score) {
    AppendRdbString(out, member, compress);
    AppendDouble(out, score);
    return true;
  });
}

// The type Redis 7.0 would save this value as, given the encoding it has in ember.
uint8_t RdbTypeOf(const Record& record) {
  switch (record.type()) {
    case ValueType::kString:
      return rdb::kString;
    case ValueType::kList:
      return rdb::kListQuicklist2;
    case ValueType::kHash:
      return record.encoding() == Encoding::kPacked ? rdb::kHashListpack : rdb::kHash;
    case ValueType::kSet:
      return static_cast<const SetValue*>(record.object())->kind() == SetValue::Kind::kIntset
                 ? rdb::kSetIntset
                 : rdb::kSet;
    case ValueType::kZSet:
      return static_cast<const ZSetValue*>(record.object())->is_listpack() ? rdb::kZSetListpack
                                                                           : rdb::kZSet2;
    case ValueType::kStream:
      return rdb::kStreamListpacks2;
  }
  return rdb::kString;
}

void AppendValueBody(std::string* out, const Record& record, bool compress) {
  switch (record.type()) {
    case ValueType::kString:
      if (record.encoding() == Encoding::kInt) return AppendRdbInt(out, record.int_value());
      return AppendRdbString(out, record.raw_value(), compress);
    case ValueType::kList:
      return AppendList(out, *static_cast<const ListValue*>(record.object()), compress);
    case ValueType::kHash:
      return AppendHash(out, record, compress);
    case ValueType::kSet:
      return AppendSet(out, *static_cast<const SetValue*>(record.object()), compress);
    case ValueType::kZSet:
      return AppendZSet(out, *static_cast<const ZSetValue*>(record.object()), compress);
    case ValueType::kStream:
      return AppendRdbStream(out, *static_cast<const StreamValue*>(record.object()), compress);
  }
}

void AppendAux(std::string* out, std::string_view key, std::string_view value) {
  PutByte(out, rdb::kOpAux);
  AppendRdbString(out, key, false);
  AppendRdbString(out, value, false);
}

void AppendAuxInt(std::string* out, std::string_view key, int64_t value) {
  char buf[24];
  AppendAux(out, key, std::string_view(buf, FormatInt64(value, buf)));
}

}  // namespace

void AppendRdbLength(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    PutByte(out, static_cast<uint8_t>(len));
  } else if (len < (1 << 14)) {
    PutByte(out, static_cast<uint8_t>((rdb::kLen14Bit << 6) | (len >> 8)));
    PutByte(out, static_cast<uint8_t>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    PutByte(out, rdb::kLen32Bit);
    for (int i = 3; i >= 0; --i) PutByte(out, static_cast<uint8_t>(len >> (8 * i)));
  } else {
    PutByte(out, rdb::kLen64Bit);
    for (int i = 7; i >= 0; --i) PutByte(out, static_cast<uint8_t>(len >> (8 * i)));
  }
}

void AppendRdbString(std::string* out, std::string_view s, bool compress) {
  if (s.size() <= 11) {
    if (auto n = ParseInt64(s); n && AppendEncodedInt(out, *n)) return;
  }
  if (compress && s.size() > kMinCompressLen && AppendLzf(out, s)) return;
  AppendRdbLength(out, s.size());
  out->append(s);
}

void AppendRdbInt(std::string* out, int64_t v) {
  if (AppendEncodedInt(out, v)) return;
  char buf[24];
  size_t n = FormatInt64(v, buf);
  AppendRdbLength(out, n);
  out->append(buf, n);
}

void AppendRdbHeader(std::string* out, uint64_t used_mem) {
  out->append("REDIS0010");
  AppendAux(out, "redis-ver", "7.0.15");
  AppendAuxInt(out, "redis-bits", 64);
  AppendAuxInt(out, "ctime", WallClockMs() / 1000);
  AppendAuxInt(out, "used-mem", static_cast<int64_t>(used_mem));
  AppendAuxInt(out, "aof-base", 0);
}

void AppendSelectDb(std::string* out, uint32_t db, uint64_t keys, uint64_t expires) {
  PutByte(out, rdb::kOpSelectDb);
  AppendRdbLength(out, db);
  PutByte(out, rdb::kOpResizeDb);
  AppendRdbLength(out, keys);
  AppendRdbLength(out, expires);
}

void AppendRdbValue(std::string* out, const Record& record, bool compress) {
  PutByte(out, RdbTypeOf(record));
  AppendValueBody(out, record, compress);
}

void AppendRdbEntry(std::string* out, const Record& record, bool compress) {
  if (record.has_expire()) {
    PutByte(out, rdb::kOpExpireTimeMs);
    PutLe(out, static_cast<uint64_t>(record.expire_ms()), 8);
  }
  PutByte(out, RdbTypeOf(record));
  AppendRdbString(out, record.key(), compress);
  AppendValueBody(out, record, compress);
}

void AppendRdbEof(std::string* out, uint64_t crc_of_everything_before) {
  uint8_t eof = rdb::kOpEof;
  uint64_t crc = Crc64(crc_of_everything_before, &eof, 1);
  PutByte(out, eof);
  PutLe(out, crc, 8);
}

}  // namespace ember
