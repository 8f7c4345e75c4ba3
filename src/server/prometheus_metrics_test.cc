#include "server/prometheus_metrics.h"

#include <gtest/gtest.h>

namespace ember {
namespace {

MetricsSnapshot Sample() {
  MetricsSnapshot s;
  s.info =
      "# Server\r\nuptime_in_seconds:42\r\n# Stats\r\ntotal_commands_processed:7\r\n"
      "used_memory:1024\r\nrdb_last_bgsave_status:err\r\naof_last_write_status:ok\r\n"
      "# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=5\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n";
  s.ticks_per_us = 1000;
  CommandStatsRow row;
  row.name = "client|\"x\"";
  row.calls = 5;
  row.ticks = 3'000'000;  // 3 ms in all
  row.latency.assign(LatencyBuckets::kCount, 0);
  row.latency[LatencyBuckets::Index(1500)] = 2;     // 1.5 us: the 2 us bucket
  row.latency[LatencyBuckets::Index(900'000)] = 1;  // 900 us: the 1024 us bucket
  s.commands.push_back(row);
  s.shards = {{10, 100}, {20, 200}};
  return s;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(PrometheusMetricsTest, InfoFieldsBecomeTypedMetricsInBaseUnits) {
  std::string text = FormatPrometheusMetrics(Sample());
  EXPECT_TRUE(Has(text, "# HELP ember_uptime_seconds ")) << text;
  EXPECT_TRUE(Has(text, "# TYPE ember_uptime_seconds gauge\nember_uptime_seconds 42\n"));
  EXPECT_TRUE(Has(text,
                  "# TYPE ember_commands_processed_total counter\n"
                  "ember_commands_processed_total 7\n"));
  EXPECT_TRUE(Has(text, "ember_memory_used_bytes 1024\n"));
  EXPECT_TRUE(Has(text, "ember_rdb_last_bgsave_ok 0\n"));
  EXPECT_TRUE(Has(text, "ember_aof_last_write_ok 1\n"));
  EXPECT_TRUE(Has(text, "ember_db_keys{db=\"0\"} 3\n"));
  EXPECT_TRUE(Has(text, "ember_db_expiring_keys{db=\"2\"} 0\n"));
  EXPECT_TRUE(Has(text, "ember_shard_keys{shard=\"1\"} 20\n"));
  EXPECT_TRUE(Has(text, "ember_shard_commands_processed_total{shard=\"0\"} 100\n"));
  EXPECT_FALSE(Has(text, "ember_keyspace_hits_total"));  // not in this INFO: left out
}

TEST(PrometheusMetricsTest, CommandHistogramIsCumulativeWithEscapedLabels) {
  std::string text = FormatPrometheusMetrics(Sample());
  std::string label = "command=\"client|\\\"x\\\"\"";
  EXPECT_TRUE(Has(text, "ember_command_calls_total{" + label + "} 5\n")) << text;
  EXPECT_TRUE(Has(text, "ember_command_duration_seconds_total{" + label + "} 0.003\n"));
  EXPECT_TRUE(Has(text, "ember_command_latency_seconds_bucket{" + label + ",le=\"1e-06\"} 0\n"));
  EXPECT_TRUE(Has(text, "ember_command_latency_seconds_bucket{" + label + ",le=\"2e-06\"} 2\n"));
  EXPECT_TRUE(Has(text, "ember_command_latency_seconds_bucket{" + label + ",le=\"0.000512\"} 2\n"));
  EXPECT_TRUE(Has(text, "ember_command_latency_seconds_bucket{" + label + ",le=\"0.001024\"} 3\n"));
  EXPECT_TRUE(Has(text, "ember_command_latency_seconds_bucket{" + label + ",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(Has(text, "ember_command_latency_seconds_count{" + label + "} 3\n"));
}

}  // namespace
}  // namespace ember
