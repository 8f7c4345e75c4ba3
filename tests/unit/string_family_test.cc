// String command family: GET/SET and options, counters, APPEND/SETRANGE/GETRANGE, multi-key
// commands, TTL interplay and int encoding. Every behaviour test runs with 1 and 4 shards.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "command_runner.h"
#include "commands/command.h"
#include "keyspace/record.h"
#include "resp_expect.h"

namespace ember {
namespace {

using namespace testing;  // CommandRunner and the expected replies

constexpr int64_t kNow = 1'700'000'000'000;
const std::string kNotFloat = "-ERR value is not a valid float\r\n";
const std::string kTooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";

// "set k v EX 10" -> {"set", "k", "v", "EX", "10"} (for option tables).
std::vector<std::string> Split(std::string_view line) {
  std::vector<std::string> out;
  for (size_t start = 0; start < line.size();) {
    size_t end = std::min(line.find(' ', start), line.size());
    out.emplace_back(line.substr(start, end - start));
    start = end + 1;
  }
  return out;
}
std::string InvalidExpire(std::string_view cmd) {
  return Err("ERR invalid expire time in '" + std::string(cmd) + "' command");
}

class StringFamily : public ::testing::TestWithParam<uint32_t> {
 protected:
  StringFamily() : r(GetParam()) { r.SetTime(kNow); }

  Database& DbOf(std::string_view key) {
    return r.engine().shard(r.engine().ShardOfKey(key)).db(r.client().db);
  }
  Record* Peek(std::string_view key) { return DbOf(key).Find(key, kNow).record; }
  // Stores a record of a non-string type (a string record with its type nibble rewritten).
  void PutForeign(std::string_view key) {
    Record* rec = Record::NewString(key, "payload", 0);
    reinterpret_cast<uint8_t*>(rec)[0] = static_cast<uint8_t>(
        (static_cast<uint8_t>(ValueType::kList) << 4) | static_cast<uint8_t>(Encoding::kRaw));
    DbOf(key).Insert(rec);
  }
  CommandRunner r;
};

INSTANTIATE_TEST_SUITE_P(Strings, StringFamily, ::testing::Values(1u, 4u));

TEST_P(StringFamily, GetAndSetBasics) {
  EXPECT_EQ(r.Run({"get", "k"}), kNil);
  EXPECT_EQ(r.Run({"set", "k", "v"}), kOk);
  EXPECT_EQ(r.Run({"GET", "k"}), Bulk("v"));
  EXPECT_EQ(r.Run({"set", "k", "other"}), kOk);
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("other"));
  EXPECT_EQ(r.Run({"set", "", ""}), kOk);
  EXPECT_EQ(r.Run({"get", ""}), Bulk(""));
  std::string binary("a\0b\r\nc\xff", 7);
  std::string binary_key("k\0ey", 4);
  EXPECT_EQ(r.Run({"set", binary_key, binary}), kOk);
  EXPECT_EQ(r.Run({"get", binary_key}), Bulk(binary));
  EXPECT_EQ(r.Run({"strlen", binary_key}), Int(7));
  std::string big(1 << 20, 'x');
  EXPECT_EQ(r.Run({"set", "big", big}), kOk);
  EXPECT_EQ(r.Run({"get", "big"}), Bulk(big));
  EXPECT_EQ(r.Run({"get"}), Err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(r.Run({"set", "k"}), Err("ERR wrong number of arguments for 'set' command"));
  r.client().resp = 3;
  EXPECT_EQ(r.Run({"get", "missing"}), "_\r\n");
}

TEST_P(StringFamily, IntEncodingRoundTrips) {
  for (const char* text : {"0", "-1", "123", "0123", "-0", "+1", " 1", "1 ", "00", "1.0",
                           "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                           "-9223372036854775809", "12345678901234567890123"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(r.Run({"set", "k", text}), kOk);
    EXPECT_EQ(r.Run({"get", "k"}), Bulk(text));
    EXPECT_EQ(r.Run({"strlen", "k"}), Int(static_cast<int64_t>(strlen(text))));
    EXPECT_EQ(r.Run({"getrange", "k", "0", "-1"}), Bulk(text));
    EXPECT_EQ(r.Run({"mget", "k"}), "*1\r\n" + Bulk(text));
  }
  r.Run({"set", "n", "12345"});
  EXPECT_EQ(Peek("n")->encoding(), Encoding::kInt);
  EXPECT_EQ(r.Run({"getrange", "n", "1", "2"}), Bulk("23"));
  EXPECT_EQ(r.Run({"append", "n", "6"}), Int(6));
  EXPECT_EQ(r.Run({"get", "n"}), Bulk("123456"));
  r.Run({"set", "n", "-42"});
  EXPECT_EQ(r.Run({"setrange", "n", "1", "7"}), Int(3));
  EXPECT_EQ(r.Run({"get", "n"}), Bulk("-72"));
  EXPECT_EQ(r.Run({"setrange", "n", "5", "x"}), Int(6));
  EXPECT_EQ(r.Run({"get", "n"}), Bulk(std::string("-72\0\0x", 6)));
  EXPECT_EQ(r.Run({"getset", "n", "7"}), Bulk(std::string("-72\0\0x", 6)));
  EXPECT_EQ(r.Run({"getdel", "n"}), Bulk("7"));
}

TEST_P(StringFamily, SetNxXx) {
  EXPECT_EQ(r.Run({"set", "k", "v1", "XX"}), kNil);
  EXPECT_EQ(r.Run({"get", "k"}), kNil);
  EXPECT_EQ(r.Run({"set", "k", "v1", "nx"}), kOk);
  EXPECT_EQ(r.Run({"set", "k", "v2", "NX"}), kNil);
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("v1"));
  EXPECT_EQ(r.Run({"set", "k", "v3", "xx"}), kOk);
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("v3"));
  EXPECT_EQ(r.Run({"set", "k", "v4", "NX", "NX"}), kNil);  // repeating an option is fine
}

TEST_P(StringFamily, SetWithGet) {
  EXPECT_EQ(r.Run({"set", "k", "v1", "GET"}), kNil);
  EXPECT_EQ(r.Run({"set", "k", "v2", "get"}), Bulk("v1"));
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("v2"));
  EXPECT_EQ(r.Run({"set", "k", "v3", "NX", "GET"}), Bulk("v2"));  // allowed since 7.0
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("v2"));
  EXPECT_EQ(r.Run({"set", "k2", "v", "XX", "GET"}), kNil);
  EXPECT_EQ(r.Run({"get", "k2"}), kNil);
  EXPECT_EQ(r.Run({"set", "k2", "v", "NX", "GET"}), kNil);
  EXPECT_EQ(r.Run({"get", "k2"}), Bulk("v"));
  r.Run({"set", "n", "100"});
  EXPECT_EQ(r.Run({"set", "n", "x", "GET"}), Bulk("100"));
  PutForeign("list");
  EXPECT_EQ(r.Run({"set", "list", "x", "GET"}), kWrongType);
  EXPECT_EQ(r.Run({"get", "list"}), kWrongType);  // untouched
  EXPECT_EQ(r.Run({"set", "list", "x"}), kOk);    // plain SET overwrites any type
  EXPECT_EQ(r.Run({"get", "list"}), Bulk("x"));
}

