// List command family through the command table: reply shapes (RESP2 and RESP3), Redis's
// error strings and their precedence, key specs, keys on different shards, and a randomized
// model test over several keys with node bounds small enough to split and merge nodes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "command_runner.h"
#include "commands/command.h"
#include "resp_expect.h"

namespace ember {
namespace {

using namespace testing;  // CommandRunner and the expected replies

const std::string kNull3 = "_\r\n";

class ListFamily : public ::testing::TestWithParam<uint32_t> {
 protected:
  ListFamily() : r(GetParam()) {}

  CommandRunner r;
};

INSTANTIATE_TEST_SUITE_P(Lists, ListFamily, ::testing::Values(1u, 4u));

TEST_P(ListFamily, PushPopAndLength) {
  EXPECT_EQ(r.Run({"lpush", "l", "a", "b", "c"}), Int(3));
  EXPECT_EQ(r.Run({"rpush", "l", "d"}), Int(4));
  EXPECT_EQ(r.Run({"lrange", "l", "0", "-1"}), Array({"c", "b", "a", "d"}));
  EXPECT_EQ(r.Run({"llen", "l"}), Int(4));
  EXPECT_EQ(r.Run({"lpop", "l"}), Bulk("c"));
  EXPECT_EQ(r.Run({"rpop", "l"}), Bulk("d"));
  EXPECT_EQ(r.Run({"rpop", "l", "5"}), Array({"a", "b"}));
  EXPECT_EQ(r.Run({"exists", "l"}), Int(0));  // emptied: deleted
  EXPECT_EQ(r.Run({"llen", "l"}), Int(0));
  EXPECT_EQ(r.Run({"lpushx", "l", "a"}), Int(0));
  EXPECT_EQ(r.Run({"rpushx", "l", "a"}), Int(0));
  EXPECT_EQ(r.Run({"exists", "l"}), Int(0));
  r.Run({"rpush", "l", "x"});
  EXPECT_EQ(r.Run({"lpushx", "l", "a", "b"}), Int(3));
  EXPECT_EQ(r.Run({"rpushx", "l", "z"}), Int(4));
  EXPECT_EQ(r.Run({"lrange", "l", "0", "-1"}), Array({"b", "a", "x", "z"}));
  EXPECT_EQ(r.Run({"lpush", "l"}), Err("ERR wrong number of arguments for 'lpush' command"));
  EXPECT_EQ(r.Run({"lpop", "l", "1", "2"}),
            Err("ERR wrong number of arguments for 'lpop' command"));
}

TEST_P(ListFamily, PopCountShapes) {
  r.Run({"rpush", "l", "a", "b"});
  EXPECT_EQ(r.Run({"lpop", "l", "0"}), "*0\r\n");
  EXPECT_EQ(r.Run({"lpop", "missing", "0"}), kNilArray);
  EXPECT_EQ(r.Run({"lpop", "missing", "2"}), kNilArray);
  EXPECT_EQ(r.Run({"rpop", "missing"}), kNil);
  EXPECT_EQ(r.Run({"lpop", "l", "-1"}), Err("ERR value is out of range, must be positive"));
  EXPECT_EQ(r.Run({"lpop", "l", "x"}), Err("ERR value is out of range, must be positive"));
  EXPECT_EQ(r.Run({"lpop", "l", "1"}), Array({"a"}));
  r.client().resp = 3;
  EXPECT_EQ(r.Run({"lpop", "missing", "2"}), kNull3);
  EXPECT_EQ(r.Run({"lpop", "missing"}), kNull3);
  EXPECT_EQ(r.Run({"lpop", "l", "0"}), "*0\r\n");
  EXPECT_EQ(r.Run({"rpop", "l", "3"}), Array({"b"}));
}

TEST_P(ListFamily, RangeAndIndex) {
  r.Run({"rpush", "l", "a", "b", "c", "d", "e"});
  EXPECT_EQ(r.Run({"lrange", "l", "1", "2"}), Array({"b", "c"}));
  EXPECT_EQ(r.Run({"lrange", "l", "-2", "100"}), Array({"d", "e"}));
  EXPECT_EQ(r.Run({"lrange", "l", "-100", "0"}), Array({"a"}));
  EXPECT_EQ(r.Run({"lrange", "l", "3", "1"}), "*0\r\n");
  EXPECT_EQ(r.Run({"lrange", "l", "5", "10"}), "*0\r\n");
  EXPECT_EQ(r.Run({"lrange", "missing", "0", "-1"}), "*0\r\n");
  EXPECT_EQ(r.Run({"lrange", "missing", "x", "0"}), kNotInt);  // Redis parses before lookup
  EXPECT_EQ(r.Run({"lindex", "l", "0"}), Bulk("a"));
  EXPECT_EQ(r.Run({"lindex", "l", "-1"}), Bulk("e"));
  EXPECT_EQ(r.Run({"lindex", "l", "5"}), kNil);
  EXPECT_EQ(r.Run({"lindex", "l", "-6"}), kNil);
  EXPECT_EQ(r.Run({"lindex", "l", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"lindex", "missing", "x"}), kNil);  // lookup first
  r.client().resp = 3;
  EXPECT_EQ(r.Run({"lindex", "l", "9"}), kNull3);
}

TEST_P(ListFamily, SetInsert) {
  r.Run({"rpush", "l", "a", "b", "c"});
  EXPECT_EQ(r.Run({"lset", "l", "-1", "C"}), kOk);
  EXPECT_EQ(r.Run({"lset", "l", "3", "x"}), Err("ERR index out of range"));
  EXPECT_EQ(r.Run({"lset", "l", "x", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"lset", "missing", "x", "x"}), Err("ERR no such key"));
  EXPECT_EQ(r.Run({"linsert", "l", "before", "b", "x"}), Int(4));
  EXPECT_EQ(r.Run({"linsert", "l", "AFTER", "C", "y"}), Int(5));
  EXPECT_EQ(r.Run({"linsert", "l", "after", "nope", "z"}), Int(-1));
  EXPECT_EQ(r.Run({"linsert", "missing", "after", "a", "z"}), Int(0));
  EXPECT_EQ(r.Run({"linsert", "missing", "middle", "a", "z"}), kSyntax);
  EXPECT_EQ(r.Run({"lrange", "l", "0", "-1"}), Array({"a", "x", "b", "C", "y"}));
}

TEST_P(ListFamily, RemAndTrim) {
  r.Run({"rpush", "l", "a", "b", "a", "c", "a", "b"});
  EXPECT_EQ(r.Run({"lrem", "l", "1", "a"}), Int(1));
  EXPECT_EQ(r.Run({"lrem", "l", "-1", "b"}), Int(1));
  EXPECT_EQ(r.Run({"lrange", "l", "0", "-1"}), Array({"b", "a", "c", "a"}));
  EXPECT_EQ(r.Run({"lrem", "l", "-5", "a"}), Int(2));
  EXPECT_EQ(r.Run({"lrem", "l", "0", "zz"}), Int(0));
  EXPECT_EQ(r.Run({"lrem", "l", "x", "a"}), kNotInt);
  EXPECT_EQ(r.Run({"lrem", "missing", "0", "a"}), Int(0));
  EXPECT_EQ(r.Run({"lrem", "l", "0", "b"}), Int(1));
  EXPECT_EQ(r.Run({"lrem", "l", "0", "c"}), Int(1));
  EXPECT_EQ(r.Run({"exists", "l"}), Int(0));
  r.Run({"rpush", "t", "a", "b", "c", "d", "e"});
  EXPECT_EQ(r.Run({"ltrim", "t", "1", "-2"}), kOk);
  EXPECT_EQ(r.Run({"lrange", "t", "0", "-1"}), Array({"b", "c", "d"}));
  EXPECT_EQ(r.Run({"ltrim", "t", "-100", "100"}), kOk);
  EXPECT_EQ(r.Run({"llen", "t"}), Int(3));
  EXPECT_EQ(r.Run({"ltrim", "t", "x", "1"}), kNotInt);
  EXPECT_EQ(r.Run({"ltrim", "t", "2", "1"}), kOk);
  EXPECT_EQ(r.Run({"exists", "t"}), Int(0));
  EXPECT_EQ(r.Run({"ltrim", "missing", "0", "1"}), kOk);
}

TEST_P(ListFamily, Pos) {
  r.Run({"rpush", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(r.Run({"lpos", "l", "c"}), Int(2));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "rank", "2"}), Int(6));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "RANK", "-1"}), Int(7));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "RANK", "4"}), kNil);
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT", "0"}), Ints({2, 6, 7}));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT", "2", "RANK", "-1"}), Ints({7, 6}));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "RANK", "-2", "COUNT", "0"}), Ints({6, 2}));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "MAXLEN", "3"}), Int(2));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "MAXLEN", "2"}), kNil);
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT", "0", "MAXLEN", "7"}), Ints({2, 6}));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "RANK", "-1", "MAXLEN", "1"}), Int(7));
  EXPECT_EQ(r.Run({"lpos", "l", "zz", "COUNT", "3"}), "*0\r\n");
  EXPECT_EQ(r.Run({"lpos", "missing", "a"}), kNil);
  EXPECT_EQ(r.Run({"lpos", "missing", "a", "COUNT", "1"}), "*0\r\n");
  const std::string rank0 = Err(
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
      "negative to start from the end of the list");
  EXPECT_EQ(r.Run({"lpos", "l", "c", "RANK", "0"}), rank0);
  EXPECT_EQ(r.Run({"lpos", "missing", "c", "RANK", "0"}), rank0);  // options before lookup
  EXPECT_EQ(r.Run({"lpos", "l", "c", "RANK", "x"}), kNotInt);
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT", "-1"}), Err("ERR COUNT can't be negative"));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT", "x"}), Err("ERR COUNT can't be negative"));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "MAXLEN", "-1"}), Err("ERR MAXLEN can't be negative"));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT", "-1", "RANK", "0"}),
            Err("ERR COUNT can't be negative"));
  EXPECT_EQ(r.Run({"lpos", "l", "c", "COUNT"}), kSyntax);
  EXPECT_EQ(r.Run({"lpos", "l", "c", "BOGUS", "1"}), kSyntax);
  r.client().resp = 3;
  EXPECT_EQ(r.Run({"lpos", "missing", "a"}), kNull3);
}

