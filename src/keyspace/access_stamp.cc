#include "keyspace/access_stamp.h"

namespace ember {
namespace {

constexpr uint8_t kLfuInitial = 5;  // new keys get a head start so they are not evicted at once
constexpr int kLfuLogFactor = 10;   // higher: slower growth, more accesses to reach 255
constexpr int kLfuDecayMinutes = 1;

constexpr uint32_t kStampMask = (1u << 23) - 1;
constexpr uint32_t kMinuteMask = (1u << 15) - 1;
constexpr int64_t kLruUnitMs = 100;

uint32_t Minutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & kMinuteMask;
}
uint32_t LruUnits(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / kLruUnitMs) & kStampMask;
}

// A cheap per-thread generator: the increment probability only needs to be roughly right.
uint32_t NextRandom() {
  thread_local uint32_t state = 0x9e3779b9u;
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

uint32_t PackLfu(uint8_t counter, int64_t now_ms) {
  return (static_cast<uint32_t>(counter) << 15) | Minutes(now_ms);
}

}  // namespace

uint32_t NewAccessStamp(int64_t now_ms) {
  if (g_access_tracking.load(std::memory_order_relaxed) == AccessTracking::kLfu) {
    return PackLfu(kLfuInitial, now_ms);
  }
  return LruUnits(now_ms);
}

uint32_t TouchAccessStamp(uint32_t stamp, int64_t now_ms) {
  if (g_access_tracking.load(std::memory_order_relaxed) == AccessTracking::kLru) {
    return LruUnits(now_ms);
  }
  uint8_t counter = LfuCounter(stamp, now_ms);
  if (counter < 255) {
    // Grows logarithmically: each step is less likely the higher the counter already is.
    int base = counter > kLfuInitial ? counter - kLfuInitial : 0;
    double p = 1.0 / (base * kLfuLogFactor + 1);
    if (static_cast<double>(NextRandom()) / 4294967296.0 < p) ++counter;
  }
  return PackLfu(counter, now_ms);
}

uint32_t RestoredAccessStamp(uint32_t current, int64_t idle_s, int freq, int64_t now_ms) {
  if (g_access_tracking.load(std::memory_order_relaxed) == AccessTracking::kLfu) {
    return freq >= 0 ? PackLfu(static_cast<uint8_t>(freq > 255 ? 255 : freq), now_ms) : current;
  }
  if (idle_s < 0) return current;
  // Older than the stamp can tell (~9.7 days) reads as the oldest it can.
  int64_t max_idle_ms = static_cast<int64_t>(kStampMask) * kLruUnitMs;
  int64_t idle_ms = idle_s > max_idle_ms / 1000 ? max_idle_ms : idle_s * 1000;
  return (LruUnits(now_ms) - static_cast<uint32_t>(idle_ms / kLruUnitMs)) & kStampMask;
}

int64_t IdleMs(uint32_t stamp, int64_t now_ms) {
  return static_cast<int64_t>((LruUnits(now_ms) - stamp) & kStampMask) * kLruUnitMs;
}

uint8_t LfuCounter(uint32_t stamp, int64_t now_ms) {
  uint8_t counter = static_cast<uint8_t>(stamp >> 15);
  uint32_t elapsed = (Minutes(now_ms) - (stamp & kMinuteMask)) & kMinuteMask;
  uint32_t periods = elapsed / kLfuDecayMinutes;
  return periods >= counter ? 0 : static_cast<uint8_t>(counter - periods);
}

}  // namespace ember
