#pragma once
// A sorted set in Redis's two encodings. "listpack" while small: member, score, member,
// score ... kept sorted by (score, member), the score as its 8 raw double bytes. "skiplist"
// (Redis's name, kept for OBJECT ENCODING) once past zset-max-listpack-entries/-value: a
// SegmentedTable of member records (member -> score, about 20 bytes a member plus the member)
// and a ScoreTree of pointers to those same records for order and rank. As in Redis, a set
// never converts back to the listpack on removals.
//
// Everything ordered is expressed in ranks (0-based, ascending): range queries turn their
// bounds into ranks with CountScoreBelow / CountLexBelow and then Visit or EraseRange.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "keyspace/record.h"
#include "types/listpack.h"
#include "types/object.h"
#include "types/score_tree.h"

namespace ember {

class SegmentedTable;

// The encoding thresholds (CONFIG zset-max-listpack-*), read at every change.
struct ZSetLimits {
  int64_t listpack_entries = 128;
  int64_t listpack_value = 64;
};

class ZSetValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kZSet;
  using Visitor = std::function<bool(std::string_view member, double score)>;

  // The encoding Redis picks for a new zset about to receive `size_hint` members, the longest
  // `max_member_len` bytes.
  ZSetValue(size_t size_hint, size_t max_member_len, const ZSetLimits& limits);
  ~ZSetValue() override;

  Object* Clone() const override;
  size_t AllocatedBytes() const override;
  size_t RecountAllocatedBytes() const override;
  const char* EncodingName() const override;

  bool is_listpack() const { return table_ == nullptr; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  std::optional<double> Score(std::string_view member) const;
  // Adds the member or changes its score; true when it was added.
  bool Set(std::string_view member, double score, const ZSetLimits& limits);
  // False when absent.
  bool Remove(std::string_view member);
  std::optional<size_t> Rank(std::string_view member) const;

  // Members with score < bound, or <= bound when `or_equal`.
  size_t CountScoreBelow(double bound, bool or_equal) const;
  // Members (compared bytewise) < bound, or <= bound when `or_equal`. Meaningful when all
  // scores are equal, as with Redis's lex commands.
  size_t CountLexBelow(std::string_view bound, bool or_equal) const;

  // Visits up to `count` members starting at rank `start`, going up the ranks (or down when
  // `reverse`); stops early when fn returns false. Views are valid only during the call.
  void Visit(size_t start, size_t count, bool reverse, const Visitor& fn) const;
  // Removes `count` members from rank `start` upward.
  void EraseRange(size_t start, size_t count);
  // ZSCAN step: the listpack visits everything and returns 0; the large encoding walks the
  // member table from `cursor` until at least `count` were visited and returns the next cursor.
  uint64_t Scan(uint64_t cursor, size_t count, const Visitor& fn) const;

  // Moves a listpack to the large encoding (called by Set when a limit is crossed).
  void ConvertToTree();
  const ScoreTree& tree() const { return tree_; }

 private:
  // The listpack position of member's entry, or End().
  size_t ListpackFind(std::string_view member) const;
  void ListpackInsert(std::string_view member, double score);
  void TreeInsert(std::string_view member, double score);
  void TreeErase(Record* r);
  // Rebuilds a member table that removals left mostly empty.
  void MaybeShrink();

  Listpack packed_;
  std::unique_ptr<SegmentedTable> table_;  // null while the listpack encoding is used
  ScoreTree tree_;
  size_t record_bytes_ = 0;
};

}  // namespace ember