TEST_P(ListFamily, MoveAcrossShards) {
  auto keys = r.SpreadKeys("list:", 2);
  const std::string& src = keys[0];
  const std::string& dst = keys[1];
  r.Run({"rpush", src, "a", "b", "c"});
  EXPECT_EQ(r.Run({"lmove", src, dst, "LEFT", "RIGHT"}), Bulk("a"));
  EXPECT_EQ(r.Run({"lmove", src, dst, "right", "left"}), Bulk("c"));
  EXPECT_EQ(r.Run({"lrange", dst, "0", "-1"}), Array({"c", "a"}));
  EXPECT_EQ(r.Run({"rpoplpush", src, dst}), Bulk("b"));
  EXPECT_EQ(r.Run({"exists", src}), Int(0));
  EXPECT_EQ(r.Run({"rpoplpush", dst, dst}), Bulk("a"));  // rotation
  EXPECT_EQ(r.Run({"lrange", dst, "0", "-1"}), Array({"a", "b", "c"}));
  EXPECT_EQ(r.Run({"lmove", dst, dst, "LEFT", "RIGHT"}), Bulk("a"));
  EXPECT_EQ(r.Run({"lrange", dst, "0", "-1"}), Array({"b", "c", "a"}));
  EXPECT_EQ(r.Run({"lmove", "missing", dst, "LEFT", "LEFT"}), kNil);
  EXPECT_EQ(r.Run({"rpoplpush", "missing", dst}), kNil);
  EXPECT_EQ(r.Run({"lmove", dst, src, "UP", "LEFT"}), kSyntax);
  EXPECT_EQ(r.Run({"lmove", "missing", src, "LEFT", "DOWN"}), kSyntax);
  r.Run({"set", src, "string"});
  EXPECT_EQ(r.Run({"lmove", dst, src, "LEFT", "LEFT"}), kWrongType);
  EXPECT_EQ(r.Run({"lmove", src, dst, "LEFT", "LEFT"}), kWrongType);
  EXPECT_EQ(r.Run({"lrange", dst, "0", "-1"}), Array({"b", "c", "a"}));  // nothing moved
  r.client().resp = 3;
  EXPECT_EQ(r.Run({"lmove", "missing", dst, "LEFT", "LEFT"}), kNull3);
}

