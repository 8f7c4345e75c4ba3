#include "scripting/lua_interpreter.h"

#include <cstdlib>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "common/clock.h"
#include "engine/engine.h"
#include "protocol/reply_builder.h"
#include "scripting/lua_values.h"
#include "scripting/script_busy.h"
#include "scripting/script_libraries.h"
#include "scripting/script_run.h"
#include "scripting/script_store.h"

namespace ember {
namespace {

constexpr const char* kChunkName = "@user_script";
// The hook checks the time (Redis: every 100k instructions) and the memory limit; often enough
// that a script growing tables cannot pass the limit by much before it is stopped.
constexpr int kHookInstructions = 10000;
// The real globals table, which scripts see only through a read-only proxy.
constexpr const char* kRealGlobalsKey = kLuaRealGlobalsKey;

constexpr const char* kProxiesKey = "ember.proxies";  // proxy -> the table it protects

// Leaves the table a proxy protects at `index` in its place (other values stay).
void Unproxy(lua_State* L, int index) {
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_replace(L, index);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

bool IsProxy(lua_State* L, int index) {
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  bool proxy = lua_istable(L, -1);
  lua_pop(L, 2);
  return proxy;
}

// rawget / rawset that see through the proxies: reads as the table, writes refused.
int RawGet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  Unproxy(L, 1);
  lua_rawget(L, 1);
  return 1;
}

int RawSet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  if (IsProxy(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_rawset(L, 1);
  return 1;
}

// Replaces the table on top with a proxy that reads through to it and refuses writes.
void MakeReadonlyProxy(lua_State* L) {
  int real = lua_gettop(L);
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, LuaReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, real);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_replace(L, real);
}

ScriptRun* Run(lua_State*) {
  return CurrentScriptRun();
}

thread_local LuaInterpreter* t_interpreter = nullptr;
// Frees this thread's interpreter when the thread ends (its compiled scripts and functions with
// it).
struct InterpreterOwner {
  ~InterpreterOwner() {
    delete t_interpreter;
    t_interpreter = nullptr;
  }
};
thread_local InterpreterOwner t_owner;

void StopHook(lua_State* L, lua_Debug*);

// Raises again from every instruction once a script was stopped: a pcall in the script
// cannot swallow the stop.
void RaiseStop(lua_State* L, ScriptRun* run) {
  lua_sethook(L, StopHook, LUA_MASKCOUNT, 1);
  lua_pushstring(L, run->rerun_on_all_shards ? "ERR script must run again with every shard held"
                    : run->out_of_memory
                        ? "ERR Lua script ran out of memory (the script memory limit is 256 MB)"
                        : "ERR Script killed by user with SCRIPT KILL...");
  lua_error(L);
}

void StopHook(lua_State* L, lua_Debug*) {
  ScriptRun* run = Run(L);
  if (run != nullptr) RaiseStop(L, run);
}

void TimeHook(lua_State* L, lua_Debug*) {
  ScriptRun* run = Run(L);
  if (run == nullptr) return;
  if (run->rerun_on_all_shards || run->killed || run->out_of_memory) return RaiseStop(L, run);
  if (t_interpreter != nullptr && t_interpreter->used_memory() > kScriptMemoryLimit) {
    run->out_of_memory = true;
    return RaiseStop(L, run);
  }
  int64_t threshold = run->ctx->engine.config().busy_reply_threshold;
  if (!run->busy && threshold > 0 && WallClockMs() - run->start_ms >= threshold) {
    run->busy = true;
    script_busy::Enter(run);
  }
  if (run->busy && (script_busy::KillRequested(run) || run->ctx->engine.shutdown_requested())) {
    run->killed = true;
    RaiseStop(L, run);
  }
}

// The message handler of a script's pcall: the error as Redis 7 answers it, with where it
// happened ("... script: <sha>, on @user_script:<line>.").
int ErrorHandler(lua_State* L) {
  ScriptRun* run = Run(L);
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "err");
    if (lua_isstring(L, -1)) {
      lua_replace(L, 1);
    } else {
      lua_pop(L, 1);
      lua_pushstring(L, "ERR unknown error");
      lua_replace(L, 1);
    }
  } else if (IsRaisedCallError(L, 1)) {
    // as it is
  } else {
    const char* text = lua_tostring(L, 1);
    lua_pushfstring(L, "ERR %s", text != nullptr ? text : "unknown error");
    lua_replace(L, 1);
  }
  lua_Debug ar;
  bool where = false;
  for (int level = 1; level <= 3 && lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (std::strcmp(ar.what, "C") != 0) {
      where = true;
      break;
    }
  }
  const char* sha = run != nullptr && run->sha != nullptr ? run->sha->c_str() : "?";
  if (where) {
    lua_pushfstring(L, "%s script: %s, on %s:%d.", lua_tostring(L, 1), sha, ar.source,
                    ar.currentline);
  } else {
    lua_pushfstring(L, "%s script: %s", lua_tostring(L, 1), sha);
  }
  return 1;
}

