// Generic key command family: DEL/UNLINK/EXISTS/TOUCH/TYPE, the expiry commands, RENAME, COPY,
// SCAN/KEYS/RANDOMKEY and the whole-keyspace ones (DBSIZE, FLUSHDB, FLUSHALL, SWAPDB).
// Behaviour tests run with 1 and 4 shards.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "command_runner.h"
#include "commands/command.h"
#include "keyspace/record.h"

namespace ember {
namespace {

using testing::CommandRunner;

constexpr int64_t kNow = 1'700'000'000'000;  // a whole second
const std::string kOk = "+OK\r\n";
const std::string kNil = "$-1\r\n";
const std::string kSyntax = "-ERR syntax error\r\n";
const std::string kNotInt = "-ERR value is not an integer or out of range\r\n";
const std::string kDbRange = "-ERR DB index is out of range\r\n";

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string Int(int64_t v) {
  return ":" + std::to_string(v) + "\r\n";
}
std::string Err(std::string_view msg) {
  return "-" + std::string(msg) + "\r\n";
}
std::string Arity(std::string_view cmd) {
  return Err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}

// Reads a RESP2 bulk string at *pos.
std::string ReadBulk(const std::string& resp, size_t* pos) {
  EXPECT_EQ(resp[*pos], '$') << resp;
  size_t eol = resp.find("\r\n", *pos);
  size_t len = std::stoul(resp.substr(*pos + 1, eol - *pos - 1));
  std::string out = resp.substr(eol + 2, len);
  *pos = eol + 2 + len + 2;
  return out;
}
// Reads a RESP2 array of bulk strings at *pos.
std::vector<std::string> ReadBulkArray(const std::string& resp, size_t* pos) {
  EXPECT_EQ(resp[*pos], '*') << resp;
  size_t eol = resp.find("\r\n", *pos);
  size_t n = std::stoul(resp.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(ReadBulk(resp, pos));
  return out;
}
std::multiset<std::string> KeySet(const std::string& resp) {
  size_t pos = 0;
  auto keys = ReadBulkArray(resp, &pos);
  EXPECT_EQ(pos, resp.size());
  return {keys.begin(), keys.end()};
}

struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};
ScanPage ParseScan(const std::string& resp) {
  EXPECT_EQ(resp.substr(0, 4), "*2\r\n") << resp;
  size_t pos = 4;
  ScanPage page;
  page.cursor = ReadBulk(resp, &pos);
  page.keys = ReadBulkArray(resp, &pos);
  EXPECT_EQ(pos, resp.size());
  return page;
}

class KeyFamily : public ::testing::TestWithParam<uint32_t> {
 protected:
  KeyFamily() : r(GetParam()) { r.SetTime(kNow); }

  Database& DbOf(std::string_view key, int db = 0) {
    return r.engine().shard(r.engine().ShardOfKey(key)).db(db);
  }
  // Creates a string key directly in the keyspace (expire_ms 0: none).
  void Put(std::string_view key, std::string_view value = "v", int64_t expire_ms = 0, int db = 0) {
    auto entry = DbOf(key, db).Find(key, kNow);
    DbOf(key, db).Put(entry, Record::NewString(key, value, expire_ms));
  }
  // Creates a key of another type: a string record with its type nibble rewritten.
  void PutTyped(std::string_view key, ValueType type) {
    Record* rec = Record::NewString(key, "payload", 0);
    reinterpret_cast<uint8_t*>(rec)[0] = static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) |
                                                              static_cast<uint8_t>(Encoding::kRaw));
    DbOf(key).Insert(rec);
  }
  Record* Peek(std::string_view key, int db = 0) { return DbOf(key, db).Find(key, kNow).record; }
  std::string Value(std::string_view key, int db = 0) {
    Record* rec = Peek(key, db);
    if (rec == nullptr) return "<missing>";
    if (rec->encoding() == Encoding::kInt) return std::to_string(rec->int_value());
    return std::string(rec->raw_value());
  }
  // A key on a different shard than `other` when there are several shards.
  std::string KeyAwayFrom(std::string_view other, std::string_view prefix) {
    for (int i = 0;; ++i) {
      std::string key = std::string(prefix) + std::to_string(i);
      if (r.engine().num_shards() == 1 ||
          r.engine().ShardOfKey(key) != r.engine().ShardOfKey(other)) {
        return key;
      }
    }
  }
  uint64_t Hits() {
    uint64_t n = 0;
    for (uint32_t s = 0; s < r.engine().num_shards(); ++s)
      n += r.engine().shard(s).stats().keyspace_hits;
    return n;
  }
  uint64_t Misses() {
    uint64_t n = 0;
    for (uint32_t s = 0; s < r.engine().num_shards(); ++s) {
      n += r.engine().shard(s).stats().keyspace_misses;
    }
    return n;
  }
  // Runs SCAN to completion with the given options; returns every key (with repeats).
  std::multiset<std::string> ScanAll(const std::vector<std::string>& options,
                                     int* calls = nullptr) {
    std::multiset<std::string> seen;
    std::string cursor = "0";
    int n = 0;
    do {
      std::vector<std::string> cmd = {"scan", cursor};
      cmd.insert(cmd.end(), options.begin(), options.end());
      ScanPage page = ParseScan(r.Run(cmd));
      seen.insert(page.keys.begin(), page.keys.end());
      cursor = page.cursor;
      EXPECT_LT(++n, 100000);
    } while (cursor != "0" && n < 100000);
    if (calls != nullptr) *calls = n;
    return seen;
  }

