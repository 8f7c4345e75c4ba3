#pragma once
// A hash: field/value pairs packed in one Listpack while small (hash-max-listpack-entries and
// -value), then for good a SegmentedTable of compact Records (field = key, value = value): the
// keyspace's own table, so a large hash costs about what the same number of keys would.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "keyspace/record.h"
#include "keyspace/segmented_table.h"
#include "types/listpack.h"
#include "types/object.h"

namespace ember {

struct ServerConfig;

class HashValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kHash;

  HashValue() = default;
  Object* Clone() const override;
  size_t AllocatedBytes() const override;
  const char* EncodingName() const override { return table_ ? "hashtable" : "listpack"; }

  size_t size() const { return table_ ? table_->size() : pairs_.size() / 2; }
  bool empty() const { return size() == 0; }

  std::optional<std::string> Get(std::string_view field) const;
  bool Contains(std::string_view field) const;
  // Sets a field; true when it is new. Converts to the table past the config's limits.
  bool Set(std::string_view field, std::string_view value, const ServerConfig& config);
  bool Erase(std::string_view field);
  // Visits every pair; the visitor returns false to stop.
  void ForEach(const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // HSCAN: visits pairs from `cursor`; returns the next cursor (0: done). A packed hash is
  // visited whole.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random pair (HRANDFIELD): a random slot of the table, or a random packed entry.
  std::pair<std::string, std::string> RandomPair(uint64_t random) const;

 private:
  void ConvertToTable();
  size_t FindPacked(std::string_view field) const;  // position of the field, or End()

  Listpack pairs_;  // field, value, field, value ...
  std::unique_ptr<SegmentedTable> table_;
};

// A record's value as a string (int-encoded values are formatted).
std::string RecordValueString(const Record* r);

}  // namespace ember
