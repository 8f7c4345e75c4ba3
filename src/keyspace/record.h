#pragma once
// A compact record: one allocation holding a key, its value and (only when set) its expiry.
//
//   byte 0      type (high 4 bits) | kWideExpire (bit 3) | encoding (low 3 bits)
//   byte 1      bit 0: kHasExpire; bits 1-7: high bits of the access stamp
//   bytes 2-3   low 16 bits of the 23-bit access stamp (LRU/LFU, see access_stamp.h)
//   [6 bytes]   absolute expiry in unix ms, present only with kHasExpire (8 bytes with
//               kWideExpire, for times past the year 10889)
//   varint      key length, then the key bytes
//   value       kRaw: varint length + bytes; kInt: 8-byte int64; kObject: 8-byte pointer
//               to an Object (list, hash, set, zset) that the record owns; kPacked: varint
//               length + a small collection's packed bytes (types/packed_pairs.h)
//
// Records are immutable in size: a change that needs more room builds a new record and the
// table slot is repointed (Database does this), so no back-pointers are needed.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace ember {

class Object;

enum class ValueType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 5
};
enum class Encoding : uint8_t { kRaw = 0, kInt = 1, kObject = 2, kPacked = 3 };

class Record {
 public:
  static constexpr uint8_t kHasExpire = 1;   // in byte 1
  static constexpr uint8_t kWideExpire = 8;  // in byte 0

  // Builds a string record, int-encoding the value when it is a canonical int64.
  static Record* NewString(std::string_view key, std::string_view value, int64_t expire_ms);
  static Record* NewInt(std::string_view key, int64_t value, int64_t expire_ms);
  // A raw string record with room for at least `capacity` value bytes (APPEND/SETRANGE growth);
  // the value is `value` (length value.size()).
  static Record* NewStringWithCapacity(std::string_view key, std::string_view value,
                                       size_t capacity, int64_t expire_ms);
  // A record owning `object` (type is kList, kSet, kZSet or kHash).
  static Record* NewObject(std::string_view key, ValueType type, Object* object, int64_t expire_ms);
  // A record whose value is a small collection packed inside it (no second allocation).
  static Record* NewPacked(std::string_view key, ValueType type, std::string_view packed,
                           int64_t expire_ms);
  // Frees the record and the Object it owns.
  static void Free(Record* r);
  // Frees only the record; its Object (if any) now belongs to another record.
  static void FreeShell(Record* r);

  ValueType type() const { return static_cast<ValueType>(bytes()[0] >> 4); }
  Encoding encoding() const { return static_cast<Encoding>(bytes()[0] & 0x07); }
  bool has_expire() const { return bytes()[1] & kHasExpire; }
  int64_t expire_ms() const;  // 0 when none
  // Rewrites the expiry in place when the record has one of the same width; false otherwise
  // (then build a new record with CloneWithExpire).
  bool TrySetExpireInPlace(int64_t ms);
  // The 23-bit access stamp the eviction policy reads (access_stamp.h).
  uint32_t lru() const;
  void set_lru(uint32_t stamp);

  std::string_view key() const;
  // For kRaw strings: the value bytes. For kInt, use int_value().
  std::string_view raw_value() const;
  int64_t int_value() const;
  // For kPacked records: the packed bytes.
  std::string_view packed_value() const { return raw_value(); }
  // For kObject records.
  Object* object() const;
  void set_object_in_place(Object* object);
  // For kInt strings: overwrite the integer (same size, so no reallocation).
  void set_int_value_in_place(int64_t v);
  // Mutable view of raw value bytes, for in-place SETRANGE/APPEND within capacity.
  char* raw_value_data();
  // Bytes available for the raw value without reallocating (from the allocator's block size).
  size_t raw_value_capacity() const;
  // Grows the raw value's recorded length in place; requires new_len <= raw_value_capacity()
  // and that the length varint keeps its size.
  bool TrySetRawLength(size_t new_len);

  size_t AllocatedBytes() const;

 private:
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
  uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this); }
  size_t ExpireWidth() const { return (bytes()[0] & kWideExpire) ? 8 : 6; }
  size_t KeyOffset() const { return has_expire() ? 4 + ExpireWidth() : 4; }
  size_t ValueOffset() const;
};

// Copies the record with a different expiry (0 removes it). Frees nothing. An Object value is
// shared, not copied: the old record must go with Record::FreeShell (Database::Put does this).
Record* CloneWithExpire(const Record* r, int64_t expire_ms);
// Copies the record under another key, keeping value and expiry; an Object is shared as above.
Record* CloneWithKey(const Record* r, std::string_view key);
// Like CloneWithKey, but an Object value is deep-copied (COPY).
Record* CopyWithKey(const Record* r, std::string_view key);

}  // namespace ember
