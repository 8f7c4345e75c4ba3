#pragma once
// Extendible hash table: a directory of fixed-size segments. Each segment is an open-addressing
// table with one tag byte per slot (7 hash bits, Swiss-table style) probed 16 at a time with
// SSE2. A full segment splits alone, so growth never rehashes the whole table, never doubles
// memory in one step and never stalls a request for long.
//
// The table stores Record pointers and knows nothing about values; the key is read from the
// record. It also keeps a per-slot "has expiry" bit so the expiry sweeper visits only records
// with a TTL.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "keyspace/record.h"

namespace ember {

uint64_t HashKey(std::string_view key);

class SegmentedTable {
 public:
  static constexpr uint32_t kSlotsPerSegment = 256;
  static constexpr uint32_t kGroupSize = 16;

  struct Segment;
  // A found slot; valid until the next insert (which may split the segment).
  struct Slot {
    Segment* segment = nullptr;
    uint32_t index = 0;
    explicit operator bool() const { return segment != nullptr; }
  };

  SegmentedTable();
  ~SegmentedTable();
  SegmentedTable(const SegmentedTable&) = delete;
  SegmentedTable& operator=(const SegmentedTable&) = delete;

  Slot Find(std::string_view key, uint64_t hash) const;
  // Cache hints for a later Find of `hash`: the home group's tags and record references, and
  // (once those have arrived) the record of the first slot whose tag matches.
  void PrefetchSlots(uint64_t hash) const;
  void PrefetchRecord(uint64_t hash) const;
  Record* Get(Slot slot) const;
  // Inserts a record whose key is not present.
  void Insert(Record* record, uint64_t hash);
  // Points the slot at another record for the same key (refreshes the expiry bit).
  void Replace(Slot slot, Record* record);
  // Removes the slot's record from the table and returns it (not freed).
  Record* Erase(Slot slot);
  // Frees every record and empties the table.
  void Clear();
  void Swap(SegmentedTable& other);

  size_t size() const { return size_; }
  size_t expires() const { return expires_; }
  // Bytes held by the directory and segments (records are accounted separately).
  size_t TableBytes() const;
  // The directory's entries, and how many entries of its spare (the next doubling's target)
  // the splits have already touched (for tests).
  size_t directory_size() const { return directory_.size(); }
  size_t spare_ready() const { return spare_.size(); }

  // SCAN: visits whole segments starting at the cursor (a 32-bit hash prefix) until at least
  // `count` records were visited; returns the next cursor, 0 when done. Every record present
  // for a whole scan is visited at least once, even when segments split in between.
  uint32_t Scan(uint32_t cursor, size_t count, const std::function<void(Record*)>& visit) const;
  // Visits records with an expiry in a bounded number of segments, starting at *cursor
  // (a segment-directory position); `visit` returns true when it erased the record.
  size_t SweepExpiring(uint32_t* cursor, size_t max_segments,
                       const std::function<bool(Slot, Record*)>& visit);
  // A uniformly random record (each with the same probability), or nullptr when empty.
  Record* Random(uint64_t random) const;

  // Point-in-time snapshots without fork (BGSAVE): from BeginSnapshot every segment is pending
  // until its records have been visited once, by SnapshotSome in slices of the event loop or,
  // first, by SnapshotSegmentOf just before a write changes the segment. The records visited
  // are then exactly those present when the snapshot began.
  void BeginSnapshot();
  bool snapshot_pending() const { return pending_segments_ > 0; }
  void SnapshotSegmentOf(uint64_t hash, const std::function<void(Record*)>& visit);
  // Visits up to max_segments pending segments from *cursor; returns how many.
  size_t SnapshotSome(uint32_t* cursor, size_t max_segments,
                      const std::function<void(Record*)>& visit);

 private:
  Segment* SegmentFor(uint64_t hash) const;
  void Split(Segment* seg);
  // Doubles the directory (every segment then appears twice as often). A large one is doubled
  // into `spare_`, which the splits since the last doubling have touched a page at a time, so
  // the doubling step itself takes no page faults (fresh pages cost ~10 us each in a VM, ~1 ms
  // for a 256 KiB directory all at once).
  void DoubleDirectory();
  // Touches the next page of the spare directory.
  void PrefaultSpare();
  void RebuildSegment(Segment* seg);
  static void InsertIntoSegment(Segment* seg, Record* record, uint64_t hash);
  void SnapshotSegment(Segment* seg, const std::function<void(Record*)>& visit);

  // Directories at least this big get a spare for their next doubling.
  static constexpr size_t kSpareFrom = 4096;

  std::vector<Segment*> directory_;
  std::vector<Segment*> spare_;  // reserved at twice the directory, filled in by splits
  uint32_t global_depth_ = 0;
  size_t size_ = 0;
  size_t expires_ = 0;
  size_t segment_count_ = 0;
  uint32_t snapshot_epoch_ = 0;  // the snapshot in progress or last taken
  size_t pending_segments_ = 0;  // segments not yet serialised for it
};

}  // namespace ember