TEST_P(ListFamily, MultiPop) {
  auto keys = r.SpreadKeys("list:", 3);
  r.Run({"rpush", keys[1], "a", "b", "c"});
  r.Run({"rpush", keys[2], "z"});
  EXPECT_EQ(r.Run({"lmpop", "3", keys[0], keys[1], keys[2], "LEFT", "COUNT", "2"}),
            "*2\r\n" + Bulk(keys[1]) + Array({"a", "b"}));
  EXPECT_EQ(r.Run({"lmpop", "2", keys[1], keys[2], "right", "count", "9"}),
            "*2\r\n" + Bulk(keys[1]) + Array({"c"}));
  EXPECT_EQ(r.Run({"exists", keys[1]}), Int(0));
  EXPECT_EQ(r.Run({"lmpop", "2", keys[1], keys[2], "RIGHT"}),
            "*2\r\n" + Bulk(keys[2]) + Array({"z"}));
  EXPECT_EQ(r.Run({"lmpop", "1", keys[2], "RIGHT"}), kNilArray);
  const std::string numkeys = Err("ERR numkeys should be greater than 0");
  const std::string count = Err("ERR count should be greater than 0");
  EXPECT_EQ(r.Run({"lmpop", "0", keys[0], "LEFT"}), numkeys);
  EXPECT_EQ(r.Run({"lmpop", "-1", keys[0], "LEFT"}), numkeys);
  EXPECT_EQ(r.Run({"lmpop", "1", keys[0], "LEFT", "COUNT", "0"}), count);
  EXPECT_EQ(r.Run({"lmpop", "1", keys[0], "LEFT", "COUNT", "x"}), count);
  EXPECT_EQ(r.Run({"lmpop", "1", keys[0], "SIDEWAYS"}), kSyntax);
  EXPECT_EQ(r.Run({"lmpop", "1", keys[0], "LEFT", "COUNT"}), kSyntax);
  EXPECT_EQ(r.Run({"lmpop", "1", keys[0], "LEFT", "COUNT", "1", "COUNT", "1"}), kSyntax);
  EXPECT_EQ(r.Run({"lmpop", "1", keys[0]}),
            Err("ERR wrong number of arguments for 'lmpop' command"));
  r.Run({"set", keys[0], "s"});
  r.Run({"rpush", keys[1], "a"});
  EXPECT_EQ(r.Run({"lmpop", "2", keys[0], keys[1], "LEFT"}), kWrongType);
  r.client().resp = 3;
  EXPECT_EQ(r.Run({"lmpop", "1", keys[2], "LEFT"}), kNull3);
}

