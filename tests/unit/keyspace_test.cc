#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_map>

#include "common/hash_slot.h"
#include "keyspace/database.h"
#include "keyspace/record.h"
#include "keyspace/segmented_table.h"

namespace ember {
namespace {

TEST(Record, StringRoundTripAndIntEncoding) {
  Record* r = Record::NewString("key", "hello", 0);
  EXPECT_EQ(r->key(), "key");
  EXPECT_EQ(r->encoding(), Encoding::kRaw);
  EXPECT_EQ(r->raw_value(), "hello");
  EXPECT_FALSE(r->has_expire());
  Record::Free(r);

  r = Record::NewString("n", "-1234", 1700000000000);
  EXPECT_EQ(r->encoding(), Encoding::kInt);
  EXPECT_EQ(r->int_value(), -1234);
  EXPECT_EQ(r->expire_ms(), 1700000000000);
  Record::Free(r);

  // Not canonical integers: stay raw so GET returns exactly what was SET.
  for (const char* text : {"0123", "-0", "+1", " 1", "1 ", "99999999999999999999"}) {
    r = Record::NewString("k", text, 0);
    EXPECT_EQ(r->encoding(), Encoding::kRaw) << text;
    EXPECT_EQ(r->raw_value(), text);
    Record::Free(r);
  }
}

TEST(Record, CompactForSmallKeys) {
  // 14-byte key, 16-byte value: header 4 + key 15 + value 17 = 36 bytes, allocated exactly
  // (record_heap rounds to 2 bytes); a TTL adds 6 bytes.
  Record* r = Record::NewString("key:0000000001", "abcdefghijklmnop", 0);
  EXPECT_EQ(r->AllocatedBytes(), 36u);
  Record* with_ttl = Record::NewString("key:0000000001", "abcdefghijklmnop", 1700000000000);
  EXPECT_EQ(with_ttl->AllocatedBytes(), 42u);
  EXPECT_EQ(with_ttl->expire_ms(), 1700000000000);
  // A time past 2^48 ms needs the wide form, and round-trips.
  Record* far = Record::NewString("k", "v", int64_t{1} << 50);
  EXPECT_EQ(far->expire_ms(), int64_t{1} << 50);
  EXPECT_FALSE(far->TrySetExpireInPlace(1700000000000));  // narrower: needs a new record
  EXPECT_TRUE(far->TrySetExpireInPlace((int64_t{1} << 50) + 5));
  EXPECT_EQ(far->expire_ms(), (int64_t{1} << 50) + 5);
  EXPECT_EQ(far->key(), "k");
  Record::Free(far);
  Record::Free(with_ttl);
  Record::Free(r);
}

TEST(Record, InPlaceGrowthWithinCapacity) {
  Record* r = Record::NewStringWithCapacity("k", "ab", 100, 0);
  ASSERT_GE(r->raw_value_capacity(), 100u);
  memcpy(r->raw_value_data() + 2, "cdef", 4);
  ASSERT_TRUE(r->TrySetRawLength(6));
  EXPECT_EQ(r->raw_value(), "abcdef");
  EXPECT_FALSE(r->TrySetRawLength(100000));
  Record::Free(r);
}

TEST(Record, CloneKeepsValueChangesExpiryOrKey) {
  Record* r = Record::NewString("k", "v", 0);
  Record* with_ttl = CloneWithExpire(r, 123456);
  EXPECT_EQ(with_ttl->expire_ms(), 123456);
  EXPECT_EQ(with_ttl->raw_value(), "v");
  Record* renamed = CloneWithKey(with_ttl, "other");
  EXPECT_EQ(renamed->key(), "other");
  EXPECT_EQ(renamed->expire_ms(), 123456);
  for (Record* x : {r, with_ttl, renamed}) Record::Free(x);
}

TEST(SegmentedTable, InsertFindEraseThroughManySplits) {
  SegmentedTable table;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    std::string key = "key:" + std::to_string(i);
    table.Insert(Record::NewString(key, "v", 0), HashKey(key));
  }
  EXPECT_EQ(table.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string key = "key:" + std::to_string(i);
    auto slot = table.Find(key, HashKey(key));
    ASSERT_TRUE(slot) << key;
    EXPECT_EQ(table.Get(slot)->key(), key);
  }
  EXPECT_FALSE(table.Find("missing", HashKey("missing")));
  for (int i = 0; i < n; i += 2) {
    std::string key = "key:" + std::to_string(i);
    Record::Free(table.Erase(table.Find(key, HashKey(key))));
  }
  EXPECT_EQ(table.size(), static_cast<size_t>(n / 2));
  for (int i = 0; i < n; ++i) {
    std::string key = "key:" + std::to_string(i);
    EXPECT_EQ(static_cast<bool>(table.Find(key, HashKey(key))), i % 2 == 1) << key;
  }
}

// Past 4096 directory entries each doubling goes into a spare directory that the splits
// before it touched a page at a time; a million keys take the directory through one such
// doubling (4096 -> 8192 entries).
TEST(SegmentedTable, LargeDirectoryDoublesIntoItsSpare) {
  SegmentedTable table;
  const int n = 1'000'000;
  size_t table_bytes_at_half = 0;
  size_t spare_doublings = 0;
  for (int i = 0; i < n; ++i) {
    std::string key = std::to_string(i);
    size_t directory = table.directory_size(), spare = table.spare_ready();
    table.Insert(Record::NewInt(key, i, 0), HashKey(key));
    if (table.directory_size() != directory && directory >= 4096) {
      // The whole spare had been touched before the doubling used it.
      EXPECT_EQ(spare, 2 * directory) << "doubling from " << directory;
      ++spare_doublings;
    }
    if (i == n / 2) table_bytes_at_half = table.TableBytes();
  }
  EXPECT_EQ(spare_doublings, 1u);
  ASSERT_EQ(table.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string key = std::to_string(i);
    auto slot = table.Find(key, HashKey(key));
    ASSERT_TRUE(slot) << key;
    ASSERT_EQ(table.Get(slot)->int_value(), i);
  }
  // The spare costs at most twice the directory: 16 bytes per segment of ~1.5 KiB.
  EXPECT_LT(table.TableBytes(), 3 * table_bytes_at_half);
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.spare_ready(), 0u);
  EXPECT_LT(table.TableBytes(), 4096u);
}

