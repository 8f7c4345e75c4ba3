#include "types/score_tree.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ember {
namespace {

// A leaf is 1016 bytes and an inner node 1256, just under allocator size classes.
constexpr int kLeafCap = 62;
constexpr int kInnerCap = 39;
// Below a third full a node borrows from or merges with a sibling.
constexpr int kLeafMin = kLeafCap / 3;
constexpr int kInnerMin = kInnerCap / 3;

}  // namespace

struct ScoreTree::Node {
  uint16_t count = 0;
  bool leaf = false;
};

struct ScoreTree::Leaf : Node {
  Leaf* prev = nullptr;
  Leaf* next = nullptr;
  ScoreTree::Entry items[kLeafCap];
};

struct ScoreTree::Inner : Node {
  ScoreTree::Entry mins[kInnerCap];  // each child's smallest entry
  Node* kids[kInnerCap];
  size_t sizes[kInnerCap];  // entries under each child
};

namespace {

using Leaf = ScoreTree::Leaf;
using Inner = ScoreTree::Inner;
using Node = ScoreTree::Node;
using Entry = ScoreTree::Entry;

size_t SizeOf(const Node* n) {
  if (n->leaf) return n->count;
  auto* in = static_cast<const Inner*>(n);
  size_t total = 0;
  for (int i = 0; i < in->count; ++i) total += in->sizes[i];
  return total;
}

Entry FirstOf(const Node* n) {
  if (n->leaf) return static_cast<const Leaf*>(n)->items[0];
  return static_cast<const Inner*>(n)->mins[0];
}

// The child whose range holds `key`: the last one whose smallest entry is <= key.
int ChildFor(const Inner* in, const Entry& key) {
  int lo = 1, hi = in->count;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (ScoreTree::Less(key, in->mins[mid])) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo - 1;
}

int LowerBound(const Leaf* leaf, const Entry& key) {
  return static_cast<int>(
      std::lower_bound(leaf->items, leaf->items + leaf->count, key, ScoreTree::Less) - leaf->items);
}

void RemoveChild(Inner* in, int i) {
  int tail = in->count - i - 1;
  memmove(&in->mins[i], &in->mins[i + 1], tail * sizeof(in->mins[0]));
  memmove(&in->kids[i], &in->kids[i + 1], tail * sizeof(in->kids[0]));
  memmove(&in->sizes[i], &in->sizes[i + 1], tail * sizeof(in->sizes[0]));
  --in->count;
}

void InsertChild(Inner* in, int i, Node* kid) {
  int tail = in->count - i;
  memmove(&in->mins[i + 1], &in->mins[i], tail * sizeof(in->mins[0]));
  memmove(&in->kids[i + 1], &in->kids[i], tail * sizeof(in->kids[0]));
  memmove(&in->sizes[i + 1], &in->sizes[i], tail * sizeof(in->sizes[0]));
  in->mins[i] = FirstOf(kid);
  in->kids[i] = kid;
  in->sizes[i] = SizeOf(kid);
  ++in->count;
}

}  // namespace

double ScoreTree::ScoreOf(const Record* r) {
  return std::bit_cast<double>(r->int_value());
}

int64_t ScoreTree::ScoreBits(double score) {
  return std::bit_cast<int64_t>(score);
}

Record* ScoreTree::Iterator::operator*() const {
  return leaf_->items[index_].record;
}

double ScoreTree::Iterator::score() const {
  return leaf_->items[index_].score;
}

void ScoreTree::Iterator::Next() {
  if (++index_ < leaf_->count) return;
  leaf_ = leaf_->next;
  index_ = 0;
}

void ScoreTree::Iterator::Prev() {
  if (index_ > 0) {
    --index_;
    return;
  }
  leaf_ = leaf_->prev;
  index_ = leaf_ == nullptr ? 0 : leaf_->count - 1;
}

ScoreTree::~ScoreTree() {
  Clear();
}

