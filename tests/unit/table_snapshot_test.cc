// Fork-less snapshots at the table level: whatever writes, splits and deletions come between
// the slices, the records visited are exactly those present when the snapshot began.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "keyspace/record.h"
#include "keyspace/segmented_table.h"

namespace ember {
namespace {

std::string Key(int i) {
  return "key:" + std::to_string(i);
}

TEST(TableSnapshot, SeesExactlyTheRecordsPresentAtTheStartDespiteSplitsAndDeletes) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SegmentedTable table;
    std::set<std::string> live;
    for (int i = 0; i < 5000; ++i) {
      table.Insert(Record::NewString(Key(i), "v", 0), HashKey(Key(i)));
      live.insert(Key(i));
    }
    const std::set<std::string> at_start = live;
    std::multiset<std::string> seen;
    auto visit = [&](Record* r) { seen.insert(std::string(r->key())); };

    table.BeginSnapshot();
    std::mt19937 rng(seed);
    uint32_t cursor = 0;
    int next = 5000;
    while (table.snapshot_pending()) {
      // A few writes, each preceded by the pre-update hook, then one slice.
      for (int w = 0; w < 20; ++w) {
        if (rng() % 3 == 0 && !live.empty()) {
          std::string key = *live.begin();
          uint64_t hash = HashKey(key);
          table.SnapshotSegmentOf(hash, visit);
          Record::Free(table.Erase(table.Find(key, hash)));
          live.erase(key);
        } else {
          std::string key = Key(next++);
          uint64_t hash = HashKey(key);
          table.SnapshotSegmentOf(hash, visit);
          table.Insert(Record::NewString(key, "v", 0), hash);  // grows: segments split
          live.insert(key);
        }
      }
      table.SnapshotSome(&cursor, 2, visit);
    }
    EXPECT_EQ(seen.size(), at_start.size()) << "seed " << seed;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), at_start) << "seed " << seed;
    table.Clear();
  }
}

TEST(TableSnapshot, ASecondSnapshotStartsOver) {
  SegmentedTable table;
  for (int i = 0; i < 1000; ++i) table.Insert(Record::NewString(Key(i), "v", 0), HashKey(Key(i)));
  for (int round = 0; round < 2; ++round) {
    size_t seen = 0;
    table.BeginSnapshot();
    uint32_t cursor = 0;
    while (table.snapshot_pending()) table.SnapshotSome(&cursor, 1, [&](Record*) { ++seen; });
    EXPECT_EQ(seen, 1000u);
  }
  table.Clear();
}

}  // namespace
}  // namespace ember
