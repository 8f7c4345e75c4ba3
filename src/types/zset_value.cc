#include "types/zset_value.h"

#include <cstring>
#include <vector>

#include "keyspace/segmented_table.h"

namespace ember {
namespace {

std::string_view ScoreBytes(const double& score) {
  return std::string_view(reinterpret_cast<const char*>(&score), sizeof(double));
}

double DecodeScore(std::string_view bytes) {
  double v;
  memcpy(&v, bytes.data(), sizeof(double));
  return v;
}

bool PairLess(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 != s2) return s1 < s2;
  return m1 < m2;
}

struct ScoreBound {
  double value;
  bool or_equal;
};

struct LexBound {
  std::string_view value;
  bool or_equal;
};

bool ScoreBelow(double score, const ScoreBound& b) {
  return b.or_equal ? score <= b.value : score < b.value;
}

bool LexBelow(std::string_view member, const LexBound& b) {
  return b.or_equal ? member <= b.value : member < b.value;
}

}  // namespace

ZSetValue::ZSetValue(size_t size_hint, size_t max_member_len, const ZSetLimits& limits) {
  if (static_cast<int64_t>(size_hint) > limits.listpack_entries ||
      static_cast<int64_t>(max_member_len) > limits.listpack_value) {
    table_ = std::make_unique<SegmentedTable>();
  }
}

ZSetValue::~ZSetValue() {
  // The tree points into the table's records: drop it before the table frees them.
  tree_.Clear();
}

Object* ZSetValue::Clone() const {
  auto* copy = new ZSetValue(0, 0, ZSetLimits{});
  copy->packed_ = Listpack(packed_);
  if (table_ != nullptr) {
    copy->table_ = std::make_unique<SegmentedTable>();
    Visit(0, size(), false, [&](std::string_view m, double s) {
      copy->TreeInsert(m, s);
      return true;
    });
  }
  return copy;
}

// O(1): the listpack is one block, the table and the tree count themselves, and
// record_bytes_ follows every member record added or freed (score changes stay in place).
size_t ZSetValue::AllocatedBytes() const {
  size_t bytes = sizeof(ZSetValue) + packed_.AllocatedBytes();
  if (table_ != nullptr) {
    bytes += sizeof(SegmentedTable) + table_->TableBytes() + record_bytes_ + tree_.NodeBytes();
  }
  return bytes;
}

size_t ZSetValue::RecountAllocatedBytes() const {
  size_t bytes = sizeof(ZSetValue) + packed_.AllocatedBytes();
  if (table_ != nullptr) {
    bytes += sizeof(SegmentedTable) + table_->TableBytes() + tree_.RecountNodeBytes();
    table_->Scan(0, SIZE_MAX, [&](Record* r) { bytes += r->AllocatedBytes(); });
  }
  return bytes;
}

const char* ZSetValue::EncodingName() const {
  return is_listpack() ? "listpack" : "skiplist";
}

size_t ZSetValue::size() const {
  return is_listpack() ? packed_.size() / 2 : tree_.size();
}

size_t ZSetValue::ListpackFind(std::string_view member) const {
  for (size_t pos = packed_.Front(); pos != packed_.End(); pos = packed_.Next(packed_.Next(pos))) {
    if (packed_.Get(pos) == member) return pos;
  }
  return packed_.End();
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (is_listpack()) {
    size_t pos = ListpackFind(member);
    if (pos == packed_.End()) return std::nullopt;
    return DecodeScore(packed_.Get(packed_.Next(pos)));
  }
  auto slot = table_->Find(member, HashKey(member));
  if (!slot) return std::nullopt;
  return ScoreTree::ScoreOf(table_->Get(slot));
}

void ZSetValue::ListpackInsert(std::string_view member, double score) {
  size_t pos = packed_.Front();
  while (pos != packed_.End()) {
    size_t score_pos = packed_.Next(pos);
    if (PairLess(score, member, DecodeScore(packed_.Get(score_pos)), packed_.Get(pos))) break;
    pos = packed_.Next(score_pos);
  }
  pos = packed_.Insert(pos, member);
  packed_.Insert(packed_.Next(pos), ScoreBytes(score));
}

void ZSetValue::TreeInsert(std::string_view member, double score) {
  Record* r = Record::NewInt(member, ScoreTree::ScoreBits(score), 0);
  record_bytes_ += r->AllocatedBytes();
  table_->Insert(r, HashKey(member));
  tree_.Insert(r);
}

void ZSetValue::TreeErase(Record* r) {
  tree_.Erase(r);
  auto slot = table_->Find(r->key(), HashKey(r->key()));
  table_->Erase(slot);
  record_bytes_ -= r->AllocatedBytes();
  Record::Free(r);
}

bool ZSetValue::Set(std::string_view member, double score, const ZSetLimits& limits) {
  if (score == 0) score = 0.0;  // -0 is stored as 0, as Redis replies it
  if (is_listpack()) {
    size_t pos = ListpackFind(member);
    if (pos != packed_.End()) {
      if (DecodeScore(packed_.Get(packed_.Next(pos))) == score) return false;
      packed_.Erase(pos, 2);
      ListpackInsert(member, score);
      return false;
    }
    if (static_cast<int64_t>(size()) + 1 > limits.listpack_entries ||
        static_cast<int64_t>(member.size()) > limits.listpack_value) {
      ConvertToTree();
    } else {
      ListpackInsert(member, score);
      return true;
    }
  }
  auto slot = table_->Find(member, HashKey(member));
  if (!slot) {
    TreeInsert(member, score);
    return true;
  }
  Record* r = table_->Get(slot);
  if (ScoreTree::ScoreOf(r) == score) return false;
  // The tree finds the entry by its old score, so it leaves before the score changes.
  tree_.Erase(r);
  r->set_int_value_in_place(ScoreTree::ScoreBits(score));
  tree_.Insert(r);
  return false;
}

