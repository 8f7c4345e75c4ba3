#pragma once
// LATENCY's samples: per event ("command", "fast-command", "aof-fsync-always" ...) the latest
// 160 spikes at or above latency-monitor-threshold, one per second (the worst of that second),
// and the worst ever. One monitor for the server behind a mutex: only spikes take it.
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct LatencySample {
  int64_t unix_time = 0;  // seconds
  int64_t latency_ms = 0;
};

struct LatencyEvent {
  std::string name;
  std::vector<LatencySample> samples;  // oldest first
  int64_t max_ms = 0;                  // the worst since the event's first sample or reset
};

class LatencyMonitor {
 public:
  static constexpr size_t kSamplesKept = 160;

  static LatencyMonitor& Instance();

  // Records a spike; a second sample in the same second keeps the worse of the two.
  void Add(std::string_view event, int64_t latency_ms, int64_t unix_time);
  std::vector<LatencyEvent> Events() const;  // by name
  // The event's samples, or none.
  LatencyEvent Event(std::string_view name) const;
  // Forgets the named events (all when `names` is empty); returns how many existed.
  size_t Reset(std::span<const std::string_view> names);

 private:
  struct History {
    LatencySample ring[kSamplesKept];
    size_t next = 0;   // where the next sample goes
    size_t count = 0;  // samples held, up to kSamplesKept
    int64_t max_ms = 0;
  };
  static LatencyEvent Unroll(const std::string& name, const History& history);

  mutable std::mutex mutex_;
  std::map<std::string, History, std::less<>> events_;
};

// The event a persistence step reports when it took at least latency-monitor-threshold ms
// (0: off): costs one relaxed load of the threshold when it is off.
void ReportLatency(std::string_view event, int64_t latency_ms);
void SetLatencyMonitorThreshold(int64_t threshold_ms);
bool LatencyMonitorEnabled();  // latency-monitor-threshold > 0: worth timing a step

}  // namespace ember
