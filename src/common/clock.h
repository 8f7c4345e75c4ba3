#pragma once
// Wall-clock time in milliseconds. Each event-loop iteration caches "now" so a batch of
// commands sees one consistent time and does not pay a clock read per command.
#include <chrono>
#include <cstdint>

namespace ember {

inline int64_t WallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline int64_t WallClockUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

inline int64_t MonotonicUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace ember
