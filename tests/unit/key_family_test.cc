// Generic key commands: DEL/UNLINK/EXISTS/TOUCH/TYPE, RENAME, COPY, the whole-keyspace ones
// (DBSIZE, FLUSHDB, FLUSHALL, SWAPDB) and the family's command-table entries. The expiry
// commands are in key_expiry_test.cc, SCAN/KEYS/RANDOMKEY in key_scan_test.cc.
#include <gtest/gtest.h>

#include "commands/command.h"
#include "key_family_fixture.h"

namespace ember {
namespace {

using namespace testing;  // the fixture and the expected replies

class KeyFamily : public KeyFamilyTest {};
INSTANTIATE_TEST_SUITE_P(Keys, KeyFamily, ::testing::Values(1u, 4u));

TEST_P(KeyFamily, DelAndUnlink) {
  for (const char* cmd : {"del", "unlink"}) {
    SCOPED_TRACE(cmd);
    EXPECT_EQ(r.Run({cmd, "a"}), Int(0));
    Put("a");
    Put("b");
    Put("c");
    Put("gone", "v", kNow - 1);
    EXPECT_EQ(r.Run({cmd, "a", "a", "b", "missing", "gone"}), Int(2));
    EXPECT_EQ(Peek("a"), nullptr);
    EXPECT_EQ(Peek("b"), nullptr);
    EXPECT_EQ(Value("c"), "v");
    EXPECT_EQ(r.Run({cmd, "c"}), Int(1));
    EXPECT_EQ(r.Run({"dbsize"}), Int(0));
    EXPECT_EQ(r.Run({cmd}), Arity(cmd));
  }
}

TEST_P(KeyFamily, ExistsCountsRepeatsAndTouch) {
  Put("a");
  Put("b");
  Put("old", "v", kNow);  // expires exactly now
  for (const char* cmd : {"exists", "touch"}) {
    SCOPED_TRACE(cmd);
    uint64_t hits = Hits(), misses = Misses();
    EXPECT_EQ(r.Run({cmd, "a", "a", "b", "nope", "old"}), Int(3));
    EXPECT_EQ(Hits() - hits, 3u);
    EXPECT_EQ(Misses() - misses, 2u);
    EXPECT_EQ(r.Run({cmd, "nope"}), Int(0));
    EXPECT_EQ(r.Run({cmd}), Arity(cmd));
  }
  EXPECT_EQ(r.Run({"EXISTS", "a"}), Int(1));
}

TEST_P(KeyFamily, Type) {
  Put("s");
  PutTyped("l", ValueType::kList);
  PutTyped("st", ValueType::kSet);
  PutTyped("z", ValueType::kZSet);
  PutTyped("h", ValueType::kHash);
  Put("old", "v", kNow - 5);
  EXPECT_EQ(r.Run({"type", "s"}), "+string\r\n");
  EXPECT_EQ(r.Run({"type", "l"}), "+list\r\n");
  EXPECT_EQ(r.Run({"type", "st"}), "+set\r\n");
  EXPECT_EQ(r.Run({"type", "z"}), "+zset\r\n");
  EXPECT_EQ(r.Run({"type", "h"}), "+hash\r\n");
  EXPECT_EQ(r.Run({"type", "nope"}), "+none\r\n");
  EXPECT_EQ(r.Run({"type", "old"}), "+none\r\n");
  EXPECT_EQ(r.Run({"type"}), Arity("type"));
  EXPECT_EQ(r.Run({"type", "a", "b"}), Arity("type"));
}

TEST_P(KeyFamily, RenameMovesValueAndExpiry) {
  EXPECT_EQ(r.Run({"rename", "missing", "x"}), Err("ERR no such key"));
  EXPECT_EQ(r.Run({"rename", "missing", "missing"}), Err("ERR no such key"));
  Put("src", "hello", kNow + 7000);
  std::string dst = KeyAwayFrom("src", "dst");
  EXPECT_EQ(r.Run({"rename", "src", dst}), kOk);
  EXPECT_EQ(Peek("src"), nullptr);
  EXPECT_EQ(Value(dst), "hello");
  EXPECT_EQ(r.Run({"pttl", dst}), Int(7000));
  // Onto an existing key: replaces its value and its expiry.
  Put("plain", "12345");
  EXPECT_EQ(r.Run({"rename", "plain", dst}), kOk);
  EXPECT_EQ(Value(dst), "12345");
  EXPECT_EQ(Peek(dst)->encoding(), Encoding::kInt);
  EXPECT_EQ(r.Run({"ttl", dst}), Int(-1));
  EXPECT_EQ(r.Run({"dbsize"}), Int(1));
  // Same name: nothing changes.
  EXPECT_EQ(r.Run({"rename", dst, dst}), kOk);
  EXPECT_EQ(Value(dst), "12345");
  // An expired source is missing; an expired destination is simply replaced.
  Put("old", "v", kNow - 1);
  EXPECT_EQ(r.Run({"rename", "old", "x"}), Err("ERR no such key"));
  Put("old", "v", kNow - 1);
  EXPECT_EQ(r.Run({"rename", dst, "old"}), kOk);
  EXPECT_EQ(Value("old"), "12345");
  EXPECT_EQ(r.Run({"rename", "a"}), Arity("rename"));
}

TEST_P(KeyFamily, RenameNx) {
  EXPECT_EQ(r.Run({"renamenx", "missing", "x"}), Err("ERR no such key"));
  Put("a", "1");
  std::string b = KeyAwayFrom("a", "b");
  Put(b, "2");
  EXPECT_EQ(r.Run({"renamenx", "a", b}), Int(0));
  EXPECT_EQ(Value("a"), "1");
  EXPECT_EQ(Value(b), "2");
  EXPECT_EQ(r.Run({"renamenx", "a", "a"}), Int(0));
  std::string c = KeyAwayFrom("a", "c");
  EXPECT_EQ(r.Run({"renamenx", "a", c}), Int(1));
  EXPECT_EQ(Peek("a"), nullptr);
  EXPECT_EQ(Value(c), "1");
  Put("old", "v", kNow - 1);
  EXPECT_EQ(r.Run({"renamenx", c, "old"}), Int(1));  // an expired destination is free
  EXPECT_EQ(Value("old"), "1");
  EXPECT_EQ(r.Run({"renamenx", "a", "b", "c"}), Arity("renamenx"));
}

TEST_P(KeyFamily, RenameManyKeysAcrossShards) {
  for (int i = 0; i < 300; ++i) Put("k" + std::to_string(i), "v" + std::to_string(i));
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(r.Run({"rename", "k" + std::to_string(i), "n" + std::to_string(i)}), kOk);
  }
  for (int i = 0; i < 300; ++i) EXPECT_EQ(Value("n" + std::to_string(i)), "v" + std::to_string(i));
  EXPECT_EQ(r.Run({"dbsize"}), Int(300));
}

TEST_P(KeyFamily, Copy) {
  EXPECT_EQ(r.Run({"copy", "missing", "x"}), Int(0));
  Put("src", "value", kNow + 3000);
  std::string dst = KeyAwayFrom("src", "dst");
  EXPECT_EQ(r.Run({"copy", "src", dst}), Int(1));
  EXPECT_EQ(Value("src"), "value");
  EXPECT_EQ(Value(dst), "value");
  EXPECT_EQ(r.Run({"pttl", dst}), Int(3000));
  EXPECT_NE(Peek("src"), Peek(dst));  // an independent copy
  // An existing destination needs REPLACE.
  Put(dst, "other");
  Put("src", "new");
  EXPECT_EQ(r.Run({"copy", "src", dst}), Int(0));
  EXPECT_EQ(Value(dst), "other");
  EXPECT_EQ(r.Run({"copy", "src", dst, "REPLACE"}), Int(1));
  EXPECT_EQ(Value(dst), "new");
  EXPECT_EQ(r.Run({"ttl", dst}), Int(-1));
  EXPECT_EQ(r.Run({"copy", "src", "src"}), Err("ERR source and destination objects are the same"));
  EXPECT_EQ(r.Run({"copy", "src", "src", "db", "0"}),
            Err("ERR source and destination objects are the same"));
  EXPECT_EQ(r.Run({"copy", "src", "x", "bogus"}), kSyntax);
  EXPECT_EQ(r.Run({"copy", "src", "x", "REPLACE", "bogus"}), kSyntax);
  EXPECT_EQ(r.Run({"copy", "src"}), Arity("copy"));
  Put("old", "v", kNow - 1);
  EXPECT_EQ(r.Run({"copy", "old", "x"}), Int(0));
  EXPECT_EQ(r.Run({"copy", "src", "old"}), Int(1));  // an expired destination is free
  EXPECT_EQ(Value("old"), "new");
}

TEST_P(KeyFamily, CopyToAnotherDatabase) {
  Put("k", "v0");
  EXPECT_EQ(r.Run({"copy", "k", "k", "DB", "3"}), Int(1));
  EXPECT_EQ(Value("k", 3), "v0");
  EXPECT_EQ(r.Run({"copy", "k", "k", "db", "3"}), Int(0));
  Put("k", "v1");
  EXPECT_EQ(r.Run({"copy", "k", "k", "replace", "DB", "3"}), Int(1));
  EXPECT_EQ(Value("k", 3), "v1");
  std::string other = KeyAwayFrom("k", "o");
  EXPECT_EQ(r.Run({"copy", "k", other, "DB", "15", "REPLACE"}), Int(1));
  EXPECT_EQ(Value(other, 15), "v1");
  EXPECT_EQ(Peek(other), nullptr);
  EXPECT_EQ(r.Run({"copy", "k", "x", "DB", "16"}), kDbRange);
  EXPECT_EQ(r.Run({"copy", "k", "x", "DB", "-1"}), kDbRange);
  EXPECT_EQ(r.Run({"copy", "k", "x", "DB", "abc"}), kNotInt);
  EXPECT_EQ(r.Run({"copy", "k", "x", "DB"}), kSyntax);
  // From a selected database other than 0.
  r.client().db = 3;
  EXPECT_EQ(r.Run({"copy", "k", "k", "DB", "0"}), Int(0));
  EXPECT_EQ(r.Run({"copy", "k", "k", "DB", "0", "REPLACE"}), Int(1));
  EXPECT_EQ(r.Run({"copy", "k", "k", "DB", "3"}),
            Err("ERR source and destination objects are the same"));
}

TEST_P(KeyFamily, DbSizeAndFlush) {
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
  for (int i = 0; i < 50; ++i) Put("a" + std::to_string(i));
  for (int i = 0; i < 7; ++i) Put("b" + std::to_string(i), "v", 0, 2);
  EXPECT_EQ(r.Run({"dbsize"}), Int(50));
  r.client().db = 2;
  EXPECT_EQ(r.Run({"dbsize"}), Int(7));
  EXPECT_EQ(r.Run({"flushdb"}), kOk);
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
  r.client().db = 0;
  EXPECT_EQ(r.Run({"dbsize"}), Int(50));
  EXPECT_EQ(r.Run({"flushdb", "bogus"}), kSyntax);
  EXPECT_EQ(r.Run({"flushdb", "async", "sync"}), kSyntax);
  EXPECT_EQ(r.Run({"dbsize"}), Int(50));
  EXPECT_EQ(r.Run({"flushdb", "ASYNC"}), kOk);
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
  Put("x");
  EXPECT_EQ(r.Run({"FLUSHDB", "sync"}), kOk);
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
  EXPECT_EQ(r.Run({"dbsize", "x"}), Arity("dbsize"));
  // FLUSHALL empties every database.
  for (int db : {0, 5, 15}) {
    for (int i = 0; i < 20; ++i) Put("k" + std::to_string(i), "v", 0, db);
  }
  EXPECT_EQ(r.Run({"flushall", "bogus"}), kSyntax);
  EXPECT_EQ(r.Run({"flushall", "sync", "x"}), kSyntax);
  EXPECT_EQ(r.Run({"flushall", "async"}), kOk);
  for (int db : {0, 5, 15}) {
    r.client().db = db;
    EXPECT_EQ(r.Run({"dbsize"}), Int(0));
  }
  Put("k", "v", 0, 15);
  EXPECT_EQ(r.Run({"flushall"}), kOk);
  EXPECT_EQ(r.Run({"FLUSHALL", "SYNC"}), kOk);
  EXPECT_EQ(Peek("k", 15), nullptr);
  // The keyspace works normally afterwards.
  Put("again");
  r.client().db = 0;
  EXPECT_EQ(r.Run({"exists", "again"}), Int(1));
}

TEST_P(KeyFamily, SwapDb) {
  for (int i = 0; i < 40; ++i) Put("a" + std::to_string(i), "zero", 0, 0);
  for (int i = 0; i < 10; ++i) Put("b" + std::to_string(i), "one", 0, 1);
  EXPECT_EQ(r.Run({"swapdb", "0", "1"}), kOk);
  EXPECT_EQ(r.Run({"dbsize"}), Int(10));
  EXPECT_EQ(Value("b3"), "one");
  EXPECT_EQ(r.Run({"exists", "a3"}), Int(0));
  r.client().db = 1;
  EXPECT_EQ(r.Run({"dbsize"}), Int(40));
  EXPECT_EQ(r.Run({"exists", "a3", "b3"}), Int(1));
  EXPECT_EQ(r.Run({"swapdb", "1", "1"}), kOk);
  EXPECT_EQ(r.Run({"dbsize"}), Int(40));
  EXPECT_EQ(r.Run({"swapdb", "15", "1"}), kOk);
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
  r.client().db = 15;
  EXPECT_EQ(KeySet(r.Run({"keys", "a1?"})).size(), 10u);
  EXPECT_EQ(r.Run({"swapdb", "x", "1"}), Err("ERR invalid first DB index"));
  EXPECT_EQ(r.Run({"swapdb", "x", "y"}), Err("ERR invalid first DB index"));
  EXPECT_EQ(r.Run({"swapdb", "1", "y"}), Err("ERR invalid second DB index"));
  EXPECT_EQ(r.Run({"swapdb", "99999999999", "1"}), Err("ERR invalid first DB index"));
  EXPECT_EQ(r.Run({"swapdb", "1", "1.0"}), Err("ERR invalid second DB index"));
  EXPECT_EQ(r.Run({"swapdb", "0", "16"}), kDbRange);
  EXPECT_EQ(r.Run({"swapdb", "-1", "0"}), kDbRange);
  EXPECT_EQ(r.Run({"swapdb", "0"}), Arity("swapdb"));
}

// Metadata as Redis 7.0 declares it: arity, flags, key positions, group and execution kind.
TEST(KeyFamilyTable, Registrations) {
  struct Want {
    const char* name;
    int arity;
    uint32_t flags;
    int first, last, step;
    ExecKind exec;
    const char* group;
  };
  constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;
  const ExecKind K = ExecKind::kKeyed, A = ExecKind::kAllShards;
  const Want wants[] = {
      {"del", -2, W, 1, -1, 1, K, "generic"},
      {"unlink", -2, W | F, 1, -1, 1, K, "generic"},
      {"exists", -2, R | F, 1, -1, 1, K, "generic"},
      {"touch", -2, R | F, 1, -1, 1, K, "generic"},
      {"type", 2, R | F, 1, 1, 1, K, "generic"},
      {"expire", -3, W | F, 1, 1, 1, K, "generic"},
      {"pexpire", -3, W | F, 1, 1, 1, K, "generic"},
      {"expireat", -3, W | F, 1, 1, 1, K, "generic"},
      {"pexpireat", -3, W | F, 1, 1, 1, K, "generic"},
      {"ttl", 2, R | F, 1, 1, 1, K, "generic"},
      {"pttl", 2, R | F, 1, 1, 1, K, "generic"},
      {"expiretime", 2, R | F, 1, 1, 1, K, "generic"},
      {"pexpiretime", 2, R | F, 1, 1, 1, K, "generic"},
      {"persist", 2, W | F, 1, 1, 1, K, "generic"},
      {"rename", 3, W, 1, 2, 1, K, "generic"},
      {"renamenx", 3, W | F, 1, 2, 1, K, "generic"},
      {"copy", -3, W | kCmdDenyOom, 1, 2, 1, K, "generic"},
      {"scan", -2, R, 0, 0, 0, A, "generic"},
      {"keys", 2, R, 0, 0, 0, A, "generic"},
      {"randomkey", 1, R, 0, 0, 0, A, "generic"},
      {"dbsize", 1, R | F, 0, 0, 0, A, "server"},
      {"flushdb", -1, W, 0, 0, 0, A, "server"},
      {"flushall", -1, W, 0, 0, 0, A, "server"},
      {"swapdb", 3, W | F, 0, 0, 0, A, "server"},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.name);
    const CommandSpec* spec = CommandTable::Instance().Find(w.name);
    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(spec->name, w.name);
    EXPECT_EQ(spec->arity, w.arity);
    EXPECT_EQ(spec->flags, w.flags);
    EXPECT_EQ(spec->first_key, w.first);
    EXPECT_EQ(spec->last_key, w.last);
    EXPECT_EQ(spec->key_step, w.step);
    EXPECT_EQ(spec->exec, w.exec);
    EXPECT_EQ(spec->group, w.group);
    EXPECT_NE(spec->handler, nullptr);
    EXPECT_FALSE(spec->summary.empty());
  }
}

}  // namespace
}  // namespace ember
