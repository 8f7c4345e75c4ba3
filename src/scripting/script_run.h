#pragma once
// The script running on this thread: what redis.call needs to run commands for it and to
// check them (read-only, the shards this thread holds, KEYS).
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"

namespace ember {

struct CompiledScript;
struct StoredScript;

struct ScriptRun {
  CommandContext* ctx = nullptr;  // the EVAL's
  StoredScript* script = nullptr;
  const std::string* sha = nullptr;
  bool read_only = false;  // EVAL_RO, EVALSHA_RO, FCALL_RO, or the no-writes flag
  bool function = false;   // FCALL: sha is the function's name
  int resp = 2;            // redis.setresp
  // The shards this thread may touch: every one when all_shards, else held (sorted).
  bool all_shards = false;
  std::vector<uint32_t> held;
  std::span<const std::string_view> keys;
  uint64_t changes_at_start = 0;   // Database::thread_changes() when the script began
  std::atomic<bool> wrote{false};  // a write command ran (SCRIPT KILL reads it from other threads)
  // It touched a key outside the held shards before writing: answer nothing, run it again
  // with every shard held.
  bool rerun_on_all_shards = false;
  bool killed = false;         // SCRIPT KILL / SHUTDOWN NOSAVE: every hook raises again
  bool out_of_memory = false;  // past kScriptMemoryLimit: likewise
  int64_t start_ms = 0;
  bool busy = false;  // past busy-reply-threshold, in the busy registry

  bool Holds(uint32_t shard) const;
};

// The run in progress on this thread (null between scripts).
ScriptRun* CurrentScriptRun();
void SetCurrentScriptRun(ScriptRun* run);

// Runs `script` for the command in ctx (EVAL*, FCALL*) with KEYS `keys`: on the shards the
// session's routing gave it, as one journaled unit; the result in ctx.reply.
void RunScriptCommand(CommandContext& ctx, const CompiledScript& script,
                      std::span<const std::string_view> keys,
                      std::span<const std::string_view> argv, bool read_only);

}  // namespace ember