TEST_P(ListFamily, WrongTypeEverywhere) {
  r.Run({"set", "s", "v"});
  for (auto args : std::vector<std::vector<std::string>>{
           {"lpush", "s", "a"},
           {"rpush", "s", "a"},
           {"lpushx", "s", "a"},
           {"rpushx", "s", "a"},
           {"lpop", "s"},
           {"rpop", "s", "2"},
           {"llen", "s"},
           {"lrange", "s", "0", "1"},
           {"lindex", "s", "0"},
           {"lset", "s", "0", "a"},
           {"linsert", "s", "before", "a", "b"},
           {"lrem", "s", "0", "a"},
           {"ltrim", "s", "0", "1"},
           {"lpos", "s", "a"},
           {"rpoplpush", "s", "d"},
       }) {
    SCOPED_TRACE(args[0]);
    EXPECT_EQ(r.Run(args), kWrongType);
  }
  r.Run({"rpush", "l", "a"});
  EXPECT_EQ(r.Run({"get", "l"}), kWrongType);
  EXPECT_EQ(r.Run({"type", "l"}), "+list\r\n");
}

TEST_P(ListFamily, BinarySafeValues) {
  std::string blob("a\0b\r\n\xff", 6);
  std::string key("k\0ey", 4);
  std::string big(100000, 'q');
  EXPECT_EQ(r.Run({"rpush", key, blob, "", big}), Int(3));
  EXPECT_EQ(r.Run({"lrange", key, "0", "-1"}), Array({std::string_view(blob), "", big}));
  EXPECT_EQ(r.Run({"lpos", key, blob}), Int(0));
  EXPECT_EQ(r.Run({"lrem", key, "0", ""}), Int(1));
  EXPECT_EQ(r.Run({"lindex", key, "-1"}), Bulk(big));
}

TEST_P(ListFamily, EncodingFollowsTheNodeBound) {
  r.engine().config().list_max_listpack_size = 4;
  r.Run({"rpush", "l", "a", "b", "c", "d"});
  EXPECT_EQ(r.Run({"object", "encoding", "l"}), Bulk("listpack"));
  r.Run({"rpush", "l", "e"});
  EXPECT_EQ(r.Run({"object", "encoding", "l"}), Bulk("quicklist"));
  r.engine().config().list_max_listpack_size = -2;  // 8 KiB nodes
  r.Run({"rpush", "m", std::string(4000, 'x')});
  EXPECT_EQ(r.Run({"object", "encoding", "m"}), Bulk("listpack"));
  r.Run({"rpush", "m", std::string(5000, 'x')});
  EXPECT_EQ(r.Run({"object", "encoding", "m"}), Bulk("quicklist"));
}

