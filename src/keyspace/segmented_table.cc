#include "keyspace/segmented_table.h"

#include <emmintrin.h>
#include <mimalloc.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "keyspace/record_heap.h"

namespace ember {

uint64_t HashKey(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

namespace {
constexpr uint8_t kEmpty = 0x80;
constexpr uint8_t kDeleted = 0xFE;
constexpr uint32_t kGroups = SegmentedTable::kSlotsPerSegment / SegmentedTable::kGroupSize;
// Split (or clean) a segment once used + deleted slots pass 15/16 of its capacity: probing 16
// tags at a time stays short at that load, and the fuller segments save memory.
constexpr uint32_t kMaxUsed = SegmentedTable::kSlotsPerSegment * 15 / 16;

inline uint8_t TagOf(uint64_t hash) {
  return static_cast<uint8_t>((hash >> 4) & 0x7f);
}
inline uint32_t HomeGroup(uint64_t hash) {
  return static_cast<uint32_t>(hash & (kGroups - 1));
}
}  // namespace

struct SegmentedTable::Segment {
  alignas(16) uint8_t tags[kSlotsPerSegment];
  // Records by their 5-byte record_heap reference, not an 8-byte pointer: 3 bytes a slot.
  uint8_t refs[kSlotsPerSegment][5];
  uint64_t expire_bits[kSlotsPerSegment / 64];
  uint32_t local_depth = 0;
  uint32_t used = 0;     // live records
  uint32_t deleted = 0;  // tombstones
  // The snapshot this segment's records were last serialised for (fits the padding: free).
  uint32_t snapshot_epoch = 0;

  Segment() {
    memset(tags, kEmpty, sizeof(tags));
    memset(expire_bits, 0, sizeof(expire_bits));
  }
  // From record_heap, which sizes blocks in 4-byte steps.
  static void* operator new(size_t size) { return record_heap::Allocate(size); }
  Record* record(uint32_t i) const {
    uint64_t ref = 0;
    memcpy(&ref, refs[i], 5);
    return static_cast<Record*>(record_heap::FromRef(ref));
  }
  void set_record(uint32_t i, const Record* r) {
    uint64_t ref = record_heap::ToRef(r);
    memcpy(refs[i], &ref, 5);
  }
  static void operator delete(void* p) { record_heap::Free(p); }
  void SetExpireBit(uint32_t i, bool on) {
    if (on) {
      expire_bits[i / 64] |= uint64_t{1} << (i % 64);
    } else {
      expire_bits[i / 64] &= ~(uint64_t{1} << (i % 64));
    }
  }
  bool ExpireBit(uint32_t i) const { return expire_bits[i / 64] >> (i % 64) & 1; }
};
// The snapshot epoch lives in what was the alignment padding: a segment is as big as before.
static_assert(sizeof(SegmentedTable::Segment) == 1584);

namespace {
__m128i LoadGroup(const SegmentedTable::Segment* seg, uint32_t group) {
  return _mm_load_si128(
      reinterpret_cast<const __m128i*>(seg->tags + group * SegmentedTable::kGroupSize));
}
// Bit i is set when the group's tag i equals `byte`.
uint32_t MatchMask(__m128i group_tags, uint8_t byte) {
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(group_tags, _mm_set1_epi8(static_cast<char>(byte)))));
}
}  // namespace

SegmentedTable::SegmentedTable() {
  directory_.push_back(new Segment());
  directory_.back()->snapshot_epoch = snapshot_epoch_;
  segment_count_ = 1;
}

SegmentedTable::~SegmentedTable() {
  Clear();
  Segment* last = nullptr;
  for (Segment* seg : directory_) {
    if (seg != last) delete seg;
    last = seg;
  }
}

SegmentedTable::Segment* SegmentedTable::SegmentFor(uint64_t hash) const {
  if (global_depth_ == 0) return directory_[0];
  return directory_[hash >> (64 - global_depth_)];
}

SegmentedTable::Slot SegmentedTable::Find(std::string_view key, uint64_t hash) const {
  Segment* seg = SegmentFor(hash);
  uint32_t group = HomeGroup(hash);
  for (uint32_t probe = 0; probe < kGroups; ++probe) {
    __m128i group_tags = LoadGroup(seg, group);
    for (uint32_t matches = MatchMask(group_tags, TagOf(hash)); matches != 0;
         matches &= matches - 1) {
      uint32_t i = group * kGroupSize + static_cast<uint32_t>(__builtin_ctz(matches));
      if (seg->record(i)->key() == key) return Slot{seg, i};
    }
    if (MatchMask(group_tags, kEmpty) != 0) break;
    group = (group + 1) & (kGroups - 1);
  }
  return Slot{};
}