struct RunFrame {
  const CompiledScript* script;
  ScriptRun* run;
  std::span<const std::string_view> keys, argv;
  ReplyBuilder* reply;
  int status = 0;
};

void PushArray(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

void SetArray(lua_State* L, int globals, const char* name,
              std::span<const std::string_view> items) {
  PushArray(L, items);
  lua_pushstring(L, name);
  lua_insert(L, -2);
  lua_rawset(L, globals);
}

// Everything that allocates in Lua happens in here, under lua_cpcall: running out of memory
// anywhere (KEYS, the script, converting its result) is an error, never a panic.
int ProtectedRun(lua_State* L) {
  auto* frame = static_cast<RunFrame*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  lua_pushcfunction(L, ErrorHandler);
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobalsKey);
  int nargs = 0;
  if (frame->script->function) {
    // A function gets its keys and arguments as parameters; the globals stay as they are.
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, frame->script->ref);
    PushArray(L, frame->keys);
    PushArray(L, frame->argv);
    nargs = 2;
  } else {
    SetArray(L, 2, "KEYS", frame->keys);
    SetArray(L, 2, "ARGV", frame->argv);
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, frame->script->ref);
  }
  lua_sethook(L, TimeHook, LUA_MASKCOUNT, kHookInstructions);
  frame->status = lua_pcall(L, nargs, 1, 1);
  lua_sethook(L, nullptr, 0, 0);
  if (frame->run->rerun_on_all_shards) return 0;
  if (frame->status == 0) {
    // Into a buffer first: running out of memory half way must not leave half a reply.
    thread_local std::string converted;
    converted.clear();
    ReplyBuilder builder(&converted, frame->reply->resp3() ? 3 : 2);
    WriteLuaValue(L, -1, builder, frame->run->resp);
    if (!converted.empty() && converted[0] == '-') {
      frame->reply->Error(std::string_view(converted).substr(1, converted.size() - 3));
    } else {
      frame->reply->output()->append(converted);
    }
  } else if (frame->status == LUA_ERRMEM) {
    frame->reply->Error("ERR Lua script ran out of memory (the script memory limit is 256 MB)");
  } else {
    size_t len = 0;
    const char* text = lua_tolstring(L, -1, &len);
    std::string_view message = text != nullptr ? std::string_view(text, len) : "ERR unknown error";
    if (message.starts_with('-')) message.remove_prefix(1);
    frame->reply->Error(message);
  }
  return 0;
}

}  // namespace

