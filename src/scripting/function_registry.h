#pragma once
// The function libraries every thread shares (FUNCTION LOAD on one connection, FCALL from any):
// an immutable set swapped whole under a mutex on every change, with a generation each thread
// compares against its own copy (one relaxed load per FCALL while nothing changes). Each
// thread's interpreter runs the libraries' code again when the generation moves
// (LuaInterpreter::FindFunction).
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

struct StoredScript;

struct FunctionInfo {
  std::string name;  // as registered
  std::string description;
  uint32_t flags = 0;  // ScriptFlag bits
};

struct FunctionLibrary {
  std::string name;
  std::string code;  // the whole source, metadata line included (FUNCTION LIST WITHCODE, DUMP)
  std::vector<FunctionInfo> functions;  // in registration order
};

struct FunctionEntry {
  std::shared_ptr<const FunctionLibrary> library;
  size_t index = 0;  // into library->functions
  // What routing learned about the function (script_routing.h); its sha is the function's name.
  std::shared_ptr<StoredScript> routing;
  const FunctionInfo& info() const { return library->functions[index]; }
};

struct FunctionSet {
  std::map<std::string, std::shared_ptr<const FunctionLibrary>> libraries;  // by name
  std::unordered_map<std::string, FunctionEntry> functions;                 // by FunctionKey
  size_t function_count() const { return functions.size(); }
};

// How libraries join the set: FUNCTION LOAD (kAppend, or kReplace with REPLACE) and FUNCTION
// RESTORE's policies.
enum class JoinPolicy { kAppend, kReplace, kFlush };

class FunctionRegistry {
 public:
  static FunctionRegistry& Instance();

  std::shared_ptr<const FunctionSet> Snapshot(uint64_t* generation = nullptr);
  // This thread's copy, refreshed when the generation moved.
  const FunctionSet& ForThisThread();
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  bool HasLibrary(std::string_view name);
  // Adds `libraries`, all or none. `load_wording`: FUNCTION LOAD's collision error ("Library
  // 'x' already exists"), else RESTORE's ("Library x already exists"). False with *error.
  bool Join(std::vector<FunctionLibrary> libraries, JoinPolicy policy, bool load_wording,
            std::string* error);
  bool Delete(std::string_view library);
  void Flush();

 private:
  void Publish(std::shared_ptr<FunctionSet> set);  // under mutex_

  std::mutex mutex_;
  std::shared_ptr<const FunctionSet> set_ = std::make_shared<FunctionSet>();
  std::atomic<uint64_t> generation_{1};
};

}  // namespace ember
