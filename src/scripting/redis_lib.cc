// The redis table scripts see: call, pcall, error_reply, status_reply, sha1hex, log, setresp,
// set_repl (accepted; ember journals a script's effects whatever it asks), the constants, and
// math.random on Redis's rand48 sequence.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "acl/acl_enforce.h"
#include "commands/command.h"
#include "engine/engine.h"
#include "engine/execute.h"
#include "scripting/lua_interpreter.h"
#include "scripting/lua_values.h"
#include "scripting/native_casts.h"
#include "scripting/script_busy.h"
#include "scripting/script_run.h"
#include "scripting/script_store.h"
#include "scripting/sha1.h"

namespace ember {
namespace {

thread_local std::string t_raised_error;  // the text of the last error redis.call raised

// Raises `text` as redis.call does: the error handler passes it through unchanged. Nothing
// with a destructor may be alive in the caller's frame (lua_error longjmps).
int RaiseCallError(lua_State* L, std::string_view text) {
  t_raised_error.assign(text);
  lua_pushlstring(L, text.data(), text.size());
  return lua_error(L);
}

int PushErrorTable(lua_State* L, std::string_view text) {
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, text.data(), text.size());
  lua_settable(L, -3);
  return 1;
}

// A plain error (the handler puts "ERR " in front), without a position, as Redis's C helpers.
int RaisePlain(lua_State* L, const char* text) {
  lua_pushstring(L, text);
  return lua_error(L);
}

bool HasHashTag(std::string_view key) {
  size_t open = key.find('{');
  if (open == std::string_view::npos) return false;
  size_t close = key.find('}', open + 1);
  return close != std::string_view::npos && close > open + 1;
}

bool Declared(const ScriptRun& run, std::string_view key) {
  for (std::string_view k : run.keys) {
    if (k == key) return true;
  }
  return false;
}

// A hash-tagged key that shares a declared key's shard is as good as declared (the tag keeps
// it there whatever its name).
bool OnDeclaredShard(const ScriptRun& run, Engine& engine, uint32_t shard) {
  for (std::string_view k : run.keys) {
    if (engine.ShardOfKey(k) == shard) return true;
  }
  return false;
}

enum class CallStatus { kReply, kError, kRerun, kKilled };

// Checks and runs one command for the script; the reply (or the error text) in `out`.
// C++ only, no Lua calls: the caller raises afterwards.
CallStatus RunForScript(ScriptRun& run, std::span<const std::string_view> argv, std::string* out) {
  CommandContext& ctx = *run.ctx;
  Engine& engine = ctx.engine;
  std::string error;
  const CommandSpec* spec = CommandTable::Instance().Validate(argv, &error);
  if (spec == nullptr) {
    *out = CommandTable::Instance().Find(argv[0]) == nullptr
               ? "ERR Unknown Redis command called from script"
               : "ERR Wrong number of args calling Redis command from script";
    return CallStatus::kError;
  }
  if (spec->flags & kCmdNoScript) {
    *out = "ERR This Redis command is not allowed from script";
    return CallStatus::kError;
  }
  if (acl::CheckResult denied;
      !acl::Permitted(engine, ctx.client, *spec, argv, "lua", ctx.now_ms, &denied)) {
    *out = denied.denial == acl::Denial::kKey
               ? "ERR The user executing the script can't access at least one of the keys "
                 "mentioned in the command arguments"
           : denied.denial == acl::Denial::kChannel
               ? "ERR The user executing the script can't publish to the channel mentioned in "
                 "the command"
               : "ERR The user executing the script can't run this command or subcommand";
    return CallStatus::kError;
  }
  if (spec->flags & kCmdWrite) {
    if (run.read_only) {
      *out = "ERR Write commands are not allowed from read-only scripts.";
      return CallStatus::kError;
    }
  }
  // The shards it touches must be ones this thread holds; and what it touches beyond its
  // KEYS decides how it is routed from now on.
  bool outside = false;
  if (engine.num_shards() > 1) {
    if (spec->exec == ExecKind::kAllShards) {
      run.script->undeclared_keys.store(true, std::memory_order_relaxed);
      outside = !run.all_shards;
    } else if (spec->exec == ExecKind::kKeyed) {
      thread_local std::vector<size_t> positions;
      CommandTable::KeyPositions(*spec, argv, &positions);
      for (size_t pos : positions) {
        std::string_view key = argv[pos];
        uint32_t shard = engine.ShardOfKey(key);
        if (!Declared(run, key) && !(HasHashTag(key) && OnDeclaredShard(run, engine, shard))) {
          run.script->undeclared_keys.store(true, std::memory_order_relaxed);
        }
        if (!run.Holds(shard)) outside = true;
      }
    }
  }
  if (outside) {
    if (!run.wrote.load(std::memory_order_relaxed) &&
        Database::thread_changes() == run.changes_at_start) {
      return CallStatus::kRerun;
    }
    *out =
        "ERR Script touched a key on a shard its KEYS do not cover after it had written; it runs "
        "with every shard held from now on";
    return CallStatus::kError;
  }
  if (spec->flags & kCmdWrite) {
    run.wrote.store(true);
    if (run.busy && script_busy::KillRequested(&run)) return CallStatus::kKilled;
  }
  out->clear();
  ReplyBuilder reply(out, run.resp);
  ExecuteCommand(engine, *spec, argv, ctx.client, reply, ctx.now_ms);
  return CallStatus::kReply;
}

int GenericCall(lua_State* L, bool raise) {
  ScriptRun* run = CurrentScriptRun();
  int argc = lua_gettop(L);
  if (run == nullptr) return RaisePlain(L, "redis.call is only available inside a script");
  if (argc == 0) {
    const char* text = "ERR Please specify at least one argument for this redis lib call";
    return raise ? RaiseCallError(L, text) : PushErrorTable(L, text);
  }
  // Arguments live in thread-local storage: a Lua error leaves nothing to destroy.
  thread_local std::vector<std::string> numbers;
  thread_local std::vector<std::string_view> argv;
  thread_local std::string result;
  numbers.resize(static_cast<size_t>(argc));
  argv.clear();
  for (int i = 1; i <= argc; ++i) {
    size_t len = 0;
    if (lua_type(L, i) == LUA_TNUMBER) {
      char digits[32];
      int n = std::snprintf(digits, sizeof(digits), "%.17g", lua_tonumber(L, i));
      numbers[static_cast<size_t>(i - 1)].assign(digits, static_cast<size_t>(n));
      argv.push_back(numbers[static_cast<size_t>(i - 1)]);
    } else if (lua_type(L, i) == LUA_TSTRING) {
      const char* s = lua_tolstring(L, i, &len);
      argv.emplace_back(s, len);
    } else {
      const char* text = "ERR Lua redis lib command arguments must be strings or integers";
      return raise ? RaiseCallError(L, text) : PushErrorTable(L, text);
    }
  }
  CallStatus status = RunForScript(*run, argv, &result);
  switch (status) {
    case CallStatus::kRerun:
      run->rerun_on_all_shards = true;
      return RaiseCallError(L, "ERR script must run again with every shard held");
    case CallStatus::kKilled:
      run->killed = true;
      return RaiseCallError(L, "ERR Script killed by user with SCRIPT KILL...");
    case CallStatus::kError:
      return raise ? RaiseCallError(L, result) : PushErrorTable(L, result);
    case CallStatus::kReply:
      break;
  }
  if (raise && !result.empty() && result[0] == '-') {
    size_t end = result.find("\r\n");
    return RaiseCallError(L, std::string_view(result).substr(1, end - 1));
  }
  if (PushReplyAsLua(L, result) == 0) lua_pushboolean(L, 0);
  return 1;
}

int Call(lua_State* L) {
  return GenericCall(L, true);
}
int PCall(lua_State* L) {
  return GenericCall(L, false);
}

int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return PushErrorTable(L, "ERR wrong number or type of arguments");
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string_view text(s, len);
  if (text.starts_with('-')) text.remove_prefix(1);
  return PushErrorTable(L, text);
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return PushErrorTable(L, "ERR wrong number or type of arguments");
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, 1);
  lua_settable(L, -3);
  return 1;
}

