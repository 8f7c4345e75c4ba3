#pragma once
// A hash as command code sees it, whichever way its record stores it: packed inside the record
// while small (Redis's "listpack" encoding: one allocation per hash, see packed_pairs.h), or
// as a HashValue table once past hash-max-listpack-entries or -value (for good, as in Redis).
//
// Changes to a packed hash collect in a working copy and go back to the keyspace as one new
// record when the HashRef goes out of scope, so an HSET of ten fields builds one record, not
// ten. A hash left empty is deleted then (Redis never keeps an empty collection).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "keyspace/database.h"
#include "types/hash_value.h"

namespace ember {

struct ServerConfig;

class HashRef {
 public:
  // `entry` is the key's lookup: missing, or a hash record (the caller checked the type).
  // `key` names the hash when it has to be created. Both must outlive the HashRef.
  HashRef(Database& db, Database::Entry& entry, std::string_view key, const ServerConfig& config);
  ~HashRef();
  HashRef(const HashRef&) = delete;
  HashRef& operator=(const HashRef&) = delete;

  size_t size() const;
  bool empty() const { return size() == 0; }
  std::optional<std::string> Get(std::string_view field) const;
  bool Contains(std::string_view field) const;
  // Sets a field; true when it is new. Converts to the table past the config's limits.
  bool Set(std::string_view field, std::string_view value);
  bool Erase(std::string_view field);
  // Visits every pair; the visitor returns false to stop.
  void ForEach(const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // HSCAN: visits pairs from `cursor`; returns the next cursor (0: done). A packed hash is
  // visited whole.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random pair (HRANDFIELD); requires !empty().
  std::pair<std::string, std::string> RandomPair(uint64_t random) const;

 private:
  // The packed bytes: the working copy once changed, else the record's own.
  std::string_view Packed() const;
  // The working copy to change, made from the record's bytes on the first change.
  std::string* Working();
  void ConvertToTable();
  int64_t ExpireMs() const { return entry_ ? entry_.record->expire_ms() : 0; }

  Database& db_;
  Database::Entry& entry_;
  std::string_view key_;
  const ServerConfig& config_;
  HashValue* table_ = nullptr;  // set when the hash is (or became) a table
  std::string working_;         // the changed packed bytes, when dirty_
  bool dirty_ = false;
  bool table_changed_ = false;  // the table was changed in place: the keyspace hears of it
};

// One field of a hash record, packed or table (SORT's BY and GET key->field patterns).
std::optional<std::string> HashRecordGet(const Record* r, std::string_view field);

}  // namespace ember
