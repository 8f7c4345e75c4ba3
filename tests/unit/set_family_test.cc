// Set commands through the real command table, with 1 and 4 shards (multi-key forms across
// shards), plus a randomized model test against std::set with tiny encoding thresholds so
// every conversion happens many times.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "command_runner.h"
#include "commands/command.h"

namespace ember {
namespace {

using testing::CommandRunner;

const std::string kWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const std::string kSyntax = "-ERR syntax error\r\n";
const std::string kNotInt = "-ERR value is not an integer or out of range\r\n";
const std::string kNil = "$-1\r\n";

std::string Int(int64_t v) {
  return ":" + std::to_string(v) + "\r\n";
}
std::string Err(std::string_view msg) {
  return "-" + std::string(msg) + "\r\n";
}

// An array/set reply of bulk strings: its type byte ('*' or '~') and items.
struct Flat {
  char type = 0;
  std::vector<std::string> items;
};
Flat ParseFlat(const std::string& reply) {
  Flat out;
  out.type = reply[0];
  size_t pos = reply.find("\r\n");
  size_t n = std::stoul(reply.substr(1, pos - 1));
  pos += 2;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(reply[pos], '$') << reply;
    size_t eol = reply.find("\r\n", pos);
    size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    out.items.push_back(reply.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  EXPECT_EQ(pos, reply.size()) << reply;
  return out;
}
std::set<std::string> AsSet(const std::string& reply) {
  auto flat = ParseFlat(reply);
  std::set<std::string> s(flat.items.begin(), flat.items.end());
  EXPECT_EQ(s.size(), flat.items.size()) << "repeated members in " << reply;
  return s;
}
using S = std::set<std::string>;

class SetFamily : public ::testing::TestWithParam<uint32_t> {
 protected:
  SetFamily() : r(GetParam()) {}
  std::string Encoding(std::string_view key) {
    std::string reply = r.Run({"object", "encoding", key});
    return reply.substr(reply.find("\r\n") + 2, reply.size() - reply.find("\r\n") - 4);
  }
  // `n` keys spread over every shard.
  std::vector<std::string> Keys(int n) {
    std::vector<std::string> keys;
    std::set<uint32_t> shards;
    for (int i = 0; i < n; ++i) {
      keys.push_back("key" + std::to_string(i));
      shards.insert(r.engine().ShardOfKey(keys.back()));
    }
    EXPECT_EQ(shards.size(), std::min<size_t>(r.engine().num_shards(), static_cast<size_t>(n)));
    return keys;
  }
  CommandRunner r;
};

INSTANTIATE_TEST_SUITE_P(Sets, SetFamily, ::testing::Values(1u, 4u));

TEST_P(SetFamily, AddRemCardIsMember) {
  EXPECT_EQ(r.Run({"sadd", "s", "a", "b", "a", "c"}), Int(3));
  EXPECT_EQ(r.Run({"sadd", "s", "a", "d"}), Int(1));
  EXPECT_EQ(r.Run({"scard", "s"}), Int(4));
  EXPECT_EQ(r.Run({"scard", "missing"}), Int(0));
  EXPECT_EQ(r.Run({"sismember", "s", "a"}), Int(1));
  EXPECT_EQ(r.Run({"sismember", "s", "z"}), Int(0));
  EXPECT_EQ(r.Run({"sismember", "missing", "z"}), Int(0));
  EXPECT_EQ(r.Run({"smismember", "s", "a", "z", "d"}), "*3\r\n:1\r\n:0\r\n:1\r\n");
  EXPECT_EQ(r.Run({"smismember", "missing", "a"}), "*1\r\n:0\r\n");
  EXPECT_EQ(AsSet(r.Run({"smembers", "s"})), (S{"a", "b", "c", "d"}));
  EXPECT_EQ(r.Run({"smembers", "missing"}), "*0\r\n");
  EXPECT_EQ(r.Run({"srem", "s", "a", "z", "a"}), Int(1));
  EXPECT_EQ(r.Run({"srem", "missing", "a"}), Int(0));
  EXPECT_EQ(r.Run({"srem", "s", "b", "c", "d"}), Int(3));
  EXPECT_EQ(r.Run({"exists", "s"}), Int(0));  // emptied: the key is gone
}

TEST_P(SetFamily, WrongTypeAndArity) {
  r.Run({"set", "str", "v"});
  for (auto cmd : std::vector<std::vector<std::string_view>>{
           {"sadd", "str", "a"},
           {"srem", "str", "a"},
           {"scard", "str"},
           {"sismember", "str", "a"},
           {"smismember", "str", "a"},
           {"smembers", "str"},
           {"spop", "str"},
           {"spop", "str", "2"},
           {"srandmember", "str"},
           {"srandmember", "str", "2"},
           {"sscan", "str", "0"},
           {"sunion", "str"},
           {"sinter", "str"},
           {"sdiff", "str"},
           {"sunionstore", "d", "str"},
           {"sintercard", "1", "str"},
           {"smove", "str", "d", "a"},
       }) {
    EXPECT_EQ(r.Run(cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(r.Run({"sadd", "s"}), Err("ERR wrong number of arguments for 'sadd' command"));
  EXPECT_EQ(r.Run({"scard"}), Err("ERR wrong number of arguments for 'scard' command"));
  EXPECT_EQ(r.Run({"smove", "a", "b"}), Err("ERR wrong number of arguments for 'smove' command"));
}

TEST_P(SetFamily, EncodingsFollowConfig) {
  r.Run({"sadd", "ints", "1", "2", "3"});
  EXPECT_EQ(Encoding("ints"), "intset");
  r.Run({"sadd", "ints", "x"});
  EXPECT_EQ(Encoding("ints"), "listpack");
  std::vector<std::string> cmd = {"sadd", "big"};
  for (int i = 0; i < 513; ++i) cmd.push_back(std::to_string(i));
  r.Run(cmd);
  EXPECT_EQ(Encoding("big"), "hashtable");
  r.engine().config().set_max_intset_entries = 600;
  r.Run({"del", "big"});
  r.Run(cmd);
  EXPECT_EQ(Encoding("big"), "intset");
  // SADD's argument count sizes a new set, as in Redis 7.2.
  cmd = {"sadd", "hinted"};
  for (int i = 0; i < 129; ++i) cmd.push_back("same");
  r.Run(cmd);
  EXPECT_EQ(Encoding("hinted"), "hashtable");
}

TEST_P(SetFamily, SpopShapesAndErrors) {
  EXPECT_EQ(r.Run({"spop", "missing"}), kNil);
  EXPECT_EQ(r.Run({"spop", "missing", "3"}), "*0\r\n");
  r.Run({"sadd", "s", "a", "b", "c", "d"});
  EXPECT_EQ(r.Run({"spop", "s", "0"}), "*0\r\n");
  EXPECT_EQ(r.Run({"spop", "s", "-1"}), Err("ERR value is out of range, must be positive"));
  EXPECT_EQ(r.Run({"spop", "s", "x"}), Err("ERR value is out of range, must be positive"));
  EXPECT_EQ(r.Run({"spop", "s", "1", "2"}), kSyntax);
  S popped = AsSet(r.Run({"spop", "s", "3"}));
  EXPECT_EQ(popped.size(), 3u);
  EXPECT_EQ(r.Run({"scard", "s"}), Int(1));
  std::string last = r.Run({"spop", "s"});
  EXPECT_EQ(last[0], '$');
  EXPECT_EQ(r.Run({"exists", "s"}), Int(0));
  r.Run({"sadd", "s", "1", "2"});
  EXPECT_EQ(AsSet(r.Run({"spop", "s", "10"})), (S{"1", "2"}));
  EXPECT_EQ(r.Run({"exists", "s"}), Int(0));
  r.client().resp = 3;
  r.Run({"sadd", "s", "1", "2"});
  EXPECT_EQ(ParseFlat(r.Run({"spop", "s", "1"})).type, '~');
  EXPECT_EQ(r.Run({"spop", "missing", "1"}), "~0\r\n");
}

TEST_P(SetFamily, SpopManyFromHashtable) {
  std::vector<std::string> cmd = {"sadd", "s"};
  for (int i = 0; i < 1000; ++i) cmd.push_back("m" + std::to_string(i));
  r.Run(cmd);
  S all;
  for (int count : {100, 700, 150, 50}) {
    S got = AsSet(r.Run({"spop", "s", std::to_string(count)}));
    EXPECT_EQ(got.size(), static_cast<size_t>(count));
    for (const auto& m : got) EXPECT_TRUE(all.insert(m).second);
  }
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_EQ(r.Run({"exists", "s"}), Int(0));
}

TEST_P(SetFamily, SrandmemberCounts) {
  EXPECT_EQ(r.Run({"srandmember", "missing"}), kNil);
  EXPECT_EQ(r.Run({"srandmember", "missing", "5"}), "*0\r\n");
  r.Run({"sadd", "s", "a", "b", "c"});
  EXPECT_EQ(r.Run({"srandmember", "s", "0"}), "*0\r\n");
  EXPECT_EQ(r.Run({"srandmember", "s", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"srandmember", "s", "-9223372036854775808"}),
            Err("ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807"));
  EXPECT_EQ(r.Run({"srandmember", "s", "1", "2"}), kSyntax);
  EXPECT_EQ(AsSet(r.Run({"srandmember", "s", "10"})), (S{"a", "b", "c"}));
  EXPECT_EQ(AsSet(r.Run({"srandmember", "s", "2"})).size(), 2u);
  Flat repeats = ParseFlat(r.Run({"srandmember", "s", "-30"}));
  EXPECT_EQ(repeats.items.size(), 30u);
  for (const auto& m : repeats.items) EXPECT_TRUE(m == "a" || m == "b" || m == "c");
  EXPECT_EQ(r.Run({"scard", "s"}), Int(3));  // nothing removed
  r.client().resp = 3;
  EXPECT_EQ(ParseFlat(r.Run({"srandmember", "s", "2"})).type, '*');  // array, even in RESP3
  EXPECT_EQ(ParseFlat(r.Run({"smembers", "s"})).type, '~');
}

TEST_P(SetFamily, SscanSmallAndLarge) {
  EXPECT_EQ(r.Run({"sscan", "missing", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(r.Run({"sscan", "missing", "x"}), Err("ERR invalid cursor"));
  EXPECT_EQ(r.Run({"sscan", "missing", "0", "COUNT", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  r.Run({"sadd", "s", "a1", "a2", "b1"});
  EXPECT_EQ(r.Run({"sscan", "s", "0", "COUNT", "0"}), kSyntax);
  EXPECT_EQ(r.Run({"sscan", "s", "0", "COUNT", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"sscan", "s", "0", "MATCH"}), kSyntax);
  EXPECT_EQ(r.Run({"sscan", "s", "0", "BOGUS", "1"}), kSyntax);
  std::string reply = r.Run({"sscan", "s", "0", "MATCH", "a*", "COUNT", "1"});
  EXPECT_EQ(reply.substr(0, 11), "*2\r\n$1\r\n0\r\n");  // small sets: all at once, cursor 0
  EXPECT_EQ(AsSet(reply.substr(11)), (S{"a1", "a2"}));
  std::vector<std::string> cmd = {"sadd", "big"};
  S expect;
  for (int i = 0; i < 3000; ++i) {
    cmd.push_back("m" + std::to_string(i));
    if (i % 10 == 7) expect.insert(cmd.back());
  }
  r.Run(cmd);
  S seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    reply = r.Run({"sscan", "big", cursor, "MATCH", "*7", "COUNT", "20"});
    size_t eol = reply.find("\r\n", 4);
    size_t start = eol + 2;
    size_t end = reply.find("\r\n", start);
    cursor = reply.substr(start, end - start);
    for (const auto& m : AsSet(reply.substr(end + 2))) seen.insert(m);
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_EQ(seen, expect);
  EXPECT_GT(calls, 1);
}

TEST_P(SetFamily, AlgebraAcrossShards) {
  auto k = Keys(4);
  r.Run({"sadd", k[0], "a", "b", "c", "d"});
  r.Run({"sadd", k[1], "c", "d", "e"});
  r.Run({"sadd", k[2], "d", "f"});
  EXPECT_EQ(AsSet(r.Run({"sunion", k[0], k[1], k[2], "nokey"})), (S{"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(AsSet(r.Run({"sinter", k[0], k[1]})), (S{"c", "d"}));
  EXPECT_EQ(AsSet(r.Run({"sinter", k[0], k[1], k[2]})), (S{"d"}));
  EXPECT_EQ(AsSet(r.Run({"sinter", k[0], "nokey"})), S{});
  EXPECT_EQ(AsSet(r.Run({"sinter", k[0], k[0]})), (S{"a", "b", "c", "d"}));
  EXPECT_EQ(AsSet(r.Run({"sdiff", k[0], k[1], k[2]})), (S{"a", "b"}));
  EXPECT_EQ(AsSet(r.Run({"sdiff", "nokey", k[1]})), S{});
  EXPECT_EQ(AsSet(r.Run({"sdiff", k[0], k[0]})), S{});
  EXPECT_EQ(r.Run({"sintercard", "2", k[0], k[1]}), Int(2));
  EXPECT_EQ(r.Run({"sintercard", "2", k[0], k[1], "LIMIT", "1"}), Int(1));
  EXPECT_EQ(r.Run({"sintercard", "2", k[0], k[1], "limit", "0"}), Int(2));
  EXPECT_EQ(r.Run({"sintercard", "2", k[0], "nokey"}), Int(0));
  // STORE forms replace dst (of any type), or delete it when the result is empty.
  r.Run({"set", k[3], "string"});
  EXPECT_EQ(r.Run({"sunionstore", k[3], k[0], k[1]}), Int(5));
  EXPECT_EQ(AsSet(r.Run({"smembers", k[3]})), (S{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(r.Run({"sinterstore", k[3], k[3], k[2]}), Int(1));  // dst is a source too
  EXPECT_EQ(AsSet(r.Run({"smembers", k[3]})), (S{"d"}));
  EXPECT_EQ(r.Run({"sdiffstore", k[3], k[0], k[1]}), Int(2));
  EXPECT_EQ(AsSet(r.Run({"smembers", k[3]})), (S{"a", "b"}));
  EXPECT_EQ(r.Run({"sdiffstore", k[3], k[1], k[0], k[2]}), Int(1));
  EXPECT_EQ(AsSet(r.Run({"smembers", k[3]})), (S{"e"}));
  EXPECT_EQ(r.Run({"sinterstore", k[3], k[0], "nokey"}), Int(0));
  EXPECT_EQ(r.Run({"exists", k[3]}), Int(0));
  r.Run({"set", k[3], "string"});
  EXPECT_EQ(r.Run({"sdiffstore", k[3], "nokey"}), Int(0));
  EXPECT_EQ(r.Run({"exists", k[3]}), Int(0));
  EXPECT_EQ(r.Run({"sunionstore", k[3], k[0], "str-dst-untouched"}), Int(4));
  EXPECT_EQ(Encoding(k[3]), "listpack");
  r.Run({"sadd", "ints1", "1", "2", "3"});
  EXPECT_EQ(r.Run({"sunionstore", k[3], "ints1"}), Int(3));
  EXPECT_EQ(Encoding(k[3]), "intset");
  // A wrong-typed source fails the whole command, even after a missing key.
  r.Run({"set", "str", "v"});
  EXPECT_EQ(r.Run({"sinter", "nokey", "str"}), kWrongType);
  EXPECT_EQ(r.Run({"sinterstore", k[3], "nokey", "str"}), kWrongType);
  EXPECT_EQ(r.Run({"sintercard", "2", "nokey", "str"}), kWrongType);
  EXPECT_EQ(r.Run({"exists", k[3]}), Int(1));
}

TEST_P(SetFamily, SinterCardErrors) {
  EXPECT_EQ(r.Run({"sintercard", "0", "a"}), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(r.Run({"sintercard", "x", "a"}), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(r.Run({"sintercard", "-1", "a"}), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(r.Run({"sintercard", "3", "a", "b"}),
            Err("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(r.Run({"sintercard", "1", "a", "LIMIT", "-1"}), Err("ERR LIMIT can't be negative"));
  EXPECT_EQ(r.Run({"sintercard", "1", "a", "LIMIT", "x"}), Err("ERR LIMIT can't be negative"));
  EXPECT_EQ(r.Run({"sintercard", "1", "a", "LIMIT"}), kSyntax);
  EXPECT_EQ(r.Run({"sintercard", "1", "a", "b"}), kSyntax);
  const CommandSpec* spec = CommandTable::Instance().Find("sintercard");
  ASSERT_NE(spec, nullptr);
  std::vector<std::string_view> args = {"sintercard", "2", "a", "b", "LIMIT", "5"};
  std::vector<size_t> positions;
  CommandTable::KeyPositions(*spec, args, &positions);
  EXPECT_EQ(positions, (std::vector<size_t>{2, 3}));
}

TEST_P(SetFamily, SmoveAcrossShards) {
  auto k = Keys(3);
  r.Run({"sadd", k[0], "a", "b"});
  EXPECT_EQ(r.Run({"smove", k[0], k[1], "a"}), Int(1));
  EXPECT_EQ(AsSet(r.Run({"smembers", k[1]})), (S{"a"}));
  EXPECT_EQ(r.Run({"smove", k[0], k[1], "zz"}), Int(0));
  EXPECT_EQ(r.Run({"smove", "nokey", k[1], "a"}), Int(0));
  EXPECT_EQ(r.Run({"smove", k[0], k[0], "b"}), Int(1));
  EXPECT_EQ(r.Run({"smove", k[0], k[0], "zz"}), Int(0));
  EXPECT_EQ(r.Run({"smove", k[0], k[1], "b"}), Int(1));
  EXPECT_EQ(r.Run({"exists", k[0]}), Int(0));  // source emptied
  EXPECT_EQ(AsSet(r.Run({"smembers", k[1]})), (S{"a", "b"}));
  r.Run({"set", k[2], "str"});
  EXPECT_EQ(r.Run({"smove", k[1], k[2], "a"}), kWrongType);
  EXPECT_EQ(r.Run({"smove", "nokey", k[2], "a"}), Int(0));  // missing source wins, as Redis
  EXPECT_EQ(r.Run({"scard", k[1]}), Int(2));
  r.Run({"sadd", k[0], "a"});
  EXPECT_EQ(r.Run({"smove", k[1], k[0], "a"}), Int(1));  // already in dst: still moved
  EXPECT_EQ(r.Run({"scard", k[0]}), Int(1));
  EXPECT_EQ(r.Run({"scard", k[1]}), Int(1));
}

TEST_P(SetFamily, BinarySafeAndCopy) {
  std::string odd("x\0y\r\n", 5);
  EXPECT_EQ(r.Run({"sadd", "s", odd, "", "1"}), Int(3));
  EXPECT_EQ(r.Run({"sismember", "s", odd}), Int(1));
  EXPECT_EQ(r.Run({"sismember", "s", "x"}), Int(0));
  EXPECT_EQ(AsSet(r.Run({"smembers", "s"})), (S{odd, "", "1"}));
  EXPECT_EQ(r.Run({"copy", "s", "s2"}), Int(1));
  r.Run({"srem", "s", odd});
  EXPECT_EQ(r.Run({"sismember", "s2", odd}), Int(1));
  EXPECT_EQ(r.Run({"type", "s2"}), "+set\r\n");
}

// Thousands of random operations on a few keys against std::set models, with thresholds of
// 4 so sets keep crossing intset -> listpack -> hashtable.
TEST_P(SetFamily, RandomizedAgainstModel) {
  auto& config = r.engine().config();
  config.set_max_intset_entries = 4;
  config.set_max_listpack_entries = 4;
  config.set_max_listpack_value = 4;
  std::mt19937_64 rng(GetParam() * 1000 + 11);
  auto keys = Keys(4);
  std::map<std::string, S> model;
  auto member = [&]() -> std::string {
    switch (rng() % 3) {
      case 0:
        return std::to_string(static_cast<int64_t>(rng() % 12) - 3);
      case 1:
        return std::string(1, static_cast<char>('a' + rng() % 6));
      default:
        return "long" + std::to_string(rng() % 6);
    }
  };
  auto key = [&]() { return keys[rng() % keys.size()]; };
  std::set<std::string> encodings;
  for (int step = 0; step < 4000; ++step) {
    std::string k = key(), k2 = key(), k3 = key(), m = member(), m2 = member();
    switch (rng() % 9) {
      case 0:
      case 1: {
        int64_t added = model[k].insert(m).second + model[k].insert(m2).second;
        ASSERT_EQ(r.Run({"sadd", k, m, m2}), Int(added));
        break;
      }
      case 2: {
        int64_t removed = model[k].erase(m);
        ASSERT_EQ(r.Run({"srem", k, m}), Int(removed));
        break;
      }
      case 3: {
        std::string reply = r.Run({"spop", k});
        if (model[k].empty()) {
          ASSERT_EQ(reply, kNil);
        } else {
          std::string got = ParseFlat("*1\r\n" + reply).items[0];
          ASSERT_EQ(model[k].erase(got), 1u) << got;
        }
        break;
      }
      case 4: {
        int64_t in_src = model[k].count(m);
        ASSERT_EQ(r.Run({"smove", k, k2, m}), Int(in_src));
        if (in_src && k != k2) {
          model[k].erase(m);
          model[k2].insert(m);
        }
        break;
      }
      case 5: {
        S out;
        for (const auto& x : model[k2]) {
          if (model[k3].count(x)) out.insert(x);
        }
        ASSERT_EQ(r.Run({"sinterstore", k, k2, k3}), Int(static_cast<int64_t>(out.size())));
        model[k] = out;
        break;
      }
      case 6: {
        S out = model[k2];
        out.insert(model[k3].begin(), model[k3].end());
        ASSERT_EQ(r.Run({"sunionstore", k, k2, k3}), Int(static_cast<int64_t>(out.size())));
        model[k] = out;
        break;
      }
      case 7: {
        S out;
        for (const auto& x : model[k2]) {
          if (!model[k3].count(x)) out.insert(x);
        }
        ASSERT_EQ(r.Run({"sdiffstore", k, k2, k3}), Int(static_cast<int64_t>(out.size())));
        model[k] = out;
        break;
      }
      default: {
        S spopped = AsSet(r.Run({"spop", k, std::to_string(rng() % 4)}));
        for (const auto& x : spopped) ASSERT_EQ(model[k].erase(x), 1u) << x;
        break;
      }
    }
    if (step % 10 == 0 || step > 3980) {
      for (const auto& kk : keys) {
        ASSERT_EQ(AsSet(r.Run({"smembers", kk})), model[kk]) << "step " << step << " " << kk;
        ASSERT_EQ(r.Run({"exists", kk}), Int(model[kk].empty() ? 0 : 1));
        if (!model[kk].empty()) encodings.insert(Encoding(kk));
      }
    }
  }
  EXPECT_EQ(encodings, (std::set<std::string>{"intset", "listpack", "hashtable"}));
}

}  // namespace
}  // namespace ember
