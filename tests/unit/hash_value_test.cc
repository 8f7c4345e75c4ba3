// The packed small-hash encoding and HashValue tables against models, HashRef across the
// packed -> table conversion on a real Database, and the hash commands' model test through
// the command table on 1 and 4 shards.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "command_runner.h"
#include "keyspace/database.h"
#include "server/config.h"
#include "types/hash_ref.h"
#include "types/hash_value.h"
#include "types/packed_pairs.h"

namespace ember {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Contents(const PackedPairs& p) {
  Pairs out;
  p.ForEach([&](std::string_view f, std::string_view v) {
    out.emplace_back(f, v);
    return true;
  });
  return out;
}

TEST(PackedPairs, MatchesAnInsertionOrderedModel) {
  std::mt19937 rng(3);
  std::string packed;
  Pairs model;  // Redis's listpack order: new fields at the end, updates in place
  for (int step = 0; step < 4000; ++step) {
    std::string field = "f" + std::to_string(rng() % 30);
    std::string value(rng() % 140, static_cast<char>('a' + rng() % 26));  // 1- and 2-byte lengths
    auto it = std::find_if(model.begin(), model.end(), [&](auto& p) { return p.first == field; });
    if (rng() % 3 == 0) {
      ASSERT_EQ(PackedPairs::Erase(&packed, field), it != model.end());
      if (it != model.end()) model.erase(it);
    } else {
      ASSERT_EQ(PackedPairs::Set(&packed, field, value), it == model.end());
      if (it == model.end()) {
        model.emplace_back(field, value);
      } else {
        it->second = value;
      }
    }
    PackedPairs view(packed);
    ASSERT_EQ(view.size(), model.size());
    ASSERT_EQ(Contents(view), model);
    auto found = view.Find(field);
    auto want = std::find_if(model.begin(), model.end(), [&](auto& p) { return p.first == field; });
    ASSERT_EQ(found.has_value(), want != model.end());
    if (found) {
      ASSERT_EQ(*found, want->second);
    }
    for (size_t i = 0; i < model.size(); i += 7) {
      auto [f, v] = view.At(i);
      ASSERT_EQ(f, model[i].first);
      ASSERT_EQ(v, model[i].second);
    }
  }
  EXPECT_FALSE(PackedPairs(std::string_view()).Find("f1").has_value());
}

TEST(PackedPairs, CountWidensAndNarrows) {
  std::string packed;
  for (int i = 0; i < 300; ++i) PackedPairs::Set(&packed, "field" + std::to_string(i), "v");
  EXPECT_EQ(PackedPairs(packed).size(), 300u);
  EXPECT_EQ(PackedPairs(packed).Find("field299"), "v");
  for (int i = 0; i < 250; ++i)
    ASSERT_TRUE(PackedPairs::Erase(&packed, "field" + std::to_string(i)));
  EXPECT_EQ(PackedPairs(packed).size(), 50u);
  EXPECT_EQ(PackedPairs(packed).At(0).first, "field250");
  EXPECT_EQ(PackedPairs(packed).Find("field0"), std::nullopt);
}

class HashRefTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1'000'000;
  std::map<std::string, std::string> Contents(std::string_view key) {
    std::map<std::string, std::string> out;
    auto entry = db_.Find(key, kNow);
    HashRef h(db_, entry, key, config_);
    h.ForEach([&](std::string_view f, std::string_view v) {
      out.emplace(f, v);
      return true;
    });
    return out;
  }
  Record* RecordOf(std::string_view key) { return db_.Find(key, kNow).record; }

  KeyspaceStats stats_;
  Database db_{&stats_};
  ServerConfig config_;
};