ScoreTree::Leaf* ScoreTree::NewLeaf() {
  auto* leaf = new Leaf();
  leaf->leaf = true;
  node_bytes_ += sizeof(Leaf);
  return leaf;
}

ScoreTree::Inner* ScoreTree::NewInner() {
  node_bytes_ += sizeof(Inner);
  return new Inner();
}

void ScoreTree::FreeNode(Node* n) {
  if (n->leaf) {
    node_bytes_ -= sizeof(Leaf);
    delete static_cast<Leaf*>(n);
    return;
  }
  auto* in = static_cast<Inner*>(n);
  for (int i = 0; i < in->count; ++i) FreeNode(in->kids[i]);
  node_bytes_ -= sizeof(Inner);
  delete in;
}

size_t ScoreTree::NodeBytesUnder(const Node* n) {
  if (n->leaf) return sizeof(Leaf);
  auto* in = static_cast<const Inner*>(n);
  size_t bytes = sizeof(Inner);
  for (int i = 0; i < in->count; ++i) bytes += NodeBytesUnder(in->kids[i]);
  return bytes;
}

size_t ScoreTree::RecountNodeBytes() const {
  return root_ == nullptr ? 0 : NodeBytesUnder(root_);
}

void ScoreTree::Clear() {
  if (root_ != nullptr) FreeNode(root_);
  root_ = nullptr;
  size_ = 0;
}

void ScoreTree::Insert(Record* r) {
  ++size_;
  if (root_ == nullptr) root_ = NewLeaf();
  Node* split = InsertInto(root_, EntryOf(r));
  if (split == nullptr) return;
  Inner* root = NewInner();
  InsertChild(root, 0, root_);
  InsertChild(root, 1, split);
  root_ = root;
}

// Returns the new right sibling when `n` split, else nullptr.
Node* ScoreTree::InsertInto(Node* n, const Entry& e) {
  if (n->leaf) return InsertIntoLeaf(static_cast<Leaf*>(n), e);
  auto* in = static_cast<Inner*>(n);
  int i = ChildFor(in, e);
  Node* split = InsertInto(in->kids[i], e);
  ++in->sizes[i];
  in->mins[i] = FirstOf(in->kids[i]);
  if (split == nullptr) return nullptr;
  in->sizes[i] -= SizeOf(split);
  if (in->count < kInnerCap) {
    InsertChild(in, i + 1, split);
    return nullptr;
  }
  // Full: the upper half moves to a new sibling, then the new child goes to its side.
  Inner* right = NewInner();
  int keep = kInnerCap / 2;
  for (int j = keep; j < in->count; ++j) {
    right->mins[j - keep] = in->mins[j];
    right->kids[j - keep] = in->kids[j];
    right->sizes[j - keep] = in->sizes[j];
  }
  right->count = static_cast<uint16_t>(in->count - keep);
  in->count = static_cast<uint16_t>(keep);
  if (i + 1 <= keep) {
    InsertChild(in, i + 1, split);
  } else {
    InsertChild(right, i + 1 - keep, split);
  }
  return right;
}

Node* ScoreTree::InsertIntoLeaf(Leaf* leaf, const Entry& e) {
  int pos = LowerBound(leaf, e);
  if (leaf->count < kLeafCap) {
    memmove(&leaf->items[pos + 1], &leaf->items[pos], (leaf->count - pos) * sizeof(Entry));
    leaf->items[pos] = e;
    ++leaf->count;
    return nullptr;
  }
  Leaf* right = NewLeaf();
  if (pos == kLeafCap && leaf->next == nullptr) {
    // Appending past the largest entry (rising scores): leave this leaf full.
    right->items[0] = e;
    right->count = 1;
  } else if (pos == 0 && leaf->prev == nullptr) {
    // Below the smallest entry (falling scores): the full run moves right intact.
    memcpy(right->items, leaf->items, kLeafCap * sizeof(Entry));
    right->count = kLeafCap;
    leaf->items[0] = e;
    leaf->count = 1;
  } else {
    Entry all[kLeafCap + 1];
    memcpy(all, leaf->items, pos * sizeof(Entry));
    all[pos] = e;
    memcpy(all + pos + 1, leaf->items + pos, (kLeafCap - pos) * sizeof(Entry));
    int keep = (kLeafCap + 1) / 2;
    memcpy(leaf->items, all, keep * sizeof(Entry));
    memcpy(right->items, all + keep, (kLeafCap + 1 - keep) * sizeof(Entry));
    leaf->count = static_cast<uint16_t>(keep);
    right->count = static_cast<uint16_t>(kLeafCap + 1 - keep);
  }
  right->prev = leaf;
  right->next = leaf->next;
  if (leaf->next != nullptr) leaf->next->prev = right;
  leaf->next = right;
  return right;
}

