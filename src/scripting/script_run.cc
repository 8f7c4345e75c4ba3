#include "scripting/script_run.h"

#include <algorithm>

#include "common/clock.h"
#include "engine/engine.h"
#include "scripting/lua_interpreter.h"
#include "scripting/script_store.h"

namespace ember {
namespace {
thread_local ScriptRun* t_run = nullptr;

// The shards this run may touch: what the session's routing gave it.
void ChooseHeldShards(CommandContext& ctx, std::span<const std::string_view> keys, ScriptRun* run) {
  Engine& engine = ctx.engine;
  if (engine.num_shards() == 1 || (ctx.key_shard < 0 && ctx.client.script_all_shards)) {
    run->all_shards = true;
    return;
  }
  if (ctx.key_shard >= 0) {
    run->held.push_back(static_cast<uint32_t>(ctx.key_shard));
    return;
  }
  for (std::string_view key : keys) run->held.push_back(engine.ShardOfKey(key));
  std::sort(run->held.begin(), run->held.end());
  run->held.erase(std::unique(run->held.begin(), run->held.end()), run->held.end());
}
}  // namespace

ScriptRun* CurrentScriptRun() {
  return t_run;
}
void SetCurrentScriptRun(ScriptRun* run) {
  t_run = run;
}

bool ScriptRun::Holds(uint32_t shard) const {
  return all_shards || std::binary_search(held.begin(), held.end(), shard);
}

void RunScriptCommand(CommandContext& ctx, const CompiledScript& script,
                      std::span<const std::string_view> keys,
                      std::span<const std::string_view> argv, bool read_only) {
  ScriptRun run;
  run.ctx = &ctx;
  run.script = script.stored.get();
  run.sha = &script.stored->sha;
  run.read_only = read_only || (script.flags & kScriptNoWrites) != 0;
  run.function = script.function;
  run.keys = keys;
  ChooseHeldShards(ctx, keys, &run);
  run.changes_at_start = Database::thread_changes();
  run.start_ms = WallClockMs();
  ClientState& client = ctx.client;
  int caller_db = client.db;
  bool caller_in_exec = client.in_exec;
  client.in_exec = true;  // blocking commands answer at once, as inside EXEC
  {
    JournaledUnit unit(caller_db);  // the script's effects, all or nothing on recovery
    LuaInterpreter::ForThisThread().Run(script, run, keys, argv, ctx.reply);
  }
  if (run.all_shards && !run.rerun_on_all_shards) {
    script.stored->learned.store(true, std::memory_order_relaxed);
  }
  client.in_exec = caller_in_exec;
  client.db = caller_db;  // a SELECT in the script is the script's own
  // It reached for a shard it does not hold before writing anything: no reply; the session
  // runs it again with every shard held (inside EXEC it cannot: the next EXEC will).
  if (run.rerun_on_all_shards) {
    if (caller_in_exec) {
      return ctx.reply.Error(
          "ERR Script touched a key on a shard its KEYS do not cover; it runs with every shard "
          "held from now on");
    }
    client.script_retry_all_shards = true;
  }
}

}  // namespace ember
