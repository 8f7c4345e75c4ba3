#pragma once
// Per-command counters for INFO commandstats and latencystats: calls, time, failed and
// rejected calls, and a latency histogram. Each thread counts in its own table, indexed by
// CommandSpec::id (subcommands such as "client|list" get ids of their own), with relaxed
// loads and stores only; INFO sums the tables on demand.
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"

namespace ember {

// A log-linear histogram of durations in CycleNow() ticks: exact below 16, then 16 buckets per
// power of two (about 6% wide). Durations past 2^45 ticks land in the last bucket.
struct LatencyBuckets {
  static constexpr int kSubBits = 4;
  static constexpr int kMaxExponent = 44;
  static constexpr size_t kCount =
      (kMaxExponent - kSubBits + 1) * (1u << kSubBits) + (1u << kSubBits);
  static size_t Index(uint64_t ticks);
  // The largest duration bucket `index` holds.
  static uint64_t UpperBound(size_t index);
  // The duration below which `percentile` (0-100) of `counts` lie: the upper bound of the
  // bucket holding that rank, as HdrHistogram reports it (Redis's latencystats).
  static uint64_t ValueAtPercentile(const std::vector<uint64_t>& counts, double percentile);
};

// Timing every command would cost two clock reads (about 20 ns, 3% of a pipelined GET), so a
// thread times each command's first 16 calls and then one call in 16; usec is the sampled time
// scaled to all calls, and the latency histogram holds the sampled calls.
// While SLOWLOG or LATENCY watch for slow commands (engine/slow_command_watch.h) every call is
// timed, and the same two clock reads serve them; the statistics still take only the sampled
// calls.
struct CommandCall {
  void* slot = nullptr;  // null: not counted (no id left)
  uint64_t start = 0;    // CycleNow() at the start; 0: not timed
  bool sampled = false;  // counted in usec and the latency histogram
};
CommandCall StartCommandCall(const CommandSpec& spec, std::span<const std::string_view> args);
// `failed`: the command replied with an error. Returns the call's duration in ticks, 0 when it
// was not timed.
uint64_t FinishCommandCall(const CommandCall& call, bool failed, bool track_latency);
// A command refused before it ran (wrong arity, NOAUTH, OOM). args[0] names it; unknown names
// are not counted (Redis has no entry for them either).
void RecordRejectedCall(std::span<const std::string_view> args);

struct CommandStatsRow {
  std::string name;  // "get", "client|list"
  uint64_t calls = 0;
  uint64_t ticks = 0;  // all calls' time, estimated from the timed ones
  uint64_t failed = 0;
  uint64_t rejected = 0;
  std::vector<uint64_t> latency;  // LatencyBuckets counts; empty when none were recorded
};
// Commands with any call, failure or rejection, in registration order (subcommands after).
std::vector<CommandStatsRow> SnapshotCommandStats();
// The threads that have run commands (ember's worker threads), for INFO's _main_thread CPU.
std::vector<pid_t> CommandThreadIds();
// CONFIG RESETSTAT. A count a thread is adding to at that instant may survive the reset.
void ResetCommandStats();

}  // namespace ember
