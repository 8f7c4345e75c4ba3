#pragma once
// Drives commands in-process through the real command table: Run({"set", "k", "v"}) returns
// the raw RESP reply, so a behaviour test is one line.
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "engine/engine.h"
#include "engine/execute.h"

namespace ember::testing {

class CommandRunner {
 public:
  explicit CommandRunner(uint32_t shards = 1) : engine_(MakeConfig(shards)) {
    client_.id = engine_.clients().NextId();
  }

  std::string Run(std::initializer_list<std::string_view> args) {
    return Run(std::vector<std::string_view>(args));
  }
  std::string Run(const std::vector<std::string_view>& args) {
    std::string out;
    ReplyBuilder reply(&out, client_.resp);
    ExecuteDirect(engine_, args, client_, reply, now_ms_ != 0 ? now_ms_ : WallClockMs());
    return out;
  }
  std::string Run(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return Run(views);
  }

  // n keys "<prefix><i>", on pairwise different shards when there are at least n shards.
  std::vector<std::string> SpreadKeys(std::string_view prefix, size_t n) {
    std::vector<std::string> keys;
    std::set<uint32_t> used;
    for (int i = 0; keys.size() < n; ++i) {
      std::string key = std::string(prefix) + std::to_string(i);
      uint32_t shard = engine_.ShardOfKey(key);
      if (used.size() < engine_.num_shards() && used.count(shard)) continue;
      used.insert(shard);
      keys.push_back(key);
    }
    return keys;
  }

  // Freezes the clock at ms (0 returns to the wall clock), for expiry tests.
  void SetTime(int64_t ms) { now_ms_ = ms; }
  Engine& engine() { return engine_; }
  ClientState& client() { return client_; }

 private:
  static ServerConfig MakeConfig(uint32_t shards) {
    ServerConfig config;
    config.shards = shards;
    return config;
  }

  Engine engine_;
  ClientState client_;
  int64_t now_ms_ = 0;
};

}  // namespace ember::testing