TEST_F(HashRefTest, ConvertsAtTheThresholdsAndMatchesAModel) {
  config_.hash_max_listpack_entries = 8;
  config_.hash_max_listpack_value = 16;
  std::mt19937 rng(5);
  std::map<std::string, std::string> model;
  bool saw_packed = false;
  for (int step = 0; step < 5000; ++step) {
    std::string field = "f" + std::to_string(rng() % 40);
    std::string value = rng() % 50 == 0 ? std::string(20, 'v') : std::to_string(rng() % 100);
    auto entry = db_.Find("h", kNow);
    {
      HashRef h(db_, entry, "h", config_);
      if (rng() % 3 == 0) {
        EXPECT_EQ(h.Erase(field), model.erase(field) == 1);
      } else {
        EXPECT_EQ(h.Set(field, value), !model.contains(field));
        model[field] = value;
      }
      ASSERT_EQ(h.size(), model.size());
      auto got = h.Get(field);
      ASSERT_EQ(got.has_value(), model.contains(field));
      if (got) {
        ASSERT_EQ(*got, model[field]);
      }
    }
    Record* r = RecordOf("h");
    ASSERT_EQ(r != nullptr, !model.empty());  // an emptied hash is deleted
    if (r != nullptr && r->encoding() == Encoding::kPacked) saw_packed = true;
  }
  EXPECT_TRUE(saw_packed);
  ASSERT_NE(RecordOf("h"), nullptr);
  EXPECT_EQ(RecordOf("h")->encoding(), Encoding::kObject);  // 40 fields > 8: a table for good
  EXPECT_EQ(Contents("h"), model);
  std::unique_ptr<Object> copy(RecordOf("h")->object()->Clone());
  std::map<std::string, std::string> copied;
  static_cast<HashValue*>(copy.get())->ForEach([&](std::string_view f, std::string_view v) {
    copied.emplace(f, v);
    return true;
  });
  EXPECT_EQ(copied, model);
}

TEST_F(HashRefTest, SmallHashIsOneRecordOfItsPackedBytes) {
  auto entry = db_.Find("hash:1", kNow);
  {
    HashRef h(db_, entry, "hash:1", config_);
    for (int i = 0; i < 10; ++i) h.Set("f" + std::to_string(i), "value:" + std::to_string(i) + "x");
  }
  Record* r = RecordOf("hash:1");
  ASSERT_EQ(r->encoding(), Encoding::kPacked);
  // 4-byte header, key (1 + 6), value length (1), count (1) and 10 x (1 + 2 + 1 + 8) bytes.
  EXPECT_EQ(r->packed_value().size(), 121u);
  EXPECT_LE(r->AllocatedBytes(), 4u + 7 + 1 + 121 + 1);
}

TEST_F(HashRefTest, RewritesAndConversionKeepTheExpiry) {
  auto entry = db_.Find("h", kNow);
  { HashRef(db_, entry, "h", config_).Set("a", "1"); }
  entry = db_.Find("h", kNow);
  db_.Put(entry, CloneWithExpire(entry.record, kNow + 5000));
  { HashRef(db_, entry, "h", config_).Set("b", "2"); }
  EXPECT_EQ(RecordOf("h")->encoding(), Encoding::kPacked);
  EXPECT_EQ(RecordOf("h")->expire_ms(), kNow + 5000);
  entry = db_.Find("h", kNow);
  { HashRef(db_, entry, "h", config_).Set("c", std::string(65, 'x')); }  // past the value limit
  EXPECT_EQ(RecordOf("h")->encoding(), Encoding::kObject);
  EXPECT_EQ(RecordOf("h")->expire_ms(), kNow + 5000);
  EXPECT_EQ(Contents("h"), (std::map<std::string, std::string>{
                               {"a", "1"}, {"b", "2"}, {"c", std::string(65, 'x')}}));
}

TEST_F(HashRefTest, ErasingTheLastFieldDeletesTheKey) {
  auto entry = db_.Find("h", kNow);
  { HashRef(db_, entry, "h", config_).Set("a", "1"); }
  entry = db_.Find("h", kNow);
  {
    HashRef h(db_, entry, "h", config_);
    EXPECT_FALSE(h.Erase("zz"));
    EXPECT_TRUE(h.Erase("a"));
    EXPECT_TRUE(h.empty());
  }
  EXPECT_EQ(RecordOf("h"), nullptr);
  EXPECT_EQ(db_.size(), 0u);
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