void SegmentedTable::PrefetchSlots(uint64_t hash) const {
  const Segment* seg = SegmentFor(hash);
  uint32_t first = HomeGroup(hash) * kGroupSize;
  __builtin_prefetch(seg->tags + first);
  __builtin_prefetch(seg->refs[first]);
  __builtin_prefetch(seg->refs[first + kGroupSize - 1]);  // 80 bytes may span two lines
}

void SegmentedTable::PrefetchRecord(uint64_t hash) const {
  const Segment* seg = SegmentFor(hash);
  uint32_t group = HomeGroup(hash);
  uint32_t matches = MatchMask(LoadGroup(seg, group), TagOf(hash));
  if (matches != 0) {
    __builtin_prefetch(
        seg->record(group * kGroupSize + static_cast<uint32_t>(__builtin_ctz(matches))));
  }
}

Record* SegmentedTable::Get(Slot slot) const {
  return slot.segment->record(slot.index);
}

void SegmentedTable::InsertIntoSegment(Segment* seg, Record* record, uint64_t hash) {
  uint32_t group = HomeGroup(hash);
  for (uint32_t probe = 0; probe < kGroups; ++probe) {
    // Empty and deleted tags have the high bit set, full tags never do, and movemask collects
    // exactly the high bits.
    uint32_t free_slots = static_cast<uint32_t>(_mm_movemask_epi8(LoadGroup(seg, group)));
    if (free_slots != 0) {
      uint32_t i = group * kGroupSize + static_cast<uint32_t>(__builtin_ctz(free_slots));
      if (seg->tags[i] == kDeleted) --seg->deleted;
      seg->tags[i] = TagOf(hash);
      seg->set_record(i, record);
      seg->SetExpireBit(i, record->has_expire());
      ++seg->used;
      return;
    }
    group = (group + 1) & (kGroups - 1);
  }
  __builtin_unreachable();  // callers keep used + deleted below capacity
}

void SegmentedTable::Insert(Record* record, uint64_t hash) {
  Segment* seg = SegmentFor(hash);
  while (seg->used + seg->deleted >= kMaxUsed) {
    if (seg->deleted > kSlotsPerSegment / 16) {
      RebuildSegment(seg);  // mostly tombstones: clean in place instead of splitting
    } else {
      Split(seg);
      seg = SegmentFor(hash);
    }
  }
  InsertIntoSegment(seg, record, hash);
  ++size_;
  if (record->has_expire()) ++expires_;
}

void SegmentedTable::Replace(Slot slot, Record* record) {
  Segment* seg = slot.segment;
  bool had = seg->ExpireBit(slot.index);
  seg->set_record(slot.index, record);
  seg->SetExpireBit(slot.index, record->has_expire());
  if (had && !record->has_expire()) --expires_;
  if (!had && record->has_expire()) ++expires_;
}

Record* SegmentedTable::Erase(Slot slot) {
  Segment* seg = slot.segment;
  Record* record = seg->record(slot.index);
  if (seg->ExpireBit(slot.index)) --expires_;
  seg->SetExpireBit(slot.index, false);
  // A slot in a group with an empty tag can become empty again: no probe ever passed it.
  uint32_t group_start = slot.index / kGroupSize * kGroupSize;
  bool group_has_empty = memchr(seg->tags + group_start, kEmpty, kGroupSize) != nullptr;
  if (group_has_empty) {
    seg->tags[slot.index] = kEmpty;
  } else {
    seg->tags[slot.index] = kDeleted;
    ++seg->deleted;
  }
  --seg->used;
  --size_;
  return record;
}

void SegmentedTable::RebuildSegment(Segment* seg) {
  Record* live[kSlotsPerSegment];
  uint32_t n = 0;
  for (uint32_t i = 0; i < kSlotsPerSegment; ++i) {
    if (!(seg->tags[i] & 0x80)) live[n++] = seg->record(i);
  }
  memset(seg->tags, kEmpty, sizeof(seg->tags));
  memset(seg->expire_bits, 0, sizeof(seg->expire_bits));
  seg->used = seg->deleted = 0;
  for (uint32_t i = 0; i < n; ++i) InsertIntoSegment(seg, live[i], HashKey(live[i]->key()));
}

void SegmentedTable::DoubleDirectory() {
  size_t n = directory_.size();
  std::vector<Segment*> bigger;
  if (spare_.capacity() == 2 * n) bigger.swap(spare_);  // already (mostly) faulted in
  bigger.resize(2 * n);
  for (size_t i = 0; i < n; ++i) bigger[2 * i] = bigger[2 * i + 1] = directory_[i];
  directory_.swap(bigger);
  ++global_depth_;
  std::vector<Segment*>().swap(spare_);
  if (directory_.size() >= kSpareFrom) spare_.reserve(2 * directory_.size());
}

