#include "engine/watch_table.h"

#include <gtest/gtest.h>

#include "keyspace/database.h"
#include "keyspace/record.h"

namespace ember {
namespace {

TEST(WatchTableTest, TouchRaisesOnlyTheWatchersOfThatKeyInThatDatabase) {
  WatchTable table;
  auto a = std::make_shared<WatchFlag>(), b = std::make_shared<WatchFlag>();
  table.Add(0, "k", HashKey("k"), a);
  table.Add(1, "k", HashKey("k"), b);
  table.Touch(0, HashKey("other"));
  EXPECT_FALSE(a->dirty);
  table.Touch(0, HashKey("k"));
  EXPECT_TRUE(a->dirty);
  EXPECT_FALSE(b->dirty);
  EXPECT_EQ(table.size(), 1u);  // raised entries are dropped
  table.Touch(1, HashKey("k"));
  EXPECT_TRUE(b->dirty);
  EXPECT_TRUE(table.empty());
}

TEST(WatchTableTest, FlushRaisesWatchersOfExistingKeysOnly) {
  KeyspaceStats stats;
  Database db(&stats);
  db.Insert(Record::NewString("present", "v", 0));
  WatchTable table;
  auto present = std::make_shared<WatchFlag>(), missing = std::make_shared<WatchFlag>();
  table.Add(0, "present", HashKey("present"), present);
  table.Add(0, "missing", HashKey("missing"), missing);
  table.TouchExisting(0, db);
  EXPECT_TRUE(present->dirty);
  EXPECT_FALSE(missing->dirty);
  EXPECT_EQ(table.size(), 1u);
}

TEST(WatchTableTest, SwapRaisesKeysThatExistInEitherDatabase) {
  KeyspaceStats stats;
  Database zero(&stats), one(&stats);
  one.Insert(Record::NewString("k", "v", 0));
  WatchTable table;
  auto in_zero = std::make_shared<WatchFlag>(), other = std::make_shared<WatchFlag>();
  table.Add(0, "k", HashKey("k"), in_zero);
  table.Add(0, "nowhere", HashKey("nowhere"), other);
  table.TouchSwapped(0, zero, 1, one);
  EXPECT_TRUE(in_zero->dirty);
  EXPECT_FALSE(other->dirty);
}

TEST(WatchTableTest, CancelledWatchesAreSweptAsTheTableGrows) {
  WatchTable table;
  for (int i = 0; i < 10000; ++i) {
    auto flag = std::make_shared<WatchFlag>();
    std::string key = "key" + std::to_string(i);
    table.Add(0, key, HashKey(key), flag);
    flag->cancelled = true;  // the client unwatched at once
  }
  // Never more than about twice the live entries (none) plus the sweep floor.
  EXPECT_LE(table.size(), 128u);
}

}  // namespace
}  // namespace ember
