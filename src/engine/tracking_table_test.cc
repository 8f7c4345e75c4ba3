#include "engine/tracking_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ember {
namespace {

TEST(TrackingTableTest, RemembersReadersOnceAndForgetsOnChange) {
  TrackingTable table;
  EXPECT_EQ(table.Remember("k", 7, {1, 0}), std::make_pair(1, 1));
  EXPECT_EQ(table.Remember("k", 7, {1, 0}), std::make_pair(0, 0));  // same reader: nothing new
  EXPECT_EQ(table.Remember("k", 7, {2, 1}), std::make_pair(0, 1));
  EXPECT_EQ(table.keys(), 1u);
  EXPECT_EQ(table.items(), 2u);
  std::vector<uint64_t> told;
  table.Take(7, [&](const TrackingTable::Entry& e) {
    EXPECT_EQ(e.key, "k");
    for (const TrackedClient& c : e.readers) told.push_back(c.id);
  });
  EXPECT_EQ(told, (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.items(), 0u);
  told.clear();
  table.Take(7, [&](const TrackingTable::Entry&) { told.push_back(0); });
  EXPECT_TRUE(told.empty());  // one invalidation per change, then forgotten
}

TEST(TrackingTableTest, CollidingHashesAreInvalidatedTogether) {
  TrackingTable table;
  table.Remember("a", 5, {1, 0});
  table.Remember("b", 5, {2, 0});
  table.Remember("c", 6, {3, 0});
  std::vector<std::string> keys;
  table.Take(5, [&](const TrackingTable::Entry& e) { keys.push_back(e.key); });
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(table.keys(), 1u);
}

TEST(TrackingTableTest, TakeAnyEmptiesTheTableOneKeyAtATime) {
  TrackingTable table;
  for (int i = 0; i < 5; ++i) table.Remember("k" + std::to_string(i), i % 2, {1, 0});
  int taken = 0;
  while (table.TakeAny([&](const TrackingTable::Entry&) { ++taken; })) {
  }
  EXPECT_EQ(taken, 5);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.keys(), 0u);
  table.Remember("x", 1, {1, 0});
  table.Clear();
  EXPECT_EQ(table.items(), 0u);
}

TEST(BroadcastTableTest, GathersChangesPerPrefixInOrder) {
  BroadcastTable table;
  table.Subscribe("b", {2, 0}, false);
  table.Subscribe("a", {1, 0}, true);
  table.Subscribe("a", {3, 1}, false);
  table.KeyChanged("bz", 0);
  table.KeyChanged("ab", 1);
  table.KeyChanged("aa", 3);
  table.KeyChanged("ab", 1);
  table.KeyChanged("c", 1);
  EXPECT_TRUE(table.has_changes());
  std::vector<std::string> seen;
  table.Flush([&](const BroadcastTable::Prefix& p) {
    std::string line = p.prefix + ":";
    for (const auto& s : p.subscribers) line += std::to_string(s.client.id) + (s.noloop ? "n" : "");
    for (const auto& [key, writer] : p.changed) line += " " + key + "/" + std::to_string(writer);
    seen.push_back(line);
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a:1n3 aa/3 ab/1", "b:2 bz/0"}));
  EXPECT_FALSE(table.has_changes());
  seen.clear();
  table.Flush([&](const BroadcastTable::Prefix&) { seen.push_back("again"); });
  EXPECT_TRUE(seen.empty());
}

TEST(BroadcastTableTest, EmptyPrefixMatchesAllAndUnsubscribeDropsPrefixes) {
  BroadcastTable table;
  table.Subscribe("", {1, 0}, false);
  table.Subscribe("x", {2, 0}, false);
  table.KeyChanged("anything", 0);
  int prefixes = 0;
  table.Flush([&](const BroadcastTable::Prefix&) { ++prefixes; });
  EXPECT_EQ(prefixes, 1);
  table.Unsubscribe(1);
  EXPECT_FALSE(table.empty());
  table.Unsubscribe(2);
  EXPECT_TRUE(table.empty());
}

}  // namespace
}  // namespace ember