TEST(ListKeySpecs, KeyPositions) {
  const CommandTable& table = CommandTable::Instance();
  auto positions = [&](std::vector<std::string_view> args) {
    std::vector<size_t> out;
    CommandTable::KeyPositions(*table.Find(args[0]), args, &out);
    return out;
  };
  using V = std::vector<size_t>;
  EXPECT_EQ(positions({"lpush", "k", "a", "b"}), V{1});
  EXPECT_EQ(positions({"lpos", "k", "a", "RANK", "1"}), V{1});
  EXPECT_EQ(positions({"lmove", "a", "b", "LEFT", "RIGHT"}), V({1, 2}));
  EXPECT_EQ(positions({"rpoplpush", "a", "b"}), V({1, 2}));
  EXPECT_EQ(positions({"lmpop", "2", "a", "b", "LEFT", "COUNT", "3"}), V({2, 3}));
  EXPECT_EQ(positions({"lmpop", "1", "LEFT", "RIGHT"}), V{2});
  for (const char* name :
       {"lpush", "rpush", "lpushx", "rpushx", "linsert", "lset", "lmove", "rpoplpush"}) {
    EXPECT_TRUE(table.Find(name)->flags & kCmdDenyOom) << name;
  }
  for (const char* name : {"lrange", "lindex", "llen", "lpos"}) {
    EXPECT_TRUE(table.Find(name)->flags & kCmdReadOnly) << name;
    EXPECT_EQ(table.Find(name)->group, "list");
  }
}

// Thousands of random commands on a few keys (spread over shards) against std::deque models,
// with tiny nodes so every change crosses node boundaries.
class ListModelCommands : public ::testing::TestWithParam<std::tuple<uint32_t, int64_t>> {};

INSTANTIATE_TEST_SUITE_P(Lists, ListModelCommands,
                         ::testing::Combine(::testing::Values(1u, 4u),
                                            ::testing::Values(int64_t{3}, int64_t{-1})));

