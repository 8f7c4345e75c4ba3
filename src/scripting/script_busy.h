#pragma once
// Scripts running past busy-reply-threshold: other threads answer -BUSY until they end, and
// SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE stop them. Costs one relaxed load per command
// while none is.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
enum class KillResult { kKilled, kNotBusy, kUnkillable, kWrongKind };
// Who asks: SCRIPT KILL stops EVALs, FUNCTION KILL functions (each refuses the other kind, as
// Redis), SHUTDOWN NOSAVE (force) any, written or not.
enum class KillKind { kScript, kFunction, kForce };
// Stops the busy scripts of that kind that have not written.
KillResult Kill(KillKind kind);
// The run's thread, from its hook: a kill was asked for it.
bool KillRequested(const ScriptRun* run);

// FUNCTION STATS: the busy function (false when none is).
struct RunningFunction {
  std::string name;
  std::vector<std::string> command;
  int64_t duration_ms = 0;
};
bool FindRunningFunction(RunningFunction* out);

inline constexpr std::string_view kBusyError =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunctionError =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
// SCRIPT KILL / FUNCTION KILL of a script that has written.
inline constexpr std::string_view kUnkillableError =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
// The -BUSY other clients get: it names the KILL that fits the busy script.
std::string_view BusyError();

}  // namespace script_busy
}  // namespace ember