bool ZSetValue::Remove(std::string_view member) {
  if (is_listpack()) {
    size_t pos = ListpackFind(member);
    if (pos == packed_.End()) return false;
    packed_.Erase(pos, 2);
    return true;
  }
  auto slot = table_->Find(member, HashKey(member));
  if (!slot) return false;
  TreeErase(table_->Get(slot));
  MaybeShrink();
  return true;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  if (is_listpack()) {
    size_t rank = 0;
    for (size_t pos = packed_.Front(); pos != packed_.End();
         pos = packed_.Next(packed_.Next(pos)), ++rank) {
      if (packed_.Get(pos) == member) return rank;
    }
    return std::nullopt;
  }
  auto slot = table_->Find(member, HashKey(member));
  if (!slot) return std::nullopt;
  return tree_.Rank(table_->Get(slot));
}

size_t ZSetValue::CountScoreBelow(double bound, bool or_equal) const {
  ScoreBound b{bound, or_equal};
  if (is_listpack()) {
    size_t count = 0;
    for (size_t pos = packed_.Front(); pos != packed_.End(); ++count) {
      size_t score_pos = packed_.Next(pos);
      if (!ScoreBelow(DecodeScore(packed_.Get(score_pos)), b)) break;
      pos = packed_.Next(score_pos);
    }
    return count;
  }
  return tree_.CountBelow(
      [](const ScoreTree::Entry& e, const void* arg) {
        return ScoreBelow(e.score, *static_cast<const ScoreBound*>(arg));
      },
      &b);
}

size_t ZSetValue::CountLexBelow(std::string_view bound, bool or_equal) const {
  LexBound b{bound, or_equal};
  if (is_listpack()) {
    size_t count = 0;
    for (size_t pos = packed_.Front(); pos != packed_.End(); ++count) {
      if (!LexBelow(packed_.Get(pos), b)) break;
      pos = packed_.Next(packed_.Next(pos));
    }
    return count;
  }
  return tree_.CountBelow(
      [](const ScoreTree::Entry& e, const void* arg) {
        return LexBelow(e.record->key(), *static_cast<const LexBound*>(arg));
      },
      &b);
}

void ZSetValue::Visit(size_t start, size_t count, bool reverse, const Visitor& fn) const {
  if (start >= size() || count == 0) return;
  if (is_listpack()) {
    size_t pos = packed_.Seek(static_cast<int64_t>(start * 2));
    for (size_t i = 0; i < count; ++i) {
      size_t score_pos = packed_.Next(pos);
      if (!fn(packed_.Get(pos), DecodeScore(packed_.Get(score_pos)))) return;
      if (reverse) {
        if (pos == packed_.Front()) return;
        pos = packed_.Prev(packed_.Prev(pos));
      } else {
        pos = packed_.Next(score_pos);
        if (pos == packed_.End()) return;
      }
    }
    return;
  }
  ScoreTree::Iterator it = tree_.Select(start);
  for (size_t i = 0; i < count && it.valid(); ++i) {
    if (!fn((*it)->key(), it.score())) return;
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  }
}

void ZSetValue::EraseRange(size_t start, size_t count) {
  if (start >= size() || count == 0) return;
  if (count > size() - start) count = size() - start;
  if (is_listpack()) {
    packed_.Erase(packed_.Seek(static_cast<int64_t>(start * 2)), count * 2);
    return;
  }
  std::vector<Record*> doomed;
  doomed.reserve(count);
  ScoreTree::Iterator it = tree_.Select(start);
  for (size_t i = 0; i < count; ++i, it.Next()) doomed.push_back(*it);
  for (Record* r : doomed) TreeErase(r);
  MaybeShrink();
}

void ZSetValue::MaybeShrink() {
  // Table segments never merge: below ~10% load, move the records to a fresh table. The tree
  // keeps pointing at the same records.
  constexpr size_t kMinShrinkBytes = 16 * 1024;
  size_t table_bytes = table_->TableBytes();
  if (table_bytes < kMinShrinkBytes || table_->size() * 64 > table_bytes) return;
  auto fresh = std::make_unique<SegmentedTable>();
  if (tree_.size() > 0) {
    for (auto it = tree_.Select(0); it.valid(); it.Next()) {
      Record* r = *it;
      uint64_t hash = HashKey(r->key());
      table_->Erase(table_->Find(r->key(), hash));
      fresh->Insert(r, hash);
    }
  }
  table_.swap(fresh);
}

uint64_t ZSetValue::Scan(uint64_t cursor, size_t count, const Visitor& fn) const {
  if (is_listpack()) {
    Visit(0, size(), false, fn);
    return 0;
  }
  return table_->Scan(static_cast<uint32_t>(cursor), count,
                      [&](Record* r) { fn(r->key(), ScoreTree::ScoreOf(r)); });
}

void ZSetValue::ConvertToTree() {
  if (!is_listpack()) return;
  table_ = std::make_unique<SegmentedTable>();
  for (size_t pos = packed_.Front(); pos != packed_.End(); pos = packed_.Next(packed_.Next(pos))) {
    TreeInsert(packed_.Get(pos), DecodeScore(packed_.Get(packed_.Next(pos))));
  }
  packed_.Clear();
}

}  // namespace ember
