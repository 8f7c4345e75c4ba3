// SCAN (MATCH, COUNT, TYPE, across shards and table splits), KEYS and RANDOMKEY.
#include <gtest/gtest.h>

#include "key_family_fixture.h"

namespace ember {
namespace {

using namespace testing;  // the fixture and the expected replies

class KeyScan : public KeyFamilyTest {};
INSTANTIATE_TEST_SUITE_P(Keys, KeyScan, ::testing::Values(1u, 4u));

TEST_P(KeyScan, ScanEmptyAndErrors) {
  EXPECT_EQ(r.Run({"scan", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  for (const char* bad : {"abc", "-1", "1.5", "", " 1", "18446744073709551616"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(r.Run({"scan", bad}), Err("ERR invalid cursor"));
  }
  EXPECT_EQ(r.Run({"scan", "0", "COUNT", "0"}), kSyntax);
  EXPECT_EQ(r.Run({"scan", "0", "COUNT", "-3"}), kSyntax);
  EXPECT_EQ(r.Run({"scan", "0", "COUNT", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"scan", "0", "COUNT"}), kSyntax);
  EXPECT_EQ(r.Run({"scan", "0", "MATCH"}), kSyntax);
  EXPECT_EQ(r.Run({"scan", "0", "TYPE"}), kSyntax);
  EXPECT_EQ(r.Run({"scan", "0", "bogus", "1"}), kSyntax);
  EXPECT_EQ(r.Run({"scan"}), Arity("scan"));
  // A cursor past the last shard ends the scan.
  Put("k");
  EXPECT_EQ(r.Run({"scan", std::to_string(uint64_t{64} << 32)}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST_P(KeyScan, ScanReturnsEveryKey) {
  std::multiset<std::string> all;
  for (int i = 0; i < 2000; ++i) {
    Put("key:" + std::to_string(i));
    all.insert("key:" + std::to_string(i));
  }
  int calls = 0;
  auto seen = ScanAll({}, &calls);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()),
            std::set<std::string>(all.begin(), all.end()));
  EXPECT_GT(calls, 10);                // COUNT 10 by default: many pages
  EXPECT_EQ(seen.size(), all.size());  // no splits during the scan: no repeats
  // Every page but the last holds at least COUNT keys.
  std::string cursor = "0";
  do {
    ScanPage page = ParseScan(r.Run({"scan", cursor, "COUNT", "25"}));
    EXPECT_TRUE(page.cursor == "0" || page.keys.size() >= 25u) << page.keys.size();
    cursor = page.cursor;
  } while (cursor != "0");
  // A big COUNT returns everything at once.
  ScanPage page = ParseScan(r.Run({"scan", "0", "count", "100000"}));
  EXPECT_EQ(page.cursor, "0");
  EXPECT_EQ(page.keys.size(), 2000u);
}

TEST_P(KeyScan, ScanSurvivesInsertsBetweenCalls) {
  std::set<std::string> before;
  for (int i = 0; i < 500; ++i) {
    Put("old:" + std::to_string(i));
    before.insert("old:" + std::to_string(i));
  }
  // COUNT 1 makes each call visit about one segment; the inserts between calls split the
  // segments not yet visited (and the visited ones) many times over.
  std::set<std::string> seen;
  std::string cursor = "0";
  int added = 0, calls = 0;
  do {
    ScanPage page = ParseScan(r.Run({"scan", cursor, "COUNT", "1"}));
    seen.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    for (int i = 0; i < 200; ++i) Put("new:" + std::to_string(added++));
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_EQ(cursor, "0");
  for (const auto& key : before) EXPECT_TRUE(seen.count(key)) << key;
  EXPECT_GE(added, 600);
  // Keys deleted during the scan are simply not returned once gone.
  cursor = "0";
  std::set<std::string> second;
  int deleted = 0;
  do {
    ScanPage page = ParseScan(r.Run({"scan", cursor}));
    second.insert(page.keys.begin(), page.keys.end());
    cursor = page.cursor;
    for (int i = 0; i < 5 && deleted < 500; ++i) r.Run({"del", "old:" + std::to_string(deleted++)});
  } while (cursor != "0");
  for (int i = 0; i < added; ++i) EXPECT_TRUE(second.count("new:" + std::to_string(i)));
}

TEST_P(KeyScan, ScanMatchTypeAndExpired) {
  for (int i = 0; i < 100; ++i) Put("user:" + std::to_string(i));
  for (int i = 0; i < 50; ++i) Put("item:" + std::to_string(i));
  for (int i = 0; i < 30; ++i) Put("temp:" + std::to_string(i), "v", kNow + 1000);
  PutTyped("list:a", ValueType::kList);
  PutTyped("hash:a", ValueType::kHash);
  PutTyped("zset:a", ValueType::kZSet);
  auto users = ScanAll({"MATCH", "user:*"});
  EXPECT_EQ(users.size(), 100u);
  for (const auto& key : users) EXPECT_EQ(key.substr(0, 5), "user:");
  EXPECT_EQ(ScanAll({"match", "user:1?"}).size(), 10u);
  EXPECT_EQ(ScanAll({"MATCH", "*"}).size(), 183u);
  EXPECT_EQ(ScanAll({"MATCH", "nothing*"}).size(), 0u);
  EXPECT_EQ(ScanAll({"TYPE", "string"}).size(), 180u);
  EXPECT_EQ(ScanAll({"type", "LIST"}), std::multiset<std::string>{"list:a"});
  EXPECT_EQ(ScanAll({"TYPE", "hash"}), std::multiset<std::string>{"hash:a"});
  EXPECT_EQ(ScanAll({"TYPE", "zset"}), std::multiset<std::string>{"zset:a"});
  EXPECT_EQ(ScanAll({"TYPE", "set"}).size(), 0u);
  EXPECT_EQ(ScanAll({"TYPE", "stream"}).size(), 0u);
  EXPECT_EQ(ScanAll({"MATCH", "*:a", "TYPE", "hash", "COUNT", "7"}),
            std::multiset<std::string>{"hash:a"});
  EXPECT_EQ(ScanAll({"MATCH", "temp:*"}).size(), 30u);
  r.SetTime(kNow + 1000);
  EXPECT_EQ(ScanAll({"MATCH", "temp:*"}).size(), 0u);
  EXPECT_EQ(ScanAll({}).size(), 153u);
  // COUNT bounds the work: a MATCH that filters everything out still pages.
  for (int i = 0; i < 2000; ++i) Put("filler:" + std::to_string(i));
  int calls = 0;
  EXPECT_EQ(ScanAll({"MATCH", "nothing*", "COUNT", "10"}, &calls).size(), 0u);
  EXPECT_GT(calls, 1);
}

TEST_P(KeyScan, Keys) {
  EXPECT_EQ(r.Run({"keys", "*"}), "*0\r\n");
  for (const char* key :
       {"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "foo", "foo:bar"}) {
    Put(key);
  }
  Put("hexllo", "v", kNow - 1);
  using Set = std::multiset<std::string>;
  EXPECT_EQ(KeySet(r.Run({"keys", "*"})).size(), 8u);
  EXPECT_EQ(KeySet(r.Run({"keys", "h?llo"})), (Set{"hello", "hallo", "hxllo", "h*llo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "h*llo"})),
            (Set{"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "h[ae]llo"})), (Set{"hello", "hallo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "h[^e]llo"})), (Set{"hallo", "hxllo", "h*llo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "h[a-f]llo"})), (Set{"hello", "hallo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "h\\*llo"})), (Set{"h*llo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "foo"})), (Set{"foo"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "foo*"})), (Set{"foo", "foo:bar"}));
  EXPECT_EQ(KeySet(r.Run({"keys", "nothing"})), Set{});
  EXPECT_EQ(r.Run({"keys"}), Arity("keys"));
  EXPECT_EQ(r.Run({"keys", "a", "b"}), Arity("keys"));
  r.client().db = 1;
  EXPECT_EQ(r.Run({"keys", "*"}), "*0\r\n");
}

TEST_P(KeyScan, RandomKey) {
  EXPECT_EQ(r.Run({"randomkey"}), kNil);
  Put("only");
  EXPECT_EQ(r.Run({"randomkey"}), Bulk("only"));
  std::set<std::string> keys, drawn;
  for (int i = 0; i < 200; ++i) {
    Put("k" + std::to_string(i));
    keys.insert("k" + std::to_string(i));
  }
  keys.insert("only");
  for (int i = 0; i < 300; ++i) {
    std::string reply = r.Run({"randomkey"});
    size_t pos = 0;
    std::string key = ReadBulk(reply, &pos);
    EXPECT_TRUE(keys.count(key)) << key;
    drawn.insert(key);
  }
  EXPECT_GT(drawn.size(), 50u);  // not stuck on one key
  EXPECT_EQ(r.Run({"randomkey", "x"}), Arity("randomkey"));
}

TEST_P(KeyScan, RandomKeySkipsExpired) {
  for (int i = 0; i < 300; ++i) Put("old" + std::to_string(i), "v", kNow + 10);
  Put("live");
  r.SetTime(kNow + 10);
  EXPECT_EQ(r.Run({"randomkey"}), Bulk("live"));
  EXPECT_EQ(r.Run({"del", "live"}), Int(1));
  EXPECT_EQ(r.Run({"randomkey"}), kNil);
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));  // the expired keys drawn were deleted
}

}  // namespace
}  // namespace ember
