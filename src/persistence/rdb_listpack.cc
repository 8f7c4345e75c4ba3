// Redis's listpack: a 4-byte total length, a 2-byte entry count (65535: count unknown), the
// entries, and a 0xFF terminator. An entry is an encoding byte (with its length or integer),
// the data, and a back-length (the size of encoding + data, 7 bits a byte) for reverse walks.
#include <cstring>

#include "common/numbers.h"
#include "persistence/rdb_blobs.h"

namespace ember {
namespace {

constexpr size_t kHeaderBytes = 6;
constexpr uint8_t kTerminator = 0xff;
constexpr uint16_t kUnknownCount = 65535;

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

size_t BacklenSize(size_t len) {
  if (len < 128) return 1;
  if (len < 16384) return 2;
  if (len < 2097152) return 3;
  if (len < 268435456) return 4;
  return 5;
}

int64_t SignExtend(uint64_t v, int bits) {
  uint64_t sign = 1ULL << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

}  // namespace

RedisListpackBuilder::RedisListpackBuilder() {
  buf_.assign(kHeaderBytes, '\0');
}

void RedisListpackBuilder::Add(std::string_view value) {
  if (value.size() <= 20) {
    if (auto n = ParseInt64(value)) return AddInt(*n);
  }
  AddString(value);
}

void RedisListpackBuilder::AddInt(int64_t v) {
  size_t start = buf_.size();
  if (v >= 0 && v <= 127) {
    buf_.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = static_cast<uint64_t>(v) & 0x1fff;
    buf_.push_back(static_cast<char>(0xc0 | (u >> 8)));
    buf_.push_back(static_cast<char>(u & 0xff));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    buf_.push_back(static_cast<char>(0xf1));
    PutLe(&buf_, static_cast<uint64_t>(v), 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    buf_.push_back(static_cast<char>(0xf2));
    PutLe(&buf_, static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    buf_.push_back(static_cast<char>(0xf3));
    PutLe(&buf_, static_cast<uint64_t>(v), 4);
  } else {
    buf_.push_back(static_cast<char>(0xf4));
    PutLe(&buf_, static_cast<uint64_t>(v), 8);
  }
  AppendBacklen(buf_.size() - start);
}

void RedisListpackBuilder::AddString(std::string_view value) {
  size_t start = buf_.size();
  size_t len = value.size();
  if (len < 64) {
    buf_.push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    buf_.push_back(static_cast<char>(0xe0 | (len >> 8)));
    buf_.push_back(static_cast<char>(len & 0xff));
  } else {
    buf_.push_back(static_cast<char>(0xf0));
    PutLe(&buf_, len, 4);
  }
  buf_.append(value);
  AppendBacklen(buf_.size() - start);
}

void RedisListpackBuilder::AppendBacklen(size_t len) {
  // Most significant group first; every byte but the first carries the continuation bit, so
  // a reader walking backwards stops at the byte without it.
  size_t n = BacklenSize(len);
  for (size_t i = n; i-- > 0;) {
    uint8_t group = static_cast<uint8_t>((len >> (7 * i)) & 127);
    buf_.push_back(static_cast<char>(i + 1 == n ? group : group | 128));
  }
  ++count_;
}

std::string RedisListpackBuilder::Finish() {
  buf_.push_back(static_cast<char>(kTerminator));
  std::string out;
  out.swap(buf_);
  uint64_t total = out.size();
  uint16_t count = count_ < kUnknownCount ? static_cast<uint16_t>(count_) : kUnknownCount;
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((total >> (8 * i)) & 0xff);
  out[4] = static_cast<char>(count & 0xff);
  out[5] = static_cast<char>(count >> 8);
  buf_.assign(kHeaderBytes, '\0');
  count_ = 0;
  return out;
}

bool ForEachListpackEntry(std::string_view blob, const BlobVisitor& visit, std::string* error) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  size_t size = blob.size();
  if (size < kHeaderBytes + 1 || GetLe(p, 4) != size || p[size - 1] != kTerminator) {
    *error = "bad listpack header";
    return false;
  }
  uint64_t declared = GetLe(p + 4, 2);
  size_t pos = kHeaderBytes, end = size - 1, seen = 0;
  char digits[24];
  while (pos < end) {
    uint8_t b = p[pos];
    size_t header = 1, data = 0;
    bool is_int = true;
    int64_t v = 0;
    if (b < 0x80) {
      v = b;
    } else if ((b & 0xc0) == 0x80) {
      is_int = false;
      data = b & 0x3f;
    } else if ((b & 0xe0) == 0xc0) {
      header = 2;
      if (pos + 2 > end) break;
      v = SignExtend((static_cast<uint64_t>(b & 0x1f) << 8) | p[pos + 1], 13);
    } else if ((b & 0xf0) == 0xe0) {
      is_int = false;
      header = 2;
      if (pos + 2 > end) break;
      data = (static_cast<size_t>(b & 0x0f) << 8) | p[pos + 1];
    } else if (b == 0xf0) {
      is_int = false;
      header = 5;
      if (pos + 5 > end) break;
      data = GetLe(p + pos + 1, 4);
    } else if (b >= 0xf1 && b <= 0xf4) {
      static constexpr int kWidths[] = {2, 3, 4, 8};
      int width = kWidths[b - 0xf1];
      header = 1 + static_cast<size_t>(width);
      if (pos + header > end) break;
      v = SignExtend(GetLe(p + pos + 1, width), 8 * width);
    } else {
      *error = "bad listpack entry encoding";
      return false;
    }
    size_t entry_len = header + data;
    if (data > end - pos || entry_len + BacklenSize(entry_len) > end - pos) break;
    // The back-length must say what we just measured.
    size_t blen = BacklenSize(entry_len);
    uint64_t stored = 0;
    for (size_t i = 0; i < blen; ++i) stored = (stored << 7) | (p[pos + entry_len + i] & 127);
    if (stored != entry_len) {
      *error = "bad listpack back-length";
      return false;
    }
    std::string_view value;
    if (is_int) {
      value = std::string_view(digits, FormatInt64(v, digits));
    } else {
      value = std::string_view(blob.data() + pos + header, data);
    }
    ++seen;
    if (!visit(value)) return true;
    pos += entry_len + blen;
  }
  if (pos != end) {
    *error = "listpack entry runs past its end";
    return false;
  }
  if (declared != kUnknownCount && declared != seen) {
    *error = "listpack entry count mismatch";
    return false;
  }
  return true;
}

}  // namespace ember