  CommandRunner r;
};

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

TEST_P(KeyFamily, ExpireSetsTtlAndLazyExpiryRemovesKey) {
  EXPECT_EQ(r.Run({"expire", "k", "10"}), Int(0));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(-2));
  Put("k");
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"expire", "k", "10"}), Int(1));  // adds an expiry (record rebuilt)
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(10));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(10000));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(kNow / 1000 + 10));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(kNow + 10000));
  EXPECT_EQ(Value("k"), "v");
  EXPECT_EQ(r.Run({"pexpire", "k", "1500"}), Int(1));  // changes it in place
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(1500));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(2));  // rounded, like Redis
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(kNow / 1000 + 2));
  r.SetTime(kNow + 1499);
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(0));
  r.SetTime(kNow + 1500);
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-2));
  EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
}

TEST_P(KeyFamily, ExpireAtAndPExpireAt) {
  Put("k");
  EXPECT_EQ(r.Run({"expireat", "k", std::to_string(kNow / 1000 + 100)}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(100));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(kNow + 100000));
  EXPECT_EQ(r.Run({"pexpireat", "k", std::to_string(kNow + 1234)}), Int(1));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(1234));
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(kNow + 1234));
  EXPECT_EQ(r.Run({"expiretime", "k"}), Int(kNow / 1000 + 1));
  EXPECT_EQ(r.Run({"pexpireat", "missing", std::to_string(kNow + 1)}), Int(0));
}

TEST_P(KeyFamily, TimeInThePastDeletes) {
  const std::vector<std::vector<std::string>> cases = {
      {"expire", "k", "0"},        {"expire", "k", "-5"},
      {"pexpire", "k", "0"},       {"pexpire", "k", "-1"},
      {"expireat", "k", "1"},      {"expireat", "k", std::to_string(kNow / 1000)},
      {"pexpireat", "k", "0"},     {"pexpireat", "k", std::to_string(kNow)},
      {"expire", "k", "-5", "LT"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c[0] + " " + c[2]);
    Put("k");
    EXPECT_EQ(r.Run(c), Int(1));
    EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
    EXPECT_EQ(r.Run(c), Int(0));  // gone now
  }
  Put("k", "v", kNow + 5000);  // a key with an expiry, in-place path
  EXPECT_EQ(r.Run({"pexpire", "k", "-1"}), Int(1));
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));
}