TEST_P(StringFamily, SetExpiryOptions) {
  EXPECT_EQ(r.Run({"set", "ex", "v", "EX", "10"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "ex"}), Int(10000));
  EXPECT_EQ(r.Run({"set", "px", "v", "px", "1500"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "px"}), Int(1500));
  EXPECT_EQ(r.Run({"set", "exat", "v", "EXAT", std::to_string(kNow / 1000 + 100)}), kOk);
  EXPECT_EQ(r.Run({"pttl", "exat"}), Int(100000));
  EXPECT_EQ(r.Run({"set", "pxat", "v", "PXAT", std::to_string(kNow + 2500)}), kOk);
  EXPECT_EQ(r.Run({"pttl", "pxat"}), Int(2500));
  EXPECT_EQ(r.Run({"set", "ex", "v", "EX", "5", "EX", "20"}), kOk);  // the last one wins
  EXPECT_EQ(r.Run({"pttl", "ex"}), Int(20000));

  // KEEPTTL keeps it, a plain SET drops it, SET ... GET KEEPTTL does both parts.
  EXPECT_EQ(r.Run({"set", "px", "v2", "KEEPTTL"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "px"}), Int(1500));
  EXPECT_EQ(r.Run({"set", "px", "v3", "GET", "KEEPTTL"}), Bulk("v2"));
  EXPECT_EQ(r.Run({"pttl", "px"}), Int(1500));
  EXPECT_EQ(r.Run({"set", "px", "v4"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "px"}), Int(-1));
  EXPECT_EQ(r.Run({"set", "fresh", "v", "KEEPTTL"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "fresh"}), Int(-1));

  // Expiry happens at exactly the deadline.
  r.Run({"set", "t", "v", "PX", "100"});
  r.SetTime(kNow + 99);
  EXPECT_EQ(r.Run({"get", "t"}), Bulk("v"));
  r.SetTime(kNow + 100);
  EXPECT_EQ(r.Run({"get", "t"}), kNil);
  EXPECT_EQ(r.Run({"set", "t", "v2", "XX"}), kNil);  // an expired key does not exist
  EXPECT_EQ(r.Run({"set", "t", "v2", "NX"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(-1));
}

TEST_P(StringFamily, SetOptionErrors) {
  r.Run({"set", "k", "orig"});
  for (const char* options :
       {"NX XX", "XX NX", "EX 10 PX 10", "PX 10 EXAT 10", "KEEPTTL EX 10", "EX 10 KEEPTTL", "EX",
        "PXAT", "FOO", "PERSIST", "EX 0 FOO", "NX GETX", "EXX 10"}) {
    SCOPED_TRACE(options);
    EXPECT_EQ(r.Run(Split("set k new " + std::string(options))), kSyntax);
  }
  EXPECT_EQ(r.Run({"set", "k", "new", "EX", "abc"}), kNotInt);
  EXPECT_EQ(r.Run({"set", "k", "new", "PX", "1.5"}), kNotInt);
  EXPECT_EQ(r.Run({"set", "k", "new", "EX", "010"}), kNotInt);
  for (const char* unit : {"EX", "PX", "EXAT", "PXAT"}) {
    SCOPED_TRACE(unit);
    EXPECT_EQ(r.Run({"set", "k", "new", unit, "0"}), InvalidExpire("set"));
    EXPECT_EQ(r.Run({"set", "k", "new", unit, "-5"}), InvalidExpire("set"));
  }
  // Overflow: seconds * 1000, and relative + now.
  EXPECT_EQ(r.Run({"set", "k", "new", "EX", "9223372036854776"}), InvalidExpire("set"));
  EXPECT_EQ(r.Run({"set", "k", "new", "EXAT", "9223372036854776"}), InvalidExpire("set"));
  EXPECT_EQ(r.Run({"set", "k", "new", "PX", "9223372036854775807"}), InvalidExpire("set"));
  EXPECT_EQ(r.Run({"SET", "k", "new", "EX", "9223372036854775"}), InvalidExpire("set"));
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("orig"));  // nothing was written
  // The largest absolute expiry is fine.
  EXPECT_EQ(r.Run({"set", "k", "new", "PXAT", "9223372036854775807"}), kOk);
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("new"));
}

