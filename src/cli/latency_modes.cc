// --latency, --latency-history and --latency-dist: PING every 10 ms and report round trips in
// milliseconds (with microsecond precision, where redis-cli rounds to whole milliseconds).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "cli/operator_tools.h"

namespace ember::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Window {
  double min = 0, max = 0, sum = 0;
  long long count = 0;
  void Add(double ms) {
    if (count == 0 || ms < min) min = ms;
    if (count == 0 || ms > max) max = ms;
    sum += ms;
    ++count;
  }
  double avg() const { return count ? sum / static_cast<double>(count) : 0; }
};

// The latency spectrum's buckets: upper bounds in ms.
constexpr double kBuckets[] = {0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128};
constexpr size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]) + 1;

void PrintSpectrum(const std::vector<long long>& counts, long long total, double seconds) {
  std::printf("--- %.2f seconds, %lld samples ---\n", seconds, total);
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts[i] == 0) continue;
    double pct = 100.0 * static_cast<double>(counts[i]) / static_cast<double>(total);
    char label[32];
    if (i + 1 < kBucketCount)
      std::snprintf(label, sizeof(label), "<= %g ms", kBuckets[i]);
    else
      std::snprintf(label, sizeof(label), "> %g ms", kBuckets[kBucketCount - 2]);
    int bar = static_cast<int>(pct / 2 + 0.5);
    std::printf("%-12s %6.2f%% %s\n", label, pct, std::string(std::max(bar, 1), '#').c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int RunLatency(Session& session, ToolMode mode) {
  if (!session.Connect()) return 1;
  InstallInterruptHandler();
  bool tty = session.options().output == OutputMode::kStandard && isatty(STDOUT_FILENO);
  double default_interval = mode == ToolMode::kLatencyHistory ? 15 : 1;
  double interval = session.options().interval > 0 ? session.options().interval : default_interval;
  Window total, window;
  std::vector<long long> counts(kBucketCount, 0);
  auto window_start = Clock::now();
  while (!g_interrupted) {
    auto start = Clock::now();
    Reply reply;
    if (!session.Call({"PING"}, reply)) {
      if (g_interrupted) break;
      std::fprintf(stderr, "\nI/O error: %s\n", session.last_error().c_str());
      return 1;
    }
    auto end = Clock::now();
    double ms = std::chrono::duration<double, std::milli>(end - start).count();
    total.Add(ms);
    window.Add(ms);
    size_t bucket = 0;
    while (bucket + 1 < kBucketCount && ms > kBuckets[bucket]) ++bucket;
    counts[bucket]++;
    double elapsed = std::chrono::duration<double>(end - window_start).count();
    if (mode == ToolMode::kLatency) {
      if (tty) {
        std::printf("\x1b[0G\x1b[2Kmin: %.2f, max: %.2f, avg: %.2f (%lld samples)", total.min,
                    total.max, total.avg(), total.count);
        std::fflush(stdout);
      } else if (elapsed >= interval) {
        // Not a terminal: one line of "min max avg samples", then exit (as redis-cli --raw).
        std::printf("%.2f %.2f %.2f %lld\n", total.min, total.max, total.avg(), total.count);
        return 0;
      }
    } else if (elapsed >= interval) {
      if (mode == ToolMode::kLatencyHistory) {
        std::printf("%smin: %.2f, max: %.2f, avg: %.2f (%lld samples) -- %.2f seconds range\n",
                    tty ? "\x1b[0G\x1b[2K" : "", window.min, window.max, window.avg(), window.count,
                    elapsed);
        std::fflush(stdout);
      } else {
        PrintSpectrum(counts, window.count, elapsed);
        std::fill(counts.begin(), counts.end(), 0);
      }
      window = Window{};
      window_start = end;
    } else if (tty && mode == ToolMode::kLatencyHistory) {
      std::printf("\x1b[0G\x1b[2Kmin: %.2f, max: %.2f, avg: %.2f (%lld samples)", window.min,
                  window.max, window.avg(), window.count);
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (tty) std::printf("\n");
  return 0;
}

}  // namespace ember::cli
