// The prefetcher only issues cache hints, so what can go wrong is reading past the input or
// misjudging where commands start: these inputs exercise that under the sanitizers.
#include "engine/key_prefetcher.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/engine.h"
#include "keyspace/database.h"

namespace ember {
namespace {

std::string Command(const std::string& name, const std::string& key) {
  return "*2\r\n$" + std::to_string(name.size()) + "\r\n" + name + "\r\n$" +
         std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

TEST(KeyPrefetcher, WalksAPipelineOfCommandsInOrder) {
  KeyspaceStats stats;
  Database db(&stats);
  for (int i = 0; i < 1000; ++i) {
    db.Insert(Record::NewString("key:" + std::to_string(i), "v", 0));
  }
  std::string input;
  std::vector<size_t> starts;
  for (int i = 0; i < 40; ++i) {
    starts.push_back(input.size());
    input += Command("GET", "key:" + std::to_string(i * 7));
  }
  // With one shard every key is local; with four, most are skipped as another shard's.
  for (uint32_t shards : {1u, 4u}) {
    ServerConfig config;
    config.shards = shards;
    Engine engine(config);
    KeyPrefetcher prefetcher;
    prefetcher.Reset(input, engine, 0);
    for (size_t start : starts) prefetcher.Advance(start, db);
  }
  EXPECT_EQ(db.size(), 1000u);  // hints never change the table
}

TEST(KeyPrefetcher, StopsAtPartialInlineOrMalformedCommands) {
  KeyspaceStats stats;
  Database db(&stats);
  db.Insert(Record::NewString("a", "v", 0));
  Engine engine(ServerConfig{});
  const std::string full = Command("GET", "a");
  for (const std::string& tail :
       {std::string("*2\r\n$3\r\nGET\r\n$5\r\nab"), std::string("PING\r\n"),
        std::string("*2\r\n$99999999999\r\n"), std::string("*1\r\n$4\r\nPING\r\n"),
        std::string("*2\r\n$3\r\nGET\r\n$1\r\na"), std::string("*x\r\n"), std::string("*")}) {
    std::string input = full + full + tail;
    KeyPrefetcher prefetcher;
    prefetcher.Reset(input, engine, 0);
    prefetcher.Advance(0, db);
    prefetcher.Advance(full.size(), db);
    prefetcher.Advance(2 * full.size(), db);
  }
  KeyPrefetcher empty;
  empty.Reset("", engine, 0);
  empty.Advance(0, db);
  SUCCEED();
}

}  // namespace
}  // namespace ember