TEST_P(StringFamily, SetExAndPSetEx) {
  EXPECT_EQ(r.Run({"setex", "k", "10", "v"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(10000));
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(r.Run({"psetex", "k", "250", "w"}), kOk);
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(250));
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("w"));
  EXPECT_EQ(r.Run({"setex", "k", "0", "v"}), InvalidExpire("setex"));
  EXPECT_EQ(r.Run({"SETEX", "k", "-1", "v"}), InvalidExpire("setex"));
  EXPECT_EQ(r.Run({"setex", "k", "9223372036854776", "v"}), InvalidExpire("setex"));
  EXPECT_EQ(r.Run({"psetex", "k", "0", "v"}), InvalidExpire("psetex"));
  EXPECT_EQ(r.Run({"psetex", "k", "9223372036854775807", "v"}), InvalidExpire("psetex"));
  EXPECT_EQ(r.Run({"setex", "k", "ten", "v"}), kNotInt);
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("w"));
  EXPECT_EQ(r.Run({"setex", "k", "10"}), Err("ERR wrong number of arguments for 'setex' command"));
  r.SetTime(kNow + 250);
  EXPECT_EQ(r.Run({"get", "k"}), kNil);
}

TEST_P(StringFamily, SetNxCommand) {
  EXPECT_EQ(r.Run({"setnx", "k", "1"}), Int(1));
  EXPECT_EQ(r.Run({"setnx", "k", "2"}), Int(0));
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("1"));
  r.Run({"set", "t", "v", "PX", "10"});
  EXPECT_EQ(r.Run({"setnx", "t", "w"}), Int(0));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(10));
  r.SetTime(kNow + 10);
  EXPECT_EQ(r.Run({"setnx", "t", "w"}), Int(1));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(-1));
  PutForeign("list");
  EXPECT_EQ(r.Run({"setnx", "list", "w"}), Int(0));
}

TEST_P(StringFamily, GetSetCommand) {
  EXPECT_EQ(r.Run({"getset", "k", "a"}), kNil);
  EXPECT_EQ(r.Run({"getset", "k", "b"}), Bulk("a"));
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("b"));
  r.Run({"set", "t", "v", "EX", "100"});
  EXPECT_EQ(r.Run({"getset", "t", "w"}), Bulk("v"));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(-1));  // GETSET drops the TTL
  PutForeign("list");
  EXPECT_EQ(r.Run({"getset", "list", "w"}), kWrongType);
  EXPECT_EQ(r.Run({"get", "list"}), kWrongType);
}

TEST_P(StringFamily, GetDelCommand) {
  r.Run({"set", "k", "v"});
  EXPECT_EQ(r.Run({"getdel", "k"}), Bulk("v"));
  EXPECT_EQ(r.Run({"get", "k"}), kNil);
  EXPECT_EQ(r.Run({"getdel", "k"}), kNil);
  r.Run({"set", "t", "v", "PX", "5"});
  r.SetTime(kNow + 5);
  EXPECT_EQ(r.Run({"getdel", "t"}), kNil);
  PutForeign("list");
  EXPECT_EQ(r.Run({"getdel", "list"}), kWrongType);
  EXPECT_EQ(r.Run({"exists", "list"}), Int(1));
}