bool ScoreTree::Erase(const Record* r) {
  if (root_ == nullptr || !EraseFrom(root_, EntryOf(r))) return false;
  --size_;
  if (root_->leaf) {
    if (root_->count == 0) {
      FreeNode(root_);
      root_ = nullptr;
    }
  } else if (root_->count == 1) {
    auto* old = static_cast<Inner*>(root_);
    root_ = old->kids[0];
    old->count = 0;
    FreeNode(old);
  }
  return true;
}

bool ScoreTree::EraseFrom(Node* n, const Entry& e) {
  if (n->leaf) {
    auto* leaf = static_cast<Leaf*>(n);
    int pos = LowerBound(leaf, e);
    if (pos == leaf->count || Less(e, leaf->items[pos])) return false;
    memmove(&leaf->items[pos], &leaf->items[pos + 1], (leaf->count - pos - 1) * sizeof(Entry));
    --leaf->count;
    return true;
  }
  auto* in = static_cast<Inner*>(n);
  int i = ChildFor(in, e);
  Node* kid = in->kids[i];
  if (!EraseFrom(kid, e)) return false;
  --in->sizes[i];
  if (kid->count > 0) in->mins[i] = FirstOf(kid);
  int min = kid->leaf ? kLeafMin : kInnerMin;
  if (kid->count < min && in->count > 1) Rebalance(in, i);
  return true;
}

// Merges the underfull child i with a neighbour, or evens the two out when they don't fit one
// node.
void ScoreTree::Rebalance(Inner* parent, int i) {
  int a = i + 1 < parent->count ? i : i - 1;
  int b = a + 1;
  Node* left = parent->kids[a];
  Node* right = parent->kids[b];
  if (left->leaf) {
    auto* l = static_cast<Leaf*>(left);
    auto* r = static_cast<Leaf*>(right);
    int total = l->count + r->count;
    if (total <= kLeafCap) {
      memcpy(l->items + l->count, r->items, r->count * sizeof(Entry));
      l->count = static_cast<uint16_t>(total);
      l->next = r->next;
      if (r->next != nullptr) r->next->prev = l;
      r->count = 0;
      FreeNode(r);
      RemoveChild(parent, b);
    } else {
      int want = total / 2;
      if (l->count < want) {
        int move = want - l->count;
        memcpy(l->items + l->count, r->items, move * sizeof(Entry));
        memmove(r->items, r->items + move, (r->count - move) * sizeof(Entry));
        l->count = static_cast<uint16_t>(want);
        r->count = static_cast<uint16_t>(r->count - move);
      } else {
        int move = l->count - want;
        memmove(r->items + move, r->items, r->count * sizeof(Entry));
        memcpy(r->items, l->items + want, move * sizeof(Entry));
        l->count = static_cast<uint16_t>(want);
        r->count = static_cast<uint16_t>(r->count + move);
      }
    }
  } else {
    auto* l = static_cast<Inner*>(left);
    auto* r = static_cast<Inner*>(right);
    int total = l->count + r->count;
    if (total <= kInnerCap) {
      for (int j = 0; j < r->count; ++j) {
        l->mins[l->count + j] = r->mins[j];
        l->kids[l->count + j] = r->kids[j];
        l->sizes[l->count + j] = r->sizes[j];
      }
      l->count = static_cast<uint16_t>(total);
      r->count = 0;
      FreeNode(r);
      RemoveChild(parent, b);
    } else {
      int want = total / 2;
      while (l->count < want) {
        InsertChild(l, l->count, r->kids[0]);
        l->sizes[l->count - 1] = r->sizes[0];
        RemoveChild(r, 0);
      }
      while (l->count > want) {
        InsertChild(r, 0, l->kids[l->count - 1]);
        r->sizes[0] = l->sizes[l->count - 1];
        --l->count;
      }
    }
  }
  parent->mins[a] = FirstOf(left);
  parent->sizes[a] = SizeOf(left);
  if (b < parent->count && parent->kids[b] == right) {
    parent->mins[b] = FirstOf(right);
    parent->sizes[b] = SizeOf(right);
  }
}

