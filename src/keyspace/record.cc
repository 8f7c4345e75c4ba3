#include "keyspace/record.h"

#include "common/numbers.h"
#include "common/varint.h"
#include "keyspace/record_heap.h"
#include "types/object.h"

namespace ember {

namespace {

// Expiry times below 2^48 ms (the year 10889) take 6 bytes, later ones 8.
constexpr int64_t kNarrowExpireLimit = int64_t{1} << 48;

size_t ExpireBytes(int64_t expire_ms) {
  if (expire_ms <= 0) return 0;
  return expire_ms < kNarrowExpireLimit ? 6 : 8;
}

// Writes the header and key; returns the offset where the value starts.
size_t WriteHead(uint8_t* p, ValueType type, Encoding enc, std::string_view key,
                 int64_t expire_ms) {
  size_t expire_bytes = ExpireBytes(expire_ms);
  p[0] = static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | static_cast<uint8_t>(enc) |
                              (expire_bytes == 8 ? Record::kWideExpire : 0));
  p[1] = expire_ms > 0 ? Record::kHasExpire : 0;
  p[2] = p[3] = 0;
  size_t off = 4;
  memcpy(p + off, &expire_ms, expire_bytes);  // little-endian: the low bytes
  off += expire_bytes;
  off += PutVarint(p + off, key.size());
  memcpy(p + off, key.data(), key.size());
  return off + key.size();
}

size_t HeadSize(std::string_view key, int64_t expire_ms) {
  return 4 + ExpireBytes(expire_ms) + VarintSize(key.size()) + key.size();
}

}  // namespace

Record* Record::NewString(std::string_view key, std::string_view value, int64_t expire_ms) {
  if (value.size() <= 20) {
    if (auto n = ParseInt64(value)) return NewInt(key, *n, expire_ms);
  }
  return NewStringWithCapacity(key, value, value.size(), expire_ms);
}

Record* Record::NewInt(std::string_view key, int64_t value, int64_t expire_ms) {
  auto* p = static_cast<uint8_t*>(record_heap::Allocate(HeadSize(key, expire_ms) + 8));
  size_t off = WriteHead(p, ValueType::kString, Encoding::kInt, key, expire_ms);
  memcpy(p + off, &value, 8);
  return reinterpret_cast<Record*>(p);
}

