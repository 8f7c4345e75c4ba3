#include "scripting/script_run.h"

#include <algorithm>

namespace ember {
namespace {
thread_local ScriptRun* t_run = nullptr;
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

}  // namespace ember
