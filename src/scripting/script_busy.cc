#include "scripting/script_busy.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "common/clock.h"
#include "scripting/script_run.h"

namespace ember::script_busy {
namespace {

struct BusyEntry {
  ScriptRun* run;
  bool kill;
};

std::mutex& Mutex() {
  static std::mutex* mutex = new std::mutex();
  return *mutex;
}
std::vector<BusyEntry>& Entries() {
  static auto* entries = new std::vector<BusyEntry>();
  return *entries;
}

}  // namespace

void Enter(ScriptRun* run) {
  std::lock_guard lock(Mutex());
  Entries().push_back({run, false});
  g_busy_scripts.fetch_add(1, std::memory_order_relaxed);
}

void Leave(ScriptRun* run) {
  std::lock_guard lock(Mutex());
  auto& entries = Entries();
  auto it = std::find_if(entries.begin(), entries.end(),
                         [run](const BusyEntry& e) { return e.run == run; });
  if (it == entries.end()) return;
  entries.erase(it);
  g_busy_scripts.fetch_sub(1, std::memory_order_relaxed);
}

KillResult Kill(KillKind kind) {
  std::lock_guard lock(Mutex());
  auto& entries = Entries();
  if (entries.empty()) return KillResult::kNotBusy;
  bool any_unkillable = false;
  for (BusyEntry& e : entries) {
    if (kind != KillKind::kForce && e.run->function != (kind == KillKind::kFunction)) {
      return KillResult::kWrongKind;
    }
    // A busy run sets `wrote` before its first write and then asks KillRequested (under this
    // lock): either we see the write coming, or it sees the kill and never writes.
    if (kind != KillKind::kForce && e.run->wrote.load()) {
      any_unkillable = true;
      continue;
    }
    e.kill = true;
  }
  return any_unkillable ? KillResult::kUnkillable : KillResult::kKilled;
}

bool FindRunningFunction(RunningFunction* out) {
  std::lock_guard lock(Mutex());
  for (const BusyEntry& e : Entries()) {
    if (!e.run->function) continue;
    out->name = *e.run->sha;
    out->command.assign(e.run->ctx->args.begin(), e.run->ctx->args.end());
    out->duration_ms = WallClockMs() - e.run->start_ms;
    return true;
  }
  return false;
}

std::string_view BusyError() {
  std::lock_guard lock(Mutex());
  auto& entries = Entries();
  return !entries.empty() && entries.front().run->function ? kBusyFunctionError : kBusyError;
}

bool KillRequested(const ScriptRun* run) {
  std::lock_guard lock(Mutex());
  for (const BusyEntry& e : Entries()) {
    if (e.run == run) return e.kill;
  }
  return false;
}

}  // namespace ember::script_busy