ScoreTree::Iterator ScoreTree::Select(size_t rank) const {
  const Node* n = root_;
  while (!n->leaf) {
    auto* in = static_cast<const Inner*>(n);
    int i = 0;
    while (rank >= in->sizes[i]) rank -= in->sizes[i++];
    n = in->kids[i];
  }
  return Iterator(static_cast<const Leaf*>(n), static_cast<int>(rank));
}

size_t ScoreTree::CountBelow(BelowFn below, const void* arg) const {
  size_t count = 0;
  const Node* n = root_;
  if (n == nullptr) return 0;
  while (!n->leaf) {
    auto* in = static_cast<const Inner*>(n);
    int lo = 0, hi = in->count;  // first child whose smallest entry is not below
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (below(in->mins[mid], arg)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == 0) return count;
    for (int j = 0; j < lo - 1; ++j) count += in->sizes[j];
    n = in->kids[lo - 1];
  }
  auto* leaf = static_cast<const Leaf*>(n);
  int lo = 0, hi = leaf->count;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (below(leaf->items[mid], arg)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return count + lo;
}

size_t ScoreTree::Rank(const Record* r) const {
  Entry key = EntryOf(r);
  return CountBelow(
      [](const Entry& e, const void* k) { return Less(e, *static_cast<const Entry*>(k)); }, &key);
}

namespace {

// Checks the subtree at n; returns its size, or SIZE_MAX when broken.
size_t CheckNode(const Node* n, bool is_root, const Leaf** prev_leaf, const Entry** last) {
  if (n->leaf) {
    auto* leaf = static_cast<const Leaf*>(n);
    // Appends may leave the last leaf short, so leaves only need to be non-empty.
    if (!is_root && leaf->count == 0) return SIZE_MAX;
    if (leaf->prev != *prev_leaf) return SIZE_MAX;
    if (*prev_leaf != nullptr && (*prev_leaf)->next != leaf) return SIZE_MAX;
    for (int i = 0; i < leaf->count; ++i) {
      const Entry& e = leaf->items[i];
      if (e.score != ScoreTree::ScoreOf(e.record)) return SIZE_MAX;
      if (*last != nullptr && !ScoreTree::Less(**last, e)) return SIZE_MAX;
      *last = &e;
    }
    *prev_leaf = leaf;
    return leaf->count;
  }
  auto* in = static_cast<const Inner*>(n);
  if (in->count < (is_root ? 2 : kInnerMin)) return SIZE_MAX;
  size_t total = 0;
  for (int i = 0; i < in->count; ++i) {
    if (in->mins[i].record != FirstOf(in->kids[i]).record) return SIZE_MAX;
    size_t sub = CheckNode(in->kids[i], false, prev_leaf, last);
    if (sub == SIZE_MAX || sub != in->sizes[i]) return SIZE_MAX;
    total += sub;
  }
  return total;
}

}  // namespace

bool ScoreTree::CheckInvariants() const {
  if (root_ == nullptr) return size_ == 0;
  const Leaf* prev = nullptr;
  const Entry* last = nullptr;
  size_t total = CheckNode(root_, true, &prev, &last);
  return total == size_ && prev != nullptr && prev->next == nullptr;
}

}  // namespace ember
