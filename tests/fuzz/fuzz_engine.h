#pragma once
// What the engine-driving fuzz targets share: one in-process engine with 2 shards (as a server
// with two worker threads would have, every command run on the calling thread, as the unit
// tests' CommandRunner does), commands parsed from redis-cli style lines, and the checks made
// after every command: no reply past the client's output limit, no sanitizer report.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/client_state.h"
#include "common/clock.h"
#include "engine/blocking.h"
#include "engine/engine.h"
#include "engine/execute.h"
#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"

namespace ember::fuzz {

// Small limits keep one input from taking the fuzzer's memory and time: a string may not pass
// 64 KiB and a reply stops being built past 256 KiB (the session would then close the client),
// above the largest reply of a fixed size (COMMAND: 74 KB) yet small enough that the commands
// streaming to the limit (SRANDMEMBER s -8429496729600) stop within milliseconds.
constexpr int64_t kMaxBulk = 64 << 10;
constexpr size_t kReplyLimit = 256 << 10;

// Commands that would stop the process, write files, or run for as long as the script says.
inline bool Refused(std::string_view name) {
  static constexpr std::string_view kRefused[] = {
      "shutdown", "debug",      "save",     "bgsave",  "bgrewriteaof", "eval",    "eval_ro",
      "evalsha",  "evalsha_ro", "script",   "monitor", "sync",         "psync",   "replicaof",
      "slaveof",  "failover",   "function", "fcall",   "fcall_ro",     "migrate", "wait"};
  for (std::string_view refused : kRefused) {
    if (name.size() != refused.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(name[i])) == refused[i];
    if (same) return true;
  }
  return false;
}

class FuzzEngine {
 public:
  FuzzEngine() : engine_(BaseConfig()) { client_.id = engine_.clients().NextId(); }

  static ServerConfig BaseConfig() {
    ServerConfig config;
    config.shards = 2;
    config.proto_max_bulk_len = kMaxBulk;
    config.client_output_buffer_limit = kReplyLimit;
    return config;
  }

  // Runs one command as a client of a 2-shard server would; aborts when the reply passed the
  // limit by more than one element can (the builder stops at the first element past it).
  std::string_view Run(std::span<const std::string_view> args) {
    out_.clear();
    if (args.empty() || Refused(args[0])) return out_;
    return Execute(args);
  }

  // EVAL of a script the caller wrote (one that ends whatever its arguments).
  std::string_view RunScript(std::span<const std::string_view> args) {
    out_.clear();
    return Execute(args);
  }

  // Lines of redis-cli syntax (quotes, \xHH escapes), one command each.
  void RunLines(std::string_view text, size_t max_commands) {
    std::string storage;
    std::vector<std::pair<size_t, size_t>> spans;
    std::vector<std::string_view> args;
    size_t pos = 0;
    for (size_t n = 0; pos < text.size() && n < max_commands; ++n) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      storage.clear();
      spans.clear();
      if (!SplitInlineArgs(line, storage, spans)) continue;
      args.clear();
      for (auto [offset, length] : spans)
        args.push_back(std::string_view(storage).substr(offset, length));
      Run(args);
    }
  }

  // Back to an empty server with the base configuration, for the next input.
  void Reset() {
    std::string_view reset[] = {"reset"};  // MULTI, WATCH, subscriptions, tracking: all gone
    Run(reset);
    std::string_view flush[] = {"flushall"};
    Run(flush);
    engine_.config() = BaseConfig();
  }

  Engine& engine() { return engine_; }
  ClientState& client() { return client_; }

 private:
  std::string_view Execute(std::span<const std::string_view> args) {
    if (args.empty()) return out_;
    ReplyBuilder reply(&out_, client_.resp);
    reply.set_limit(kReplyLimit);
    ExecuteDirect(engine_, args, client_, reply, now_ms_);
    if (client_.block_waiter != nullptr) {  // parked: give up the wait, as a closed client
      WaiterState expected = WaiterState::kWaiting;
      client_.block_waiter->state.compare_exchange_strong(expected, WaiterState::kCancelled);
      client_.block_waiter->session = nullptr;
      client_.block_waiter.reset();
    }
    if (out_.size() > kReplyLimit + kMaxBulk + 4096) abort();
    return out_;
  }

  Engine engine_;
  ClientState client_;
  std::string out_;
  // A fixed clock: expiry decisions repeat from run to run.
  int64_t now_ms_ = 1700000000000;
};

// One engine for the whole process: building one per input would cost more than the input.
inline FuzzEngine& SharedEngine() {
  static FuzzEngine* engine = new FuzzEngine();
  return *engine;
}

}  // namespace ember::fuzz
