#include "types/list_value.h"

#include <deque>

namespace ember {
namespace {

// Bytes a node may hold for a negative fill: -1 = 4 KiB ... -5 = 64 KiB.
size_t NodeByteLimit(int64_t fill) {
  int64_t level = fill < -5 ? 5 : -fill;
  return size_t{4096} << (level - 1);
}

}  // namespace

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

size_t ListValue::AllocatedBytes() const {
  size_t bytes = sizeof(*this) + nodes_.size() * sizeof(Listpack);
  for (const Listpack& node : nodes_) bytes += node.AllocatedBytes();
  return bytes;
}

bool ListValue::NodeHasRoom(const Listpack& node, size_t add) const {
  if (node.empty()) return true;  // a node always takes one element, however big
  if (fill_ > 0) return node.size() < static_cast<size_t>(fill_);
  return node.used_bytes() + add + 11 <= NodeByteLimit(fill_);  // 11: worst-case framing
}

void ListValue::PushFront(std::string_view value) {
  if (nodes_.empty() || !NodeHasRoom(nodes_.front(), value.size())) nodes_.emplace_front();
  nodes_.front().PushFront(value);
  ++size_;
  if (nodes_.size() > 1) quicklist_ = true;
}

void ListValue::PushBack(std::string_view value) {
  if (nodes_.empty() || !NodeHasRoom(nodes_.back(), value.size())) nodes_.emplace_back();
  nodes_.back().PushBack(value);
  ++size_;
  if (nodes_.size() > 1) quicklist_ = true;
}

std::string ListValue::PopFront() {
  Listpack& node = nodes_.front();
  std::string value(node.Get(node.Front()));
  node.Erase(node.Front());
  --size_;
  DropNodeIfEmpty(0);
  return value;
}

std::string ListValue::PopBack() {
  Listpack& node = nodes_.back();
  size_t pos = node.Back();
  std::string value(node.Get(pos));
  node.Erase(pos);
  --size_;
  DropNodeIfEmpty(nodes_.size() - 1);
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

void ListValue::DropNodeIfEmpty(size_t node) {
  if (nodes_[node].empty()) nodes_.erase(nodes_.begin() + static_cast<ptrdiff_t>(node));
}

std::string_view ListValue::At(size_t index) const {
  size_t within;
  const Listpack& node = nodes_[Locate(index, &within)];
  return node.Get(node.Seek(static_cast<int64_t>(within)));
}

void ListValue::Set(size_t index, std::string_view value) {
  size_t within;
  Listpack& node = nodes_[Locate(index, &within)];
  node.Replace(node.Seek(static_cast<int64_t>(within)), value);
}

void ListValue::InsertAt(size_t index, std::string_view value) {
  if (index == size_) return PushBack(value);
  if (index == 0) return PushFront(value);
  size_t within;
  size_t n = Locate(index, &within);
  Listpack& node = nodes_[n];
  node.Insert(node.Seek(static_cast<int64_t>(within)), value);
  ++size_;
  if (NodeHasRoom(node, 0)) return;
  // Over its bound: split the node in two halves.
  Listpack tail;
  size_t half = node.size() / 2;
  for (size_t pos = node.Seek(static_cast<int64_t>(half)); pos != node.End();
       pos = node.Next(pos)) {
    tail.PushBack(node.Get(pos));
  }
  node.Erase(node.Seek(static_cast<int64_t>(half)), node.size() - half);
  nodes_.insert(nodes_.begin() + static_cast<ptrdiff_t>(n) + 1, std::move(tail));
  quicklist_ = true;
}

void ListValue::EraseAt(size_t index) {
  size_t within;
  size_t n = Locate(index, &within);
  nodes_[n].Erase(nodes_[n].Seek(static_cast<int64_t>(within)));
  --size_;
  DropNodeIfEmpty(n);
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
    for (const Listpack& node : nodes_) {
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
    nodes_.clear();
    size_ = 0;
    return;
  }
  if (last >= size_) last = size_ - 1;
  size_t drop_back = size_ - 1 - last;
  while (drop_back > 0) {
    Listpack& node = nodes_.back();
    if (node.size() <= drop_back) {
      drop_back -= node.size();
      size_ -= node.size();
      nodes_.pop_back();
      continue;
    }
    node.Erase(node.Seek(-static_cast<int64_t>(drop_back)), drop_back);
    size_ -= drop_back;
    drop_back = 0;
  }
  size_t drop_front = first;
  while (drop_front > 0) {
    Listpack& node = nodes_.front();
    if (node.size() <= drop_front) {
      drop_front -= node.size();
      size_ -= node.size();
      nodes_.pop_front();
      continue;
    }
    node.Erase(node.Front(), drop_front);
    size_ -= drop_front;
    drop_front = 0;
  }
}

}  // namespace ember
