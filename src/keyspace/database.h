#pragma once
// One logical database (SELECT n) within one shard: the keyspace interface command code uses.
// It owns the records in its table, applies lazy expiry on every lookup and keeps the byte
// and key counters. The table behind it can change without touching command code.
#include <cstdint>
#include <functional>
#include <string_view>

#include "keyspace/record.h"
#include "keyspace/segmented_table.h"

namespace ember {

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t evicted_keys = 0;
};

// Told when a key comes into being (an insert, not an overwrite): clients blocked on a missing
// key wait for exactly that, whichever command or database operation made it.
class KeyAddedObserver {
 public:
  // Checked on every insert: the observer is called only while it has something to do.
  bool active = false;
  virtual void OnKeyAdded(int db, std::string_view key) = 0;

 protected:
  ~KeyAddedObserver() = default;
};

class Database {
 public:
  // A lookup result: the record (nullptr when missing) and where it lives.
  struct Entry {
    SegmentedTable::Slot slot;
    Record* record = nullptr;
    uint64_t hash = 0;
    explicit operator bool() const { return record != nullptr; }
  };

  explicit Database(KeyspaceStats* stats) : stats_(stats) {}
  ~Database();

  // Finds a live key; an expired one is deleted on the way (lazy expiry).
  Entry Find(std::string_view key, int64_t now_ms);
  // Like Find, but leaves the access stamp alone (OBJECT, eviction sampling).
  Entry Peek(std::string_view key, int64_t now_ms);
  // Like Find, counting a keyspace hit or miss (for reads). Without `touch`, like Peek:
  // EXISTS, TYPE and TTL read a key without counting as a use for eviction, as in Redis.
  Entry FindForRead(std::string_view key, int64_t now_ms, bool touch = true);

  // Cache hints for a lookup of `hash` (HashKey of the key) coming soon: the table slots
  // first, then, a little later, the record itself. See engine/key_prefetcher.h.
  void PrefetchSlots(uint64_t hash) const { table_.PrefetchSlots(hash); }
  void PrefetchRecord(uint64_t hash) const { table_.PrefetchRecord(hash); }

  // Stores `record` for its key: replaces and frees the old record at `entry`, or inserts.
  void Put(Entry& entry, Record* record);
  // Deletes and frees the entry's record.
  void Erase(Entry& entry);
  // Deletes the entry's record but not its Object, which a clone now owns (RENAME).
  void EraseKeepingObject(Entry& entry);
  // Removes the entry's record from the table without freeing it (ownership to the caller).
  Record* Detach(Entry& entry);
  // Inserts a record for a key known to be absent.
  void Insert(Record* record);
  void Clear();

  size_t size() const { return table_.size(); }
  size_t expires() const { return table_.expires(); }
  // Record bytes plus table bytes, from the allocator's block sizes.
  size_t used_bytes() const { return record_bytes_ + table_.TableBytes(); }
  int64_t ttl_sum_ms(int64_t now_ms) const;

  uint32_t Scan(uint32_t cursor, size_t count, const std::function<void(Record*)>& visit) const {
    return table_.Scan(cursor, count, visit);
  }
  Record* Random(uint64_t random) const { return table_.Random(random); }
  // Active expiry: checks records with a TTL in up to max_segments segments; returns
  // {checked, expired}.
  std::pair<size_t, size_t> SweepExpired(int64_t now_ms, size_t max_segments);

  void Swap(Database& other);
  // Who hears of new keys, and the index (SELECT n) this database has now.
  void set_observer(KeyAddedObserver* observer, int index) {
    observer_ = observer;
    index_ = index;
  }
  int index() const { return index_; }

 private:
  void NotifyAdded(std::string_view key) {
    if (observer_ != nullptr && observer_->active) observer_->OnKeyAdded(index_, key);
  }

  // Frees a record that `new_record` replaced; an Object they share stays alive.
  static void ReleaseReplaced(Record* old_record, const Record* new_record);

  KeyspaceStats* stats_;
  SegmentedTable table_;
  size_t record_bytes_ = 0;
  int64_t last_now_ms_ = 0;  // the latest clock a lookup saw: stamps records stored after it
  uint32_t sweep_cursor_ = 0;
  KeyAddedObserver* observer_ = nullptr;
  int index_ = 0;
};

}  // namespace ember