Record* Record::NewStringWithCapacity(std::string_view key, std::string_view value, size_t capacity,
                                      int64_t expire_ms) {
  if (capacity < value.size()) capacity = value.size();
  // The length varint is sized for the capacity so in-place growth never has to widen it.
  size_t size = HeadSize(key, expire_ms) + VarintSize(capacity) + capacity;
  auto* p = static_cast<uint8_t*>(record_heap::Allocate(size));
  size_t off = WriteHead(p, ValueType::kString, Encoding::kRaw, key, expire_ms);
  size_t width = VarintSize(capacity);
  // A fixed-width varint: pad with continuation bytes so TrySetRawLength can rewrite it.
  uint64_t v = value.size();
  for (size_t i = 0; i + 1 < width; ++i) {
    p[off + i] = static_cast<uint8_t>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  p[off + width - 1] = static_cast<uint8_t>(v & 0x7f);
  if (!value.empty())
    memcpy(p + off + width, value.data(), value.size());  // SETBIT: data() may be null
  return reinterpret_cast<Record*>(p);
}

Record* Record::NewObject(std::string_view key, ValueType type, Object* object, int64_t expire_ms) {
  auto* p =
      static_cast<uint8_t*>(record_heap::Allocate(HeadSize(key, expire_ms) + sizeof(Object*)));
  size_t off = WriteHead(p, type, Encoding::kObject, key, expire_ms);
  memcpy(p + off, &object, sizeof(Object*));
  return reinterpret_cast<Record*>(p);
}

Record* Record::NewPacked(std::string_view key, ValueType type, std::string_view packed,
                          int64_t expire_ms) {
  size_t size = HeadSize(key, expire_ms) + VarintSize(packed.size()) + packed.size();
  auto* p = static_cast<uint8_t*>(record_heap::Allocate(size));
  size_t off = WriteHead(p, type, Encoding::kPacked, key, expire_ms);
  off += PutVarint(p + off, packed.size());
  memcpy(p + off, packed.data(), packed.size());
  return reinterpret_cast<Record*>(p);
}

void Record::Free(Record* r) {
  if (r->encoding() == Encoding::kObject) delete r->object();
  record_heap::Free(r);
}

void Record::FreeShell(Record* r) {
  record_heap::Free(r);
}

Object* Record::object() const {
  Object* o;
  memcpy(&o, bytes() + ValueOffset(), sizeof(Object*));
  return o;
}

void Record::set_object_in_place(Object* object) {
  memcpy(bytes() + ValueOffset(), &object, sizeof(Object*));
}

int64_t Record::expire_ms() const {
  if (!has_expire()) return 0;
  int64_t ms = 0;
  memcpy(&ms, bytes() + 4, ExpireWidth());
  return ms;
}

bool Record::TrySetExpireInPlace(int64_t ms) {
  if (!has_expire() || ExpireBytes(ms) != ExpireWidth()) return false;
  memcpy(bytes() + 4, &ms, ExpireWidth());
  return true;
}

uint32_t Record::lru() const {
  uint16_t low;
  memcpy(&low, bytes() + 2, 2);
  return (static_cast<uint32_t>(bytes()[1] >> 1) << 16) | low;
}

void Record::set_lru(uint32_t stamp) {
  uint16_t low = static_cast<uint16_t>(stamp);
  memcpy(bytes() + 2, &low, 2);
  bytes()[1] = static_cast<uint8_t>((bytes()[1] & kHasExpire) | ((stamp >> 16) & 0x7f) << 1);
}

std::string_view Record::key() const {
  uint64_t len;
  size_t off = KeyOffset();
  off += GetVarint(bytes() + off, &len);
  return std::string_view(reinterpret_cast<const char*>(bytes() + off), len);
}

size_t Record::ValueOffset() const {
  uint64_t len;
  size_t off = KeyOffset();
  off += GetVarint(bytes() + off, &len);
  return off + len;
}

std::string_view Record::raw_value() const {
  uint64_t len;
  size_t off = ValueOffset();
  off += GetVarint(bytes() + off, &len);
  return std::string_view(reinterpret_cast<const char*>(bytes() + off), len);
}

int64_t Record::int_value() const {
  int64_t v;
  memcpy(&v, bytes() + ValueOffset(), 8);
  return v;
}

void Record::set_int_value_in_place(int64_t v) {
  memcpy(bytes() + ValueOffset(), &v, 8);
}

char* Record::raw_value_data() {
  uint64_t len;
  size_t off = ValueOffset();
  off += GetVarint(bytes() + off, &len);
  return reinterpret_cast<char*>(bytes() + off);
}

size_t Record::raw_value_capacity() const {
  uint64_t len;
  size_t off = ValueOffset();
  size_t width = GetVarint(bytes() + off, &len);
  size_t usable = record_heap::UsableSize(this) - off - width;
  // Never promise more than the length field can express.
  size_t max_for_width = width >= 9 ? SIZE_MAX : (size_t{1} << (7 * width)) - 1;
  return usable < max_for_width ? usable : max_for_width;
}

bool Record::TrySetRawLength(size_t new_len) {
  if (new_len > raw_value_capacity()) return false;
  uint8_t* p = bytes() + ValueOffset();
  uint64_t old;
  size_t width = GetVarint(p, &old);
  uint64_t v = new_len;
  for (size_t i = 0; i + 1 < width; ++i) {
    p[i] = static_cast<uint8_t>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  p[width - 1] = static_cast<uint8_t>(v & 0x7f);
  return true;
}

size_t Record::AllocatedBytes() const {
  return record_heap::UsableSize(this);
}

namespace {

// A record with r's value under `key` and `expire_ms`; an Object value moves to it.
Record* Rebuild(const Record* r, std::string_view key, int64_t expire_ms) {
  switch (r->encoding()) {
    case Encoding::kObject:
      return Record::NewObject(key, r->type(), r->object(), expire_ms);
    case Encoding::kInt:
      return Record::NewInt(key, r->int_value(), expire_ms);
    case Encoding::kPacked:
      return Record::NewPacked(key, r->type(), r->packed_value(), expire_ms);
    case Encoding::kRaw:
      break;
  }
  return Record::NewStringWithCapacity(key, r->raw_value(), r->raw_value().size(), expire_ms);
}

}  // namespace

Record* CloneWithExpire(const Record* r, int64_t expire_ms) {
  return Rebuild(r, r->key(), expire_ms);
}

Record* CloneWithKey(const Record* r, std::string_view key) {
  return Rebuild(r, key, r->expire_ms());
}

Record* CopyWithKey(const Record* r, std::string_view key) {
  if (r->encoding() == Encoding::kObject) {
    return Record::NewObject(key, r->type(), r->object()->Clone(), r->expire_ms());
  }
  return CloneWithKey(r, key);
}

}  // namespace ember
