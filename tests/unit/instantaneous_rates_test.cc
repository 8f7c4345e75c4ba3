// The rate behind INFO's instantaneous_* fields, fed with explicit times (no clocks here).
#include "engine/instantaneous_rates.h"

#include <gtest/gtest.h>

namespace ember {
namespace {

TEST(RateSampler, RateOverTheSamplesKept) {
  RateSampler s;
  EXPECT_EQ(s.Sample(0, 0), 0);  // one sample: no rate yet
  EXPECT_DOUBLE_EQ(s.Sample(100, 500), 5000);
  EXPECT_DOUBLE_EQ(s.Sample(200, 1000), 5000);
  for (int i = 3; i <= 40; ++i) s.Sample(i * 100, 1000);  // idle: the window forgets the burst
  EXPECT_DOUBLE_EQ(s.Sample(4100, 1000), 0);
}

TEST(RateSampler, WindowIsSixteenSamples) {
  RateSampler s;
  for (int i = 0; i < 16; ++i) s.Sample(i * 100, static_cast<uint64_t>(i) * 10);
  // 16 samples span 1.5 s and 150 units.
  EXPECT_DOUBLE_EQ(s.Sample(1600, 160), 100);  // oldest is now t=100 (10): 150 in 1.5 s
}

TEST(RateSampler, CounterResetStartsANewWindow) {
  RateSampler s;
  s.Sample(0, 1000000);
  s.Sample(100, 2000000);
  EXPECT_EQ(s.Sample(200, 5), 0);              // CONFIG RESETSTAT: one sample, no rate yet
  EXPECT_DOUBLE_EQ(s.Sample(300, 105), 1000);  // the old, larger totals are forgotten
}

}  // namespace
}  // namespace ember
