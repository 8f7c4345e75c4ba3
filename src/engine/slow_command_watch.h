#pragma once
// The command path's check for slow commands, feeding SLOWLOG (slowlog-log-slower-than) and
// LATENCY's "command" / "fast-command" events (latency-monitor-threshold). The duration comes
// from the clock reads INFO commandstats already makes (engine/command_stats): while either
// threshold is on every call is timed, and a fast command costs one compare after that.
#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

namespace ember {

class Engine;
struct ClientState;
struct CommandSpec;
struct ServerConfig;

inline constexpr uint64_t kNoSlowCommandWatch = std::numeric_limits<uint64_t>::max();
// The lower of the two thresholds in CycleNow() ticks; kNoSlowCommandWatch when both are off.
inline std::atomic<uint64_t> g_slow_command_ticks{kNoSlowCommandWatch};

inline uint64_t SlowCommandTicks() {
  return g_slow_command_ticks.load(std::memory_order_relaxed);
}

// At start and after CONFIG SET: converts both thresholds into the one the command path reads.
void ApplySlowCommandThresholds(const ServerConfig& config);

// A command took `ticks` >= SlowCommandTicks(): logs it where its duration passes the
// threshold (after it ran, so CLIENT SETNAME's entry carries the new name, as Redis).
void RecordSlowCommand(Engine& engine, const CommandSpec& spec,
                       std::span<const std::string_view> args, const ClientState& client,
                       uint64_t ticks);

}  // namespace ember
