// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. A script runs on the thread the session routed
// it to, holding the shards of its declared KEYS (inline on the home shard when they all live
// there), or every shard when it is known to touch other keys (scripting/script_routing.h).
#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/clock.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "scripting/function_library.h"
#include "scripting/function_registry.h"
#include "scripting/lua_interpreter.h"
#include "scripting/script_busy.h"
#include "scripting/script_routing.h"
#include "scripting/script_run.h"
#include "scripting/script_store.h"
#include "scripting/sha1.h"

namespace ember {
namespace {

void RunScript(CommandContext& ctx, bool by_sha, bool read_only) {
  auto numkeys = ParseInt64(ctx.args[2]);
  if (!numkeys) return ctx.reply.Error(err::kNotInteger);
  if (*numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  if (*numkeys > static_cast<int64_t>(ctx.args.size() - 3)) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  LuaInterpreter& lua = LuaInterpreter::ForThisThread();
  std::string error;
  const CompiledScript* script = nullptr;
  if (by_sha) {
    script = lua.Find(ctx.args[1], &error);
  } else {
    script = lua.Load(Sha1Hex(ctx.args[1]), ctx.args[1], &error);
  }
  if (script == nullptr) return ctx.reply.Error(error);
  auto keys = ctx.args.subspan(3, static_cast<size_t>(*numkeys));
  auto argv = ctx.args.subspan(3 + static_cast<size_t>(*numkeys));
  RunScriptCommand(ctx, *script, keys, argv, read_only);
}

void Eval(CommandContext& ctx) {
  RunScript(ctx, false, false);
}
void EvalSha(CommandContext& ctx) {
  RunScript(ctx, true, false);
}
void EvalRo(CommandContext& ctx) {
  RunScript(ctx, false, true);
}
void EvalShaRo(CommandContext& ctx) {
  RunScript(ctx, true, true);
}

void ScriptLoad(CommandContext& ctx) {
  std::string error;
  std::string sha = Sha1Hex(ctx.args[2]);
  LuaInterpreter& lua = LuaInterpreter::ForThisThread();
  if (!ScriptStore::Instance().Contains(sha) && !lua.Check(ctx.args[2], &error)) {
    return ctx.reply.Error(error);
  }
  ScriptStore::Instance().Add(sha, ctx.args[2]);
  ctx.reply.Bulk(sha);
}

void ScriptExists(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (std::string_view sha : ctx.args.subspan(2)) {
    ctx.reply.Integer(ScriptStore::Instance().Contains(sha) ? 1 : 0);
  }
}

void ScriptFlush(CommandContext& ctx) {
  if (ctx.args.size() > 3 || (ctx.args.size() == 3 && !EqualsIgnoreCase(ctx.args[2], "sync") &&
                              !EqualsIgnoreCase(ctx.args[2], "async"))) {
    return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  // Every interpreter starts afresh before its next script (ASYNC and SYNC alike: the old
  // states go when their threads next run a script).
  ScriptStore::Instance().Flush();
  ctx.reply.Ok();
}

void ScriptKill(CommandContext& ctx) {
  switch (script_busy::Kill(script_busy::KillKind::kScript)) {
    case script_busy::KillResult::kWrongKind:
      return ctx.reply.Error(script_busy::kBusyFunctionError);
    case script_busy::KillResult::kNotBusy:
      return ctx.reply.Error("NOTBUSY No scripts in execution right now.");
    case script_busy::KillResult::kUnkillable:
      return ctx.reply.Error(script_busy::kUnkillableError);
    case script_busy::KillResult::kKilled:
      return ctx.reply.Ok();
  }
}

void ScriptHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SimpleString(line);
}

void Script(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand '" + std::string(ctx.args[1]) + "'. Try SCRIPT HELP.");
}

void ScriptDebug(CommandContext& ctx) {
  ctx.reply.Error("ERR SCRIPT DEBUG is not supported by ember");
}

}  // namespace

bool ScriptRunsOnAllShards(std::span<const std::string_view> args) {
  std::string_view name = args[0];
  std::shared_ptr<StoredScript> stored;
  if (name[0] == 'f' || name[0] == 'F') {  // fcall[_ro]
    const FunctionSet& set = FunctionRegistry::Instance().ForThisThread();
    auto it = set.functions.find(FunctionKey(args[1]));
    if (it == set.functions.end()) return false;  // "Function not found", wherever it runs
    stored = it->second.routing;
  } else {
    bool by_sha = name.size() >= 7 && (name[4] == 's' || name[4] == 'S');  // evalsha[_ro]
    stored = ScriptStore::Instance().Find(by_sha ? args[1] : std::string_view(Sha1Hex(args[1])));
  }
  // A script not seen yet runs with every shard held once, to learn which keys it touches.
  return stored == nullptr || !stored->learned.load(std::memory_order_relaxed) ||
         stored->undeclared_keys.load(std::memory_order_relaxed);
}

void RegisterScriptingCommands(CommandTable& t) {
  CommandGroup g(t, "scripting", kAclScripting);
  constexpr uint32_t kEvalFlags =
      kCmdNoScript | kCmdStale | kCmdMovableKeys | kCmdSkipMonitor | kCmdNoMandatoryKeys;
  const struct {
    const char* name;
    CommandHandler handler;
    const char* since;
    const char* summary;
    bool read_only;
  } evals[] = {
      {"eval", Eval, "2.6.0", "Executes a server-side Lua script.", false},
      {"evalsha", EvalSha, "2.6.0", "Executes a server-side Lua script by SHA1 digest.", false},
      {"eval_ro", EvalRo, "7.0.0", "Executes a read-only server-side Lua script.", true},
      {"evalsha_ro", EvalShaRo, "7.0.0",
       "Executes a read-only server-side Lua script by SHA1 digest.", true},
  };
  for (const auto& e : evals) {
    g.Add(Command(e.name, e.handler)
              .Arity(-3)
              .Flags(kEvalFlags | (e.read_only ? uint32_t{kCmdReadOnly} : 0u))
              .KeyCount(2, e.read_only ? uint32_t{kKeyRO | kKeyAccess}
                                       : uint32_t{kKeyRW | kKeyAccess | kKeyUpdate})
              .Exec(ExecKind::kScript)
              .Acl(kAclSlow)
              .Since(e.since)
              .Summary(e.summary));
  }
  // The container is only @slow in Redis; its subcommands are @scripting.
  t.Add(Command("script", Script)
            .Arity(-2)
            .Acl(kAclSlow)
            .Exec(ExecKind::kLocal)
            .Since("2.6.0")
            .Summary("A container for Lua scripts management commands.")
            .Subcommand(Command("load", ScriptLoad)
                            .Arity(3)
                            .Flags(kCmdNoScript | kCmdStale)
                            .Acl(kAclScripting)
                            .Since("2.6.0")
                            .Summary("Loads a server-side Lua script to the script cache."))
            .Subcommand(Command("exists", ScriptExists)
                            .Arity(-3)
                            .Flags(kCmdNoScript)
                            .Acl(kAclScripting)
                            .Since("2.6.0")
                            .Summary("Determines whether server-side Lua scripts exist in the "
                                     "script cache."))
            .Subcommand(Command("flush", ScriptFlush)
                            .Arity(-2)
                            .Flags(kCmdNoScript)
                            .Acl(kAclScripting)
                            .Since("2.6.0")
                            .Summary("Removes all server-side Lua scripts from the script cache."))
            .Subcommand(Command("kill", ScriptKill)
                            .Arity(2)
                            .Flags(kCmdNoScript | kCmdAllowBusy)
                            .Acl(kAclScripting)
                            .Since("2.6.0")
                            .Summary("Terminates a server-side Lua script during execution."))
            .Subcommand(Command("debug", ScriptDebug)
                            .Arity(3)
                            .Flags(kCmdNoScript)
                            .Acl(kAclScripting)
                            .Since("3.2.0")
                            .Summary("Sets the debug mode of server-side Lua scripts."))
            .Subcommand(Command("help", ScriptHelp)
                            .Arity(2)
                            .Flags(kCmdLoading | kCmdStale)
                            .Acl(kAclScripting)
                            .Since("5.0.0")
                            .Summary("Returns helpful text about the different subcommands.")),
        "scripting");
}

}  // namespace ember
