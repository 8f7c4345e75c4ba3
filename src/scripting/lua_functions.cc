// Function libraries inside a thread's interpreter: running a library's code where only
// redis.register_function, redis.log and the constants exist (as Redis 7.0's load
// environment), collecting what it registers, and compiling the shared registry's functions
// into this interpreter when it changed.
//
// Every library's code runs with one environment table whose __index looks up the load
// environment while a library loads and the real globals otherwise, so the callbacks and the
// local helpers they call see the whole redis API at run time (not KEYS and ARGV: a function
// has parameters instead).
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "common/clock.h"
#include "scripting/function_library.h"
#include "scripting/function_registry.h"
#include "scripting/lua_interpreter.h"
#include "scripting/script_store.h"

namespace ember {
namespace {

constexpr const char* kFunctionChunk = "@user_function";
constexpr const char* kFunctionEnvKey = "ember.function_env";
constexpr const char* kLoadEnvKey = "ember.load_env";
constexpr int64_t kLoadTimeoutMs = 500;  // Redis's limit on a library's load
constexpr int kLoadHookInstructions = 10000;

// The library being loaded on this thread; what register_function adds to.
struct LibraryLoad {
  std::vector<FunctionInfo>* functions;
  std::vector<int>* refs;
  int64_t start_ms;
  FunctionInfo pending;  // lives here, not on a C stack a lua_error would skip
};
thread_local LibraryLoad* t_load = nullptr;

int Raise(lua_State* L, const char* text) {
  lua_pushstring(L, text);
  return lua_error(L);
}

// __index of the libraries' environment.
int FunctionEnvIndex(lua_State* L) {
  const char* key = lua_tostring(L, 2);
  if (t_load == nullptr && key != nullptr &&
      (std::strcmp(key, "KEYS") == 0 || std::strcmp(key, "ARGV") == 0)) {
    return LuaNonexistentGlobal(L);
  }
  lua_getfield(L, LUA_REGISTRYINDEX, t_load != nullptr ? kLoadEnvKey : kLuaRealGlobalsKey);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  if (lua_isnil(L, -1)) return LuaNonexistentGlobal(L);
  return 1;
}

void PushStrictMetatable(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, LuaNonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, LuaReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
}

// Reads one registration (the positional or the table form) into *info, leaving the callback
// on the stack top; the error text otherwise. Only Lua stack work: nothing to unwind.
const char* ReadRegistration(lua_State* L, FunctionInfo* info) {
  int argc = lua_gettop(L);
  if (argc == 2) {
    if (!lua_isstring(L, 1)) return "first argument to redis.register_function must be a string";
    if (!lua_isfunction(L, 2)) {
      return "second argument to redis.register_function must be a function";
    }
    info->name = lua_tostring(L, 1);
    lua_pushvalue(L, 2);
    return nullptr;
  }
  if (argc != 1) return "wrong number of arguments to redis.register_function";
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  lua_pushnil(L);  // slot 2: the callback
  bool named = false;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      return "unknown argument given to redis.register_function";
    }
    const char* key = lua_tostring(L, -2);
    if (std::strcmp(key, "function_name") == 0) {
      if (!lua_isstring(L, -1)) {
        return "function_name argument given to redis.register_function must be a string";
      }
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      info->name.assign(s, len);
      named = true;
    } else if (std::strcmp(key, "description") == 0) {
      if (!lua_isstring(L, -1)) {
        return "description argument given to redis.register_function must be a string";
      }
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      info->description.assign(s, len);
    } else if (std::strcmp(key, "callback") == 0) {
      if (!lua_isfunction(L, -1)) {
        return "callback argument given to redis.register_function must be a function";
      }
      lua_pushvalue(L, -1);
      lua_replace(L, 2);
    } else if (std::strcmp(key, "flags") == 0) {
      if (!lua_istable(L, -1)) {
        return "flags argument to redis.register_function must be a table representing "
               "function flags";
      }
      int flags_table = lua_gettop(L);
      lua_pushnil(L);
      while (lua_next(L, flags_table) != 0) {
        auto flag =
            lua_type(L, -1) == LUA_TSTRING ? FunctionFlagByName(lua_tostring(L, -1)) : std::nullopt;
        if (!flag) return "unknown flag given";
        info->flags |= *flag;
        lua_pop(L, 1);
      }
    } else {
      return "unknown argument given to redis.register_function";
    }
    lua_pop(L, 1);
  }
  if (!named) return "redis.register_function must get a function name argument";
  if (lua_isnil(L, 2)) return "redis.register_function must get a callback argument";
  lua_pushvalue(L, 2);
  return nullptr;
}

