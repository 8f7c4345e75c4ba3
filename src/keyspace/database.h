#pragma once
// One logical database (SELECT n) within one shard: the keyspace interface command code uses.
// It owns the records in its table, applies lazy expiry on every lookup and keeps the byte
// and key counters. The table behind it can change without touching command code.
#include <cstdint>
#include <functional>
#include <string_view>

#include "keyspace/record.h"
#include "keyspace/segmented_table.h"
#include "types/object.h"

namespace ember {

class Database;

struct KeyspaceStats {
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t evicted_keys = 0;
  // Key changes (Redis's `dirty`): writes since start; save points and INFO persistence
  // count from a snapshot's mark.
  uint64_t changes = 0;
};

// Why a key went away without a command naming it.
enum class DeleteCause : uint8_t { kExpired, kEvicted };

// A shard's write hooks (Dragonfly's DbSlice pre/post-update, Redis's propagate/signal): the
// journal hears of deletions no command's arguments say (lazy and active expiry, eviction);
// a snapshot in progress hears of every write before it happens, so it can serialise the
// part of the table about to change first.
class WriteObserver {
 public:
  // Checked on every write: the observer is called only while it has something to do.
  bool active = false;
  virtual void OnDeleted(int db, std::string_view key, DeleteCause cause) = 0;
  // Before the key with hash `hash` in `db` changes, is inserted or deleted. `certain`: the
  // change will happen (false from FindMutable: the writer may find nothing to change, and
  // says so by calling PostUpdate, which calls AfterUpdate).
  // `key` is the key's name (client tracking needs it; BCAST matches prefixes).
  virtual void BeforeWrite(Database& db, uint64_t hash, std::string_view key, bool certain) = 0;
  // A write that began with FindMutable did change the key (WATCH hears of it here).
  virtual void AfterUpdate(Database& db, uint64_t hash, std::string_view key) = 0;
  // Before every key of `db` goes at once (FLUSHDB, FLUSHALL, SWAPDB).
  virtual void BeforeClear(Database& db) = 0;

 protected:
  ~WriteObserver() = default;
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
    // FindMutable: the value's heap bytes before the change (PostUpdate counts the difference).
    size_t object_bytes = 0;
    explicit operator bool() const { return record != nullptr; }
  };

  explicit Database(KeyspaceStats* stats) : stats_(stats) {}
  ~Database();

  // Finds a live key; an expired one is deleted on the way (lazy expiry).
  Entry Find(std::string_view key, int64_t now_ms);
  // Find for a write: the key's value is about to change in place (the pre-update hook runs).
  // The writer calls PostUpdate once it has changed it, before any other call on this
  // database; a write that turns out to change nothing needs no PostUpdate.
  Entry FindMutable(std::string_view key, int64_t now_ms);
  // The value at `entry` changed in place: counts the change and the value's new size.
  void PostUpdate(Entry& entry);
  // Put, Insert, Erase ... of a key the next write is about to make: runs the pre-update
  // hook for writes that do not start from FindMutable.
  void PreUpdate(uint64_t hash, std::string_view key, bool certain = true) {
    if (write_observer_ != nullptr && write_observer_->active) [[unlikely]]
      write_observer_->BeforeWrite(*this, hash, key, certain);
  }
  // CLIENT NO-TOUCH: while set on this thread, lookups leave access stamps (LRU/LFU) alone.
  static void set_no_touch(bool on) { no_touch_ = on; }
  // Whether the table holds `key`, expired or not, with no side effect (WATCH on FLUSHDB).
  bool Holds(std::string_view key) const { return bool(table_.Find(key, HashKey(key))); }
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
  // Erase for the memory limit: the journal hears of it (a DEL).
  void Evict(Entry& entry);
  // Deletes the entry's record but not its Object, which a clone now owns (RENAME).
  void EraseKeepingObject(Entry& entry);
  // Removes the entry's record from the table without freeing it (ownership to the caller).
  Record* Detach(Entry& entry);
  // Inserts a record for a key known to be absent.
  void Insert(Record* record);
  // Deletes every key (FLUSHDB): one change.
  void Clear();

  size_t size() const { return table_.size(); }
  size_t expires() const { return table_.expires(); }
  // Record, collection-value and table bytes, from the allocator's block sizes.
  size_t used_bytes() const { return record_bytes_ + object_bytes_ + table_.TableBytes(); }
  // Changes made by this thread (every database): a command changed something when this moved.
  static uint64_t thread_changes() { return thread_changes_; }
  // A change made around the databases (SWAPDB exchanging two of them).
  static void CountThreadChange() { ++thread_changes_; }
  // While loading persisted data nothing counts as expired: replaying a write must see the key
  // its original saw (Redis does the same); expiry resumes once loading is done.
  static void set_loading(bool on) { loading_ = on; }
  static bool loading() { return loading_; }
  int64_t ttl_sum_ms(int64_t now_ms) const;

  uint32_t Scan(uint32_t cursor, size_t count, const std::function<void(Record*)>& visit) const {
    return table_.Scan(cursor, count, visit);
  }
  Record* Random(uint64_t random) const { return table_.Random(random); }
  // Active expiry: checks records with a TTL in up to max_segments segments; returns
  // {checked, expired}.
  std::pair<size_t, size_t> SweepExpired(int64_t now_ms, size_t max_segments);

  void Swap(Database& other);

  // Fork-less snapshots (persistence/background_snapshot.h), see SegmentedTable.
  void BeginSnapshot() { table_.BeginSnapshot(); }
  bool snapshot_pending() const { return table_.snapshot_pending(); }
  void SnapshotSegmentOf(uint64_t hash, const std::function<void(Record*)>& visit) {
    table_.SnapshotSegmentOf(hash, visit);
  }
  size_t SnapshotSome(uint32_t* cursor, size_t max_segments,
                      const std::function<void(Record*)>& visit) {
    return table_.SnapshotSome(cursor, max_segments, visit);
  }
  // Who hears of new keys and of writes, and the index (SELECT n) this database has now.
  void set_observer(KeyAddedObserver* observer, int index) {
    observer_ = observer;
    index_ = index;
  }
  void set_write_observer(WriteObserver* observer) { write_observer_ = observer; }
  int index() const { return index_; }

 private:
  void NotifyAdded(std::string_view key);

  // Frees a record that `new_record` replaced; an Object they share stays alive.
  static void ReleaseReplaced(Record* old_record, const Record* new_record);
  static size_t ObjectBytes(const Record* record) {
    return record->encoding() == Encoding::kObject ? record->object()->AllocatedBytes() : 0;
  }
  // Removes an expired record (lazily or by the sweeper) and tells the journal.
  void DeleteExpired(SegmentedTable::Slot slot, Record* record);
  void NotifyDeleted(std::string_view key, DeleteCause cause);

  KeyspaceStats* stats_;
  SegmentedTable table_;
  size_t record_bytes_ = 0;
  size_t object_bytes_ = 0;  // collection values' own heap bytes
  int64_t last_now_ms_ = 0;  // the latest clock a lookup saw: stamps records stored after it
  uint32_t sweep_cursor_ = 0;
  static thread_local bool no_touch_;
  static thread_local bool loading_;
  static thread_local uint64_t thread_changes_;
  KeyAddedObserver* observer_ = nullptr;
  WriteObserver* write_observer_ = nullptr;
  int index_ = 0;
};

}  // namespace ember