TEST_P(StringFamily, GetExCommand) {
  r.Run({"set", "k", "v"});
  EXPECT_EQ(r.Run({"getex", "k"}), Bulk("v"));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"getex", "k", "EX", "100"}), Bulk("v"));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(100000));
  EXPECT_EQ(r.Run({"getex", "k"}), Bulk("v"));  // no option: TTL untouched
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(100000));
  EXPECT_EQ(r.Run({"getex", "k", "px", "500"}), Bulk("v"));  // updates an existing TTL
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(500));
  EXPECT_EQ(r.Run({"getex", "k", "PERSIST"}), Bulk("v"));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"getex", "k", "persist"}), Bulk("v"));  // nothing to remove
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(-1));
  EXPECT_EQ(r.Run({"getex", "k", "EXAT", std::to_string(kNow / 1000 + 30)}), Bulk("v"));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(30000));
  EXPECT_EQ(r.Run({"getex", "k", "PXAT", std::to_string(kNow + 77)}), Bulk("v"));
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(77));
  r.Run({"set", "n", "42"});
  EXPECT_EQ(r.Run({"getex", "n", "PX", "10"}), Bulk("42"));
  EXPECT_EQ(r.Run({"pttl", "n"}), Int(10));
  EXPECT_EQ(r.Run({"incr", "n"}), Int(43));

  // An absolute time already past returns the value and deletes the key.
  EXPECT_EQ(r.Run({"getex", "k", "PXAT", std::to_string(kNow)}), Bulk("v"));
  EXPECT_EQ(r.Run({"exists", "k"}), Int(0));
  r.Run({"set", "k", "v"});
  EXPECT_EQ(r.Run({"getex", "k", "EXAT", "1"}), Bulk("v"));
  EXPECT_EQ(r.Run({"get", "k"}), kNil);

  // Syntax first; then a missing key is nil even with a bad value; then the value.
  r.Run({"set", "k", "v"});
  for (const char* options :
       {"EX", "EX 1 PX 1", "PERSIST EX 1", "EX 1 PERSIST", "NX", "GET", "KEEPTTL", "FOO"}) {
    SCOPED_TRACE(options);
    EXPECT_EQ(r.Run(Split("getex k " + std::string(options))), kSyntax);
  }
  EXPECT_EQ(r.Run({"getex", "missing", "EX", "0"}), kNil);
  EXPECT_EQ(r.Run({"getex", "missing", "EX", "abc"}), kNil);
  EXPECT_EQ(r.Run({"getex", "k", "EX", "0"}), InvalidExpire("getex"));
  EXPECT_EQ(r.Run({"getex", "k", "PX", "-1"}), InvalidExpire("getex"));
  EXPECT_EQ(r.Run({"getex", "k", "EX", "9223372036854776"}), InvalidExpire("getex"));
  EXPECT_EQ(r.Run({"getex", "k", "EX", "abc"}), kNotInt);
  EXPECT_EQ(r.Run({"getex", "k", "EX", "1", "EX", "2"}), Bulk("v"));  // the last one wins
  EXPECT_EQ(r.Run({"pttl", "k"}), Int(2000));
  PutForeign("list");
  EXPECT_EQ(r.Run({"getex", "list", "EX", "0"}), kWrongType);
}