void SegmentedTable::PrefaultSpare() {
  constexpr size_t kEntriesPerPage = 4096 / sizeof(Segment*);
  if (spare_.size() < spare_.capacity()) {
    spare_.resize(std::min(spare_.capacity(), spare_.size() + kEntriesPerPage));
  }
}

void SegmentedTable::Split(Segment* seg) {
  if (seg->local_depth == global_depth_) {
    DoubleDirectory();
  } else {
    PrefaultSpare();
  }
  auto* sibling = new Segment();
  ++segment_count_;
  sibling->snapshot_epoch = seg->snapshot_epoch;  // holds the same records' snapshot state
  if (seg->snapshot_epoch != snapshot_epoch_) ++pending_segments_;
  uint32_t depth = seg->local_depth + 1;
  seg->local_depth = sibling->local_depth = depth;

  // Rehashing reads every record's key: one cache miss each, 240 of them, which would run
  // one after another. Prefetch a window ahead so they overlap, and hash each key only once.
  constexpr uint32_t kPrefetchAhead = 16;
  Record* records[kSlotsPerSegment];
  uint64_t hashes[kSlotsPerSegment];
  uint32_t count = 0;
  for (uint32_t i = 0; i < kSlotsPerSegment; ++i) {
    if (!(seg->tags[i] & 0x80)) records[count++] = seg->record(i);
  }
  for (uint32_t j = 0; j < std::min(count, kPrefetchAhead); ++j) __builtin_prefetch(records[j]);
  for (uint32_t j = 0; j < count; ++j) {
    if (j + kPrefetchAhead < count) __builtin_prefetch(records[j + kPrefetchAhead]);
    hashes[j] = HashKey(records[j]->key());
  }
  memset(seg->tags, kEmpty, sizeof(seg->tags));
  memset(seg->expire_bits, 0, sizeof(seg->expire_bits));
  seg->used = seg->deleted = 0;
  // Records whose next hash bit is 1 move to the sibling; the others go back in place.
  uint64_t any_hash = count > 0 ? hashes[0] : 0;
  for (uint32_t j = 0; j < count; ++j) {
    bool moves = (hashes[j] >> (64 - depth)) & 1;
    InsertIntoSegment(moves ? sibling : seg, records[j], hashes[j]);
  }

  // Repoint the upper half of the directory range that referred to seg.
  size_t span = size_t{1} << (global_depth_ - depth + 1);
  size_t first = static_cast<size_t>(any_hash >> (64 - global_depth_)) / span * span;
  for (size_t i = first + span / 2; i < first + span; ++i) directory_[i] = sibling;
}

void SegmentedTable::Clear() {
  Segment* last = nullptr;
  for (Segment* seg : directory_) {
    if (seg == last) continue;
    last = seg;
    for (uint32_t i = 0; i < kSlotsPerSegment; ++i) {
      if (!(seg->tags[i] & 0x80)) Record::Free(seg->record(i));
    }
    delete seg;
  }
  std::vector<Segment*>(1, new Segment()).swap(directory_);  // assign would keep the capacity
  directory_[0]->snapshot_epoch = snapshot_epoch_;
  pending_segments_ = 0;
  std::vector<Segment*>().swap(spare_);
  global_depth_ = 0;
  segment_count_ = 1;
  size_ = expires_ = 0;
}

void SegmentedTable::Swap(SegmentedTable& other) {
  directory_.swap(other.directory_);
  spare_.swap(other.spare_);
  std::swap(global_depth_, other.global_depth_);
  std::swap(size_, other.size_);
  std::swap(expires_, other.expires_);
  std::swap(segment_count_, other.segment_count_);
  std::swap(snapshot_epoch_, other.snapshot_epoch_);
  std::swap(pending_segments_, other.pending_segments_);
}

size_t SegmentedTable::TableBytes() const {
  return segment_count_ * sizeof(Segment) +
         (directory_.capacity() + spare_.capacity()) * sizeof(Segment*);
}

uint32_t SegmentedTable::Scan(uint32_t cursor, size_t count,
                              const std::function<void(Record*)>& visit) const {
  uint64_t position = cursor;  // a 32-bit hash prefix; segments cover contiguous ranges
  size_t visited = 0;
  while (position < (uint64_t{1} << 32)) {
    size_t dir_index =
        global_depth_ == 0 ? 0 : static_cast<size_t>(position >> (32 - global_depth_));
    Segment* seg = directory_[dir_index];
    for (uint32_t i = 0; i < kSlotsPerSegment; ++i) {
      if (!(seg->tags[i] & 0x80)) {
        visit(seg->record(i));
        ++visited;
      }
    }
    // Advance to the end of this segment's prefix range.
    uint64_t range = uint64_t{1} << (32 - seg->local_depth);
    position = (position / range + 1) * range;
    if (visited >= count) break;
  }
  return position >= (uint64_t{1} << 32) ? 0 : static_cast<uint32_t>(position);
}

