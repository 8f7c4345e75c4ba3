#pragma once
// A hash too big to pack (past hash-max-listpack-entries or -value): a SegmentedTable of
// compact Records (field = key, value = value), the keyspace's own table, so a large hash
// costs about what the same number of keys would. Small hashes are packed inside their
// record instead; command code sees both through HashRef (hash_ref.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "keyspace/record.h"
#include "keyspace/segmented_table.h"
#include "types/object.h"

namespace ember {

class HashValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kHash;

  HashValue() = default;
  Object* Clone() const override;
  // The table plus its field records, kept as records come and go.
  size_t AllocatedBytes() const override {
    return sizeof(*this) + table_.TableBytes() + record_bytes_;
  }
  size_t RecountAllocatedBytes() const override;
  const char* EncodingName() const override { return "hashtable"; }

  size_t size() const { return table_.size(); }
  bool empty() const { return size() == 0; }

  std::optional<std::string> Get(std::string_view field) const;
  bool Contains(std::string_view field) const;
  // Sets a field; true when it is new.
  bool Set(std::string_view field, std::string_view value);
  bool Erase(std::string_view field);
  // Visits every pair; the visitor returns false to stop.
  void ForEach(const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // HSCAN: visits pairs from `cursor`; returns the next cursor (0: done).
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A uniformly random pair (HRANDFIELD).
  std::pair<std::string, std::string> RandomPair(uint64_t random) const;

 private:
  SegmentedTable table_;
  size_t record_bytes_ = 0;  // the field records' allocator blocks
};

// A record's value as a string (int-encoded values are formatted).
std::string RecordValueString(const Record* r);

}  // namespace ember
