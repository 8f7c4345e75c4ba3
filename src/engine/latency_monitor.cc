#include "engine/latency_monitor.h"

#include <atomic>

#include "common/clock.h"

namespace ember {
namespace {

std::atomic<int64_t> g_threshold_ms{0};

}  // namespace

LatencyMonitor& LatencyMonitor::Instance() {
  static auto* monitor = new LatencyMonitor;  // outlives the threads that report to it
  return *monitor;
}

void LatencyMonitor::Add(std::string_view event, int64_t latency_ms, int64_t unix_time) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), History{}).first;
  History& h = it->second;
  if (latency_ms > h.max_ms) h.max_ms = latency_ms;
  if (h.count > 0) {
    LatencySample& last = h.ring[(h.next + kSamplesKept - 1) % kSamplesKept];
    if (last.unix_time == unix_time) {
      if (latency_ms > last.latency_ms) last.latency_ms = latency_ms;
      return;
    }
  }
  h.ring[h.next] = {unix_time, latency_ms};
  h.next = (h.next + 1) % kSamplesKept;
  if (h.count < kSamplesKept) ++h.count;
}

LatencyEvent LatencyMonitor::Unroll(const std::string& name, const History& history) {
  LatencyEvent event{name, {}, history.max_ms};
  event.samples.reserve(history.count);
  size_t first = (history.next + kSamplesKept - history.count) % kSamplesKept;
  for (size_t i = 0; i < history.count; ++i)
    event.samples.push_back(history.ring[(first + i) % kSamplesKept]);
  return event;
}

std::vector<LatencyEvent> LatencyMonitor::Events() const {
  std::lock_guard lock(mutex_);
  std::vector<LatencyEvent> events;
  for (const auto& [name, history] : events_) events.push_back(Unroll(name, history));
  return events;
}

LatencyEvent LatencyMonitor::Event(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = events_.find(name);
  if (it == events_.end()) return LatencyEvent{std::string(name), {}, 0};
  return Unroll(it->first, it->second);
}

size_t LatencyMonitor::Reset(std::span<const std::string_view> names) {
  std::lock_guard lock(mutex_);
  if (names.empty()) {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (std::string_view name : names) {
    auto it = events_.find(name);
    if (it == events_.end()) continue;
    events_.erase(it);
    ++n;
  }
  return n;
}

void SetLatencyMonitorThreshold(int64_t threshold_ms) {
  g_threshold_ms.store(threshold_ms, std::memory_order_relaxed);
}

bool LatencyMonitorEnabled() {
  return g_threshold_ms.load(std::memory_order_relaxed) > 0;
}

void ReportLatency(std::string_view event, int64_t latency_ms) {
  int64_t threshold = g_threshold_ms.load(std::memory_order_relaxed);
  if (threshold <= 0 || latency_ms < threshold) [[likely]]
    return;
  LatencyMonitor::Instance().Add(event, latency_ms, WallClockMs() / 1000);
}

}  // namespace ember