TEST_P(StringFamily, MGetAndMSetAcrossShards) {
  auto keys = r.SpreadKeys("key:", 4);
  EXPECT_EQ(r.Run({"mset", keys[0], "a", keys[1], "", keys[2], "123"}), kOk);
  PutForeign(keys[3]);
  EXPECT_EQ(r.Run({"mget", keys[0], keys[1], "missing", keys[2], keys[3], keys[0]}),
            "*6\r\n" + Bulk("a") + Bulk("") + kNil + Bulk("123") + kNil + Bulk("a"));
  EXPECT_EQ(r.Run({"mset", keys[0], "1", keys[0], "2"}), kOk);  // later pairs win
  EXPECT_EQ(r.Run({"get", keys[0]}), Bulk("2"));
  r.Run({"set", keys[1], "v", "EX", "100"});
  EXPECT_EQ(r.Run({"mset", keys[1], "w", keys[3], "x"}), kOk);  // overwrites any type
  EXPECT_EQ(r.Run({"pttl", keys[1]}), Int(-1));
  EXPECT_EQ(r.Run({"get", keys[3]}), Bulk("x"));
  EXPECT_EQ(r.Run({"mset", keys[0], "1", keys[1]}),
            Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(r.Run({"mset", keys[0]}), Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(r.Run({"mget"}), Err("ERR wrong number of arguments for 'mget' command"));
  EXPECT_EQ(r.Run({"get", keys[0]}), Bulk("2"));
}

TEST_P(StringFamily, MSetNxIsAllOrNothing) {
  auto keys = r.SpreadKeys("key:", 3);
  EXPECT_EQ(r.Run({"msetnx", keys[0], "a", keys[1], "b"}), Int(1));
  EXPECT_EQ(r.Run({"msetnx", keys[2], "c", keys[1], "x"}), Int(0));
  EXPECT_EQ(r.Run({"mget", keys[0], keys[1], keys[2]}), "*3\r\n" + Bulk("a") + Bulk("b") + kNil);
  EXPECT_EQ(r.Run({"msetnx", keys[2], "c", keys[2], "d"}), Int(1));
  EXPECT_EQ(r.Run({"get", keys[2]}), Bulk("d"));
  r.Run({"set", keys[0], "v", "PX", "10"});
  EXPECT_EQ(r.Run({"msetnx", keys[0], "n"}), Int(0));
  r.SetTime(kNow + 10);  // expired keys count as missing
  EXPECT_EQ(r.Run({"msetnx", keys[0], "n"}), Int(1));
  EXPECT_EQ(r.Run({"get", keys[0]}), Bulk("n"));
  PutForeign("list");
  EXPECT_EQ(r.Run({"msetnx", "list", "x", "other", "y"}), Int(0));
  EXPECT_EQ(r.Run({"get", "other"}), kNil);
  EXPECT_EQ(r.Run({"msetnx", keys[1], "1", keys[2]}),
            Err("ERR wrong number of arguments for 'msetnx' command"));
}

TEST_P(StringFamily, IncrDecrFamily) {
  EXPECT_EQ(r.Run({"incr", "n"}), Int(1));
  EXPECT_EQ(r.Run({"incrby", "n", "10"}), Int(11));
  EXPECT_EQ(r.Run({"decr", "n"}), Int(10));
  EXPECT_EQ(r.Run({"decrby", "n", "20"}), Int(-10));
  EXPECT_EQ(r.Run({"incrby", "n", "-5"}), Int(-15));
  EXPECT_EQ(r.Run({"decrby", "n", "-15"}), Int(0));
  EXPECT_EQ(r.Run({"get", "n"}), Bulk("0"));
  EXPECT_EQ(r.Run({"decr", "fresh"}), Int(-1));
  EXPECT_EQ(Peek("n")->encoding(), Encoding::kInt);

  r.Run({"set", "raw", "10"});
  EXPECT_EQ(r.Run({"incr", "raw"}), Int(11));
  for (const char* bad : {"abc", "007", "-0", "1.5", " 1", "1 ", "+1", "", "9223372036854775808"}) {
    SCOPED_TRACE(bad);
    r.Run({"set", "s", bad});
    EXPECT_EQ(r.Run({"incr", "s"}), kNotInt);
    EXPECT_EQ(r.Run({"get", "s"}), Bulk(bad));
    EXPECT_EQ(r.Run({"incrby", "n", bad}), kNotInt);
    EXPECT_EQ(r.Run({"decrby", "n", bad}), kNotInt);
  }

  const std::string kOverflow = Err("ERR increment or decrement would overflow");
  r.Run({"set", "max", "9223372036854775807"});
  EXPECT_EQ(r.Run({"incr", "max"}), kOverflow);
  EXPECT_EQ(r.Run({"decrby", "max", "-1"}), kOverflow);
  EXPECT_EQ(r.Run({"get", "max"}), Bulk("9223372036854775807"));
  r.Run({"set", "min", "-9223372036854775808"});
  EXPECT_EQ(r.Run({"decr", "min"}), kOverflow);
  EXPECT_EQ(r.Run({"incrby", "min", "-1"}), kOverflow);
  EXPECT_EQ(r.Run({"incrby", "min", "9223372036854775807"}), Int(-1));
  EXPECT_EQ(r.Run({"incrby", "zero", "-9223372036854775808"}), Int(INT64_MIN));
  EXPECT_EQ(r.Run({"decrby", "n", "-9223372036854775808"}), Err("ERR decrement would overflow"));
  EXPECT_EQ(r.Run({"decrby", "n", "9223372036854775807"}), Int(-9223372036854775807));

  // Counters keep the key's TTL.
  r.Run({"set", "t", "5", "EX", "100"});
  EXPECT_EQ(r.Run({"incr", "t"}), Int(6));
  EXPECT_EQ(r.Run({"incrbyfloat", "t", "0.5"}), Bulk("6.5"));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(100000));
  r.SetTime(kNow + 100000);
  EXPECT_EQ(r.Run({"incr", "t"}), Int(1));  // expired: starts from 0, without a TTL
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(-1));

  PutForeign("list");
  for (const char* cmd : {"incr", "decr"}) EXPECT_EQ(r.Run({cmd, "list"}), kWrongType);
  EXPECT_EQ(r.Run({"incrby", "list", "1"}), kWrongType);
  EXPECT_EQ(r.Run({"incrby", "list", "x"}), kNotInt);  // the increment is checked first
}