int RegisterFunction(lua_State* L) {
  LibraryLoad* load = t_load;
  if (load == nullptr) {
    return Raise(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  load->pending.name.clear();
  load->pending.description.clear();
  load->pending.flags = 0;
  const char* error = ReadRegistration(L, &load->pending);
  if (error != nullptr) return Raise(L, error);
  if (!ValidFunctionName(load->pending.name)) return Raise(L, kInvalidNameError.data() + 4);
  for (const FunctionInfo& f : *load->functions) {
    if (f.name == load->pending.name) {  // case-sensitive here, as Redis
      error = "Function already exists in the library";
    }
  }
  if (error != nullptr) return Raise(L, error);
  load->refs->push_back(luaL_ref(L, LUA_REGISTRYINDEX));
  load->functions->push_back(load->pending);
  return 0;
}

void StopLoadHook(lua_State* L, lua_Debug*) {
  Raise(L, "FUNCTION LOAD timeout");
}

void LoadHook(lua_State* L, lua_Debug*) {
  if (t_load != nullptr && WallClockMs() - t_load->start_ms >= kLoadTimeoutMs) {
    lua_sethook(L, StopLoadHook, LUA_MASKCOUNT, 1);  // a pcall in the library cannot go on
    Raise(L, "FUNCTION LOAD timeout");
  }
}

// The text of a load error: Redis error tables as their text, Lua errors as they are.
int LoadErrorHandler(lua_State* L) {
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "err");
    if (!lua_isstring(L, -1)) lua_pushstring(L, "unknown error");
    return 1;
  }
  if (!lua_isstring(L, 1)) lua_pushstring(L, "unknown error");
  return 1;
}

// The load environment and the libraries' environment, made once per interpreter.
void EnsureEnvironments(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kFunctionEnvKey);
  bool made = lua_istable(L, -1);
  lua_pop(L, 1);
  if (made) return;
  lua_newtable(L);  // the load environment
  lua_newtable(L);  // its redis table
  lua_pushcfunction(L, RegisterFunction);
  lua_setfield(L, -2, "register_function");
  lua_getfield(L, LUA_REGISTRYINDEX, kLuaRealGlobalsKey);
  lua_getfield(L, -1, "redis");
  for (const char* name : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                           "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, name);
    lua_setfield(L, -4, name);
  }
  lua_pop(L, 2);
  PushStrictMetatable(L);
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "redis");
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadEnvKey);
  lua_newtable(L);  // the libraries' environment
  lua_newtable(L);
  lua_pushcfunction(L, FunctionEnvIndex);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, LuaReadonlyTable);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kFunctionEnvKey);
}

}  // namespace

bool LuaInterpreter::LoadLibrary(std::string_view code, std::vector<FunctionInfo>* functions,
                                 std::vector<int>* refs, std::string* error) {
  lua_State* L = L_;
  EnsureEnvironments(L);
  functions->clear();
  if (luaL_loadbuffer(L, code.data(), code.size(), kFunctionChunk) != 0) {
    const char* text = lua_tostring(L, -1);
    *error = "ERR Error compiling function: ";
    *error += text != nullptr ? text : "out of memory";
    lua_settop(L, 0);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kFunctionEnvKey);
  lua_setfenv(L, -2);
  lua_pushcfunction(L, LoadErrorHandler);
  lua_insert(L, -2);
  std::vector<int> kept;
  LibraryLoad load{functions, &kept, WallClockMs(), {}};
  t_load = &load;
  lua_sethook(L, LoadHook, LUA_MASKCOUNT, kLoadHookInstructions);
  int status = lua_pcall(L, 0, 0, -2);
  lua_sethook(L, nullptr, 0, 0);
  t_load = nullptr;
  bool ok = status == 0 && !functions->empty();
  if (status != 0) {
    const char* text = lua_tostring(L, -1);
    std::string_view message = text != nullptr ? text : "not enough memory";
    *error = "ERR Error registering functions: ";
    if (!message.starts_with("ERR ")) *error += "ERR ";
    *error += message;
  } else if (!ok) {
    *error = "ERR No functions registered";
  }
  lua_settop(L, 0);
  if (!ok || refs == nullptr) {
    for (int ref : kept) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    if (!ok) functions->clear();
  } else {
    *refs = std::move(kept);
  }
  return ok;
}

void LuaInterpreter::RefreshFunctions() {
  FunctionRegistry& registry = FunctionRegistry::Instance();
  uint64_t generation = 0;
  std::shared_ptr<const FunctionSet> set = registry.Snapshot(&generation);
  if (generation == functions_generation_) return;
  for (auto& [key, compiled] : functions_) luaL_unref(L_, LUA_REGISTRYINDEX, compiled.ref);
  functions_.clear();
  functions_generation_ = generation;
  for (const auto& [name, library] : set->libraries) {
    LibraryMetadata metadata;
    std::string error;
    std::vector<FunctionInfo> infos;
    std::vector<int> refs;
    if (!ParseLibraryMetadata(library->code, &metadata, &error) ||
        !LoadLibrary(metadata.code, &infos, &refs, &error)) {
      continue;  // it loaded where FUNCTION LOAD ran; nothing to run here
    }
    for (size_t i = 0; i < infos.size(); ++i) {
      std::string key = FunctionKey(infos[i].name);
      auto it = set->functions.find(key);
      if (it == set->functions.end() || it->second.library != library) {
        luaL_unref(L_, LUA_REGISTRYINDEX, refs[i]);
        continue;
      }
      CompiledScript compiled;
      compiled.ref = refs[i];
      compiled.flags = it->second.info().flags;
      compiled.function = true;
      compiled.stored = it->second.routing;
      functions_.emplace(std::move(key), std::move(compiled));  // "f" and "F": the first
    }
  }
}

const CompiledScript* LuaInterpreter::FindFunction(std::string_view name) {
  if (FunctionRegistry::Instance().generation() != functions_generation_) RefreshFunctions();
  auto it = functions_.find(FunctionKey(name));
  return it == functions_.end() ? nullptr : &it->second;
}

}  // namespace ember
