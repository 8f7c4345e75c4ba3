// HashValue against a std::map model across the listpack -> table conversion, and the hash
// commands' model test through the command table on 1 and 4 shards.
#include "types/hash_value.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "command_runner.h"
#include "server/config.h"

namespace ember {
namespace {

std::map<std::string, std::string> Contents(const HashValue& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) {
    out.emplace(f, v);
    return true;
  });
  return out;
}

TEST(HashValue, ConvertsAtTheThresholdsAndMatchesAModel) {
  ServerConfig config;
  config.hash_max_listpack_entries = 8;
  config.hash_max_listpack_value = 16;
  std::mt19937 rng(5);
  HashValue h;
  std::map<std::string, std::string> model;
  bool saw_listpack = false;
  for (int step = 0; step < 5000; ++step) {
    std::string field = "f" + std::to_string(rng() % 40);
    std::string value = rng() % 50 == 0 ? std::string(20, 'v') : std::to_string(rng() % 100);
    if (rng() % 3 == 0) {
      EXPECT_EQ(h.Erase(field), model.erase(field) == 1);
    } else {
      EXPECT_EQ(h.Set(field, value, config), !model.contains(field));
      model[field] = value;
    }
    if (std::string(h.EncodingName()) == "listpack") saw_listpack = true;
    ASSERT_EQ(h.size(), model.size());
    auto got = h.Get(field);
    ASSERT_EQ(got.has_value(), model.contains(field));
    if (got) {
      ASSERT_EQ(*got, model[field]);
    }
  }
  EXPECT_TRUE(saw_listpack);
  EXPECT_STREQ(h.EncodingName(), "hashtable");  // 40 fields > 8: converted, for good
  EXPECT_EQ(Contents(h), model);
  std::unique_ptr<Object> copy(h.Clone());
  EXPECT_EQ(Contents(*static_cast<HashValue*>(copy.get())), model);
}

TEST(HashValue, LongValueConvertsAtOnce) {
  ServerConfig config;
  HashValue h;
  h.Set("a", "1", config);
  EXPECT_STREQ(h.EncodingName(), "listpack");
  h.Set("b", std::string(65, 'x'), config);
  EXPECT_STREQ(h.EncodingName(), "hashtable");
  EXPECT_EQ(h.Get("a"), "1");
  EXPECT_EQ(h.Get("b"), std::string(65, 'x'));
}

TEST(HashCommands, RandomCommandsMatchAModelAcrossShards) {
  for (uint32_t shards : {1u, 4u}) {
    testing::CommandRunner r(shards);
    r.engine().config().hash_max_listpack_entries = 4;
    std::mt19937 rng(shards);
    std::map<std::string, std::map<std::string, std::string>> model;
    for (int step = 0; step < 3000; ++step) {
      std::string key = "h" + std::to_string(rng() % 3);
      std::string field = "f" + std::to_string(rng() % 10);
      auto& h = model[key];
      switch (rng() % 4) {
        case 0: {
          std::string v = std::to_string(rng() % 1000);
          bool fresh = !h.contains(field);
          h[field] = v;
          ASSERT_EQ(r.Run({"hset", key, field, v}), fresh ? ":1\r\n" : ":0\r\n");
          break;
        }
        case 1: {
          bool had = h.erase(field) == 1;
          ASSERT_EQ(r.Run({"hdel", key, field}), had ? ":1\r\n" : ":0\r\n");
          break;
        }
        case 2: {
          auto it = h.find(field);
          std::string want = it == h.end() ? "$-1\r\n"
                                           : "$" + std::to_string(it->second.size()) + "\r\n" +
                                                 it->second + "\r\n";
          ASSERT_EQ(r.Run({"hget", key, field}), want);
          break;
        }
        default:
          ASSERT_EQ(r.Run({"hlen", key}), ":" + std::to_string(h.size()) + "\r\n");
          ASSERT_EQ(r.Run({"exists", key}), h.empty() ? ":0\r\n" : ":1\r\n");
      }
    }
  }
}

}  // namespace
}  // namespace ember