TEST_P(StringFamily, IncrByFloatCommand) {
  EXPECT_EQ(r.Run({"set", "f", "10.50"}), kOk);
  EXPECT_EQ(r.Run({"incrbyfloat", "f", "0.1"}), Bulk("10.6"));
  EXPECT_EQ(r.Run({"incrbyfloat", "f", "-5"}), Bulk("5.6"));
  EXPECT_EQ(r.Run({"get", "f"}), Bulk("5.6"));
  r.Run({"set", "e", "5.0e3"});
  EXPECT_EQ(r.Run({"incrbyfloat", "e", "2.0e2"}), Bulk("5200"));
  EXPECT_EQ(r.Run({"incrbyfloat", "new", "3.0"}), Bulk("3"));
  EXPECT_EQ(r.Run({"incr", "new"}), Int(4));
  r.Run({"set", "i", "17"});
  EXPECT_EQ(r.Run({"incrbyfloat", "i", "1.25"}), Bulk("18.25"));
  EXPECT_EQ(r.Run({"incrbyfloat", "z", "-0.0"}), Bulk("0"));
  EXPECT_EQ(r.Run({"incrbyfloat", "f", "abc"}), kNotFloat);
  EXPECT_EQ(r.Run({"incrbyfloat", "f", ""}), kNotFloat);
  EXPECT_EQ(r.Run({"incrbyfloat", "f", " 1"}), kNotFloat);
  EXPECT_EQ(r.Run({"incrbyfloat", "f", "nan"}), kNotFloat);
  const std::string kNaN = Err("ERR increment would produce NaN or Infinity");
  EXPECT_EQ(r.Run({"incrbyfloat", "f", "inf"}), kNaN);
  EXPECT_EQ(r.Run({"incrbyfloat", "f", "-inf"}), kNaN);
  EXPECT_EQ(r.Run({"get", "f"}), Bulk("5.6"));
  r.Run({"set", "s", "hello"});
  EXPECT_EQ(r.Run({"incrbyfloat", "s", "1"}), kNotFloat);
  // Results can be hundreds of digits long; they must read back (Redis allows 5 KB).
  EXPECT_EQ(r.Run({"incrbyfloat", "huge", "1e308"})[0], '$');
  EXPECT_EQ(r.Run({"incrbyfloat", "huge", "1e308"})[0], '$');
  EXPECT_EQ(r.Run({"incrbyfloat", "huge", "1e4000"})[0], '$');
  EXPECT_EQ(r.Run({"strlen", "huge"}), Int(4000));  // 999...9 (long double rounding)
  PutForeign("list");
  EXPECT_EQ(r.Run({"incrbyfloat", "list", "abc"}), kWrongType);  // type before increment
}

TEST_P(StringFamily, AppendAndStrlen) {
  EXPECT_EQ(r.Run({"strlen", "s"}), Int(0));
  EXPECT_EQ(r.Run({"append", "s", "Hello"}), Int(5));
  EXPECT_EQ(r.Run({"append", "s", " World"}), Int(11));
  EXPECT_EQ(r.Run({"append", "s", ""}), Int(11));
  EXPECT_EQ(r.Run({"get", "s"}), Bulk("Hello World"));
  EXPECT_EQ(r.Run({"strlen", "s"}), Int(11));
  EXPECT_EQ(r.Run({"append", "b", std::string("\0\r\n", 3)}), Int(3));
  EXPECT_EQ(r.Run({"append", "b", std::string("\xff\0", 2)}), Int(5));
  EXPECT_EQ(r.Run({"get", "b"}), Bulk(std::string("\0\r\n\xff\0", 5)));
  r.Run({"set", "t", "x", "PX", "500"});
  EXPECT_EQ(r.Run({"append", "t", "y"}), Int(2));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(500));  // APPEND keeps the TTL
  r.SetTime(kNow + 500);
  EXPECT_EQ(r.Run({"append", "t", "z"}), Int(1));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(-1));
  PutForeign("list");
  EXPECT_EQ(r.Run({"append", "list", "x"}), kWrongType);
  EXPECT_EQ(r.Run({"strlen", "list"}), kWrongType);
}

TEST_P(StringFamily, ManyAppendsGrowGeometrically) {
  std::string expected;
  std::set<const Record*> records;
  for (int i = 0; i < 5000; ++i) {
    std::string piece = std::to_string(i % 10) + "ab";
    expected += piece;
    ASSERT_EQ(r.Run({"append", "grow", piece}), Int(static_cast<int64_t>(expected.size())));
    records.insert(Peek("grow"));
  }
  EXPECT_EQ(r.Run({"get", "grow"}), Bulk(expected));
  EXPECT_EQ(r.Run({"strlen", "grow"}), Int(15000));
  // Reallocations are logarithmic in the final size, not one per APPEND.
  EXPECT_LE(records.size(), 20u);
  EXPECT_GE(Peek("grow")->raw_value_capacity(), expected.size());
  EXPECT_LE(Peek("grow")->AllocatedBytes(), 4 * expected.size());

  // A value that started int-encoded converts to raw and grows the same way.
  r.Run({"set", "num", "7"});
  for (int i = 0; i < 100; ++i) r.Run({"append", "num", "1"});
  EXPECT_EQ(r.Run({"get", "num"}), Bulk("7" + std::string(100, '1')));
  EXPECT_EQ(Peek("num")->encoding(), Encoding::kRaw);
}

TEST_P(StringFamily, AppendRespectsTheSizeLimit) {
  r.engine().config().proto_max_bulk_len = 1024 * 1024;
  r.Run({"set", "s", std::string(1024 * 1024 - 2, 'a')});
  EXPECT_EQ(r.Run({"append", "s", "bb"}), Int(1024 * 1024));
  EXPECT_EQ(r.Run({"append", "s", "c"}), kTooLong);
  EXPECT_EQ(r.Run({"strlen", "s"}), Int(1024 * 1024));
  EXPECT_EQ(r.Run({"setrange", "s", "1048575", "x"}), Int(1024 * 1024));
  EXPECT_EQ(r.Run({"setrange", "s", "1048575", "xy"}), kTooLong);
  EXPECT_EQ(r.Run({"setrange", "new", "1048576", "x"}), kTooLong);
  EXPECT_EQ(r.Run({"exists", "new"}), Int(0));
}

