#pragma once
// A list: a ring of Listpack nodes (Redis's quicklist), so elements cost their bytes plus a
// few bytes of framing, never a heap block each. Pushes and pops at either end are O(1); an
// index walks the nodes by their counts. Nodes are bounded per list-max-listpack-size
// (positive: entries per node; -1..-5: 4..64 KiB per node). A list of one small node reports
// the "listpack" encoding; once it needs a second node it is a "quicklist" for good.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "keyspace/record.h"
#include "types/listpack.h"
#include "types/object.h"

namespace ember {

// A growable ring of Listpack nodes: one allocation of pointer-sized slots, O(1) at both ends
// (std::deque would cost a 512-byte block even for a one-element list).
class NodeRing {
 public:
  NodeRing() = default;
  NodeRing(const NodeRing& other);
  NodeRing& operator=(const NodeRing&) = delete;
  ~NodeRing();

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Listpack& operator[](size_t i) { return slots_[Slot(i)]; }
  const Listpack& operator[](size_t i) const { return slots_[Slot(i)]; }
  Listpack& front() { return (*this)[0]; }
  Listpack& back() { return (*this)[count_ - 1]; }

  // Inserts an empty node before node `i` (i == size() appends) and returns it.
  Listpack& Insert(size_t i);
  void Erase(size_t i);
  void Clear();
  size_t AllocatedBytes() const;

 private:
  size_t Slot(size_t i) const { return (head_ + i) & (cap_ - 1); }
  // Moves node `from` into the unconstructed slot of node `to` (indexes relative to head_).
  void Relocate(size_t from, size_t to);
  void Grow();

  Listpack* slots_ = nullptr;  // raw storage: only the count_ slots from head_ are constructed
  uint32_t cap_ = 0;           // a power of two
  uint32_t head_ = 0;
  uint32_t count_ = 0;
};

class ListValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kList;

  // `fill` is list-max-listpack-size; callers refresh it (set_fill) before each change.
  explicit ListValue(int64_t fill) : fill_(fill) {}

  Object* Clone() const override;
  size_t AllocatedBytes() const override;
  const char* EncodingName() const override { return quicklist_ ? "quicklist" : "listpack"; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void set_fill(int64_t fill) { fill_ = fill; }
  size_t node_count() const { return nodes_.size(); }
  size_t node_size(size_t node) const { return nodes_[node].size(); }

  void PushFront(std::string_view value);
  void PushBack(std::string_view value);
  std::string PopFront();  // requires !empty()
  std::string PopBack();   // requires !empty()

  // Index is 0-based from the front, already normalized (0 <= index < size()).
  std::string_view At(size_t index) const;
  void Set(size_t index, std::string_view value);
  void InsertAt(size_t index, std::string_view value);  // before `index`; size() appends
  void EraseAt(size_t index);
  // Removes up to `limit` elements equal to `value`, scanning from the front (or the back);
  // returns how many it removed.
  size_t Remove(std::string_view value, size_t limit, bool from_back);
  // Visits elements [first, last] (normalized, inclusive) front to back.
  void ForRange(size_t first, size_t last, const std::function<void(std::string_view)>& fn) const;
  // Visits every element from the front (or the back); the visitor returns false to stop.
  void Scan(bool from_back, const std::function<bool(size_t, std::string_view)>& fn) const;
  // Keeps only [first, last] (normalized, inclusive; first > last empties the list).
  void Trim(size_t first, size_t last);

 private:
  // Whether a node of `entries` entries using `bytes` bytes is within the fill bound.
  bool Fits(size_t entries, size_t bytes) const;
  bool HasRoomFor(const Listpack& node, std::string_view value) const;
  // The node holding `index` and the index within it.
  size_t Locate(size_t index, size_t* within) const;
  // Splits node `n` in halves while it is over the bound.
  void SplitIfOver(size_t n);
  // Drops node `n` when empty, else merges it into a neighbour when both fit in one node.
  void Settle(size_t n);
  void UpdateEncoding();

  NodeRing nodes_;
  size_t size_ = 0;
  int64_t fill_;
  bool quicklist_ = false;
};

// Normalizes a Redis index (negative counts from the end); false when out of range.
bool NormalizeIndex(int64_t index, size_t size, size_t* out);

}  // namespace ember
