#pragma once
// One Lua 5.1 interpreter per thread: the sandbox (Redis 7's globals and libraries, read-only),
// the redis.* API, a counting allocator that fails past kScriptMemoryLimit, a count hook that
// watches the time, and this thread's compiled scripts by SHA-1.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct lua_State;

namespace ember {

class ReplyBuilder;
struct FunctionInfo;
struct ScriptRun;
struct StoredScript;

// A script's memory (its interpreter's): past this, allocations fail and the script gets an
// error, the server goes on.
inline constexpr size_t kScriptMemoryLimit = size_t{256} << 20;

// The registry key of the real globals table (scripts see it through a read-only proxy).
inline constexpr const char* kLuaRealGlobalsKey = "ember.globals";

// The script flags of a `#!lua flags=...` shebang.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlot = 1 << 4,
};

// Reads the shebang line of `body` (if any): its flags, and the code to compile (the shebang
// line blanked, so line numbers stay). False with *error as Redis words it.
bool ParseShebang(std::string_view body, uint32_t* flags, std::string* code, std::string* error);

struct CompiledScript {
  int ref = 0;  // the function, in the registry
  uint32_t flags = 0;
  bool shebang = false;
  bool function = false;  // a library's callback: called with (keys, args), no KEYS/ARGV
  std::shared_ptr<StoredScript> stored;
};

// The sandbox's metamethods, shared by the scripts' and the libraries' environments: reading a
// global that does not exist and writing to a read-only table raise Redis's errors.
int LuaNonexistentGlobal(lua_State* L);
int LuaReadonlyTable(lua_State* L);

class LuaInterpreter {
 public:
  // This thread's interpreter, started afresh after a SCRIPT FLUSH.
  static LuaInterpreter& ForThisThread();
  ~LuaInterpreter();

  // The compiled script for `sha`: this thread's, else compiled from the shared store; null
  // when unknown (NOSCRIPT).
  const CompiledScript* Find(std::string_view sha, std::string* error);
  // EVAL: compiles `body` (and stores it) unless this thread has it; null with *error.
  const CompiledScript* Load(std::string_view sha, std::string_view body, std::string* error);
  // Compiles without keeping (SCRIPT LOAD checks the syntax); false with *error.
  bool Check(std::string_view body, std::string* error);

  // Runs the script with KEYS and ARGV; the result (or error) goes to `reply`.
  void Run(const CompiledScript& script, ScriptRun& run, std::span<const std::string_view> keys,
           std::span<const std::string_view> argv, ReplyBuilder& reply);

  // FUNCTION LOAD: runs a library's code (its metadata line blanked) where only
  // redis.register_function, redis.log and the constants exist; the functions it registered
  // in *functions, their callbacks kept in the registry (refs in *refs) when refs is not null.
  // False with *error as Redis words it (scripting/lua_functions.cc).
  bool LoadLibrary(std::string_view code, std::vector<FunctionInfo>* functions,
                   std::vector<int>* refs, std::string* error);
  // FCALL: the function `name` (case-insensitive) of the shared registry, compiled in this
  // interpreter (every library again after the registry changed); null when there is none.
  const CompiledScript* FindFunction(std::string_view name);

  lua_State* state() const { return L_; }
  size_t used_memory() const { return used_; }

 private:
  LuaInterpreter();
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  void SetUpSandbox();
  const CompiledScript* Compile(std::string_view sha, std::string_view body,
                                std::shared_ptr<StoredScript> stored, std::string* error);

  lua_State* L_ = nullptr;
  size_t used_ = 0;
  void RefreshFunctions();

  uint64_t generation_ = 0;
  std::unordered_map<std::string, CompiledScript> compiled_;
  uint64_t functions_generation_ = 0;
  std::unordered_map<std::string, CompiledScript> functions_;  // by FunctionKey
};

// Opens the redis table (scripting/redis_lib.cc) into the globals on the stack top.
void OpenRedisLibrary(lua_State* L);
// math.random / math.randomseed on Redis's rand48 sequence, which every Redis starts at the
// same seed (scripting/redis_lib.cc).
void OpenRedisRandom(lua_State* L);
// error() raising Redis error tables as their text (scripting/redis_lib.cc).
void OpenRedisError(lua_State* L);
// The error a redis.call raised last on this thread: the error handler passes it through
// as it is, where other errors get "ERR " in front (as Redis 7).
bool IsRaisedCallError(lua_State* L, int index);

}  // namespace ember
