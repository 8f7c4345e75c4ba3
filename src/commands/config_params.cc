#include "commands/config_params.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "acl/acl_user.h"
#include "commands/arg_parser.h"
#include "common/numbers.h"
#include "engine/eviction.h"
#include "engine/keyspace_events.h"
#include "server/file_limit.h"
#include "server/memory_size.h"
#include "types/stream_value.h"

namespace ember {
namespace {

using Getter = std::function<std::string(const ServerConfig&)>;
using Setter = std::function<std::string(ServerConfig&, std::string_view)>;
using Mutability = ConfigParam::Mutability;

std::string RangeError(int64_t min, int64_t max) {
  return fmt::format("argument must be between {} and {} inclusive", min, max);
}

Setter IntSetter(int64_t ServerConfig::*field, int64_t min, int64_t max = LLONG_MAX) {
  return [field, min, max](ServerConfig& c, std::string_view v) -> std::string {
    auto n = ParseInt64(v);
    if (!n) return "argument couldn't be parsed into an integer";
    if (*n < min || *n > max) return RangeError(min, max);
    c.*field = *n;
    return "";
  };
}

// A size in bytes, with Redis's units ("1mb", "512MB", "1gb", plain bytes).
Setter MemorySetter(int64_t ServerConfig::*field, int64_t min) {
  return [field, min](ServerConfig& c, std::string_view v) -> std::string {
    auto bytes = ParseMemorySize(v);
    if (!bytes) return "argument must be a memory value";
    if (*bytes < min) return RangeError(min, LLONG_MAX);
    c.*field = *bytes;
    return "";
  };
}

Getter IntGetter(int64_t ServerConfig::*field) {
  return [field](const ServerConfig& c) { return std::to_string(c.*field); };
}

Getter Fixed(const char* value) {
  return [value](const ServerConfig&) { return std::string(value); };
}

std::optional<bool> ParseYesNo(std::string_view v) {
  if (EqualsIgnoreCase(v, "yes")) return true;
  if (EqualsIgnoreCase(v, "no")) return false;
  return std::nullopt;
}

Getter BoolGetter(bool ServerConfig::*field) {
  return [field](const ServerConfig& c) { return std::string(c.*field ? "yes" : "no"); };
}

Setter BoolSetter(bool ServerConfig::*field) {
  return [field](ServerConfig& c, std::string_view v) -> std::string {
    auto b = ParseYesNo(v);
    if (!b) return "argument must be 'yes' or 'no'";
    c.*field = *b;
    return "";
  };
}

Getter StringGetter(std::string ServerConfig::*field) {
  return [field](const ServerConfig& c) { return c.*field; };
}

Setter StringSetter(std::string ServerConfig::*field) {
  return [field](ServerConfig& c, std::string_view v) -> std::string {
    c.*field = std::string(v);
    return "";
  };
}

}  // namespace

// Save points: pairs of "seconds changes", seconds >= 1 and changes >= 0, one space apart;
// stored normalised ("03600 1" reads back "3600 1"). Empty: no snapshots.
std::string SetSave(ServerConfig& c, std::string_view v) {
  std::vector<std::string> words;
  size_t start = 0;
  if (!v.empty()) {
    for (size_t i = 0; i <= v.size(); ++i) {
      if (i == v.size() || v[i] == ' ') {
        words.emplace_back(v.substr(start, i - start));
        start = i + 1;
      }
    }
  }
  if (words.size() % 2 != 0) return "Invalid save parameters";
  std::string normalised;
  for (size_t i = 0; i < words.size(); i += 2) {
    long long values[2];
    for (int j = 0; j < 2; ++j) {
      const std::string& w = words[i + static_cast<size_t>(j)];
      char* end = nullptr;
      values[j] = std::strtoll(w.c_str(), &end, 10);  // saturates past the range, as Redis
      if (w.empty() || *end != '\0') return "Invalid save parameters";
    }
    if (values[0] < 1 || values[1] < 0) return "Invalid save parameters";
    if (!normalised.empty()) normalised += ' ';
    normalised += fmt::format("{} {}", values[0], values[1]);
  }
  c.save = normalised;
  return "";
}

std::string SetMaxmemoryClients(ServerConfig& c, std::string_view v) {
  if (!v.empty() && v.back() == '%') {
    auto percent = ParseInt64(v.substr(0, v.size() - 1));
    if (!percent || *percent < 0) return "argument must be a memory or percent value";
    if (*percent > 100) return "percentage argument must be less or equal to 100";
    c.maxmemory_clients = *percent;
    c.maxmemory_clients_percent = true;
    return "";
  }
  auto bytes = ParseMemorySize(v);
  if (!bytes || *bytes < 0) return "argument must be a memory or percent value";
  c.maxmemory_clients = *bytes;
  c.maxmemory_clients_percent = false;
  return "";
}

std::string SetOutputBufferLimits(ServerConfig& c, std::string_view v) {
  std::vector<std::string_view> words;
  for (size_t start = 0; start < v.size();) {
    size_t end = std::min(v.find(' ', start), v.size());
    if (end > start) words.push_back(v.substr(start, end - start));
    start = end + 1;
  }
  if (words.empty() || words.size() % 4 != 0)
    return "Wrong number of arguments in buffer limit configuration.";
  // All or nothing: check every class before changing any.
  OutputBufferLimit limits[3];
  std::copy(std::begin(c.output_buffer_limits), std::end(c.output_buffer_limits), limits);
  for (size_t i = 0; i < words.size(); i += 4) {
    int index = -1;
    if (EqualsIgnoreCase(words[i], "normal")) index = kOutputNormal;
    if (EqualsIgnoreCase(words[i], "replica") || EqualsIgnoreCase(words[i], "slave"))
      index = kOutputReplica;
    if (EqualsIgnoreCase(words[i], "pubsub")) index = kOutputPubSub;
    if (index < 0) return "Invalid client class specified in buffer limit configuration.";
    auto hard = ParseMemorySize(words[i + 1]), soft = ParseMemorySize(words[i + 2]);
    auto seconds = ParseInt64(words[i + 3]);
    if (!hard || !soft || !seconds || *seconds < 0)
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    limits[index] = {*hard, *soft, *seconds};
  }
  std::copy(std::begin(limits), std::end(limits), c.output_buffer_limits);
  return "";
}

namespace {

std::string GetOutputBufferLimits(const ServerConfig& c) {
  const OutputBufferLimit* l = c.output_buffer_limits;
  return fmt::format("normal {} {} {} slave {} {} {} pubsub {} {} {}", l[0].hard, l[0].soft,
                     l[0].soft_seconds, l[1].hard, l[1].soft, l[1].soft_seconds, l[2].hard,
                     l[2].soft, l[2].soft_seconds);
}

// The order Redis writes the classes in.
constexpr std::pair<char, uint32_t> kNotifyClasses[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew}};

std::string SetNotifyKeyspaceEvents(ServerConfig& c, std::string_view v) {
  uint32_t flags = 0;
  for (char ch : v) {
    uint32_t bit = 0;
    if (ch == 'A') bit = kNotifyAll;
    if (ch == 'K') bit = kNotifyKeyspace;
    if (ch == 'E') bit = kNotifyKeyevent;
    if (ch == 'm') bit = kNotifyKeyMiss;
    for (auto [letter, flag] : kNotifyClasses) {
      if (ch == letter) bit = flag;
    }
    if (bit == 0) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    flags |= bit;
  }
  c.notify_keyspace_events = flags;
  SetActiveNotifyFlags(flags);
  return "";
}

std::string SetPercentiles(ServerConfig& c, std::string_view v) {
  std::vector<double> values;
  size_t start = 0;
  while (start < v.size()) {
    size_t end = v.find(' ', start);
    if (end == std::string_view::npos) end = v.size();
    if (end > start) {
      std::string word(v.substr(start, end - start));
      char* stop = nullptr;
      errno = 0;
      double p = std::strtod(word.c_str(), &stop);
      if (*stop != '\0' || errno != 0)
        return "Invalid latency-tracking-info-percentiles parameters";
      if (p < 0.0 || p > 100.0)
        return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
      values.push_back(p);
    }
    start = end + 1;
  }
  c.latency_tracking_info_percentiles = values;
  return "";
}

std::string GetPercentiles(const ServerConfig& c) {
  std::string out;
  for (double p : c.latency_tracking_info_percentiles) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{:g}", p);
  }
  return out;
}