TEST_P(StringFamily, SetRangeCommand) {
  r.Run({"set", "s", "Hello World"});
  EXPECT_EQ(r.Run({"setrange", "s", "6", "Redis"}), Int(11));
  EXPECT_EQ(r.Run({"get", "s"}), Bulk("Hello Redis"));
  EXPECT_EQ(r.Run({"setrange", "s", "11", "!!"}), Int(13));
  EXPECT_EQ(r.Run({"get", "s"}), Bulk("Hello Redis!!"));
  EXPECT_EQ(r.Run({"setrange", "s", "0", ""}), Int(13));
  EXPECT_EQ(r.Run({"setrange", "pad", "5", "x"}), Int(6));
  EXPECT_EQ(r.Run({"get", "pad"}), Bulk(std::string("\0\0\0\0\0x", 6)));
  EXPECT_EQ(r.Run({"setrange", "pad", "8", "yz"}), Int(10));
  EXPECT_EQ(r.Run({"get", "pad"}), Bulk(std::string("\0\0\0\0\0x\0\0yz", 10)));
  EXPECT_EQ(r.Run({"setrange", "none", "0", ""}), Int(0));
  EXPECT_EQ(r.Run({"setrange", "none", "100", ""}), Int(0));
  EXPECT_EQ(r.Run({"exists", "none"}), Int(0));
  EXPECT_EQ(r.Run({"setrange", "s", "-1", "x"}), Err("ERR offset is out of range"));
  EXPECT_EQ(r.Run({"setrange", "s", "x", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"setrange", "s", "536870912", "x"}), kTooLong);
  EXPECT_EQ(r.Run({"setrange", "s", "536870911", "xy"}), kTooLong);
  EXPECT_EQ(r.Run({"setrange", "s", "9223372036854775807", "x"}), kTooLong);
  EXPECT_EQ(r.Run({"setrange", "none", "9223372036854775807", "x"}), kTooLong);
  EXPECT_EQ(r.Run({"get", "s"}), Bulk("Hello Redis!!"));
  r.Run({"set", "t", "abc", "EX", "9"});
  EXPECT_EQ(r.Run({"setrange", "t", "1", "B"}), Int(3));
  EXPECT_EQ(r.Run({"setrange", "t", "5", "long enough to reallocate the record"}), Int(41));
  EXPECT_EQ(r.Run({"pttl", "t"}), Int(9000));
  EXPECT_EQ(r.Run({"getrange", "t", "0", "5"}), Bulk(std::string("aBc\0\0l", 6)));
  PutForeign("list");
  EXPECT_EQ(r.Run({"setrange", "list", "0", "x"}), kWrongType);
  EXPECT_EQ(r.Run({"setrange", "list", "0", ""}), kWrongType);
}

TEST_P(StringFamily, LargeSetRange) {
  const int64_t offset = 8 * 1024 * 1024;
  EXPECT_EQ(r.Run({"setrange", "big", std::to_string(offset), "end"}), Int(offset + 3));
  EXPECT_EQ(r.Run({"strlen", "big"}), Int(offset + 3));
  EXPECT_EQ(r.Run({"getrange", "big", "-4", "-1"}), Bulk(std::string("\0end", 4)));
  EXPECT_EQ(r.Run({"setrange", "big", "0", "start"}), Int(offset + 3));
  EXPECT_EQ(r.Run({"getrange", "big", "0", "5"}), Bulk(std::string("start\0", 6)));
  std::string block(1 << 20, 'q');
  EXPECT_EQ(r.Run({"setrange", "big", std::to_string(offset / 2), block}), Int(offset + 3));
  std::string value = r.Run({"get", "big"});
  std::string expected(static_cast<size_t>(offset + 3), '\0');
  expected.replace(0, 5, "start");
  expected.replace(static_cast<size_t>(offset / 2), block.size(), block);
  expected.replace(static_cast<size_t>(offset), 3, "end");
  EXPECT_TRUE(value == Bulk(expected));
}