int Sha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaisePlain(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  char hex[41];
  {
    std::string digest = ember::Sha1Hex(std::string_view(s != nullptr ? s : "", len));
    digest.copy(hex, 40);
  }
  lua_pushlstring(L, hex, 40);
  return 1;
}

int Log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return RaisePlain(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return RaisePlain(L, "First argument must be a number (log level).");
  lua_Number level = lua_tonumber(L, 1);
  if (level < 0 || level > 3) return RaisePlain(L, "Invalid debug level.");
  if (level >= 2) {  // notice and warning reach the server log, as with Redis's default
    for (int i = 2; i <= argc; ++i) {
      const char* s = lua_tostring(L, i);
      std::fprintf(stderr, "%s%s", i == 2 ? "ember-server: [lua] " : " ", s != nullptr ? s : "");
    }
    std::fputc('\n', stderr);
  }
  return 0;
}

int SetResp(lua_State* L) {
  ScriptRun* run = CurrentScriptRun();
  if (lua_gettop(L) != 1) return RaisePlain(L, "redis.setresp() requires one argument.");
  int resp = NativeDoubleToInt32(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) return RaisePlain(L, "RESP version must be 2 or 3.");
  if (run != nullptr) run->resp = resp;
  return 0;
}

int SetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) return RaisePlain(L, "redis.set_repl() requires two arguments.");
  int flags = NativeDoubleToInt32(lua_tonumber(L, 1));
  if (flags < 0 || flags > 3) {
    return RaisePlain(
        L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;
}

int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int Debug(lua_State*) {
  return 0;
}  // the debugger's hook (SCRIPT DEBUG is not offered)

// Redis's rand48 (the generator every Redis starts from the same state): 48-bit LCG.
thread_local uint64_t t_rand48 = 0x1234ABCD330Eull;

int32_t Rand48() {
  t_rand48 = (0x5DEECE66Dull * t_rand48 + 0xB) & ((uint64_t{1} << 48) - 1);
  return static_cast<int32_t>(t_rand48 >> 17);
}

int MathRandom(lua_State* L) {
  constexpr int32_t kMax = 2147483647;
  lua_Number r = static_cast<lua_Number>(Rand48() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomSeed(lua_State* L) {
  auto seed = static_cast<uint32_t>(luaL_checkint(L, 1));
  t_rand48 = (uint64_t{seed} << 16) | 0x330E;
  return 0;
}

// error(): a Redis error table ({err=...}) is raised as its text, which the error handler and
// pcall see as they see a redis.call error (Redis 7: pcall(error, {err='x'}) gives 'x').
// Anything else goes to Lua's error, one level up for this wrapper's frame.
int ErrorFunction(lua_State* L) {
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "err");
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      t_raised_error.assign(s, len);
      return lua_error(L);
    }
    lua_pop(L, 1);
  }
  int level = lua_gettop(L) >= 2 ? static_cast<int>(luaL_checkinteger(L, 2)) : 1;
  lua_settop(L, 1);
  lua_pushinteger(L, level > 0 ? level + 1 : 0);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 0);
  return 0;
}

