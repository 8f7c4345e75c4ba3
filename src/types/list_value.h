#pragma once
// A list: a deque of Listpack nodes (Redis's quicklist), so elements cost their bytes plus a
// few bytes of framing, never a heap block each. Pushes and pops at either end are O(1); an
// index walks the nodes by their counts. Nodes are bounded per list-max-listpack-size
// (positive: entries per node; -1..-5: 4..64 KiB per node). A list of one small node reports
// the "listpack" encoding; once it needs a second node it is a "quicklist" for good.
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "keyspace/record.h"
#include "types/listpack.h"
#include "types/object.h"

namespace ember {

class ListValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kList;

  // `fill` is list-max-listpack-size at the time of each change.
  explicit ListValue(int64_t fill) : fill_(fill) {}

  Object* Clone() const override;
  size_t AllocatedBytes() const override;
  const char* EncodingName() const override { return quicklist_ ? "quicklist" : "listpack"; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void set_fill(int64_t fill) { fill_ = fill; }

  void PushFront(std::string_view value);
  void PushBack(std::string_view value);
  std::string PopFront();  // requires !empty()
  std::string PopBack();   // requires !empty()

  // Index is 0-based from the front, already normalized (0 <= index < size()).
  std::string_view At(size_t index) const;
  void Set(size_t index, std::string_view value);
  void InsertAt(size_t index, std::string_view value);  // before `index`; size() appends
  void EraseAt(size_t index);
  // Visits elements [first, last] (normalized, inclusive) front to back.
  void ForRange(size_t first, size_t last, const std::function<void(std::string_view)>& fn) const;
  // Visits every element from the front (or the back); the visitor returns false to stop.
  void Scan(bool from_back, const std::function<bool(size_t, std::string_view)>& fn) const;
  // Keeps only [first, last] (normalized, inclusive; first > last empties the list).
  void Trim(size_t first, size_t last);

 private:
  bool NodeHasRoom(const Listpack& node, size_t add) const;
  // The node holding `index` and the index within it.
  size_t Locate(size_t index, size_t* within) const;
  void DropNodeIfEmpty(size_t node);

  std::deque<Listpack> nodes_;
  size_t size_ = 0;
  int64_t fill_;
  bool quicklist_ = false;
};

// Normalizes a Redis index (negative counts from the end); false when out of range.
bool NormalizeIndex(int64_t index, size_t size, size_t* out);

}  // namespace ember
