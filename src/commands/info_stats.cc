#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>

#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "commands/info_sections.h"
#include "common/cycle_clock.h"
#include "common/error_stats.h"
#include "engine/command_stats.h"
#include "engine/engine.h"

namespace ember {
namespace {

std::string Seconds(const timeval& tv) {
  return fmt::format("{}.{:06}", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
}

// User and system seconds of one thread of this process, from /proc (clock-tick resolution);
// false when the thread has exited.
bool ThreadCpu(pid_t tid, double* user, double* sys) {
  std::FILE* f = std::fopen(fmt::format("/proc/self/task/{}/stat", tid).c_str(), "r");
  if (f == nullptr) return false;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the name may hold spaces; fields follow it
  unsigned long utime = 0, stime = 0;
  // After ")": state, then fields 4..13, then utime (14) and stime (15).
  if (p == nullptr || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                  &utime, &stime) != 2)
    return false;
  double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  *user += static_cast<double>(utime) / tick;
  *sys += static_cast<double>(stime) / tick;
  return true;
}

}  // namespace

void CpuSection(CommandContext&, std::string& out) {
  // Redis's main thread is the one running commands: in ember that is every shard's worker
  // thread (with --shards 1, exactly one), so _main_thread sums theirs. Read before the
  // process's figures, and never above them: the kernel splits user and system time per thread
  // and per process separately, so a thread's share can come out a tick over the whole.
  double user = 0, sys = 0;
  for (pid_t tid : CommandThreadIds()) ThreadCpu(tid, &user, &sys);
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto as_seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  user = std::min(user, as_seconds(self.ru_utime));
  sys = std::min(sys, as_seconds(self.ru_stime));
  out += "# CPU\r\n";
  out += "used_cpu_sys:" + Seconds(self.ru_stime) + "\r\n";
  out += "used_cpu_user:" + Seconds(self.ru_utime) + "\r\n";
  out += "used_cpu_sys_children:" + Seconds(children.ru_stime) + "\r\n";
  out += "used_cpu_user_children:" + Seconds(children.ru_utime) + "\r\n";
  out += fmt::format("used_cpu_sys_main_thread:{:.6f}\r\n", sys);
  out += fmt::format("used_cpu_user_main_thread:{:.6f}\r\n", user);
}

void CommandStatsSection(CommandContext&, std::string& out) {
  out += "# Commandstats\r\n";
  double per_us = TicksPerMicrosecond();
  for (const CommandStatsRow& row : SnapshotCommandStats()) {
    auto usec = static_cast<uint64_t>(static_cast<double>(row.ticks) / per_us);
    double per_call =
        row.calls > 0 ? static_cast<double>(usec) / static_cast<double>(row.calls) : 0;
    out += fmt::format(
        "cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},failed_calls={}\r\n",
        row.name, row.calls, usec, per_call, row.rejected, row.failed);
  }
}

void ErrorStatsSection(CommandContext&, std::string& out) {
  out += "# Errorstats\r\n";
  uint64_t total = 0;
  for (const ErrorCount& e : SnapshotErrorCounts(&total)) {
    out += fmt::format("errorstat_{}:count={}\r\n", e.prefix, e.count);
  }
}

void LatencyStatsSection(CommandContext& ctx, std::string& out) {
  out += "# Latencystats\r\n";
  double per_us = TicksPerMicrosecond();
  const std::vector<double>& percentiles = ctx.engine.config().latency_tracking_info_percentiles;
  for (const CommandStatsRow& row : SnapshotCommandStats()) {
    if (row.latency.empty() || row.calls == 0) continue;
    out += "latency_percentiles_usec_" + row.name + ":";
    for (size_t i = 0; i < percentiles.size(); ++i) {
      uint64_t ticks = LatencyBuckets::ValueAtPercentile(row.latency, percentiles[i]);
      out += fmt::format("{}p{:g}={:.3f}", i > 0 ? "," : "", percentiles[i],
                         static_cast<double>(ticks) / per_us);
    }
    out += "\r\n";
  }
}

uint64_t SuccessfulWrites() {
  uint64_t writes = 0;
  for (const CommandStatsRow& row : SnapshotCommandStats()) {
    const CommandSpec* spec = CommandTable::Instance().Find(row.name);  // "x|y": a container
    if (spec != nullptr && (spec->flags & kCmdWrite)) writes += row.calls - row.failed;
  }
  return writes;
}

uint64_t TotalErrorReplies() {
  uint64_t total = 0;
  SnapshotErrorCounts(&total);
  return total;
}

}  // namespace ember
