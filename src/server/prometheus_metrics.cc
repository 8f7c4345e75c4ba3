#include "server/prometheus_metrics.h"

#include <charconv>
#include <map>

#include <fmt/format.h>

#include "commands/command.h"
#include "common/clock.h"
#include "common/cycle_clock.h"
#include "engine/engine.h"
#include "engine/shard_hold.h"

namespace ember {
namespace {

// Histogram buckets: powers of two microseconds, 1 us to 2^24 us (about 17 s), then +Inf.
constexpr int kBucketExponents = 25;

using InfoFields = std::map<std::string, std::string, std::less<>>;

InfoFields ParseInfo(std::string_view text) {
  InfoFields fields;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == text.npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == line.npos) continue;
    fields.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return fields;
}

std::string LabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Exposition {
 public:
  explicit Exposition(const InfoFields& info) : info_(info) {}

  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP ember_{} {}\n# TYPE ember_{} {}\n", name, help, name, type);
  }
  template <typename Number>
  void Sample(std::string_view name, std::string_view labels, Number value) {
    if (labels.empty()) {
      out_ += fmt::format("ember_{} {}\n", name, value);
    } else {
      out_ += fmt::format("ember_{}{{{}}} {}\n", name, labels, value);
    }
  }
  // A metric straight from an INFO field; `scale` turns its unit into the base one. Left out
  // when INFO has no such field.
  void FromInfo(std::string_view name, std::string_view type, std::string_view help,
                std::string_view field, double scale = 1.0) {
    auto it = info_.find(field);
    if (it == info_.end()) return;
    double value = 0;
    const std::string& text = it->second;
    std::from_chars(text.data(), text.data() + text.size(), value);
    Family(name, type, help);
    Sample(name, "", value * scale);
  }
  // 1 when the INFO field reads `good` ("ok"), else 0.
  void StatusFromInfo(std::string_view name, std::string_view help, std::string_view field,
                      std::string_view good) {
    auto it = info_.find(field);
    if (it == info_.end()) return;
    Family(name, "gauge", help);
    Sample(name, "", static_cast<uint64_t>(it->second == good ? 1 : 0));
  }
  std::string& text() { return out_; }

 private:
  const InfoFields& info_;
  std::string out_;
};

void ServerMetrics(Exposition& e) {
  e.FromInfo("uptime_seconds", "gauge", "Seconds since the server started.", "uptime_in_seconds");
  e.FromInfo("commands_processed_total", "counter", "Commands run.", "total_commands_processed");
  e.FromInfo("connections_received_total", "counter", "Connections accepted.",
             "total_connections_received");
  e.FromInfo("rejected_connections_total", "counter", "Connections refused (maxclients).",
             "rejected_connections");
  e.FromInfo("connected_clients", "gauge", "Clients connected.", "connected_clients");
  e.FromInfo("blocked_clients", "gauge", "Clients waiting in a blocking command.",
             "blocked_clients");
  e.FromInfo("max_clients", "gauge", "The maxclients limit.", "maxclients");
  e.FromInfo("keyspace_hits_total", "counter", "Key lookups that found the key.", "keyspace_hits");
  e.FromInfo("keyspace_misses_total", "counter", "Key lookups that found no key.",
             "keyspace_misses");
  e.FromInfo("expired_keys_total", "counter", "Keys removed because their TTL passed.",
             "expired_keys");
  e.FromInfo("evicted_keys_total", "counter", "Keys evicted to stay under maxmemory.",
             "evicted_keys");
  e.FromInfo("error_replies_total", "counter", "Error replies sent.", "total_error_replies");
  e.FromInfo("net_input_bytes_total", "counter", "Bytes read from clients.",
             "total_net_input_bytes");
  e.FromInfo("net_output_bytes_total", "counter", "Bytes written to clients.",
             "total_net_output_bytes");
  e.FromInfo("memory_used_bytes", "gauge", "Bytes allocated by the server.", "used_memory");
  e.FromInfo("memory_rss_bytes", "gauge", "Resident set size of the process.", "used_memory_rss");
  e.FromInfo("memory_peak_bytes", "gauge", "The most bytes allocated so far.", "used_memory_peak");
  e.FromInfo("memory_max_bytes", "gauge", "The maxmemory limit (0: none).", "maxmemory");
  e.FromInfo("cpu_sys_seconds_total", "counter", "System CPU time of the process.", "used_cpu_sys");
  e.FromInfo("cpu_user_seconds_total", "counter", "User CPU time of the process.", "used_cpu_user");
}

