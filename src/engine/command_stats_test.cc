#include "engine/command_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "command_runner.h"

namespace ember::testing {
namespace {

TEST(LatencyBuckets, EveryDurationLandsInTheBucketThatBoundsIt) {
  for (uint64_t ticks = 0; ticks < 100000; ticks += 1 + ticks / 50) {
    size_t index = LatencyBuckets::Index(ticks);
    ASSERT_LT(index, LatencyBuckets::kCount);
    EXPECT_GE(LatencyBuckets::UpperBound(index), ticks);
    if (index > 0) {
      EXPECT_LT(LatencyBuckets::UpperBound(index - 1), ticks);
    }
    // Log-linear: a bucket is at most 1/16 of its values wide.
    EXPECT_LE(LatencyBuckets::UpperBound(index) - ticks, ticks / 16 + 1);
  }
  EXPECT_EQ(LatencyBuckets::Index(~uint64_t{0}), LatencyBuckets::kCount - 1);
}

TEST(LatencyBuckets, PercentilesPickTheRankedBucket) {
  std::vector<uint64_t> counts(LatencyBuckets::kCount, 0);
  EXPECT_EQ(LatencyBuckets::ValueAtPercentile(counts, 50), 0u);
  counts[LatencyBuckets::Index(10)] = 98;
  counts[LatencyBuckets::Index(1000)] = 1;
  counts[LatencyBuckets::Index(100000)] = 1;
  EXPECT_EQ(LatencyBuckets::ValueAtPercentile(counts, 0), 10u);
  EXPECT_EQ(LatencyBuckets::ValueAtPercentile(counts, 50), 10u);
  EXPECT_EQ(LatencyBuckets::ValueAtPercentile(counts, 99),
            LatencyBuckets::UpperBound(LatencyBuckets::Index(1000)));
  EXPECT_EQ(LatencyBuckets::ValueAtPercentile(counts, 100),
            LatencyBuckets::UpperBound(LatencyBuckets::Index(100000)));
}

const CommandStatsRow* FindRow(const std::vector<CommandStatsRow>& rows, std::string_view name) {
  auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.name == name; });
  return it == rows.end() ? nullptr : &*it;
}

TEST(CommandStats, SumsEveryThreadsCounts) {
  CommandRunner runner;
  ResetCommandStats();
  runner.Run({"set", "k", "v"});
  std::thread other([&] {
    CommandRunner second;
    second.Run({"set", "k", "v"});
    second.Run({"incr", "k"});  // not an integer: a failed call
    second.Run({"get"});        // wrong arity: rejected before it runs
    second.Run({"nosuch"});     // unknown: no entry at all
  });
  other.join();
  runner.Run({"config", "get", "hz"});
  auto rows = SnapshotCommandStats();
  const CommandStatsRow* set = FindRow(rows, "set");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->calls, 2u);
  EXPECT_EQ(set->failed, 0u);
  ASSERT_EQ(set->latency.size(), LatencyBuckets::kCount);
  ASSERT_NE(FindRow(rows, "incr"), nullptr);
  EXPECT_EQ(FindRow(rows, "incr")->failed, 1u);
  ASSERT_NE(FindRow(rows, "get"), nullptr);
  EXPECT_EQ(FindRow(rows, "get")->calls, 0u);
  EXPECT_EQ(FindRow(rows, "get")->rejected, 1u);
  EXPECT_NE(FindRow(rows, "config|get"), nullptr);
  EXPECT_EQ(FindRow(rows, "config"), nullptr);
  ResetCommandStats();
  EXPECT_EQ(FindRow(SnapshotCommandStats(), "set"), nullptr);
}

TEST(CommandStats, TimesTheFirstCallsThenASample) {
  CommandRunner runner;
  ResetCommandStats();
  for (int i = 0; i < 1600; ++i) runner.Run({"get", "k"});
  auto rows = SnapshotCommandStats();
  const CommandStatsRow* get = FindRow(rows, "get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->calls, 1600u);  // every call counts; only some are timed
  uint64_t timed = 0;
  for (uint64_t n : get->latency) timed += n;
  EXPECT_GE(timed, 16u + 1500 / 16);
  EXPECT_LE(timed, 16u + 1600 / 16 + 1);
  EXPECT_GT(get->ticks, 0u);
}

}  // namespace
}  // namespace ember::testing
