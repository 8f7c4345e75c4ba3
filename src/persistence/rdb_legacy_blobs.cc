// The blobs besides the listpack: intset (all RDB versions), ziplist (Redis 2.6 - 6.2) and
// zipmap (Redis < 2.6).
#include <cstring>

#include "common/numbers.h"
#include "persistence/rdb_blobs.h"

namespace ember {
namespace {

uint64_t GetLe(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

int64_t SignExtend(uint64_t v, int bits) {
  uint64_t sign = 1ULL << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

}  // namespace

std::string BuildRedisIntset(const std::vector<int64_t>& sorted) {
  size_t width = 2;
  for (int64_t v : sorted) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
      break;
    }
    if (v < INT16_MIN || v > INT16_MAX) width = 4;
  }
  std::string out(8 + width * sorted.size(), '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  uint32_t header[2] = {static_cast<uint32_t>(width), static_cast<uint32_t>(sorted.size())};
  std::memcpy(p, header, 8);  // little-endian, as Redis stores it
  for (size_t i = 0; i < sorted.size(); ++i) {
    auto v = static_cast<uint64_t>(sorted[i]);
    for (size_t b = 0; b < width; ++b) p[8 + i * width + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  return out;
}

bool ForEachIntsetEntry(std::string_view blob, const BlobVisitor& visit, std::string* error) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < 8) {
    *error = "intset too short";
    return false;
  }
  uint64_t width = GetLe(p, 4), count = GetLe(p + 4, 4);
  if ((width != 2 && width != 4 && width != 8) || blob.size() - 8 != count * width) {
    *error = "bad intset header";
    return false;
  }
  char digits[24];
  int64_t previous = 0;
  for (uint64_t i = 0; i < count; ++i) {
    int64_t v =
        SignExtend(GetLe(p + 8 + i * width, static_cast<int>(width)), static_cast<int>(8 * width));
    if (i > 0 && v <= previous) {
      *error = "intset not sorted";
      return false;
    }
    previous = v;
    if (!visit(std::string_view(digits, FormatInt64(v, digits)))) return true;
  }
  return true;
}

// Ziplist: u32 total bytes, u32 tail offset, u16 count, entries, 0xFF. An entry is the
// previous entry's length (1 byte, or 0xFE + u32), an encoding with the string length (big
// endian) or integer type, then the data.
bool ForEachZiplistEntry(std::string_view blob, const BlobVisitor& visit, std::string* error) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  size_t size = blob.size();
  if (size < 11 || GetLe(p, 4) != size || p[size - 1] != 0xff) {
    *error = "bad ziplist header";
    return false;
  }
  size_t pos = 10, end = size - 1;
  char digits[24];
  auto truncated = [&] {
    *error = "ziplist entry runs past its end";
    return false;
  };
  while (pos < end) {
    pos += p[pos] == 0xfe ? 5 : 1;  // the previous entry's length: we only walk forwards
    if (pos >= end) return truncated();
    uint8_t b = p[pos];
    size_t header = 1, data = 0;
    bool is_int = true;
    int64_t v = 0;
    switch (b >> 6) {
      case 0:
        is_int = false;
        data = b & 0x3f;
        break;
      case 1:
        is_int = false;
        header = 2;
        if (pos + 2 > end) return truncated();
        data = (static_cast<size_t>(b & 0x3f) << 8) | p[pos + 1];
        break;
      case 2:
        is_int = false;
        header = 5;
        if (pos + 5 > end) return truncated();
        data = (static_cast<size_t>(p[pos + 1]) << 24) | (static_cast<size_t>(p[pos + 2]) << 16) |
               (static_cast<size_t>(p[pos + 3]) << 8) | p[pos + 4];
        break;
      default: {
        int width = 0;
        if (b == 0xc0) {
          width = 2;
        } else if (b == 0xd0) {
          width = 4;
        } else if (b == 0xe0) {
          width = 8;
        } else if (b == 0xf0) {
          width = 3;
        } else if (b == 0xfe) {
          width = 1;
        } else if (b >= 0xf1 && b <= 0xfd) {
          v = (b & 0x0f) - 1;  // an immediate 0..12
        } else {
          *error = "bad ziplist entry encoding";
          return false;
        }
        if (width > 0) {
          if (pos + 1 + static_cast<size_t>(width) > end) return truncated();
          v = SignExtend(GetLe(p + pos + 1, width), 8 * width);
          header = 1 + static_cast<size_t>(width);
        }
      }
    }
    if (pos + header > end || data > end - pos - header) return truncated();
    std::string_view value = is_int ? std::string_view(digits, FormatInt64(v, digits))
                                    : std::string_view(blob.data() + pos + header, data);
    if (!visit(value)) return true;
    pos += header + data;
  }
  return true;
}

// Zipmap: a count byte, then pairs of (length, field) and (length, free byte count, value,
// free bytes), then 0xFF. A length is one byte below 254, or 254 and a u32.
bool ForEachZipmapEntry(std::string_view blob, const BlobVisitor& visit, std::string* error) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  size_t size = blob.size(), pos = 1;
  auto fail = [&] {
    *error = "bad zipmap";
    return false;
  };
  if (size < 2) return fail();
  auto read_len = [&](size_t* len) {
    if (pos >= size || p[pos] == 0xff) return false;
    if (p[pos] < 254) {
      *len = p[pos++];
    } else if (p[pos] == 254 && pos + 5 <= size) {
      *len = GetLe(p + pos + 1, 4);
      pos += 5;
    } else {
      return false;
    }
    return true;
  };
  while (pos < size && p[pos] != 0xff) {
    size_t len = 0;
    if (!read_len(&len) || len > size - pos) return fail();
    if (!visit(std::string_view(blob.data() + pos, len))) return true;
    pos += len;
    if (!read_len(&len) || pos >= size) return fail();
    size_t free = p[pos++];
    if (len > size - pos || free > size - pos - len) return fail();
    if (!visit(std::string_view(blob.data() + pos, len))) return true;
    pos += len + free;
  }
  if (pos != size - 1) return fail();
  return true;
}

}  // namespace ember