size_t SegmentedTable::SweepExpiring(uint32_t* cursor, size_t max_segments,
                                     const std::function<bool(Slot, Record*)>& visit) {
  size_t checked = 0;
  max_segments = std::min(max_segments, segment_count_);  // at most one lap per call
  for (size_t n = 0; n < max_segments && expires_ > 0; ++n) {
    if (*cursor >= directory_.size()) *cursor = 0;
    Segment* seg = directory_[*cursor];
    // Skip the directory entries that alias this same segment.
    size_t span = size_t{1} << (global_depth_ - seg->local_depth);
    *cursor = static_cast<uint32_t>((*cursor / span + 1) * span);
    for (uint32_t word = 0; word < kSlotsPerSegment / 64; ++word) {
      uint64_t bits = seg->expire_bits[word];
      while (bits != 0) {
        uint32_t i = word * 64 + static_cast<uint32_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        ++checked;
        visit(Slot{seg, i}, seg->record(i));
      }
    }
  }
  return checked;
}

namespace {
// splitmix64: turns one caller-supplied random word into as many independent-looking ones as the
// rejection loop below needs.
uint64_t NextWord(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
constexpr int kRandomTries = 256;
}  // namespace

// Uniform over the records: every (segment, slot) pair is drawn with the same probability and a
// draw that lands on an empty slot is thrown away. Picking a segment and then the next occupied
// slot (as this once did) weights a record by the empty run before it, and a segment by how many
// directory entries alias it. A segment counts only through its first directory entry, so a
// segment spanning several entries is not favoured. Expected draws: capacity / size (a few for a
// table that has grown; ~85 for 3 records in one segment); a sparse table that keeps missing
// falls back to an exact count-and-walk over the segments.
Record* SegmentedTable::Random(uint64_t random) const {
  if (size_ == 0) return nullptr;
  uint64_t state = random;
  for (int attempt = 0; attempt < kRandomTries; ++attempt) {
    uint64_t word = NextWord(&state);
    size_t d = static_cast<size_t>((word >> 8) % directory_.size());
    uint32_t i = static_cast<uint32_t>(word % kSlotsPerSegment);
    const Segment* seg = directory_[d];
    size_t span = size_t{1} << (global_depth_ - seg->local_depth);
    if (d % span == 0 && !(seg->tags[i] & kEmpty)) return seg->record(i);
  }
  uint64_t k = NextWord(&state) % size_;
  for (size_t d = 0; d < directory_.size();) {
    const Segment* seg = directory_[d];
    d += size_t{1} << (global_depth_ - seg->local_depth);
    if (k >= seg->used) {
      k -= seg->used;
      continue;
    }
    for (uint32_t i = 0; i < kSlotsPerSegment; ++i) {
      if (!(seg->tags[i] & kEmpty) && k-- == 0) return seg->record(i);
    }
  }
  return nullptr;  // unreachable while size_ matches the segments' counts
}

}  // namespace ember

namespace ember {

void SegmentedTable::BeginSnapshot() {
  ++snapshot_epoch_;
  pending_segments_ = segment_count_;
}

void SegmentedTable::SnapshotSegment(Segment* seg, const std::function<void(Record*)>& visit) {
  seg->snapshot_epoch = snapshot_epoch_;
  --pending_segments_;
  for (uint32_t i = 0; i < kSlotsPerSegment; ++i) {
    if (!(seg->tags[i] & 0x80)) visit(seg->record(i));
  }
}

void SegmentedTable::SnapshotSegmentOf(uint64_t hash, const std::function<void(Record*)>& visit) {
  Segment* seg = SegmentFor(hash);
  if (seg->snapshot_epoch != snapshot_epoch_) SnapshotSegment(seg, visit);
}

size_t SegmentedTable::SnapshotSome(uint32_t* cursor, size_t max_segments,
                                    const std::function<void(Record*)>& visit) {
  size_t done = 0;
  // Splits may reorder the directory under the cursor; laps go on until none is pending.
  while (done < max_segments && pending_segments_ > 0) {
    if (*cursor >= directory_.size()) *cursor = 0;
    Segment* seg = directory_[*cursor];
    size_t span = size_t{1} << (global_depth_ - seg->local_depth);
    *cursor = static_cast<uint32_t>((*cursor / span + 1) * span);
    if (seg->snapshot_epoch == snapshot_epoch_) continue;
    SnapshotSegment(seg, visit);
    ++done;
  }
  return done;
}

}  // namespace ember
