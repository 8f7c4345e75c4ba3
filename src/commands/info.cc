// INFO: Redis 7's sections with live values; those a server without persistence or
// replicas cannot have yet say so honestly (loading:0, role:master, aof_enabled:0 ...).
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <random>
#include <string>

#include <fmt/format.h>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/info_sections.h"
#include "common/clock.h"
#include "common/memory.h"
#include "engine/blocking.h"
#include "engine/engine.h"
#include "persistence/persistence.h"
#include "replication/replication.h"

namespace ember {
namespace {

std::string HumanBytes(int64_t bytes) {
  char buf[32];
  double b = static_cast<double>(bytes);
  if (b < 1024) {
    snprintf(buf, sizeof(buf), "%lldB", static_cast<long long>(bytes));
  } else if (b < 1024.0 * 1024) {
    snprintf(buf, sizeof(buf), "%.2fK", b / 1024);
  } else if (b < 1024.0 * 1024 * 1024) {
    snprintf(buf, sizeof(buf), "%.2fM", b / (1024 * 1024));
  } else {
    snprintf(buf, sizeof(buf), "%.2fG", b / (1024.0 * 1024 * 1024));
  }
  return buf;
}

// 40 random hex digits, drawn once per process (Redis's run_id and replication id).
std::string RandomHex40() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  std::string hex;
  while (hex.size() < 40) hex += fmt::format("{:016x}", rng());
  hex.resize(40);
  return hex;
}
const std::string& RunId() {
  static const std::string id = RandomHex40();
  return id;
}
const std::string& ReplicationId() {
  static const std::string id = RandomHex40();
  return id;
}

void Line(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}
void Line(std::string& out, const char* name, int64_t value) {
  Line(out, name, std::to_string(value));
}

void ServerSection(CommandContext& ctx, std::string& out) {
  utsname uts{};
  uname(&uts);
  int64_t uptime = (WallClockMs() - ctx.engine.start_time_ms()) / 1000;
  out += "# Server\r\n";
  Line(out, "redis_version", "7.0.15");
  Line(out, "ember_version", "0.1.0");
  Line(out, "redis_mode", "standalone");
  Line(out, "os", std::string(uts.sysname) + " " + uts.release + " " + uts.machine);
  Line(out, "arch_bits", 64);
  Line(out, "multiplexing_api", ctx.engine.config().io_backend);
  Line(out, "process_id", getpid());
  Line(out, "process_supervised", "no");
  Line(out, "run_id", RunId());
  Line(out, "tcp_port", ctx.engine.config().port);
  Line(out, "uptime_in_seconds", uptime);
  Line(out, "uptime_in_days", uptime / 86400);
  Line(out, "hz", ctx.engine.config().hz);
  Line(out, "configured_hz", ctx.engine.config().hz);
  Line(out, "config_file", "");
  Line(out, "io_threads_active", 0);
  Line(out, "shards", ctx.engine.num_shards());
}

void ClientsSection(CommandContext& ctx, std::string& out) {
  out += "# Clients\r\n";
  Line(out, "connected_clients", ctx.engine.stats().connected_clients.load());
  Line(out, "cluster_connections", 0);
  Line(out, "maxclients", ctx.engine.config().maxclients);
  const ClientMemory& clients = ctx.engine.client_memory();
  Line(out, "client_recent_max_input_buffer", static_cast<int64_t>(clients.RecentMaxInput()));
  Line(out, "client_recent_max_output_buffer", static_cast<int64_t>(clients.RecentMaxOutput()));
  Line(out, "blocked_clients", g_blocked_clients.load(std::memory_order_relaxed));
  Line(out, "tracking_clients", static_cast<int64_t>(ctx.engine.tracking().num_clients()));
}

void MemorySection(CommandContext& ctx, std::string& out) {
  int64_t dataset = 0;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    dataset += static_cast<int64_t>(ctx.engine.shard(s).used_bytes());
  }
  memory::UpdatePeak();
  int64_t used = memory::Used(), peak = memory::Peak(), rss = memory::ResidentBytes();
  const ServerConfig& config = ctx.engine.config();
  char ratio[32];
  snprintf(ratio, sizeof(ratio), "%.2f",
           used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
  out += "# Memory\r\n";
  Line(out, "used_memory", used);
  Line(out, "used_memory_human", HumanBytes(used));
  Line(out, "used_memory_rss", rss);
  Line(out, "used_memory_rss_human", HumanBytes(rss));
  Line(out, "used_memory_peak", peak);
  Line(out, "used_memory_peak_human", HumanBytes(peak));
  Line(out, "used_memory_dataset", dataset);
  Line(out, "mem_clients_slaves", 0);
  Line(out, "mem_clients_normal", ctx.engine.client_memory().Total());
  Line(out, "maxmemory", config.maxmemory);
  Line(out, "maxmemory_human", HumanBytes(config.maxmemory));
  Line(out, "maxmemory_policy", config.maxmemory_policy);
  Line(out, "mem_fragmentation_ratio", ratio);
  Line(out, "mem_allocator", "mimalloc");
}

void StatsSection(CommandContext& ctx, std::string& out) {
  uint64_t commands = 0, expired = 0, evicted = 0, hits = 0, misses = 0;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    Shard& shard = ctx.engine.shard(s);
    commands += shard.commands_processed.load(std::memory_order_relaxed);
    expired += shard.stats().expired_keys;
    evicted += shard.stats().evicted_keys;
    hits += shard.stats().keyspace_hits;
    misses += shard.stats().keyspace_misses;
  }
  ServerStats& stats = ctx.engine.stats();
  out += "# Stats\r\n";
  Line(out, "total_connections_received",
       static_cast<int64_t>(stats.total_connections_received.load()));
  Line(out, "total_commands_processed", static_cast<int64_t>(commands));
  const InstantaneousRates& rates = ctx.engine.rates();
  Line(out, "instantaneous_ops_per_sec", static_cast<int64_t>(rates.ops_per_sec()));
  Line(out, "total_net_input_bytes", static_cast<int64_t>(stats.total_net_input_bytes.load()));
  Line(out, "total_net_output_bytes", static_cast<int64_t>(stats.total_net_output_bytes.load()));
  Line(out, "instantaneous_input_kbps", fmt::format("{:.2f}", rates.input_kbps()));
  Line(out, "instantaneous_output_kbps", fmt::format("{:.2f}", rates.output_kbps()));
  Line(out, "rejected_connections", static_cast<int64_t>(stats.rejected_connections.load()));
  Line(out, "expired_keys", static_cast<int64_t>(expired));
  Line(out, "evicted_keys", static_cast<int64_t>(evicted));
  Line(out, "evicted_clients", static_cast<int64_t>(stats.evicted_clients.load()));
  Line(out, "keyspace_hits", static_cast<int64_t>(hits));
  Line(out, "keyspace_misses", static_cast<int64_t>(misses));
  const PubSub& pubsub = ctx.engine.pubsub();
  Line(out, "pubsub_channels", static_cast<int64_t>(pubsub.num_channels()));
  Line(out, "pubsub_patterns", static_cast<int64_t>(pubsub.num_patterns()));
  Line(out, "pubsubshard_channels", static_cast<int64_t>(pubsub.num_shard_channels()));
  Line(out, "latest_fork_usec", 0);
  Line(out, "total_forks", 0);
  Line(out, "tracking_total_keys", ctx.engine.tracking().total_keys());
  Line(out, "tracking_total_items", ctx.engine.tracking().total_items());
  Line(out, "tracking_total_prefixes", static_cast<int64_t>(ctx.engine.tracking().num_prefixes()));
  Line(out, "unexpected_error_replies", 0);
  Line(out, "total_error_replies", static_cast<int64_t>(TotalErrorReplies()));
  Line(out, "client_query_buffer_limit_disconnections",
       static_cast<int64_t>(stats.client_query_buffer_limit_disconnections.load()));
  Line(out, "client_output_buffer_limit_disconnections",
       static_cast<int64_t>(stats.client_output_buffer_limit_disconnections.load()));
}