TEST_P(KeyFamily, ExpireConditions) {
  Put("plain");
  Put("ttl", "v", kNow + 10000);
  // NX: only without an expiry.
  EXPECT_EQ(r.Run({"expire", "ttl", "100", "NX"}), Int(0));
  EXPECT_EQ(r.Run({"pttl", "ttl"}), Int(10000));
  EXPECT_EQ(r.Run({"expire", "plain", "100", "nx"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(100));
  r.Run({"persist", "plain"});
  // XX: only with an expiry.
  EXPECT_EQ(r.Run({"expire", "plain", "100", "XX"}), Int(0));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(-1));
  EXPECT_EQ(r.Run({"expire", "ttl", "20", "xx"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(20));
  // GT: no expiry counts as infinite, so GT never applies to it; equal is not greater.
  EXPECT_EQ(r.Run({"expire", "plain", "100", "GT"}), Int(0));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(-1));
  EXPECT_EQ(r.Run({"expire", "ttl", "10", "GT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "20", "GT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "30", "gt"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(30));
  // LT: anything is less than infinite; equal is not less.
  EXPECT_EQ(r.Run({"expire", "ttl", "40", "LT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "30", "LT"}), Int(0));
  EXPECT_EQ(r.Run({"expire", "ttl", "25", "lt"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(25));
  EXPECT_EQ(r.Run({"expire", "plain", "50", "LT"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "plain"}), Int(50));
  // Compatible combinations and repeats.
  EXPECT_EQ(r.Run({"expire", "ttl", "60", "XX", "GT"}), Int(1));
  EXPECT_EQ(r.Run({"expire", "ttl", "70", "GT", "GT"}), Int(1));
  EXPECT_EQ(r.Run({"expire", "ttl", "5", "XX", "LT"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "ttl"}), Int(5));
  EXPECT_EQ(r.Run({"expire", "missing", "5", "NX"}), Int(0));
}

TEST_P(KeyFamily, ExpireErrors) {
  Put("k");
  const std::string nx_err =
      Err("ERR NX and XX, GT or LT options at the same time are not compatible");
  const std::string gt_lt_err = Err("ERR GT and LT options at the same time are not compatible");
  for (const char* cmd : {"expire", "pexpire", "expireat", "pexpireat"}) {
    SCOPED_TRACE(cmd);
    EXPECT_EQ(r.Run({cmd, "k", "100", "NX", "XX"}), nx_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "nx", "gt"}), nx_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "LT", "NX"}), nx_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "GT", "LT"}), gt_lt_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "XX", "GT", "LT"}), gt_lt_err);
    EXPECT_EQ(r.Run({cmd, "k", "100", "foo"}), Err("ERR Unsupported option foo"));
    EXPECT_EQ(r.Run({cmd, "k", "abc", "foo"}), Err("ERR Unsupported option foo"));
    EXPECT_EQ(r.Run({cmd, "k", "abc"}), kNotInt);
    EXPECT_EQ(r.Run({cmd, "k", "1.5"}), kNotInt);
    EXPECT_EQ(r.Run({cmd, "k", ""}), kNotInt);
    EXPECT_EQ(r.Run({cmd, "k"}), Arity(cmd));
  }
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));  // none of the above changed anything
  auto invalid = [](std::string_view cmd) {
    return Err("ERR invalid expire time in '" + std::string(cmd) + "' command");
  };
  const std::string max = "9223372036854775807", min = "-9223372036854775808";
  EXPECT_EQ(r.Run({"expire", "k", max}), invalid("expire"));
  EXPECT_EQ(r.Run({"EXPIRE", "k", min}), invalid("expire"));
  EXPECT_EQ(r.Run({"expire", "k", "9223372036854775"}), invalid("expire"));  // ms + now overflows
  EXPECT_EQ(r.Run({"pexpire", "k", max}), invalid("pexpire"));
  EXPECT_EQ(r.Run({"expireat", "k", max}), invalid("expireat"));
  EXPECT_EQ(r.Run({"expireat", "k", min}), invalid("expireat"));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"pexpireat", "k", max}), Int(1));  // absolute ms: no overflow possible
  EXPECT_EQ(r.Run({"pexpiretime", "k"}), Int(INT64_MAX));
  EXPECT_EQ(r.Run({"pexpire", "k", min}), Int(1));  // far in the past
  EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
  EXPECT_EQ(r.Run({"ttl"}), Arity("ttl"));
  EXPECT_EQ(r.Run({"pttl", "a", "b"}), Arity("pttl"));
  EXPECT_EQ(r.Run({"expiretime"}), Arity("expiretime"));
  EXPECT_EQ(r.Run({"persist"}), Arity("persist"));
}

TEST_P(KeyFamily, Persist) {
  EXPECT_EQ(r.Run({"persist", "missing"}), Int(0));
  Put("plain");
  EXPECT_EQ(r.Run({"persist", "plain"}), Int(0));
  Put("k", "value", kNow + 5000);
  EXPECT_EQ(r.Run({"persist", "k"}), Int(1));
  EXPECT_EQ(r.Run({"ttl", "k"}), Int(-1));
  EXPECT_FALSE(Peek("k")->has_expire());
  EXPECT_EQ(Value("k"), "value");
  EXPECT_EQ(r.Run({"persist", "k"}), Int(0));
  r.SetTime(kNow + 100000);
  EXPECT_EQ(Value("k"), "value");
  Put("old", "v", kNow + 1);
  EXPECT_EQ(r.Run({"persist", "old"}), Int(0));  // already expired at the new time
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

TEST_P(KeyFamily, ScanEmptyAndErrors) {
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

TEST_P(KeyFamily, ScanReturnsEveryKey) {
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

TEST_P(KeyFamily, ScanSurvivesInsertsBetweenCalls) {
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

TEST_P(KeyFamily, ScanMatchTypeAndExpired) {
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

TEST_P(KeyFamily, Keys) {
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

TEST_P(KeyFamily, RandomKey) {
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

TEST_P(KeyFamily, RandomKeySkipsExpired) {
  for (int i = 0; i < 300; ++i) Put("old" + std::to_string(i), "v", kNow + 10);
  Put("live");
  r.SetTime(kNow + 10);
  EXPECT_EQ(r.Run({"randomkey"}), Bulk("live"));
  EXPECT_EQ(r.Run({"del", "live"}), Int(1));
  EXPECT_EQ(r.Run({"randomkey"}), kNil);
  EXPECT_EQ(r.Run({"dbsize"}), Int(0));  // the expired keys drawn were deleted
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
