#include "persistence/rdb_value_reader.h"

#include <liblzf/lzf.h>

#include <cmath>
#include <cstring>

#include "common/numbers.h"
#include "persistence/rdb_blobs.h"
#include "persistence/rdb_collection_builder.h"
#include "persistence/rdb_format.h"
#include "server/config.h"

namespace ember {
namespace {

// LZF expands at most ~88x (a 3-byte back-reference yields 264 bytes); anything claiming
// more is corrupt, and is refused before the buffer is allocated.
constexpr uint64_t kMaxLzfRatio = 100;

std::string TypeError(uint8_t type, std::string_view key) {
  std::string what;
  switch (type) {
    case rdb::kModule:
    case rdb::kModule2:
      what = "a module value";
      break;
    default:
      what = "of unknown RDB type";
  }
  return "key '" + std::string(key) + "' is " + what + " (RDB type " + std::to_string(type) +
         "), which ember does not support";
}

}  // namespace

bool RdbValueReader::ReadLength(uint64_t* len, bool* encoded) {
  if (encoded) *encoded = false;
  uint8_t b;
  if (!in_.ReadByte(&b)) return false;
  switch (b >> 6) {
    case rdb::kLen6Bit:
      *len = b & 0x3f;
      return true;
    case rdb::kLen14Bit: {
      uint8_t low;
      if (!in_.ReadByte(&low)) return false;
      *len = (static_cast<uint64_t>(b & 0x3f) << 8) | low;
      return true;
    }
    case rdb::kLenEncoded:
      if (!encoded) return in_.Fail("unexpected string encoding for a length");
      *encoded = true;
      *len = b & 0x3f;
      return true;
  }
  int bytes = b == rdb::kLen32Bit ? 4 : b == rdb::kLen64Bit ? 8 : 0;
  if (bytes == 0) return in_.Fail("bad length encoding");
  uint8_t buf[8];
  if (!in_.Read(buf, static_cast<size_t>(bytes))) return false;
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | buf[i];  // big-endian
  *len = v;
  return true;
}

bool RdbValueReader::ReadString(std::string* out) {
  out->clear();
  uint64_t len;
  bool encoded;
  if (!ReadLength(&len, &encoded)) return false;
  if (!encoded) return in_.ReadInto(out, len);
  if (len == rdb::kEncLzf) return ReadLzf(out);
  int width = len == rdb::kEncInt8 ? 1 : len == rdb::kEncInt16 ? 2 : len == rdb::kEncInt32 ? 4 : 0;
  if (width == 0) return in_.Fail("unknown string encoding");
  uint8_t buf[4];
  if (!in_.Read(buf, static_cast<size_t>(width))) return false;
  uint64_t u = 0;
  for (int i = 0; i < width; ++i) u |= static_cast<uint64_t>(buf[i]) << (8 * i);
  uint64_t sign = 1ULL << (8 * width - 1);
  char digits[24];
  out->assign(digits, FormatInt64(static_cast<int64_t>((u ^ sign) - sign), digits));
  return true;
}

bool RdbValueReader::ReadLzf(std::string* out) {
  uint64_t clen, ulen;
  if (!ReadLength(&clen) || !ReadLength(&ulen)) return false;
  if (clen == 0 || ulen == 0 || ulen > clen * kMaxLzfRatio + 64 || ulen > UINT32_MAX) {
    return in_.Fail("bad LZF lengths");
  }
  compressed_.clear();
  if (!in_.ReadInto(&compressed_, clen)) return false;
  out->resize(ulen);
  unsigned int n = lzf_decompress(compressed_.data(), static_cast<unsigned int>(clen), out->data(),
                                  static_cast<unsigned int>(ulen));
  if (n != ulen) return in_.Fail("LZF data does not decompress to its length");
  return true;
}

bool RdbValueReader::SkipString() {
  uint64_t len;
  bool encoded;
  if (!ReadLength(&len, &encoded)) return false;
  if (!encoded) return in_.Skip(len);
  if (len == rdb::kEncLzf) {
    uint64_t clen, ulen;
    return ReadLength(&clen) && ReadLength(&ulen) && in_.Skip(clen);
  }
  if (len > rdb::kEncInt32) return in_.Fail("unknown string encoding");
  return in_.Skip(len == rdb::kEncInt8 ? 1 : len == rdb::kEncInt16 ? 2 : 4);
}

bool RdbValueReader::ReadBinaryDouble(double* out) {
  uint8_t buf[8];
  if (!in_.Read(buf, 8)) return false;
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(buf[i]) << (8 * i);
  std::memcpy(out, &bits, 8);
  if (std::isnan(*out)) return in_.Fail("NaN score");
  return true;
}

bool RdbValueReader::ReadTextDouble(double* out) {
  uint8_t len;
  if (!in_.ReadByte(&len)) return false;
  if (len == rdb::kScoreNan) return in_.Fail("NaN score");
  if (len == rdb::kScorePosInf || len == rdb::kScoreNegInf) {
    *out = len == rdb::kScorePosInf ? INFINITY : -INFINITY;
    return true;
  }
  char buf[256];
  if (!in_.Read(buf, len)) return false;
  auto d = ParseDouble(std::string_view(buf, len));
  if (!d) return in_.Fail("bad score");
  *out = *d;
  return true;
}

template <class Walker, class Visit>
bool RdbValueReader::ReadBlob(Walker walk, Visit visit) {
  std::string blob;
  if (!ReadString(&blob)) return false;
  std::string error;
  bool visitor_failed = false;
  bool ok = walk(
      blob,
      [&](std::string_view entry) {
        if (visit(entry)) return true;
        visitor_failed = true;
        return false;
      },
      &error);
  if (visitor_failed) return false;  // the visitor recorded its own error
  if (!ok) return in_.Fail(error);
  return true;
}

bool RdbValueReader::ReadValue(uint8_t type, std::string_view key, int64_t expire_ms,
                               Record** record) {
  *record = nullptr;
  switch (type) {
    case rdb::kString:
      if (!ReadString(&scratch_)) return false;
      *record = Record::NewString(key, scratch_, expire_ms);
      return true;
    case rdb::kList:
    case rdb::kListZiplist:
    case rdb::kListQuicklist:
    case rdb::kListQuicklist2:
      return ReadList(type, key, expire_ms, record);
    case rdb::kSet:
    case rdb::kSetIntset:
    case rdb::kSetListpack:
      return ReadSet(type, key, expire_ms, record);
    case rdb::kHash:
    case rdb::kHashZipmap:
    case rdb::kHashZiplist:
    case rdb::kHashListpack:
      return ReadHash(type, key, expire_ms, record);
    case rdb::kZSet:
    case rdb::kZSet2:
    case rdb::kZSetZiplist:
    case rdb::kZSetListpack:
      return ReadZSet(type, key, expire_ms, record);
    case rdb::kStreamListpacks:
    case rdb::kStreamListpacks2:
    case rdb::kStreamListpacks3:
      return ReadStream(type, key, expire_ms, record);
  }
  return in_.Fail(TypeError(type, key));
}

bool RdbValueReader::ReadList(uint8_t type, std::string_view key, int64_t expire_ms,
                              Record** record) {
  ListBuilder list(config_);
  auto add = [&](std::string_view v) {
    list.Add(v);
    return true;
  };
  if (type == rdb::kListZiplist) {
    if (!ReadBlob(ForEachZiplistEntry, add)) return false;
  } else {
    uint64_t count;
    if (!ReadLength(&count)) return false;
    for (uint64_t i = 0; i < count; ++i) {
      if (type == rdb::kList) {
        if (!ReadString(&scratch_)) return false;
        list.Add(scratch_);
        continue;
      }
      uint64_t container = rdb::kQuicklistPacked;
      if (type == rdb::kListQuicklist2 && !ReadLength(&container)) return false;
      if (container == rdb::kQuicklistPlain) {
        if (!ReadString(&scratch_)) return false;
        list.Add(scratch_);
      } else if (container != rdb::kQuicklistPacked) {
        return in_.Fail("bad quicklist node container");
      } else if (!ReadBlob(type == rdb::kListQuicklist ? ForEachZiplistEntry : ForEachListpackEntry,
                           add)) {
        return false;
      }
    }
  }
  *record = list.Finish(key, expire_ms);
  return true;
}

bool RdbValueReader::ReadSet(uint8_t type, std::string_view key, int64_t expire_ms,
                             Record** record) {
  uint64_t count = 0;
  if (type == rdb::kSet && !ReadLength(&count)) return false;
  SetBuilder set(config_, count);
  auto add = [&](std::string_view m) { return set.Add(m) || in_.Fail("duplicate set member"); };
  if (type == rdb::kSet) {
    for (uint64_t i = 0; i < count; ++i) {
      if (!ReadString(&scratch_) || !add(scratch_)) return false;
    }
  } else if (!ReadBlob(type == rdb::kSetIntset ? ForEachIntsetEntry : ForEachListpackEntry, add)) {
    return false;
  }
  *record = set.Finish(key, expire_ms);
  return true;
}

bool RdbValueReader::ReadHash(uint8_t type, std::string_view key, int64_t expire_ms,
                              Record** record) {
  uint64_t count = 0;
  if (type == rdb::kHash && !ReadLength(&count)) return false;
  HashBuilder hash(config_, count);
  auto add = [&](std::string_view f, std::string_view v) {
    return hash.Add(f, v) || in_.Fail("duplicate hash field");
  };
  if (type == rdb::kHash) {
    for (uint64_t i = 0; i < count; ++i) {
      if (!ReadString(&scratch_) || !ReadString(&scratch2_) || !add(scratch_, scratch2_))
        return false;
    }
  } else {
    bool have_field = false;
    std::string field;
    auto pair = [&](std::string_view entry) {
      if (!have_field) {
        field.assign(entry);
        have_field = true;
        return true;
      }
      have_field = false;
      return add(field, entry);
    };
    bool ok = type == rdb::kHashZipmap    ? ReadBlob(ForEachZipmapEntry, pair)
              : type == rdb::kHashZiplist ? ReadBlob(ForEachZiplistEntry, pair)
                                          : ReadBlob(ForEachListpackEntry, pair);
    if (!ok) return false;
    if (have_field) return in_.Fail("hash blob with an odd number of entries");
  }
  *record = hash.Finish(key, expire_ms);
  return true;
}

bool RdbValueReader::ReadZSet(uint8_t type, std::string_view key, int64_t expire_ms,
                              Record** record) {
  uint64_t count = 0;
  bool counted = type == rdb::kZSet || type == rdb::kZSet2;
  if (counted && !ReadLength(&count)) return false;
  ZSetBuilder zset(config_, count);
  auto add = [&](std::string_view m, double score) {
    return zset.Add(m, score) || in_.Fail("duplicate sorted set member");
  };
  if (counted) {
    for (uint64_t i = 0; i < count; ++i) {
      double score;
      if (!ReadString(&scratch_)) return false;
      if (!(type == rdb::kZSet2 ? ReadBinaryDouble(&score) : ReadTextDouble(&score))) return false;
      if (!add(scratch_, score)) return false;
    }
  } else {
    bool have_member = false;
    std::string member;
    auto pair = [&](std::string_view entry) {
      if (!have_member) {
        member.assign(entry);
        have_member = true;
        return true;
      }
      have_member = false;
      auto score = ParseDouble(entry);
      if (!score) return in_.Fail("bad score in a sorted set blob");
      return add(member, *score);
    };
    bool ok = type == rdb::kZSetZiplist ? ReadBlob(ForEachZiplistEntry, pair)
                                        : ReadBlob(ForEachListpackEntry, pair);
    if (!ok) return false;
    if (have_member) return in_.Fail("sorted set blob with an odd number of entries");
  }
  *record = zset.Finish(key, expire_ms);
  return true;
}

}  // namespace ember