// Without the persistence service (in-process tests): no snapshot ever ran, and every write
// since start counts as a change not saved.
void PersistenceSection(CommandContext& ctx, std::string& out) {
  if (Persistence* p = ctx.engine.persistence()) return p->AppendInfo(out, ctx.now_ms);
  out += "# Persistence\r\n";
  Line(out, "loading", 0);
  Line(out, "async_loading", 0);
  Line(out, "rdb_changes_since_last_save", static_cast<int64_t>(SuccessfulWrites()));
  Line(out, "rdb_bgsave_in_progress", 0);
  Line(out, "rdb_last_save_time", ctx.engine.start_time_ms() / 1000);
  Line(out, "rdb_last_bgsave_status", "ok");
  Line(out, "rdb_last_bgsave_time_sec", -1);
  Line(out, "rdb_current_bgsave_time_sec", -1);
  Line(out, "rdb_saves", 0);
  Line(out, "aof_enabled", 0);
  Line(out, "aof_rewrite_in_progress", 0);
  Line(out, "aof_rewrite_scheduled", 0);
  Line(out, "aof_last_rewrite_time_sec", -1);
  Line(out, "aof_current_rewrite_time_sec", -1);
  Line(out, "aof_last_bgrewrite_status", "ok");
  Line(out, "aof_rewrites", 0);
  Line(out, "aof_last_write_status", "ok");
  Line(out, "module_fork_in_progress", 0);
}