// CONFIG GET dir answers an absolute path, as Redis (which chdirs into it) does.
std::string AbsolutePath(const std::string& dir) {
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(dir, error);
  if (error) return dir;
  std::string out = path.lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::vector<ConfigParam> BuildParams() {
  auto port = [](const ServerConfig& c) { return std::to_string(c.port); };
  auto bind = [](const ServerConfig& c) { return c.host; };
  auto immutable = [](const char* name, const char* value) {
    return ConfigParam{name, Fixed(value), nullptr, Mutability::kImmutable};
  };
  return {
      {"port", port,
       [](ServerConfig& c, std::string_view v) -> std::string {
         auto n = ParseInt64(v);
         if (!n) return "argument couldn't be parsed into an integer";
         if (*n < 0 || *n > 65535) return RangeError(0, 65535);
         return *n == c.port ? "" : "Unable to listen on this port";
       }},
      // port and bind need a new listener, which ember cannot open at run time: the current
      // value is accepted, any other gets the error Redis gives when it cannot listen.
      {"bind", bind,
       [](ServerConfig& c, std::string_view v) -> std::string {
         return v == c.host ? "" : "Failed to bind to specified addresses.";
       }},
      {"maxmemory", IntGetter(&ServerConfig::maxmemory), MemorySetter(&ServerConfig::maxmemory, 0)},
      {"maxmemory-policy", [](const ServerConfig& c) { return c.maxmemory_policy; },
       [](ServerConfig& c, std::string_view v) -> std::string {
         std::string lower(v);
         for (char& ch : lower)
           ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
         if (!ParseEvictionPolicy(lower)) {
           return "argument(s) must be one of the following: volatile-lru, allkeys-lru, "
                  "volatile-lfu, allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, "
                  "noeviction";
         }
         c.maxmemory_policy = lower;
         return "";
       }},
      {"maxmemory-clients",
       [](const ServerConfig& c) {
         return std::to_string(c.maxmemory_clients) + (c.maxmemory_clients_percent ? "%" : "");
       },
       SetMaxmemoryClients},
      {"maxmemory-samples", IntGetter(&ServerConfig::maxmemory_samples),
       IntSetter(&ServerConfig::maxmemory_samples, 1, 64)},
      {"tracking-table-max-keys", IntGetter(&ServerConfig::tracking_table_max_keys),
       IntSetter(&ServerConfig::tracking_table_max_keys, 0)},
      {"maxclients", IntGetter(&ServerConfig::maxclients),
       [](ServerConfig& c, std::string_view v) -> std::string {
         auto n = ParseInt64(v);
         if (!n) return "argument couldn't be parsed into an integer";
         if (*n < 1 || *n > UINT_MAX) return RangeError(1, UINT_MAX);
         // As Redis: more clients than open files allow is refused with what would fit.
         if (std::string error = CheckMaxclients(c, *n); !error.empty()) return error;
         c.maxclients = *n;
         return "";
       }},
      {"timeout", IntGetter(&ServerConfig::timeout), IntSetter(&ServerConfig::timeout, 0, INT_MAX)},
      {"key-load-delay", IntGetter(&ServerConfig::key_load_delay),
       IntSetter(&ServerConfig::key_load_delay, 0, 1'000'000)},
      {"hz", IntGetter(&ServerConfig::hz),
       [](ServerConfig& c, std::string_view v) -> std::string {
         std::string error = IntSetter(&ServerConfig::hz, 0, INT_MAX)(c, v);
         c.hz = std::clamp<int64_t>(c.hz, 1, 500);  // Redis clamps too
         return error;
       }},
      {"client-output-buffer-limit", GetOutputBufferLimits, SetOutputBufferLimits},
      {"client-query-buffer-limit", IntGetter(&ServerConfig::client_query_buffer_limit),
       MemorySetter(&ServerConfig::client_query_buffer_limit, 1024 * 1024)},
      {"proto-max-bulk-len", IntGetter(&ServerConfig::proto_max_bulk_len),
       MemorySetter(&ServerConfig::proto_max_bulk_len, 1024 * 1024)},
      {"slowlog-log-slower-than", IntGetter(&ServerConfig::slowlog_log_slower_than),
       IntSetter(&ServerConfig::slowlog_log_slower_than, -1)},
      {"slowlog-max-len", IntGetter(&ServerConfig::slowlog_max_len),
       IntSetter(&ServerConfig::slowlog_max_len, 0)},
      {"latency-monitor-threshold", IntGetter(&ServerConfig::latency_monitor_threshold),
       IntSetter(&ServerConfig::latency_monitor_threshold, 0)},
      {"aclfile", [](const ServerConfig& c) { return c.aclfile; }, nullptr, Mutability::kImmutable},
      {"acllog-max-len", IntGetter(&ServerConfig::acllog_max_len),
       IntSetter(&ServerConfig::acllog_max_len, 0)},
      {"acl-pubsub-default",
       [](const ServerConfig& c) -> std::string {
         return c.acl_pubsub_default_all ? "allchannels" : "resetchannels";
       },
       [](ServerConfig& c, std::string_view v) -> std::string {
         if (EqualsIgnoreCase(v, "allchannels") || EqualsIgnoreCase(v, "resetchannels")) {
           c.acl_pubsub_default_all = EqualsIgnoreCase(v, "allchannels");
           acl::SetPubsubDefaultAllChannels(c.acl_pubsub_default_all);
           return "";
         }
         return "argument(s) must be one of the following: allchannels, resetchannels";
       }},
      {"requirepass", [](const ServerConfig& c) { return c.requirepass; },
       [](ServerConfig& c, std::string_view v) -> std::string {
         c.requirepass = std::string(v);
         return "";
       }},
      {"list-max-listpack-size", IntGetter(&ServerConfig::list_max_listpack_size),
       [](ServerConfig& c, std::string_view v) -> std::string {
         // Redis takes any integer: below -5 reads as -5, 0 as one entry per node.
         auto n = ParseInt64(v);
         if (!n || *n < INT_MIN || *n > INT_MAX)
           return "argument couldn't be parsed into an integer";
         c.list_max_listpack_size = *n == 0 ? 1 : std::max<int64_t>(*n, -5);
         return "";
       },
       Mutability::kMutable, "list-max-ziplist-size"},
      // Streams read their node bounds from process-wide atomics (types/stream_value.h).
      {"stream-node-max-bytes", IntGetter(&ServerConfig::stream_node_max_bytes),
       [](ServerConfig& c, std::string_view v) -> std::string {
         std::string error = MemorySetter(&ServerConfig::stream_node_max_bytes, 0)(c, v);
         StreamValue::node_max_bytes = static_cast<size_t>(c.stream_node_max_bytes);
         return error;
       }},
      {"stream-node-max-entries", IntGetter(&ServerConfig::stream_node_max_entries),
       [](ServerConfig& c, std::string_view v) -> std::string {
         std::string error = IntSetter(&ServerConfig::stream_node_max_entries, 0)(c, v);
         StreamValue::node_max_entries = static_cast<size_t>(c.stream_node_max_entries);
         return error;
       }},
      {"list-compress-depth", IntGetter(&ServerConfig::list_compress_depth),
       IntSetter(&ServerConfig::list_compress_depth, 0, INT_MAX)},
      {"hash-max-listpack-entries", IntGetter(&ServerConfig::hash_max_listpack_entries),
       IntSetter(&ServerConfig::hash_max_listpack_entries, 0), Mutability::kMutable,
       "hash-max-ziplist-entries"},
      {"hash-max-listpack-value", IntGetter(&ServerConfig::hash_max_listpack_value),
       MemorySetter(&ServerConfig::hash_max_listpack_value, 0), Mutability::kMutable,
       "hash-max-ziplist-value"},
      {"set-max-intset-entries", IntGetter(&ServerConfig::set_max_intset_entries),
       IntSetter(&ServerConfig::set_max_intset_entries, 0)},
      // Redis 7.2's names; 7.0 packs small sets as intsets only.
      {"set-max-listpack-entries", IntGetter(&ServerConfig::set_max_listpack_entries),
       IntSetter(&ServerConfig::set_max_listpack_entries, 0)},
      {"set-max-listpack-value", IntGetter(&ServerConfig::set_max_listpack_value),
       MemorySetter(&ServerConfig::set_max_listpack_value, 0)},
      {"zset-max-listpack-entries", IntGetter(&ServerConfig::zset_max_listpack_entries),
       IntSetter(&ServerConfig::zset_max_listpack_entries, 0), Mutability::kMutable,
       "zset-max-ziplist-entries"},
      {"zset-max-listpack-value", IntGetter(&ServerConfig::zset_max_listpack_value),
       MemorySetter(&ServerConfig::zset_max_listpack_value, 0), Mutability::kMutable,
       "zset-max-ziplist-value"},
      {"hll-sparse-max-bytes", IntGetter(&ServerConfig::hll_sparse_max_bytes),
       MemorySetter(&ServerConfig::hll_sparse_max_bytes, 0)},
      {"save", [](const ServerConfig& c) { return c.save; }, SetSave},
      {"appendonly", BoolGetter(&ServerConfig::appendonly), BoolSetter(&ServerConfig::appendonly)},
      {"appendfsync", [](const ServerConfig& c) { return c.appendfsync; },
       [](ServerConfig& c, std::string_view v) -> std::string {
         for (const char* policy : {"everysec", "always", "no"}) {
           if (EqualsIgnoreCase(v, policy)) {
             c.appendfsync = policy;
             return "";
           }
         }
         return "argument(s) must be one of the following: everysec, always, no";
       }},
      {"busy-reply-threshold", IntGetter(&ServerConfig::busy_reply_threshold),
       IntSetter(&ServerConfig::busy_reply_threshold, 0), Mutability::kMutable, "lua-time-limit"},
      {"notify-keyspace-events",
       [](const ServerConfig& c) { return NotifyKeyspaceEventsString(c.notify_keyspace_events); },
       SetNotifyKeyspaceEvents},
      {"latency-tracking", BoolGetter(&ServerConfig::latency_tracking),
       BoolSetter(&ServerConfig::latency_tracking)},
      {"latency-tracking-info-percentiles", GetPercentiles, SetPercentiles},
      {"protected-mode", BoolGetter(&ServerConfig::protected_mode),
       BoolSetter(&ServerConfig::protected_mode)},
      {"dir", [](const ServerConfig& c) { return AbsolutePath(c.data_dir); }, nullptr,
       Mutability::kProtected},
      {"replica-read-only", BoolGetter(&ServerConfig::replica_read_only),
       BoolSetter(&ServerConfig::replica_read_only), Mutability::kMutable, "slave-read-only"},
      {"replica-serve-stale-data", BoolGetter(&ServerConfig::replica_serve_stale_data),
       BoolSetter(&ServerConfig::replica_serve_stale_data), Mutability::kMutable,
       "slave-serve-stale-data"},
      {"masterauth", StringGetter(&ServerConfig::masterauth),
       StringSetter(&ServerConfig::masterauth)},
      {"masteruser", StringGetter(&ServerConfig::masteruser),
       StringSetter(&ServerConfig::masteruser)},
      {"repl-backlog-size", IntGetter(&ServerConfig::repl_backlog_size),
       MemorySetter(&ServerConfig::repl_backlog_size, 1)},
      {"dbfilename", [](const ServerConfig& c) { return c.dbfilename; }, nullptr,
       Mutability::kProtected},
      {"auto-aof-rewrite-percentage", IntGetter(&ServerConfig::auto_aof_rewrite_percentage),
       IntSetter(&ServerConfig::auto_aof_rewrite_percentage, 0, INT_MAX)},
      {"auto-aof-rewrite-min-size", IntGetter(&ServerConfig::auto_aof_rewrite_min_size),
       MemorySetter(&ServerConfig::auto_aof_rewrite_min_size, 0)},
      {"aof-load-truncated", BoolGetter(&ServerConfig::aof_load_truncated),
       BoolSetter(&ServerConfig::aof_load_truncated)},
      {"stop-writes-on-bgsave-error", BoolGetter(&ServerConfig::stop_writes_on_bgsave_error),
       BoolSetter(&ServerConfig::stop_writes_on_bgsave_error)},
      {"rdbcompression", BoolGetter(&ServerConfig::rdbcompression),
       BoolSetter(&ServerConfig::rdbcompression)},
      {"rdbchecksum", BoolGetter(&ServerConfig::rdbchecksum), nullptr, Mutability::kImmutable},
      {"appendfilename", [](const ServerConfig& c) { return c.appendfilename; }, nullptr,
       Mutability::kImmutable},
      {"appenddirname", [](const ServerConfig& c) { return c.appenddirname; }, nullptr,
       Mutability::kImmutable},
      // TLS: values are checked here; the new context is built once all of a CONFIG SET's
      // values are in (commands/config_command.cc), as Redis applies them together.
      {"tls-port", [](const ServerConfig& c) { return std::to_string(c.tls_port); },
       [](ServerConfig& c, std::string_view v) -> std::string {
         auto n = ParseInt64(v);
         if (!n) return "argument couldn't be parsed into an integer";
         if (*n < 0 || *n > 65535) return RangeError(0, 65535);
         return *n == c.tls_port ? "" : "Unable to listen on this port";
       }},
      {"tls-cert-file", StringGetter(&ServerConfig::tls_cert_file),
       StringSetter(&ServerConfig::tls_cert_file)},
      {"tls-key-file", StringGetter(&ServerConfig::tls_key_file),
       StringSetter(&ServerConfig::tls_key_file)},
      {"tls-ca-cert-file", StringGetter(&ServerConfig::tls_ca_cert_file),
       StringSetter(&ServerConfig::tls_ca_cert_file)},
      {"tls-ca-cert-dir", StringGetter(&ServerConfig::tls_ca_cert_dir),
       StringSetter(&ServerConfig::tls_ca_cert_dir)},
      {"tls-auth-clients", StringGetter(&ServerConfig::tls_auth_clients),
       [](ServerConfig& c, std::string_view v) -> std::string {
         for (const char* mode : {"no", "yes", "optional"}) {
           if (EqualsIgnoreCase(v, mode)) {
             c.tls_auth_clients = mode;
             return "";
           }
         }
         return "argument(s) must be one of the following: no, yes, optional";
       }},
      {"tls-protocols", StringGetter(&ServerConfig::tls_protocols),
       StringSetter(&ServerConfig::tls_protocols)},
      {"tls-ciphers", StringGetter(&ServerConfig::tls_ciphers),
       StringSetter(&ServerConfig::tls_ciphers)},
      {"tls-ciphersuites", StringGetter(&ServerConfig::tls_ciphersuites),
       StringSetter(&ServerConfig::tls_ciphersuites)},
      {"tls-prefer-server-ciphers", BoolGetter(&ServerConfig::tls_prefer_server_ciphers),
       BoolSetter(&ServerConfig::tls_prefer_server_ciphers)},
      immutable("databases", "16"),
      immutable("daemonize", "no"),
      immutable("io-threads", "1"),
      immutable("cluster-enabled", "no"),
      immutable("logfile", ""),
      immutable("pidfile", ""),
      immutable("supervised", "no"),
      immutable("unixsocket", ""),
  };
}

}  // namespace

const std::vector<ConfigParam>& ConfigParams() {
  static const std::vector<ConfigParam> params = BuildParams();
  return params;
}

const ConfigParam* FindConfigParam(std::string_view name) {
  for (const ConfigParam& p : ConfigParams()) {
    if (EqualsIgnoreCase(name, p.name) || (p.alias != nullptr && EqualsIgnoreCase(name, p.alias)))
      return &p;
  }
  return nullptr;
}

std::string NotifyKeyspaceEventsString(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    for (auto [letter, flag] : kNotifyClasses) {
      if (flags & flag) out += letter;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

}  // namespace ember