TEST(SegmentedTable, ChurnWithTombstonesStaysCorrect) {
  SegmentedTable table;
  std::unordered_map<std::string, bool> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 200000; ++step) {
    std::string key = "k" + std::to_string(rng() % 3000);
    auto slot = table.Find(key, HashKey(key));
    ASSERT_EQ(static_cast<bool>(slot), model.count(key) == 1);
    if (slot) {
      Record::Free(table.Erase(slot));
      model.erase(key);
    } else {
      table.Insert(Record::NewString(key, "v", 0), HashKey(key));
      model[key] = true;
    }
  }
  EXPECT_EQ(table.size(), model.size());
}

TEST(SegmentedTable, ScanSeesEveryKeyEvenWhileGrowing) {
  SegmentedTable table;
  std::set<std::string> initial;
  for (int i = 0; i < 5000; ++i) {
    std::string key = "a" + std::to_string(i);
    table.Insert(Record::NewString(key, "v", 0), HashKey(key));
    initial.insert(key);
  }
  std::set<std::string> seen;
  uint32_t cursor = 0;
  int extra = 0, rounds = 0;
  do {
    cursor = table.Scan(cursor, 10, [&](Record* r) { seen.insert(std::string(r->key())); });
    // Grow the table between calls so segments split under the cursor.
    for (int i = 0; i < 200; ++i, ++extra) {
      std::string key = "b" + std::to_string(extra);
      table.Insert(Record::NewString(key, "v", 0), HashKey(key));
    }
    ASSERT_LT(++rounds, 100000);
  } while (cursor != 0);
  for (const auto& key : initial) EXPECT_TRUE(seen.count(key)) << key;
}

