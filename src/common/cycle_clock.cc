#include "common/cycle_clock.h"

#include <thread>

namespace ember {
namespace {

int64_t SteadyNs() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

struct Anchor {
  uint64_t ticks = CycleNow();
  int64_t ns = SteadyNs();
};
const Anchor g_anchor;  // taken at start-up, before any command runs

}  // namespace

double TicksPerMicrosecond() {
#if defined(__x86_64__)
  constexpr int64_t kMinSpanNs = 10'000'000;
  int64_t span = SteadyNs() - g_anchor.ns;
  if (span < kMinSpanNs) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(kMinSpanNs - span));
  }
  // Both clocks read back to back; the pair's skew is far below the span.
  uint64_t ticks = CycleNow();
  span = SteadyNs() - g_anchor.ns;
  return static_cast<double>(ticks - g_anchor.ticks) * 1000.0 / static_cast<double>(span);
#else
  return 1000.0;  // CycleNow() counts nanoseconds
#endif
}

}  // namespace ember