// replication/replication.h writes it (a primary without replicas in unit tests).
void ReplicationSection(CommandContext& ctx, std::string& out) {
  if (Replication* r = ctx.engine.replication()) return r->AppendInfo(out);
  out += "# Replication\r\n";
  Line(out, "role", "master");
  Line(out, "connected_slaves", 0);
  Line(out, "master_failover_state", "no-failover");
  Line(out, "master_replid", ReplicationId());
  Line(out, "master_replid2", std::string(40, '0'));
  Line(out, "master_repl_offset", 0);
  Line(out, "second_repl_offset", -1);
  Line(out, "repl_backlog_active", 0);
  Line(out, "repl_backlog_size", 1048576);
  Line(out, "repl_backlog_first_byte_offset", 0);
  Line(out, "repl_backlog_histlen", 0);
}

void ModulesSection(CommandContext&, std::string& out) {
  out += "# Modules\r\n";
}

void ClusterSection(CommandContext&, std::string& out) {
  out += "# Cluster\r\n";
  Line(out, "cluster_enabled", 0);
}

void KeyspaceSection(CommandContext& ctx, std::string& out) {
  out += "# Keyspace\r\n";
  for (int db = 0; db < kNumDatabases; ++db) {
    size_t keys = 0, expires = 0;
    int64_t ttl_sum = 0;
    for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
      Database& d = ctx.engine.shard(s).db(db);
      keys += d.size();
      expires += d.expires();
      ttl_sum += d.ttl_sum_ms(ctx.now_ms);
    }
    if (keys == 0) continue;
    out += "db" + std::to_string(db) + ":keys=" + std::to_string(keys) +
           ",expires=" + std::to_string(expires) +
           ",avg_ttl=" + std::to_string(ttl_sum / ctx.num_shards()) + "\r\n";
  }
}

// Redis 7's order. kDefault: in a plain INFO; kAll: in INFO all (commandstats, latencystats).
enum class Shown { kDefault, kAll };
struct Section {
  const char* name;
  void (*write)(CommandContext&, std::string&);
  Shown shown;
};
constexpr Section kSections[] = {
    {"server", ServerSection, Shown::kDefault},
    {"clients", ClientsSection, Shown::kDefault},
    {"memory", MemorySection, Shown::kDefault},
    {"persistence", PersistenceSection, Shown::kDefault},
    {"stats", StatsSection, Shown::kDefault},
    {"replication", ReplicationSection, Shown::kDefault},
    {"cpu", CpuSection, Shown::kDefault},
    {"modules", ModulesSection, Shown::kDefault},
    {"commandstats", CommandStatsSection, Shown::kAll},
    {"errorstats", ErrorStatsSection, Shown::kDefault},
    {"latencystats", LatencyStatsSection, Shown::kAll},
    {"cluster", ClusterSection, Shown::kDefault},
    {"keyspace", KeyspaceSection, Shown::kDefault},
};

// INFO [section ...]: sections by name (any case), "default", "all" or "everything" (all, and
// modules' own sections, which ember has none of); unknown names add nothing.
void Info(CommandContext& ctx) {
  bool wanted[std::size(kSections)] = {};
  auto want = [&](bool everything) {
    for (size_t s = 0; s < std::size(kSections); ++s) {
      if (everything || kSections[s].shown == Shown::kDefault) wanted[s] = true;
    }
  };
  if (ctx.args.size() == 1) want(false);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view arg = ctx.args[i];
    if (EqualsIgnoreCase(arg, "all") || EqualsIgnoreCase(arg, "everything")) want(true);
    if (EqualsIgnoreCase(arg, "default")) want(false);
    for (size_t s = 0; s < std::size(kSections); ++s) {
      if (EqualsIgnoreCase(arg, kSections[s].name)) wanted[s] = true;
    }
  }
  std::string out;
  for (size_t s = 0; s < std::size(kSections); ++s) {
    if (!wanted[s]) continue;
    if (!out.empty()) out += "\r\n";  // a blank line between sections, none after the last
    kSections[s].write(ctx, out);
  }
  ctx.reply.Verbatim(out);  // RESP2: a bulk string; RESP3: verbatim text, as Redis 7
}

}  // namespace

void RegisterInfoCommand(CommandTable& t) {
  CommandGroup g(t, "server");
  g.Add(Command("info", Info)
            .Arity(-1)
            .Flags(kCmdLoading | kCmdStale)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Since("1.0.0")
            .Summary("Returns information and statistics about the server."));
}

}  // namespace ember