void PersistenceMetrics(Exposition& e) {
  e.FromInfo("loading", "gauge", "1 while the data set loads at start.", "loading");
  e.FromInfo("rdb_changes_since_last_save", "gauge", "Writes since the last snapshot.",
             "rdb_changes_since_last_save");
  e.FromInfo("rdb_bgsave_in_progress", "gauge", "1 while a snapshot is being written.",
             "rdb_bgsave_in_progress");
  e.FromInfo("rdb_last_save_timestamp_seconds", "gauge", "Unix time of the last snapshot.",
             "rdb_last_save_time");
  e.StatusFromInfo("rdb_last_bgsave_ok", "1 when the last snapshot succeeded.",
                   "rdb_last_bgsave_status", "ok");
  e.FromInfo("rdb_saves_total", "counter", "Snapshots written.", "rdb_saves");
  e.FromInfo("aof_enabled", "gauge", "1 when the append-only file is on.", "aof_enabled");
  e.FromInfo("aof_rewrite_in_progress", "gauge", "1 while the AOF is being rewritten.",
             "aof_rewrite_in_progress");
  e.StatusFromInfo("aof_last_write_ok", "1 when the last AOF write succeeded.",
                   "aof_last_write_status", "ok");
  e.StatusFromInfo("aof_last_bgrewrite_ok", "1 when the last AOF rewrite succeeded.",
                   "aof_last_bgrewrite_status", "ok");
}

// "db0:keys=3,expires=1,avg_ttl=0" lines.
void KeyspaceMetrics(Exposition& e, const InfoFields& info) {
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> dbs;
  for (const auto& [field, value] : info) {
    if (!field.starts_with("db") || field.size() < 3) continue;
    uint64_t keys = 0, expires = 0;
    if (sscanf(value.c_str(), "keys=%lu,expires=%lu", &keys, &expires) != 2) continue;
    dbs.push_back({field.substr(2), {keys, expires}});
  }
  e.Family("db_keys", "gauge", "Keys in each database.");
  for (const auto& [db, counts] : dbs) e.Sample("db_keys", "db=\"" + db + "\"", counts.first);
  e.Family("db_expiring_keys", "gauge", "Keys with a TTL in each database.");
  for (const auto& [db, counts] : dbs)
    e.Sample("db_expiring_keys", "db=\"" + db + "\"", counts.second);
}

void ShardMetrics(Exposition& e, const std::vector<ShardFigures>& shards) {
  e.Family("shard_keys", "gauge", "Keys held by each shard, all databases.");
  for (size_t s = 0; s < shards.size(); ++s)
    e.Sample("shard_keys", fmt::format("shard=\"{}\"", s), shards[s].keys);
  e.Family("shard_commands_processed_total", "counter", "Commands run by each shard's thread.");
  for (size_t s = 0; s < shards.size(); ++s) {
    e.Sample("shard_commands_processed_total", fmt::format("shard=\"{}\"", s),
             shards[s].commands_processed);
  }
}

