#pragma once
// Scripts running past busy-reply-threshold: other threads answer -BUSY until they end, and
// SCRIPT KILL / SHUTDOWN NOSAVE stop them. Costs one relaxed load per command while none is.
#include <atomic>
#include <string_view>

namespace ember {

struct ScriptRun;

namespace script_busy {

inline std::atomic<int> g_busy_scripts{0};
// Whether any script is past the threshold now (Session::Admit asks for every command).
inline bool Any() {
  return g_busy_scripts.load(std::memory_order_relaxed) > 0;
}

void Enter(ScriptRun* run);  // the run crossed the threshold (its own thread)
void Leave(ScriptRun* run);  // it ended
enum class KillResult { kKilled, kNotBusy, kUnkillable };
// SCRIPT KILL: stops the busy scripts that have not written. force (SHUTDOWN NOSAVE): all.
KillResult Kill(bool force);
// The run's thread, from its hook: a kill was asked for it.
bool KillRequested(const ScriptRun* run);

inline constexpr std::string_view kBusyError =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

}  // namespace script_busy
}  // namespace ember