bool ParseShebang(std::string_view body, uint32_t* flags, std::string* code, std::string* error) {
  *flags = 0;
  if (!body.starts_with("#!")) {
    code->assign(body);
    return true;
  }
  size_t eol = body.find('\n');
  if (eol == std::string_view::npos) {
    *error = "ERR Invalid script shebang";
    return false;
  }
  std::string_view line = body.substr(0, eol);
  size_t space = line.find(' ');
  std::string_view engine = line.substr(0, space);
  if (engine != "#!lua") {
    *error = "ERR Unexpected engine in script shebang: " + std::string(engine);
    return false;
  }
  std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
  while (!rest.empty()) {
    size_t next = rest.find(' ');
    std::string_view option = rest.substr(0, next);
    rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
    if (option.empty()) continue;
    if (!option.starts_with("flags=")) {
      *error = "ERR Unknown lua shebang option: " + std::string(option);
      return false;
    }
    std::string_view list = option.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view flag = list.substr(0, comma);
      list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
      if (flag == "no-writes") {
        *flags |= kScriptNoWrites;
      } else if (flag == "allow-oom") {
        *flags |= kScriptAllowOom;
      } else if (flag == "allow-stale") {
        *flags |= kScriptAllowStale;
      } else if (flag == "no-cluster") {
        *flags |= kScriptNoCluster;
      } else if (flag == "allow-cross-slot-keys") {
        *flags |= kScriptAllowCrossSlot;
      } else {
        *error = "ERR Unexpected flag in script shebang: " + std::string(flag);
        return false;
      }
    }
  }
  // The shebang line stays as an empty line: errors name the lines the user wrote.
  code->assign(body.substr(eol));
  return true;
}

void* LuaInterpreter::Allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* self = static_cast<LuaInterpreter*>(ud);
  if (new_size == 0) {
    std::free(ptr);
    self->used_ -= old_size;
    return nullptr;
  }
  // Past the limit the hook stops the script at its next check, where the VM is in a clean
  // state (a failed allocation inside Lua 5.1's table code is not always survivable). Only a
  // growth far past it (one huge string) fails here, and Lua raises "not enough memory".
  if (new_size > old_size && self->used_ + (new_size - old_size) > 2 * kScriptMemoryLimit) {
    return nullptr;
  }
  void* block = std::realloc(ptr, new_size);
  if (block != nullptr) self->used_ = self->used_ - old_size + new_size;
  return block;
}

LuaInterpreter::LuaInterpreter() {
  L_ = lua_newstate(Allocate, this);
  generation_ = ScriptStore::Instance().generation();
  SetUpSandbox();
}

LuaInterpreter::~LuaInterpreter() {
  if (L_ != nullptr) lua_close(L_);
}

LuaInterpreter& LuaInterpreter::ForThisThread() {
  uint64_t generation = ScriptStore::Instance().generation();
  if (t_interpreter != nullptr && t_interpreter->generation_ != generation) {
    delete t_interpreter;  // SCRIPT FLUSH: a fresh interpreter, as Redis
    t_interpreter = nullptr;
  }
  if (t_interpreter == nullptr) {
    (void)&t_owner;  // constructed now, so that it runs at this thread's exit
    t_interpreter = new LuaInterpreter();
  }
  return *t_interpreter;
}

