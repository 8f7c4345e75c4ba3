#pragma once
// /metrics in Prometheus text format (version 0.0.4). The figures are INFO's: the metrics
// server runs the INFO command itself with every shard held and turns its fields into metrics,
// plus what INFO only summarises (per-command latency buckets, per-shard keys and ops).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command_stats.h"

namespace ember {

class Engine;

struct ShardFigures {
  uint64_t keys = 0;
  uint64_t commands_processed = 0;
};

struct MetricsSnapshot {
  std::string info;                       // INFO everything's text ("field:value\r\n" lines)
  std::vector<CommandStatsRow> commands;  // engine/command_stats
  std::vector<ShardFigures> shards;
  double ticks_per_us = 1000.0;  // CycleNow() ticks per microsecond
};

// Holds every shard (as INFO does) for the moment it takes to copy the figures.
MetricsSnapshot TakeMetricsSnapshot(Engine& engine);

// The exposition text: every metric prefixed ember_, with HELP and TYPE lines, in base units
// (seconds, bytes), counters ending in _total.
std::string FormatPrometheusMetrics(const MetricsSnapshot& snapshot);

}  // namespace ember