void CommandMetrics(Exposition& e, const MetricsSnapshot& snapshot) {
  const std::vector<CommandStatsRow>& rows = snapshot.commands;
  auto label = [](const CommandStatsRow& row) {
    return "command=\"" + LabelValue(row.name) + "\"";
  };
  e.Family("command_calls_total", "counter", "Calls of each command.");
  for (const auto& row : rows) e.Sample("command_calls_total", label(row), row.calls);
  e.Family("command_failed_calls_total", "counter", "Calls that replied with an error.");
  for (const auto& row : rows) e.Sample("command_failed_calls_total", label(row), row.failed);
  e.Family("command_rejected_calls_total", "counter",
           "Calls refused before they ran (arity, OOM, NOAUTH).");
  for (const auto& row : rows) e.Sample("command_rejected_calls_total", label(row), row.rejected);
  e.Family("command_duration_seconds_total", "counter",
           "Time spent in each command (estimated from the timed calls).");
  for (const auto& row : rows) {
    e.Sample("command_duration_seconds_total", label(row),
             static_cast<double>(row.ticks) / snapshot.ticks_per_us / 1e6);
  }
  e.Family("command_latency_seconds", "histogram",
           "Latency of the timed calls (each command's first 16 per thread, then 1 in 16).");
  for (const auto& row : rows) {
    if (row.latency.empty()) continue;
    uint64_t buckets[kBucketExponents + 1] = {};
    double sum_us = 0;
    for (size_t i = 0; i < row.latency.size(); ++i) {
      if (row.latency[i] == 0) continue;
      double us = static_cast<double>(LatencyBuckets::UpperBound(i)) / snapshot.ticks_per_us;
      sum_us += us * static_cast<double>(row.latency[i]);
      int k = 0;
      while (k < kBucketExponents && static_cast<double>(uint64_t{1} << k) < us) ++k;
      buckets[k] += row.latency[i];
    }
    uint64_t cumulative = 0;
    std::string name = label(row);
    for (int k = 0; k <= kBucketExponents; ++k) {
      cumulative += buckets[k];
      std::string le = k == kBucketExponents
                           ? std::string("+Inf")
                           : fmt::format("{}", static_cast<double>(uint64_t{1} << k) / 1e6);
      e.Sample("command_latency_seconds_bucket", name + ",le=\"" + le + "\"", cumulative);
    }
    e.Sample("command_latency_seconds_sum", name, sum_us / 1e6);
    e.Sample("command_latency_seconds_count", name, cumulative);
  }
}

}  // namespace

MetricsSnapshot TakeMetricsSnapshot(Engine& engine) {
  MetricsSnapshot snapshot;
  snapshot.ticks_per_us = TicksPerMicrosecond();
  const CommandSpec* info = CommandTable::Instance().Find("info");
  ShardHold hold(engine);
  hold.Acquire();
  // INFO's own handler, as if a client asked: one source for the figures, no stats counted.
  ClientState client;
  std::string resp;
  ReplyBuilder reply(&resp, 2);
  std::string_view args[] = {"info", "everything"};
  CommandContext ctx{args, reply, client, engine, WallClockMs(), -1};
  info->handler(ctx);
  for (uint32_t s = 0; s < engine.num_shards(); ++s) {
    Shard& shard = engine.shard(s);
    ShardFigures figures;
    for (int db = 0; db < kNumDatabases; ++db) figures.keys += shard.db(db).size();
    figures.commands_processed = shard.commands_processed.load(std::memory_order_relaxed);
    snapshot.shards.push_back(figures);
  }
  hold.Release();
  snapshot.commands = SnapshotCommandStats();
  // RESP2 bulk string: "$<length>\r\n<text>\r\n".
  size_t start = resp.find("\r\n");
  if (!resp.empty() && resp[0] == '$' && start != resp.npos && resp.size() >= start + 4)
    snapshot.info = resp.substr(start + 2, resp.size() - start - 4);
  return snapshot;
}

std::string FormatPrometheusMetrics(const MetricsSnapshot& snapshot) {
  InfoFields info = ParseInfo(snapshot.info);
  Exposition e(info);
  ServerMetrics(e);
  PersistenceMetrics(e);
  KeyspaceMetrics(e, info);
  ShardMetrics(e, snapshot.shards);
  CommandMetrics(e, snapshot);
  return std::move(e.text());
}

}  // namespace ember