void LuaInterpreter::SetUpSandbox() {
  lua_State* L = L_;
  // The libraries Redis 7 offers: base (less what touches files or environments), table,
  // string, math; no os, io, package or debug.
  const lua_CFunction libs[] = {luaopen_base, luaopen_table, luaopen_string, luaopen_math};
  for (lua_CFunction open : libs) {
    lua_pushcfunction(L, open);
    lua_call(L, 0, 0);
  }
  for (const char* name :
       {"print", "dofile", "loadfile", "getfenv", "setfenv", "module", "newproxy", "require"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushcfunction(L, RawGet);
  lua_setglobal(L, "rawget");
  lua_pushcfunction(L, RawSet);
  lua_setglobal(L, "rawset");
  OpenRedisRandom(L);
  OpenRedisError(L);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  OpenRedisLibrary(L);
  lua_pop(L, 1);
  OpenScriptLibraries(L);  // cjson, cmsgpack, bit, struct
  // Every library table becomes read-only, then the globals themselves.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int globals = lua_gettop(L);
  for (const char* name :
       {"string", "math", "table", "coroutine", "redis", "cjson", "cmsgpack", "bit", "struct"}) {
    lua_getfield(L, globals, name);
    if (lua_istable(L, -1)) {
      MakeReadonlyProxy(L);
      lua_setfield(L, globals, name);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_newtable(L);  // missing globals are an error, not nil
  lua_pushcfunction(L, LuaNonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, LuaReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, globals);
  lua_pushvalue(L, globals);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealGlobalsKey);
  lua_pushvalue(L, globals);
  MakeReadonlyProxy(L);
  lua_pushstring(L, "_G");
  lua_pushvalue(L, -2);
  lua_rawset(L, globals);
  lua_replace(L, LUA_GLOBALSINDEX);  // what scripts and loadstring see from now on
  lua_settop(L, 0);
}

const CompiledScript* LuaInterpreter::Compile(std::string_view sha, std::string_view body,
                                              std::shared_ptr<StoredScript> stored,
                                              std::string* error) {
  CompiledScript compiled;
  std::string code;
  if (!ParseShebang(body, &compiled.flags, &code, error)) return nullptr;
  compiled.shebang = body.starts_with("#!");
  if (luaL_loadbuffer(L_, code.data(), code.size(), kChunkName) != 0) {
    const char* text = lua_tostring(L_, -1);
    *error = "ERR Error compiling script (new function): ";
    *error += text != nullptr ? text : "out of memory";
    lua_pop(L_, 1);
    return nullptr;
  }
  if (stored == nullptr) stored = ScriptStore::Instance().Add(sha, body);
  compiled.ref = luaL_ref(L_, LUA_REGISTRYINDEX);
  compiled.stored = std::move(stored);
  auto [it, inserted] = compiled_.insert_or_assign(std::string(sha), std::move(compiled));
  return &it->second;
}

const CompiledScript* LuaInterpreter::Find(std::string_view sha, std::string* error) {
  if (auto it = compiled_.find(std::string(sha)); it != compiled_.end()) return &it->second;
  std::shared_ptr<StoredScript> stored = ScriptStore::Instance().Find(sha);
  if (stored == nullptr) {
    *error = "NOSCRIPT No matching script. Please use EVAL.";
    return nullptr;
  }
  return Compile(stored->sha, stored->body, stored, error);
}

const CompiledScript* LuaInterpreter::Load(std::string_view sha, std::string_view body,
                                           std::string* error) {
  if (auto it = compiled_.find(std::string(sha)); it != compiled_.end()) return &it->second;
  return Compile(sha, body, nullptr, error);
}

bool LuaInterpreter::Check(std::string_view body, std::string* error) {
  uint32_t flags = 0;
  std::string code;
  if (!ParseShebang(body, &flags, &code, error)) return false;
  if (luaL_loadbuffer(L_, code.data(), code.size(), kChunkName) != 0) {
    const char* text = lua_tostring(L_, -1);
    *error = "ERR Error compiling script (new function): ";
    *error += text != nullptr ? text : "out of memory";
    lua_pop(L_, 1);
    return false;
  }
  lua_pop(L_, 1);
  return true;
}

void LuaInterpreter::Run(const CompiledScript& script, ScriptRun& run,
                         std::span<const std::string_view> keys,
                         std::span<const std::string_view> argv, ReplyBuilder& reply) {
  RunFrame frame{&script, &run, keys, argv, &reply};
  ScriptRun* outer = CurrentScriptRun();
  SetCurrentScriptRun(&run);
  int status = lua_cpcall(L_, ProtectedRun, &frame);
  SetCurrentScriptRun(outer);
  if (run.busy) script_busy::Leave(&run);
  if (status != 0 && !run.rerun_on_all_shards) {
    reply.Error("ERR Lua script ran out of memory (the script memory limit is 256 MB)");
  }
  lua_settop(L_, 0);
  // A script that came near the limit leaves its garbage to the next one otherwise.
  if (used_ > kScriptMemoryLimit / 4) lua_gc(L_, LUA_GCCOLLECT, 0);
}

int LuaNonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  luaL_where(L, 1);
  lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'",
                  name != nullptr ? name : "?");
  lua_concat(L, 2);
  return lua_error(L);
}

int LuaReadonlyTable(lua_State* L) {
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
  return lua_error(L);
}

}  // namespace ember