TEST_P(StringFamily, GetRangeAndSubstr) {
  r.Run({"set", "s", "This is a string"});
  EXPECT_EQ(r.Run({"getrange", "s", "0", "3"}), Bulk("This"));
  EXPECT_EQ(r.Run({"getrange", "s", "-3", "-1"}), Bulk("ing"));
  EXPECT_EQ(r.Run({"getrange", "s", "0", "-1"}), Bulk("This is a string"));
  EXPECT_EQ(r.Run({"getrange", "s", "10", "100"}), Bulk("string"));
  EXPECT_EQ(r.Run({"getrange", "s", "5", "2"}), Bulk(""));
  EXPECT_EQ(r.Run({"getrange", "s", "-1", "-5"}), Bulk(""));
  EXPECT_EQ(r.Run({"getrange", "s", "0", "-100"}), Bulk("T"));  // Redis 7.0 clamps to 0
  EXPECT_EQ(r.Run({"getrange", "s", "-100", "2"}), Bulk("Thi"));
  EXPECT_EQ(r.Run({"getrange", "s", "16", "20"}), Bulk(""));
  EXPECT_EQ(r.Run({"getrange", "s", "-9223372036854775808", "9223372036854775807"}),
            Bulk("This is a string"));
  EXPECT_EQ(r.Run({"substr", "s", "5", "6"}), Bulk("is"));
  EXPECT_EQ(r.Run({"getrange", "missing", "0", "-1"}), Bulk(""));
  r.Run({"set", "e", ""});
  EXPECT_EQ(r.Run({"getrange", "e", "0", "-1"}), Bulk(""));
  r.Run({"set", "n", "-12345"});
  EXPECT_EQ(r.Run({"getrange", "n", "0", "1"}), Bulk("-1"));
  EXPECT_EQ(r.Run({"getrange", "n", "-2", "-1"}), Bulk("45"));
  EXPECT_EQ(r.Run({"getrange", "s", "a", "1"}), kNotInt);
  EXPECT_EQ(r.Run({"getrange", "s", "0", "1.0"}), kNotInt);
  EXPECT_EQ(r.Run({"getrange", "s", "0"}),
            Err("ERR wrong number of arguments for 'getrange' command"));
  PutForeign("list");
  EXPECT_EQ(r.Run({"getrange", "list", "0", "1"}), kWrongType);
}

TEST_P(StringFamily, KeyspaceStatsAndDatabases) {
  r.Run({"set", "k", "v"});
  r.Run({"select", "1"});
  EXPECT_EQ(r.Run({"get", "k"}), kNil);
  EXPECT_EQ(r.Run({"set", "k", "w"}), kOk);
  r.Run({"select", "0"});
  EXPECT_EQ(r.Run({"get", "k"}), Bulk("v"));
  auto totals = [&] {
    std::pair<uint64_t, uint64_t> sum{0, 0};
    for (uint32_t i = 0; i < r.engine().num_shards(); ++i) {
      sum.first += r.engine().shard(i).stats().keyspace_hits;
      sum.second += r.engine().shard(i).stats().keyspace_misses;
    }
    return sum;
  };
  auto before = totals();
  r.Run({"get", "k"});
  r.Run({"mget", "k", "nope", "k"});
  r.Run({"incr", "counter"});  // writes do not count
  r.Run({"set", "k", "x"});
  r.Run({"set", "k", "y", "GET"});
  auto after = totals();
  EXPECT_EQ(after.first - before.first, 4u);
  EXPECT_EQ(after.second - before.second, 1u);
}

TEST(StringCommands, TableMetadata) {
  struct Expect {
    const char* name;
    int arity;
    uint32_t flags;
    int first, last, step;
  };
  constexpr uint32_t kRO = kCmdReadOnly, kW = kCmdWrite, kF = kCmdFast, kD = kCmdDenyOom;
  for (const Expect& e : std::vector<Expect>{
           {"get", 2, kRO | kF, 1, 1, 1},        {"set", -3, kW | kD, 1, 1, 1},
           {"setnx", 3, kW | kD | kF, 1, 1, 1},  {"setex", 4, kW | kD, 1, 1, 1},
           {"psetex", 4, kW | kD, 1, 1, 1},      {"getset", 3, kW | kD | kF, 1, 1, 1},
           {"getdel", 2, kW | kF, 1, 1, 1},      {"getex", -2, kW | kF, 1, 1, 1},
           {"mget", -2, kRO | kF, 1, -1, 1},     {"mset", -3, kW | kD, 1, -1, 2},
           {"msetnx", -3, kW | kD, 1, -1, 2},    {"incr", 2, kW | kD | kF, 1, 1, 1},
           {"decr", 2, kW | kD | kF, 1, 1, 1},   {"incrby", 3, kW | kD | kF, 1, 1, 1},
           {"decrby", 3, kW | kD | kF, 1, 1, 1}, {"incrbyfloat", 3, kW | kD | kF, 1, 1, 1},
           {"append", 3, kW | kD | kF, 1, 1, 1}, {"strlen", 2, kRO | kF, 1, 1, 1},
           {"getrange", 4, kRO, 1, 1, 1},        {"substr", 4, kRO, 1, 1, 1},
           {"setrange", 4, kW | kD, 1, 1, 1}}) {
    SCOPED_TRACE(e.name);
    const CommandSpec* spec = CommandTable::Instance().Find(e.name);
    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(spec->name, e.name);
    EXPECT_EQ(spec->arity, e.arity);
    EXPECT_EQ(spec->flags, e.flags);
    EXPECT_EQ(spec->first_key, e.first);
    EXPECT_EQ(spec->last_key, e.last);
    EXPECT_EQ(spec->key_step, e.step);
    EXPECT_EQ(spec->exec, ExecKind::kKeyed);
    EXPECT_EQ(spec->group, "string");
    EXPECT_FALSE(spec->summary.empty());
  }
}

}  // namespace
}  // namespace ember
