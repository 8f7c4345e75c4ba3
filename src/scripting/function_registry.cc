#include "scripting/function_registry.h"

#include <algorithm>

#include "scripting/function_library.h"
#include "scripting/script_store.h"

namespace ember {
namespace {

// The function index of `libraries`, keeping what routing learned about functions whose
// library stayed; false with the first function name two libraries share.
bool IndexFunctions(FunctionSet* set, const FunctionSet& old, std::string* clash) {
  set->functions.clear();
  for (const auto& [name, library] : set->libraries) {
    for (size_t i = 0; i < library->functions.size(); ++i) {
      std::string key = FunctionKey(library->functions[i].name);
      FunctionEntry entry{library, i, nullptr};
      if (auto it = old.functions.find(key);
          it != old.functions.end() && it->second.library == library) {
        entry.routing = it->second.routing;
      } else {
        entry.routing = std::make_shared<StoredScript>();
        entry.routing->sha = library->functions[i].name;
      }
      auto [it, added] = set->functions.emplace(std::move(key), std::move(entry));
      // Two libraries may not share a name in any case; one library may ("f" and "F").
      if (!added && it->second.library != library) {
        *clash = library->functions[i].name;
        return false;
      }
    }
  }
  return true;
}

}  // namespace

FunctionRegistry& FunctionRegistry::Instance() {
  static FunctionRegistry* registry = new FunctionRegistry();  // outlives every worker thread
  return *registry;
}

std::shared_ptr<const FunctionSet> FunctionRegistry::Snapshot(uint64_t* generation) {
  std::lock_guard lock(mutex_);
  if (generation != nullptr) *generation = generation_.load(std::memory_order_relaxed);
  return set_;
}

const FunctionSet& FunctionRegistry::ForThisThread() {
  thread_local std::shared_ptr<const FunctionSet> t_set;
  thread_local uint64_t t_generation = 0;
  if (t_generation != generation()) t_set = Snapshot(&t_generation);
  return *t_set;
}

bool FunctionRegistry::HasLibrary(std::string_view name) {
  std::lock_guard lock(mutex_);
  return set_->libraries.contains(std::string(name));
}

bool FunctionRegistry::Join(std::vector<FunctionLibrary> libraries, JoinPolicy policy,
                            bool load_wording, std::string* error) {
  std::lock_guard lock(mutex_);
  auto set = std::make_shared<FunctionSet>();
  if (policy != JoinPolicy::kFlush) set->libraries = set_->libraries;
  std::vector<std::string> added;
  for (FunctionLibrary& library : libraries) {
    bool twice = std::find(added.begin(), added.end(), library.name) != added.end();
    if (twice || (policy == JoinPolicy::kAppend && set->libraries.contains(library.name))) {
      *error = load_wording ? "ERR Library '" + library.name + "' already exists"
                            : "ERR Library " + library.name + " already exists";
      return false;
    }
    added.push_back(library.name);
    std::string name = library.name;
    set->libraries[name] = std::make_shared<const FunctionLibrary>(std::move(library));
  }
  std::string clash;
  if (!IndexFunctions(set.get(), *set_, &clash)) {
    *error = "ERR Function " + clash + " already exists";
    return false;
  }
  Publish(std::move(set));
  return true;
}

bool FunctionRegistry::Delete(std::string_view library) {
  std::lock_guard lock(mutex_);
  if (!set_->libraries.contains(std::string(library))) return false;
  auto set = std::make_shared<FunctionSet>();
  set->libraries = set_->libraries;
  set->libraries.erase(std::string(library));
  std::string clash;
  IndexFunctions(set.get(), *set_, &clash);
  Publish(std::move(set));
  return true;
}

void FunctionRegistry::Flush() {
  std::lock_guard lock(mutex_);
  Publish(std::make_shared<FunctionSet>());
}

void FunctionRegistry::Publish(std::shared_ptr<FunctionSet> set) {
  set_ = std::move(set);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace ember
