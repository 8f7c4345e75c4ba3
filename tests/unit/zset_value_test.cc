// ScoreTree (order, rank, select, splits and merges) and ZSetValue in both encodings, checked
// against std::set models, plus the conversion at each threshold.
#include "types/zset_value.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "types/score_tree.h"

namespace ember {
namespace {

using Pair = std::pair<double, std::string>;

Record* MakeMember(const std::string& m, double score) {
  return Record::NewInt(m, ScoreTree::ScoreBits(score), 0);
}

std::vector<Pair> TreeContents(const ScoreTree& t) {
  std::vector<Pair> out;
  if (t.size() == 0) return out;
  for (auto it = t.Select(0); it.valid(); it.Next()) {
    out.emplace_back(ScoreTree::ScoreOf(*it), std::string((*it)->key()));
  }
  return out;
}

TEST(ScoreTree, RandomOpsMatchModel) {
  std::mt19937 rng(7);
  ScoreTree tree;
  std::map<std::string, Record*> records;
  std::set<Pair> model;
  for (int step = 0; step < 40000; ++step) {
    std::string m = "m" + std::to_string(rng() % 3000);
    auto it = records.find(m);
    // Phases: grow, shrink, mix, so splits and merges both get exercised.
    int phase = (step / 5000) % 3;
    bool insert = phase == 0 ? rng() % 4 != 0 : phase == 1 ? rng() % 4 == 0 : rng() % 2 == 0;
    if (insert && it == records.end()) {
      double score = static_cast<double>(rng() % 200) / 4;
      Record* r = MakeMember(m, score);
      records[m] = r;
      tree.Insert(r);
      model.emplace(score, m);
    } else if (!insert && it != records.end()) {
      Record* r = it->second;
      ASSERT_TRUE(tree.Erase(r));
      model.erase({ScoreTree::ScoreOf(r), m});
      records.erase(it);
      Record::Free(r);
    }
    if (step % 997 == 0) {
      ASSERT_TRUE(tree.CheckInvariants()) << "step " << step;
      ASSERT_EQ(TreeContents(tree), std::vector<Pair>(model.begin(), model.end()));
    }
  }
  ASSERT_TRUE(tree.CheckInvariants());
  ASSERT_EQ(tree.size(), model.size());
  // Rank and select agree with the model's order.
  size_t rank = 0;
  for (const auto& [score, m] : model) {
    Record* r = records[m];
    EXPECT_EQ(tree.Rank(r), rank);
    EXPECT_EQ(*tree.Select(rank), r);
    ++rank;
  }
  for (auto& [m, r] : records) {
    ASSERT_TRUE(tree.Erase(r));
    Record::Free(r);
  }
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(tree.NodeBytes(), 0u);
  EXPECT_TRUE(tree.CheckInvariants());
}

TEST(ScoreTree, SequentialInsertsPackLeavesAndIterateBothWays) {
  ScoreTree tree;
  std::vector<Record*> recs;
  for (int i = 0; i < 5000; ++i) {
    recs.push_back(MakeMember("k" + std::to_string(i), i));
    tree.Insert(recs.back());
  }
  ASSERT_TRUE(tree.CheckInvariants());
  // Rising inserts leave full leaves: little over the 16-byte entry per member.
  EXPECT_LT(tree.NodeBytes() / 5000, 18u);
  auto it = tree.Select(4999);
  for (int i = 4999; i >= 0; --i, it.Prev()) {
    ASSERT_TRUE(it.valid());
    ASSERT_EQ(*it, recs[i]);
  }
  EXPECT_FALSE(it.valid());
  // Falling inserts take the other fast path.
  ScoreTree down;
  for (int i = 4999; i >= 0; --i) down.Insert(recs[i]);
  ASSERT_TRUE(down.CheckInvariants());
  EXPECT_LT(down.NodeBytes() / 5000, 18u);
  // Erase every other one, then the rest: merges down to an empty tree.
  for (int i = 0; i < 5000; i += 2) ASSERT_TRUE(down.Erase(recs[i]));
  ASSERT_TRUE(down.CheckInvariants());
  EXPECT_EQ(down.Rank(recs[101]), 50u);
  for (int i = 1; i < 5000; i += 2) ASSERT_TRUE(down.Erase(recs[i]));
  EXPECT_TRUE(down.CheckInvariants());
  EXPECT_FALSE(down.Erase(recs[0]));
  tree.Clear();
  for (Record* r : recs) Record::Free(r);
}

TEST(ScoreTree, CountBelowByScore) {
  ScoreTree tree;
  std::vector<Record*> recs;
  for (int i = 0; i < 1000; ++i) {
    recs.push_back(MakeMember("m" + std::to_string(i), i / 10));  // 10 members per score
    tree.Insert(recs.back());
  }
  double bound = 42;
  size_t below =
      tree.CountBelow([](const ScoreTree::Entry& e,
                         const void* b) { return e.score < *static_cast<const double*>(b); },
                      &bound);
  EXPECT_EQ(below, 420u);
  tree.Clear();
  for (Record* r : recs) Record::Free(r);
}

// ZSetValue against a model, for a given listpack limit (0 forces the tree at once).
void CheckZSet(const ZSetValue& z, const std::set<Pair>& model) {
  ASSERT_EQ(z.size(), model.size());
  std::vector<Pair> got;
  z.Visit(0, z.size(), false, [&](std::string_view m, double s) {
    got.emplace_back(s, std::string(m));
    return true;
  });
  ASSERT_EQ(got, std::vector<Pair>(model.begin(), model.end()));
  if (!model.empty()) {
    std::vector<Pair> rev;
    z.Visit(z.size() - 1, z.size(), true, [&](std::string_view m, double s) {
      rev.emplace_back(s, std::string(m));
      return true;
    });
    ASSERT_EQ(rev, std::vector<Pair>(model.rbegin(), model.rend()));
  }
  size_t rank = 0;
  for (const auto& [s, m] : model) {
    ASSERT_EQ(z.Rank(m), rank++);
    ASSERT_EQ(z.Score(m), s);
  }
}

void RandomZSet(int64_t entries, size_t ops) {
  ZSetLimits limits{entries, 64};
  ZSetValue z(0, 0, limits);
  std::set<Pair> model;
  std::map<std::string, double> scores;
  std::mt19937 rng(11);
  for (size_t i = 0; i < ops; ++i) {
    std::string m = "m" + std::to_string(rng() % 200);
    if (rng() % 3 != 0) {
      double s = static_cast<double>(rng() % 50) - 25;
      auto it = scores.find(m);
      EXPECT_EQ(z.Set(m, s, limits), it == scores.end());
      if (it != scores.end()) model.erase({it->second, m});
      scores[m] = s;
      model.emplace(s, m);
    } else {
      auto it = scores.find(m);
      EXPECT_EQ(z.Remove(m), it != scores.end());
      if (it != scores.end()) {
        model.erase({it->second, m});
        scores.erase(it);
      }
    }
    if (i % 50 == 0) CheckZSet(z, model);
    if (i % 200 == 100 && !model.empty()) {
      // Score and lex counts agree with the model.
      double bound = static_cast<double>(rng() % 50) - 25;
      size_t lt = 0, le = 0;
      for (const auto& p : model) {
        lt += p.first < bound;
        le += p.first <= bound;
      }
      ASSERT_EQ(z.CountScoreBelow(bound, false), lt);
      ASSERT_EQ(z.CountScoreBelow(bound, true), le);
    }
  }
  CheckZSet(z, model);
  auto* copy = static_cast<ZSetValue*>(z.Clone());
  CheckZSet(*copy, model);
  EXPECT_STREQ(copy->EncodingName(), z.EncodingName());
  delete copy;
  // EraseRange removes exactly the ranks asked for.
  if (model.size() > 10) {
    z.EraseRange(3, 5);
    auto first = std::next(model.begin(), 3);
    model.erase(first, std::next(first, 5));
    CheckZSet(z, model);
  }
}

TEST(ZSetValue, RandomListpack) {
  RandomZSet(1000, 3000);
}

TEST(ZSetValue, RandomTree) {
  RandomZSet(0, 3000);
}

TEST(ZSetValue, ConvertsAtEntryAndValueLimits) {
  ZSetLimits limits{4, 8};
  ZSetValue z(1, 1, limits);
  for (int i = 0; i < 4; ++i) z.Set("m" + std::to_string(i), i, limits);
  EXPECT_STREQ(z.EncodingName(), "listpack");
  z.Set("m0", 10, limits);  // updates never convert
  EXPECT_STREQ(z.EncodingName(), "listpack");
  z.Set("m4", 4, limits);
  EXPECT_STREQ(z.EncodingName(), "skiplist");
  EXPECT_EQ(z.size(), 5u);
  EXPECT_EQ(z.Rank("m0"), 4u);
  while (!z.empty()) z.EraseRange(0, 1);
  EXPECT_STREQ(z.EncodingName(), "skiplist");  // never converts back

  ZSetValue longer(1, 1, limits);
  longer.Set("12345678", 1, limits);
  EXPECT_STREQ(longer.EncodingName(), "listpack");
  longer.Set("123456789", 1, limits);
  EXPECT_STREQ(longer.EncodingName(), "skiplist");
  EXPECT_EQ(longer.Rank("123456789"), 1u);

  // The constructor's hints pick the encoding for a new set.
  EXPECT_STREQ(ZSetValue(5, 1, limits).EncodingName(), "skiplist");
  EXPECT_STREQ(ZSetValue(4, 9, limits).EncodingName(), "skiplist");
  EXPECT_STREQ(ZSetValue(4, 8, limits).EncodingName(), "listpack");
}

TEST(ZSetValue, BinaryMembersLexOrderAndScan) {
  ZSetLimits limits{0, 64};
  for (int64_t entries : {128, 0}) {
    limits.listpack_entries = entries;
    ZSetValue z(0, 0, limits);
    std::string nul("a\0b", 3);
    z.Set(nul, 0, limits);
    z.Set("a", 0, limits);
    z.Set("\xff", 0, limits);
    z.Set("", 0, limits);
    EXPECT_EQ(z.Rank(""), 0u);
    EXPECT_EQ(z.Rank("a"), 1u);
    EXPECT_EQ(z.Rank(nul), 2u);
    EXPECT_EQ(z.Rank("\xff"), 3u);  // bytes compare unsigned
    EXPECT_EQ(z.CountLexBelow("a", false), 1u);
    EXPECT_EQ(z.CountLexBelow("a", true), 2u);
    std::set<std::string> seen;
    uint64_t cursor = 0;
    do {
      cursor = z.Scan(cursor, 1, [&](std::string_view m, double) {
        seen.emplace(m);
        return true;
      });
    } while (cursor != 0);
    EXPECT_EQ(seen.size(), 4u);
    EXPECT_GT(z.AllocatedBytes(), sizeof(ZSetValue));
  }
}

TEST(ZSetValue, MemberTableShrinksAfterMassRemoval) {
  ZSetLimits limits{0, 64};
  ZSetValue z(0, 0, limits);
  for (int i = 0; i < 20000; ++i) z.Set("m" + std::to_string(i), i, limits);
  size_t full = z.AllocatedBytes();
  z.EraseRange(0, 19900);
  for (int i = 19900; i < 19950; ++i) ASSERT_TRUE(z.Remove("m" + std::to_string(i)));
  EXPECT_LT(z.AllocatedBytes(), full / 20);
  ASSERT_EQ(z.size(), 50u);
  EXPECT_EQ(z.Rank("m19960"), 10u);
  EXPECT_EQ(z.Score("m19999"), 19999.0);
  EXPECT_FALSE(z.Score("m5").has_value());
  EXPECT_TRUE(z.tree().CheckInvariants());
}

}  // namespace
}  // namespace ember