TEST(SegmentedTable, SweepVisitsOnlyRecordsWithExpiry) {
  SegmentedTable table;
  for (int i = 0; i < 1000; ++i) {
    std::string key = "k" + std::to_string(i);
    table.Insert(Record::NewString(key, "v", i % 10 == 0 ? 1000 : 0), HashKey(key));
  }
  EXPECT_EQ(table.expires(), 100u);
  uint32_t cursor = 0;
  size_t visited = 0;
  size_t checked = table.SweepExpiring(&cursor, 1 << 20, [&](SegmentedTable::Slot, Record* r) {
    EXPECT_TRUE(r->has_expire());
    ++visited;
    return false;
  });
  EXPECT_EQ(visited, 100u);
  EXPECT_EQ(checked, 100u);
}

TEST(Database, LazyAndActiveExpiry) {
  KeyspaceStats stats;
  Database db(&stats);
  db.Insert(Record::NewString("soon", "v", 1000));
  db.Insert(Record::NewString("later", "v", 5000));
  db.Insert(Record::NewString("never", "v", 0));
  EXPECT_TRUE(db.Find("soon", 999));
  EXPECT_FALSE(db.Find("soon", 1000));  // lazily removed
  EXPECT_EQ(stats.expired_keys, 1u);
  EXPECT_EQ(db.size(), 2u);
  auto [checked, expired] = db.SweepExpired(6000, 1024);
  EXPECT_EQ(expired, 1u);
  EXPECT_EQ(db.size(), 1u);
  EXPECT_EQ(db.expires(), 0u);
  EXPECT_EQ(stats.expired_keys, 2u);
}

TEST(Database, AccountsRecordBytes) {
  KeyspaceStats stats;
  Database db(&stats);
  size_t empty = db.used_bytes();
  auto entry = db.Find("k", 0);
  db.Put(entry, Record::NewString("k", std::string(1000, 'x'), 0));
  EXPECT_GE(db.used_bytes(), empty + 1000);
  db.Erase(entry);
  EXPECT_EQ(db.used_bytes(), empty);
}

TEST(HashSlot, MatchesRedisCluster) {
  // Reference values from Redis Cluster's CLUSTER KEYSLOT.
  EXPECT_EQ(KeyHashSlot("foo"), 12182u);
  EXPECT_EQ(KeyHashSlot("bar"), 5061u);
  EXPECT_EQ(KeyHashSlot("123456789"), 12739u);
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  // Every length from 0 to 40 (the 8-byte steps and every tail) against a bit-at-a-time CRC.
  std::string data;
  for (int len = 0; len <= 40; ++len) {
    uint16_t expected = 0;
    for (unsigned char c : data) {
      expected = static_cast<uint16_t>(expected ^ (c << 8));
      for (int bit = 0; bit < 8; ++bit)
        expected =
            static_cast<uint16_t>((expected & 0x8000) ? (expected << 1) ^ 0x1021 : expected << 1);
    }
    EXPECT_EQ(Crc16(data), expected) << "length " << len;
    data.push_back(static_cast<char>(len * 37 + 11));
  }
  // Hash tags: only the part inside the first {...} counts, when non-empty.
  EXPECT_EQ(KeyHashSlot("{user1000}.following"), KeyHashSlot("user1000"));
  EXPECT_EQ(KeyHashSlot("{user1000}.followers"), KeyHashSlot("{user1000}.following"));
  EXPECT_EQ(KeyHashSlot("foo{}{bar}"), KeyHashSlot("foo{}{bar}"));
  EXPECT_NE(KeyHashSlot("foo{}{bar}"), KeyHashSlot("bar"));
  EXPECT_EQ(KeyHashSlot("foo{{bar}}zap"), KeyHashSlot("{bar"));
}

}  // namespace
}  // namespace ember
