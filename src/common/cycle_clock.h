#pragma once
// A cheap per-command stopwatch: the CPU's time-stamp counter on x86-64 (a few ns to read,
// constant rate on every CPU ember targets), steady_clock nanoseconds elsewhere. Ticks are
// only compared and summed; TicksPerMicrosecond() converts when INFO reports them.
#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace ember {

inline uint64_t CycleNow() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count());
#endif
}

// Measured against steady_clock since the process started (more exact the longer it runs);
// the first call waits up to 10 ms for a usable measurement.
double TicksPerMicrosecond();

}  // namespace ember
