#include "engine/slow_command_watch.h"

#include <algorithm>

#include "commands/command.h"
#include "common/clock.h"
#include "common/cycle_clock.h"
#include "engine/engine.h"
#include "engine/latency_monitor.h"
#include "engine/slow_log.h"

namespace ember {

void ApplySlowCommandThresholds(const ServerConfig& config) {
  SetLatencyMonitorThreshold(config.latency_monitor_threshold);
  double lowest_us = -1;
  if (config.slowlog_log_slower_than >= 0)
    lowest_us = static_cast<double>(config.slowlog_log_slower_than);
  if (config.latency_monitor_threshold > 0) {
    double latency_us = static_cast<double>(config.latency_monitor_threshold) * 1000.0;
    lowest_us = lowest_us < 0 ? latency_us : std::min(lowest_us, latency_us);
  }
  uint64_t ticks = kNoSlowCommandWatch;
  if (lowest_us >= 0) {
    double scaled = lowest_us * TicksPerMicrosecond();
    ticks = scaled >= 1.8e19 ? kNoSlowCommandWatch - 1 : static_cast<uint64_t>(scaled);
  }
  g_slow_command_ticks.store(ticks, std::memory_order_relaxed);
}

void RecordSlowCommand(Engine& engine, const CommandSpec& spec,
                       std::span<const std::string_view> args, const ClientState& client,
                       uint64_t ticks) {
  if (Database::loading()) return;  // the replay of a loaded file is no client's command
  auto duration_us = static_cast<int64_t>(static_cast<double>(ticks) / TicksPerMicrosecond());
  const ServerConfig& config = engine.config();
  int64_t now_sec = WallClockMs() / 1000;
  int64_t threshold_ms = config.latency_monitor_threshold;
  if (threshold_ms > 0 && duration_us / 1000 >= threshold_ms) {
    LatencyMonitor::Instance().Add((spec.flags & kCmdFast) ? "fast-command" : "command",
                                   duration_us / 1000, now_sec);
  }
  int64_t slower_than = config.slowlog_log_slower_than;
  if (slower_than < 0 || duration_us < slower_than || (spec.flags & kCmdSkipSlowlog)) return;
  // A command that parked the client is logged when a wake-up runs it again, as Redis logs a
  // blocked command once, when it is served (never when it times out).
  if (client.block_waiter) return;
  SlowLog::Instance().Push(args, now_sec, duration_us, client.addr, engine.clients().NameOf(client),
                           static_cast<size_t>(std::max<int64_t>(config.slowlog_max_len, 0)));
}

}  // namespace ember