void SetNumber(lua_State* L, const char* name, lua_Number value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, name);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

}  // namespace

bool IsRaisedCallError(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TSTRING) return false;
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return std::string_view(s, len) == t_raised_error;
}

void OpenRedisLibrary(lua_State* L) {
  int globals = lua_gettop(L);
  lua_newtable(L);
  SetFunction(L, "call", Call);
  SetFunction(L, "pcall", PCall);
  SetFunction(L, "error_reply", ErrorReply);
  SetFunction(L, "status_reply", StatusReply);
  SetFunction(L, "sha1hex", Sha1Hex);
  SetFunction(L, "log", Log);
  SetFunction(L, "setresp", SetResp);
  SetFunction(L, "set_repl", SetRepl);
  SetFunction(L, "replicate_commands", ReplicateCommands);
  SetFunction(L, "debug", Debug);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  SetNumber(L, "REDIS_VERSION_NUM", 0x0007000f);
  lua_setfield(L, globals, "redis");
}

void OpenRedisError(lua_State* L) {
  lua_getglobal(L, "error");
  lua_pushcclosure(L, ErrorFunction, 1);
  lua_setglobal(L, "error");
}

void OpenRedisRandom(lua_State* L) {
  lua_getglobal(L, "math");
  SetFunction(L, "random", MathRandom);
  SetFunction(L, "randomseed", MathRandomSeed);
  lua_pop(L, 1);
}

}  // namespace ember
