#pragma once
// An order-statistics B+tree over sorted-set members, ordered by (score, member). It stores
// pointers to member records owned by the zset's member table (the record's key is the member,
// its 8-byte int value holds the score's bits), each beside a copy of its score: a descent
// compares scores in the node and reads a member record only on a tie, instead of taking a
// cache miss per comparison. Each member costs 16 bytes here.
//
// Inner nodes keep, per child, the child's smallest entry and its subtree size: descending by
// key or by rank is O(log n), and every change refreshes those along its own path only.
// Leaves are linked both ways so a range walk is a pointer chase.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "keyspace/record.h"

namespace ember {

class ScoreTree {
 public:
  struct Node;
  struct Leaf;
  struct Inner;

  // The score a member record carries.
  static double ScoreOf(const Record* r);
  // The int value that stores `score` in a member record.
  static int64_t ScoreBits(double score);
  // A tree entry: the member record and its score.
  struct Entry {
    double score;
    Record* record;
  };
  // (The tree never writes through a record; a const one can name an entry to look up.)
  static Entry EntryOf(const Record* r) { return {ScoreOf(r), const_cast<Record*>(r)}; }
  // (score, member) order: true when a sorts before b.
  static bool Less(const Entry& a, const Entry& b) {
    if (a.score != b.score) return a.score < b.score;
    return a.record != b.record && a.record->key() < b.record->key();
  }

  // A position in the leaf chain; invalid past either end.
  class Iterator {
   public:
    Iterator() = default;
    Iterator(const Leaf* leaf, int index) : leaf_(leaf), index_(index) {}
    bool valid() const { return leaf_ != nullptr; }
    Record* operator*() const;
    double score() const;
    void Next();
    void Prev();

   private:
    const Leaf* leaf_ = nullptr;
    int index_ = 0;
  };

  ScoreTree() = default;
  ~ScoreTree();
  ScoreTree(const ScoreTree&) = delete;
  ScoreTree& operator=(const ScoreTree&) = delete;

  size_t size() const { return size_; }
  // Inserts a record whose (score, member) is not present.
  void Insert(Record* r);
  // Removes the entry with r's (score, member); false when absent.
  bool Erase(const Record* r);
  // The entry at 0-based `rank` (requires rank < size()).
  Iterator Select(size_t rank) const;
  // The number of entries for which below(entry, arg) is true. `below` must hold for a prefix
  // of the order (a lower bound on score, on member, or on (score, member)).
  using BelowFn = bool (*)(const Entry& entry, const void* arg);
  size_t CountBelow(BelowFn below, const void* arg) const;
  // The rank of the entry equal to r (or where it would go).
  size_t Rank(const Record* r) const;
  // Drops every node (the records belong to the caller).
  void Clear();
  size_t NodeBytes() const { return node_bytes_; }
  // NodeBytes summed by walking every node (for tests).
  size_t RecountNodeBytes() const;
  // Verifies order, sizes, separators, fill and the leaf chain (for tests).
  bool CheckInvariants() const;

 private:
  Node* InsertInto(Node* n, const Entry& e);
  Node* InsertIntoLeaf(Leaf* leaf, const Entry& e);
  bool EraseFrom(Node* n, const Entry& e);
  void Rebalance(Inner* parent, int i);
  void FreeNode(Node* n);
  static size_t NodeBytesUnder(const Node* n);
  Leaf* NewLeaf();
  Inner* NewInner();

  Node* root_ = nullptr;
  size_t size_ = 0;
  size_t node_bytes_ = 0;
};

}  // namespace ember
