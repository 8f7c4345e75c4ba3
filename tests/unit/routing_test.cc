#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "command_runner.h"
#include "commands/command.h"
#include "engine/engine.h"
#include "engine/session.h"

namespace ember::testing {
namespace {

TEST(Routing, HashTagsKeepKeysTogether) {
  ServerConfig config;
  config.shards = 8;
  Engine engine(config);
  for (int i = 0; i < 100; ++i) {
    std::string a = "{user:" + std::to_string(i) + "}.name";
    std::string b = "{user:" + std::to_string(i) + "}.email";
    EXPECT_EQ(engine.ShardOfKey(a), engine.ShardOfKey(b));
  }
  // Plain keys spread over every shard.
  std::vector<int> hits(8);
  for (int i = 0; i < 1000; ++i) ++hits[engine.ShardOfKey("key:" + std::to_string(i))];
  for (int h : hits) EXPECT_GT(h, 50);
}

TEST(Routing, KeyPositionsFollowTheSpec) {
  auto& table = CommandTable::Instance();
  std::vector<size_t> pos;
  std::vector<std::string_view> mset = {"MSET", "a", "1", "b", "2"};
  CommandTable::KeyPositions(*table.Find("mset"), mset, &pos);
  EXPECT_EQ(pos, (std::vector<size_t>{1, 3}));
  std::vector<std::string_view> del = {"DEL", "a", "b", "c"};
  CommandTable::KeyPositions(*table.Find("del"), del, &pos);
  EXPECT_EQ(pos, (std::vector<size_t>{1, 2, 3}));
  std::vector<std::string_view> ping = {"PING"};
  CommandTable::KeyPositions(*table.Find("ping"), ping, &pos);
  EXPECT_TRUE(pos.empty());
}

TEST(Routing, CommandLookupIgnoresCaseAndChecksArity) {
  auto& table = CommandTable::Instance();
  EXPECT_EQ(table.Find("GeT"), table.Find("get"));
  std::string error;
  std::vector<std::string_view> bad = {"get"};
  EXPECT_EQ(table.Validate(bad, &error), nullptr);
  EXPECT_EQ(error, "ERR wrong number of arguments for 'get' command");
}

TEST(Routing, MultiKeyCommandsWorkAcrossShardsInProcess) {
  CommandRunner r(4);
  EXPECT_EQ(r.Run({"mset", "a", "1", "b", "2", "c", "3"}), "+OK\r\n");
  EXPECT_EQ(r.Run({"mget", "a", "b", "c", "d"}), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n");
  EXPECT_EQ(r.Run({"rename", "a", "zz"}), "+OK\r\n");
  EXPECT_EQ(r.Run({"exists", "a", "zz"}), ":1\r\n");
  EXPECT_EQ(r.Run({"dbsize"}), ":3\r\n");
  EXPECT_EQ(r.Run({"del", "b", "c", "zz"}), ":3\r\n");
}

// A session on a one-shard engine runs everything inline: a pipelined read gives every reply in
// order in one output buffer.
TEST(Session, PipelineRepliesInOrder) {
  ServerConfig config;
  config.shards = 1;
  Engine engine(config);
  ClientState client;
  std::string out;
  int resumed = 0;
  Session session(
      engine, 0, client, &out, [](void* p) { ++*static_cast<int*>(p); }, &resumed);
  std::string input =
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
      "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
      "PING\r\n"
      "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n"
      "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
      "*1\r\n$3\r\nFOO\r\n"
      "*2\r\n$3\r\nGET";  // incomplete: left for the next read
  size_t consumed = session.Process(input);
  EXPECT_EQ(out,
            "+OK\r\n$1\r\nv\r\n+PONG\r\n+OK\r\n$-1\r\n"
            "-ERR unknown command 'FOO', with args beginning with: \r\n");
  EXPECT_EQ(input.substr(consumed), "*2\r\n$3\r\nGET");
  EXPECT_FALSE(session.waiting());
  EXPECT_EQ(client.db, 1);
}

TEST(Session, ProtocolErrorRepliesThenCloses) {
  ServerConfig config;
  config.shards = 1;
  Engine engine(config);
  ClientState client;
  std::string out;
  Session session(
      engine, 0, client, &out, [](void*) {}, nullptr);
  session.Process("PING\r\n*x\r\nPING\r\n");
  EXPECT_EQ(out, "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
  EXPECT_TRUE(session.closing());
}

}  // namespace
}  // namespace ember::testing
