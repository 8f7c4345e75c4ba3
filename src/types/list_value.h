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
// (std::deque would cost a 512-byte block even for a one-element list). It keeps a running
// count of the bytes it and its nodes hold, so nodes change only through Edit, which books
// each change of a node's block.
class NodeRing {
 public:
  NodeRing() = default;
  NodeRing(const NodeRing& other);
  NodeRing& operator=(const NodeRing&) = delete;
  ~NodeRing();

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const Listpack& operator[](size_t i) const { return slots_[Slot(i)]; }
  const Listpack& front() const { return (*this)[0]; }
  const Listpack& back() const { return (*this)[count_ - 1]; }

  // Runs `change(node, grown)` on node `i`; `change` passes `grown` to every Listpack
  // mutator it calls, which add their block's growth to it, and the ring books the total.
  // `change` must not insert or erase nodes (that moves them).
  // Returns the node, for a look at it after the change.
  template <typename Change>
  const Listpack& Edit(size_t i, Change&& change) {
    Listpack& node = slots_[Slot(i)];
    int64_t grown = 0;
    change(node, &grown);
    bytes_ += static_cast<size_t>(grown);  // modular: a shrink wraps back correctly
    return node;
  }

  // Inserts an empty node before node `i` (i == size() appends).
  void Insert(size_t i);
  void Erase(size_t i);
  void Clear();
  // The slot array's and every node's allocator blocks: O(1), the running count.
  size_t AllocatedBytes() const { return bytes_; }
  // The same, summed over the nodes (for tests).
  size_t RecountAllocatedBytes() const;

 private:
  size_t Slot(size_t i) const { return (head_ + i) & (cap_ - 1); }
  // Moves node `from` into the unconstructed slot of node `to` (indexes relative to head_).
  void Relocate(size_t from, size_t to);
  void Grow();

  Listpack* slots_ = nullptr;  // raw storage: only the count_ slots from head_ are constructed
  size_t bytes_ = 0;           // AllocatedBytes()
  uint32_t cap_ = 0;           // a power of two
  uint32_t head_ = 0;
  uint32_t count_ = 0;
};

class ListValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kList;

  // `fill` is list-max-listpack-size; callers refresh it (set_fill) before each change.
  explicit ListValue(int64_t fill) : fill_(ClampFill(fill)) {}

  Object* Clone() const override;
  size_t AllocatedBytes() const override { return sizeof(*this) + nodes_.AllocatedBytes(); }
  size_t RecountAllocatedBytes() const override;
  const char* EncodingName() const override { return quicklist_ ? "quicklist" : "listpack"; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void set_fill(int64_t fill) { fill_ = ClampFill(fill); }
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
  // Fills past int32 behave as the int32 bounds do (a node holds at most ~4K entries, and
  // fills below -5 mean -5): 32 bits keep the object in the 56-byte size class.
  static int32_t ClampFill(int64_t fill) {
    return static_cast<int32_t>(fill < INT32_MIN ? INT32_MIN : fill > INT32_MAX ? INT32_MAX : fill);
  }
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
  int32_t fill_;
  bool quicklist_ = false;
};

// Normalizes a Redis index (negative counts from the end); false when out of range.
bool NormalizeIndex(int64_t index, size_t size, size_t* out);

}  // namespace ember
