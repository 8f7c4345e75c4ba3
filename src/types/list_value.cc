#include "types/list_value.h"

#include <algorithm>
#include <new>
#include <utility>

#include "common/memory.h"

namespace ember {

// A list is allocated per key: stay in mimalloc's 56-byte size class (the next is 64).
static_assert(sizeof(ListValue) <= 56);

namespace {

// Bytes a node may hold for a negative fill: -1 = 4 KiB ... -5 = 64 KiB.
size_t NodeByteLimit(int64_t fill) {
  int64_t level = fill < -5 ? 5 : -fill;
  return size_t{4096} << (level - 1);
}

// Upper bound of an entry's framing in a Listpack (two varints).
constexpr size_t kEntryOverhead = 11;
constexpr size_t kHeaderBytes = 8;

// Appends every entry of `from` to `to`.
void AppendAll(Listpack& to, const Listpack& from, int64_t* grown) {
  for (size_t pos = from.Front(); pos != from.End(); pos = from.Next(pos))
    to.PushBack(from.Get(pos), grown);
}

// Removes up to `limit` entries equal to `value` from one node, scanning from its front (or
// its back); returns how many it removed.
size_t RemoveFrom(Listpack& node, std::string_view value, size_t limit, bool from_back,
                  int64_t* grown) {
  size_t removed = 0;
  if (!from_back) {
    for (size_t pos = node.Front(); pos != node.End() && removed < limit;) {
      if (node.Get(pos) == value) {
        pos = node.Erase(pos, 1, grown);  // returns the next entry's position
        ++removed;
      } else {
        pos = node.Next(pos);
      }
    }
    return removed;
  }
  for (size_t pos = node.End(); pos != node.Front() && removed < limit;) {
    pos = node.Prev(pos);
    if (node.Get(pos) == value) {
      node.Erase(pos, 1, grown);  // entries before pos keep their positions
      ++removed;
    }
  }
  return removed;
}

}  // namespace

// ---- NodeRing ----

NodeRing::NodeRing(const NodeRing& other) {
  if (other.count_ == 0) return;
  cap_ = other.cap_;
  slots_ = static_cast<Listpack*>(memory::Allocate(cap_ * sizeof(Listpack)));
  bytes_ = memory::UsableSize(slots_);
  for (size_t i = 0; i < other.count_; ++i) {
    new (&slots_[i]) Listpack(other[i]);  // compact copies: their own sizes, not the original's
    bytes_ += slots_[i].AllocatedBytes();
  }
  count_ = other.count_;
}

NodeRing::~NodeRing() {
  Clear();
  memory::Free(slots_);
}

void NodeRing::Relocate(size_t from, size_t to) {
  Listpack& src = slots_[Slot(from)];
  new (&slots_[Slot(to)]) Listpack(std::move(src));
  src.~Listpack();
}

void NodeRing::Grow() {
  uint32_t cap = cap_ == 0 ? 1 : cap_ * 2;
  auto* slots = static_cast<Listpack*>(memory::Allocate(cap * sizeof(Listpack)));
  for (size_t i = 0; i < count_; ++i) {
    Listpack& src = slots_[Slot(i)];
    new (&slots[i]) Listpack(std::move(src));
    src.~Listpack();
  }
  bytes_ += memory::UsableSize(slots);
  bytes_ -= memory::UsableSize(slots_);
  memory::Free(slots_);
  slots_ = slots;
  cap_ = cap;
  head_ = 0;
}

void NodeRing::Insert(size_t i) {
  if (count_ == cap_) Grow();
  if (i < count_ / 2) {  // shift the nodes before i one slot towards the front
    head_ = (head_ + cap_ - 1) & (cap_ - 1);
    for (size_t k = 0; k < i; ++k) Relocate(k + 1, k);
  } else {  // shift the nodes from i one slot towards the back
    for (size_t k = count_; k > i; --k) Relocate(k - 1, k);
  }
  ++count_;
  new (&slots_[Slot(i)]) Listpack();  // empty: no bytes yet
}

void NodeRing::Erase(size_t i) {
  bytes_ -= slots_[Slot(i)].AllocatedBytes();
  slots_[Slot(i)].~Listpack();
  if (i < count_ / 2) {
    for (size_t k = i; k > 0; --k) Relocate(k - 1, k);
    head_ = (head_ + 1) & (cap_ - 1);
  } else {
    for (size_t k = i; k + 1 < count_; ++k) Relocate(k + 1, k);
  }
  --count_;
}

void NodeRing::Clear() {
  for (size_t i = 0; i < count_; ++i) slots_[Slot(i)].~Listpack();
  count_ = 0;
  head_ = 0;
  bytes_ = memory::UsableSize(slots_);  // the slot array stays for the next pushes
}

size_t NodeRing::RecountAllocatedBytes() const {
  size_t bytes = slots_ == nullptr ? 0 : memory::UsableSize(slots_);
  for (size_t i = 0; i < count_; ++i) bytes += (*this)[i].AllocatedBytes();
  return bytes;
}

// ---- ListValue ----

bool NormalizeIndex(int64_t index, size_t size, size_t* out) {
  int64_t n = static_cast<int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  *out = static_cast<size_t>(index);
  return true;
}

Object* ListValue::Clone() const {
  return new ListValue(*this);
}

size_t ListValue::RecountAllocatedBytes() const {
  return sizeof(*this) + nodes_.RecountAllocatedBytes();
}

bool ListValue::Fits(size_t entries, size_t bytes) const {
  if (entries <= 1) return true;  // a node always takes one element, however big
  // A count bound still caps node bytes (Redis's 8 KiB safety limit).
  if (fill_ >= 0) return entries <= static_cast<size_t>(fill_) && kHeaderBytes + bytes <= 8192;
  return kHeaderBytes + bytes <= NodeByteLimit(fill_);
}

bool ListValue::HasRoomFor(const Listpack& node, std::string_view value) const {
  return Fits(node.size() + 1, node.used_bytes() + value.size() + kEntryOverhead);
}

void ListValue::UpdateEncoding() {
  if (nodes_.size() > 1) quicklist_ = true;  // Redis 7.0/7.2 keep it a quicklist once grown
}

void ListValue::PushFront(std::string_view value) {
  if (nodes_.empty() || !HasRoomFor(nodes_.front(), value)) nodes_.Insert(0);
  nodes_.Edit(0, [&](Listpack& node, int64_t* grown) { node.PushFront(value, grown); });
  ++size_;
  UpdateEncoding();
}

void ListValue::PushBack(std::string_view value) {
  if (nodes_.empty() || !HasRoomFor(nodes_.back(), value)) nodes_.Insert(nodes_.size());
  nodes_.Edit(nodes_.size() - 1,
              [&](Listpack& node, int64_t* grown) { node.PushBack(value, grown); });
  ++size_;
  UpdateEncoding();
}

std::string ListValue::PopFront() {
  const Listpack& first = nodes_.front();
  std::string value(first.Get(first.Front()));
  const Listpack& after =
      nodes_.Edit(0, [&](Listpack& node, int64_t* grown) { node.Erase(node.Front(), 1, grown); });
  --size_;
  if (after.empty()) nodes_.Erase(0);
  UpdateEncoding();
  return value;
}

std::string ListValue::PopBack() {
  const Listpack& last = nodes_.back();
  size_t pos = last.Back();
  std::string value(last.Get(pos));
  size_t n = nodes_.size() - 1;
  const Listpack& after =
      nodes_.Edit(n, [&](Listpack& node, int64_t* grown) { node.Erase(pos, 1, grown); });
  --size_;
  if (after.empty()) nodes_.Erase(n);
  UpdateEncoding();
  return value;
}

size_t ListValue::Locate(size_t index, size_t* within) const {
  if (index >= size_ / 2) {  // nearer the back: walk from there
    size_t remaining = size_ - index;
    for (size_t n = nodes_.size(); n-- > 0;) {
      if (remaining <= nodes_[n].size()) {
        *within = nodes_[n].size() - remaining;
        return n;
      }
      remaining -= nodes_[n].size();
    }
  }
  for (size_t n = 0; n < nodes_.size(); ++n) {
    if (index < nodes_[n].size()) {
      *within = index;
      return n;
    }
    index -= nodes_[n].size();
  }
  *within = 0;
  return nodes_.size();
}

void ListValue::SplitIfOver(size_t n) {
  while (!Fits(nodes_[n].size(), nodes_[n].used_bytes())) {
    nodes_.Insert(n + 1);
    const Listpack& node = nodes_[n];  // Insert may have moved it
    size_t half = node.size() / 2;
    size_t from = node.Seek(static_cast<int64_t>(half));
    nodes_.Edit(n + 1, [&](Listpack& tail, int64_t* grown) {
      for (size_t pos = from; pos != node.End(); pos = node.Next(pos)) {
        tail.PushBack(node.Get(pos), grown);
      }
    });
    nodes_.Edit(
        n, [&](Listpack& head, int64_t* grown) { head.Erase(from, head.size() - half, grown); });
    SplitIfOver(n + 1);
  }
  UpdateEncoding();
}

void ListValue::Settle(size_t n) {
  if (nodes_[n].empty()) {
    nodes_.Erase(n);
  } else {
    // Merge with the smaller neighbour when the two fit in one node (keeps nodes dense after
    // erases in the middle).
    for (size_t other : {n + 1, n - 1}) {
      if (other >= nodes_.size()) continue;  // n - 1 wraps when n == 0
      size_t first = std::min(n, other), second = std::max(n, other);
      const Listpack& a = nodes_[first];
      const Listpack& b = nodes_[second];
      if (!Fits(a.size() + b.size(), a.used_bytes() + b.used_bytes())) continue;
      nodes_.Edit(first, [&](Listpack& into, int64_t* grown) { AppendAll(into, b, grown); });
      nodes_.Erase(second);
      break;
    }
  }
  UpdateEncoding();
}

std::string_view ListValue::At(size_t index) const {
  size_t within;
  const Listpack& node = nodes_[Locate(index, &within)];
  return node.Get(node.Seek(static_cast<int64_t>(within)));
}

void ListValue::Set(size_t index, std::string_view value) {
  size_t within;
  size_t n = Locate(index, &within);
  nodes_.Edit(n, [&](Listpack& node, int64_t* grown) {
    node.Replace(node.Seek(static_cast<int64_t>(within)), value, grown);
  });
  SplitIfOver(n);  // a longer value may push a byte-bounded node over
}

void ListValue::InsertAt(size_t index, std::string_view value) {
  if (index == size_) return PushBack(value);
  if (index == 0) return PushFront(value);
  size_t within;
  size_t n = Locate(index, &within);
  if (within == 0 && !HasRoomFor(nodes_[n], value) && HasRoomFor(nodes_[n - 1], value)) {
    // At a node boundary: the previous node has room.
    nodes_.Edit(n - 1, [&](Listpack& prev, int64_t* grown) { prev.PushBack(value, grown); });
  } else {
    nodes_.Edit(n, [&](Listpack& node, int64_t* grown) {
      node.Insert(node.Seek(static_cast<int64_t>(within)), value, grown);
    });
  }
  ++size_;
  SplitIfOver(n);
  if (n > 0) SplitIfOver(n - 1);
}

void ListValue::EraseAt(size_t index) {
  size_t within;
  size_t n = Locate(index, &within);
  nodes_.Edit(n, [&](Listpack& node, int64_t* grown) {
    node.Erase(node.Seek(static_cast<int64_t>(within)), 1, grown);
  });
  --size_;
  Settle(n);
}

size_t ListValue::Remove(std::string_view value, size_t limit, bool from_back) {
  size_t removed = 0;
  for (size_t i = 0; i < nodes_.size() && removed < limit; ++i) {
    size_t n = from_back ? nodes_.size() - 1 - i : i;
    nodes_.Edit(n, [&](Listpack& node, int64_t* grown) {
      removed += RemoveFrom(node, value, limit - removed, from_back, grown);
    });
  }
  if (removed == 0) return 0;
  size_ -= removed;
  // Drop emptied nodes and merge thin neighbours, back to front so indexes stay valid.
  for (size_t n = nodes_.size(); n-- > 0;) {
    if (n < nodes_.size()) Settle(n);
  }
  return removed;
}

void ListValue::ForRange(size_t first, size_t last,
                         const std::function<void(std::string_view)>& fn) const {
  if (first > last || first >= size_) return;
  size_t within;
  size_t n = Locate(first, &within);
  size_t left = last - first + 1;
  for (; n < nodes_.size() && left > 0; ++n, within = 0) {
    const Listpack& node = nodes_[n];
    for (size_t pos = node.Seek(static_cast<int64_t>(within)); pos != node.End() && left > 0;
         pos = node.Next(pos), --left) {
      fn(node.Get(pos));
    }
  }
}

void ListValue::Scan(bool from_back,
                     const std::function<bool(size_t, std::string_view)>& fn) const {
  if (!from_back) {
    size_t index = 0;
    for (size_t n = 0; n < nodes_.size(); ++n) {
      const Listpack& node = nodes_[n];
      for (size_t pos = node.Front(); pos != node.End(); pos = node.Next(pos)) {
        if (!fn(index++, node.Get(pos))) return;
      }
    }
    return;
  }
  size_t index = size_;
  for (size_t n = nodes_.size(); n-- > 0;) {
    const Listpack& node = nodes_[n];
    for (size_t pos = node.End(); pos != node.Front();) {
      pos = node.Prev(pos);
      if (!fn(--index, node.Get(pos))) return;
    }
  }
}

void ListValue::Trim(size_t first, size_t last) {
  if (first > last || first >= size_) {
    nodes_.Clear();
    size_ = 0;
    UpdateEncoding();
    return;
  }
  if (last >= size_) last = size_ - 1;
  size_t drop_back = size_ - 1 - last;
  while (drop_back > 0) {
    size_t n = std::min(drop_back, nodes_.back().size());
    nodes_.Edit(nodes_.size() - 1, [&](Listpack& node, int64_t* grown) {
      node.Erase(node.Seek(-static_cast<int64_t>(n)), n, grown);
    });
    if (nodes_.back().empty()) nodes_.Erase(nodes_.size() - 1);
    drop_back -= n;
    size_ -= n;
  }
  size_t drop_front = first;
  while (drop_front > 0) {
    size_t n = std::min(drop_front, nodes_.front().size());
    nodes_.Edit(0, [&](Listpack& node, int64_t* grown) { node.Erase(node.Front(), n, grown); });
    if (nodes_.front().empty()) nodes_.Erase(0);
    drop_front -= n;
    size_ -= n;
  }
  UpdateEncoding();
}

}  // namespace ember