TEST_P(ListModelCommands, MatchesADeque) {
  auto [shards, fill] = GetParam();
  CommandRunner r(shards);
  r.engine().config().list_max_listpack_size = fill;
  std::mt19937 rng(static_cast<uint32_t>(shards * 131 + static_cast<uint32_t>(fill + 7)));
  const std::vector<std::string> keys = {"a", "b", "c{x}", "d:1"};
  std::map<std::string, std::deque<std::string>> model;
  auto rnd = [&](size_t n) { return static_cast<int64_t>(rng() % n); };
  auto value = [&] {
    // Mostly short values; some long ones so byte-bounded nodes (fill -1) split too.
    std::string v = "v" + std::to_string(rnd(20));
    if (rnd(8) == 0) v += std::string(static_cast<size_t>(rnd(1500)), 'x');
    return v;
  };
  auto range = [](const std::deque<std::string>& d, size_t first, size_t last) {
    return std::vector<std::string>(d.begin() + static_cast<long>(first),
                                    d.begin() + static_cast<long>(last) + 1);
  };
  for (int step = 0; step < 4000; ++step) {
    const std::string& key = keys[static_cast<size_t>(rnd(keys.size()))];
    const std::string& other = keys[static_cast<size_t>(rnd(keys.size()))];
    auto& list = model[key];
    int64_t n = static_cast<int64_t>(list.size());
    int64_t i = rnd(static_cast<size_t>(n + 4)) - 2;  // sometimes out of range
    std::string v = value();
    SCOPED_TRACE("step " + std::to_string(step));
    switch (rnd(12)) {
      case 0: {
        std::string v2 = value();
        ASSERT_EQ(r.Run({"lpush", key, v, v2}), Int(n + 2));
        list.push_front(v);
        list.push_front(v2);
        break;
      }
      case 1:
        ASSERT_EQ(r.Run({"rpush", key, v}), Int(n + 1));
        list.push_back(v);
        break;
      case 2: {
        int64_t count = rnd(4);
        std::vector<std::string> popped;
        for (int64_t k = 0; k < count && !list.empty(); ++k) {
          popped.push_back(list.front());
          list.pop_front();
        }
        ASSERT_EQ(r.Run({"lpop", key, std::to_string(count)}), n == 0 ? kNilArray : Array(popped));
        break;
      }
      case 3:
        ASSERT_EQ(r.Run({"rpop", key}), n == 0 ? kNil : Bulk(list.back()));
        if (n) list.pop_back();
        break;
      case 4: {
        size_t at;
        bool ok = i >= -n && i < n;
        at = static_cast<size_t>(i < 0 ? i + n : i);
        ASSERT_EQ(r.Run({"lindex", key, std::to_string(i)}), ok ? Bulk(list[at]) : kNil);
        if (ok && rnd(2)) {
          ASSERT_EQ(r.Run({"lset", key, std::to_string(i), v}), kOk);
          list[at] = v;
        }
        break;
      }
      case 5: {
        if (n == 0) break;
        std::string pivot = list[static_cast<size_t>(rnd(static_cast<size_t>(n)))];
        bool after = rnd(2);
        auto it = std::find(list.begin(), list.end(), pivot);
        list.insert(after ? it + 1 : it, v);
        ASSERT_EQ(r.Run({"linsert", key, after ? "after" : "before", pivot, v}), Int(n + 1));
        break;
      }
      case 6: {
        if (n == 0) break;
        std::string target = list[static_cast<size_t>(rnd(static_cast<size_t>(n)))];
        int64_t count = rnd(5) - 2;
        size_t removed = 0;
        size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(std::abs(count));
        if (count >= 0) {
          for (auto it = list.begin(); it != list.end() && removed < limit;) {
            if (*it == target) {
              it = list.erase(it);
              ++removed;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t k = list.size(); k-- > 0 && removed < limit;) {
            if (list[k] == target) {
              list.erase(list.begin() + static_cast<long>(k));
              ++removed;
            }
          }
        }
        ASSERT_EQ(r.Run({"lrem", key, std::to_string(count), target}),
                  Int(static_cast<int64_t>(removed)));
        break;
      }
      case 7: {
        if (rnd(4) != 0) break;  // trims shrink lists fast: keep them rare
        int64_t start = rnd(static_cast<size_t>(n + 2)) - 1, stop = start + rnd(40);
        ASSERT_EQ(r.Run({"ltrim", key, std::to_string(start), std::to_string(stop)}), kOk);
        int64_t s = start < 0 ? std::max<int64_t>(start + n, 0) : start;
        int64_t e = stop < 0 ? stop + n : std::min(stop, n - 1);
        list = s > e || s >= n ? std::deque<std::string>{}
                               : std::deque<std::string>(list.begin() + s, list.begin() + e + 1);
        break;
      }
      case 8: {
        std::string src_value;
        if (n == 0) {
          ASSERT_EQ(r.Run({"lmove", key, other, "LEFT", "RIGHT"}), kNil);
          break;
        }
        src_value = list.front();
        list.pop_front();
        model[other].push_back(src_value);
        ASSERT_EQ(r.Run({"lmove", key, other, "LEFT", "RIGHT"}), Bulk(src_value));
        break;
      }
      case 9: {
        if (n == 0) break;
        std::string target = list[static_cast<size_t>(rnd(static_cast<size_t>(n)))];
        std::vector<int64_t> hits;
        for (size_t k = 0; k < list.size(); ++k) {
          if (list[k] == target) hits.push_back(static_cast<int64_t>(k));
        }
        std::string expected = "*" + std::to_string(hits.size()) + "\r\n";
        for (int64_t h : hits) expected += Int(h);
        ASSERT_EQ(r.Run({"lpos", key, target, "COUNT", "0"}), expected);
        ASSERT_EQ(r.Run({"lpos", key, target, "RANK", "-1"}), Int(hits.back()));
        break;
      }
      case 10: {
        if (n == 0) break;
        size_t first = static_cast<size_t>(rnd(static_cast<size_t>(n)));
        size_t last = std::min<size_t>(first + static_cast<size_t>(rnd(30)), list.size() - 1);
        ASSERT_EQ(r.Run({"lrange", key, std::to_string(first), std::to_string(last)}),
                  Array(range(list, first, last)));
        break;
      }
      default:
        ASSERT_EQ(r.Run({"llen", key}), Int(n));
    }
    for (const std::string& k : {key, other}) {
      ASSERT_EQ(r.Run({"exists", k}), Int(model[k].empty() ? 0 : 1)) << k;
    }
  }
  for (const std::string& key : keys) {
    const auto& list = model[key];
    EXPECT_EQ(r.Run({"lrange", key, "0", "-1"}), Array(list)) << key;
  }
}

}  // namespace
}  // namespace ember
