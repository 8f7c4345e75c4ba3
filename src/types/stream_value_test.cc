// The stream structure against a plain ordered map, across node splits, deletes and trims.
#include "types/stream_value.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace ember {
namespace {

using Model = std::map<StreamId, std::vector<std::string>>;

std::vector<std::pair<StreamId, std::vector<std::string>>> Dump(const StreamValue& s, bool rev,
                                                                StreamId from = {},
                                                                StreamId to = StreamId::Max()) {
  std::vector<std::pair<StreamId, std::vector<std::string>>> out;
  s.Range(from, to, rev, [&](StreamId id, std::span<const std::string_view> fv) {
    out.emplace_back(id, std::vector<std::string>(fv.begin(), fv.end()));
    return true;
  });
  return out;
}

void ExpectSame(const StreamValue& s, const Model& m) {
  ASSERT_EQ(s.length(), m.size());
  auto forward = Dump(s, false);
  ASSERT_EQ(forward.size(), m.size());
  size_t i = 0;
  for (const auto& [id, fv] : m) {
    EXPECT_EQ(forward[i].first, id);
    EXPECT_EQ(forward[i].second, fv);
    ++i;
  }
  auto backward = Dump(s, true);
  ASSERT_EQ(backward.size(), m.size());
  for (size_t j = 0; j < backward.size(); ++j) EXPECT_EQ(backward[j], forward[m.size() - 1 - j]);
  if (!m.empty()) {
    EXPECT_EQ(s.first_id(), m.begin()->first);
  }
  EXPECT_EQ(s.AllocatedBytes(), s.RecountAllocatedBytes());
}

void Add(StreamValue& s, Model& m, StreamId id, std::vector<std::string> fv) {
  std::vector<std::string_view> views(fv.begin(), fv.end());
  s.Append(id, views);
  m[id] = std::move(fv);
}

TEST(StreamValueTest, EntriesSplitIntoNodesAndSharedFieldsAreStoredOnce) {
  StreamValue s;
  Model m;
  for (uint64_t i = 1; i <= 250; ++i) Add(s, m, {i, 0}, {"field", std::to_string(i)});
  EXPECT_EQ(s.node_count(), 3u);  // 100 entries a node, Redis's default
  ExpectSame(s, m);
  // 250 entries of "field" + a short value: far less than the field repeated every time.
  EXPECT_LT(s.AllocatedBytes(), 250 * 11);
  Add(s, m, {300, 0}, {"other", "x", "more", "y"});
  Add(s, m, {300, 1}, {});
  ExpectSame(s, m);
  EXPECT_EQ(s.last_id(), (StreamId{300, 1}));
  EXPECT_EQ(s.entries_added(), 252u);
}

TEST(StreamValueTest, IntegerStringsArePackedAndReadBackExactly) {
  StreamValue s;
  Model m;
  std::vector<std::string> values = {"0",
                                     "42",
                                     "-1",
                                     "-0",
                                     "007",
                                     "+5",
                                     "9223372036854775807",
                                     "-9223372036854775808",
                                     "9223372036854775808",
                                     "1e3",
                                     "",
                                     "4611686018427387904",
                                     "-4611686018427387905",
                                     " 1"};
  uint64_t ms = 1;
  for (const std::string& v : values) {
    Add(s, m, {ms++, 0}, {"n", v});
    Add(s, m, {ms++, 0}, {v, "field-is-the-value"});
  }
  ExpectSame(s, m);
  StreamValue counters;
  for (uint64_t i = 0; i < 100; ++i)
    counters.Append({i + 1, 0}, std::vector<std::string_view>{"n", "1234567"});
#ifndef EMBER_SANITIZED  // ASan's allocator rounds sizes its own way: the bound is mimalloc's
  EXPECT_LT(counters.AllocatedBytes(), sizeof(StreamValue) + 100 * 8 + 150);  // 4 bytes a value
#endif
}

TEST(StreamValueTest, DeleteMarksEntriesAndFreesEmptiedNodes) {
  StreamValue::node_max_entries = 4;
  StreamValue s;
  Model m;
  for (uint64_t i = 1; i <= 12; ++i) Add(s, m, {i, i}, {"f", "v"});
  EXPECT_EQ(s.node_count(), 3u);
  for (uint64_t i = 5; i <= 8; ++i) {
    EXPECT_TRUE(s.Delete({i, i}));
    m.erase({i, i});
  }
  EXPECT_FALSE(s.Delete({5, 5}));
  EXPECT_FALSE(s.Delete({5, 6}));
  EXPECT_EQ(s.node_count(), 2u);
  EXPECT_EQ(s.max_deleted_id(), (StreamId{8, 8}));
  ExpectSame(s, m);
  EXPECT_TRUE(s.Delete({1, 1}));
  m.erase({1, 1});
  EXPECT_EQ(s.first_id(), (StreamId{2, 2}));
  ExpectSame(s, m);
  StreamValue::node_max_entries = 100;
}

TEST(StreamValueTest, ApproximateTrimsDropWholeNodesOnly) {
  StreamValue::node_max_entries = 10;
  StreamValue s;
  Model m;
  for (uint64_t i = 1; i <= 95; ++i) Add(s, m, {i, 0}, {"f", "v"});
  StreamTrim trim{TrimStrategy::kMaxLen, true, 42, {}, 0};
  EXPECT_EQ(s.Trim(trim), 50);  // 5 whole nodes; a sixth would leave fewer than 42
  EXPECT_EQ(s.length(), 45u);
  trim.approx = false;
  EXPECT_EQ(s.Trim(trim), 3);
  EXPECT_EQ(s.length(), 42u);
  EXPECT_EQ(s.first_id(), (StreamId{54, 0}));
  trim = {TrimStrategy::kMinId, false, 0, {60, 0}, 0};
  EXPECT_EQ(s.Trim(trim), 6);
  EXPECT_EQ(s.first_id(), (StreamId{60, 0}));
  // LIMIT 15: the node left with one entry, and one whole node of 10, not a third.
  trim = {TrimStrategy::kMaxLen, true, 0, {}, 15};
  EXPECT_EQ(s.Trim(trim), 11);
  StreamValue::node_max_entries = 100;
}

TEST(StreamValueTest, RandomOperationsMatchTheModel) {
  std::mt19937_64 rng(1234);
  for (size_t node_entries : {3, 7, 100}) {
    StreamValue::node_max_entries = node_entries;
    StreamValue s;
    Model m;
    StreamId next;
    for (int step = 0; step < 3000; ++step) {
      int op = static_cast<int>(rng() % 10);
      if (op < 6) {
        next = s.last_id();
        if (rng() % 3 == 0 || next.zero()) {
          next.ms += 1 + rng() % 3;
          next.seq = rng() % 4;
        } else {
          ++next.seq;
        }
        std::vector<std::string> fv;
        size_t pairs = rng() % 3;
        for (size_t p = 0; p < pairs; ++p) {
          fv.push_back(rng() % 2 ? "a" : "field" + std::to_string(p));
          fv.push_back(std::string(rng() % 20, 'x'));
        }
        Add(s, m, next, fv);
      } else if (op < 8 && !m.empty()) {
        auto it = std::next(m.begin(), static_cast<long>(rng() % m.size()));
        EXPECT_TRUE(s.Delete(it->first));
        m.erase(it);
      } else if (!m.empty()) {
        StreamTrim trim;
        trim.approx = rng() % 2;
        if (rng() % 2) {
          trim.strategy = TrimStrategy::kMaxLen;
          trim.maxlen = rng() % (m.size() + 1);
        } else {
          trim.strategy = TrimStrategy::kMinId;
          trim.minid = std::next(m.begin(), static_cast<long>(rng() % m.size()))->first;
        }
        size_t before = m.size();
        int64_t removed = s.Trim(trim);
        for (int64_t r = 0; r < removed; ++r) m.erase(m.begin());
        if (!trim.approx && trim.strategy == TrimStrategy::kMaxLen) {
          EXPECT_EQ(m.size(), std::min<size_t>(before, trim.maxlen));
        }
        if (!trim.approx && trim.strategy == TrimStrategy::kMinId && !m.empty()) {
          EXPECT_GE(m.begin()->first, trim.minid);
        }
      }
      if (step % 97 == 0) ExpectSame(s, m);
    }
    ExpectSame(s, m);
    StreamValue copy(s);
    ExpectSame(copy, m);
    // Sub-ranges, both ways.
    if (m.size() > 10) {
      StreamId from = std::next(m.begin(), 3)->first, to = std::next(m.begin(), 9)->first;
      EXPECT_EQ(Dump(s, false, from, to).size(), 7u);
      EXPECT_EQ(Dump(s, true, from, to).size(), 7u);
      EXPECT_EQ(Dump(s, true, from, to).front().first, to);
    }
  }
  StreamValue::node_max_entries = 100;
}

TEST(StreamValueTest, GroupsKeepPendingEntriesPerConsumer) {
  StreamValue s;
  StreamGroup* g = s.CreateGroup("g", {}, 0);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.CreateGroup("g", {}, 0), nullptr);
  StreamConsumer* alice = g->GetConsumer("alice", 10);
  StreamConsumer* bob = g->GetConsumer("bob", 10);
  g->SetPending({1, 0}, alice, 10, 1);
  g->SetPending({2, 0}, alice, 10, 1);
  g->SetPending({2, 0}, bob, 11, 2);
  EXPECT_EQ(alice->pending.size(), 1u);
  EXPECT_EQ(bob->pending.size(), 1u);
  EXPECT_EQ(s.AllocatedBytes(), s.RecountAllocatedBytes());
  StreamValue copy(s);
  EXPECT_EQ(copy.FindGroup("g")->FindPending({2, 0})->consumer->name, "bob");
  EXPECT_TRUE(g->Ack({1, 0}));
  EXPECT_FALSE(g->Ack({1, 0}));
  EXPECT_EQ(g->DeleteConsumer("bob"), 1u);
  EXPECT_TRUE(g->pel().empty());
  EXPECT_EQ(s.AllocatedBytes(), s.RecountAllocatedBytes());
}

}  // namespace
}  // namespace ember
