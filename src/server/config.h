#pragma once
// Server configuration: command-line flags, and the parameters CONFIG GET/SET expose.
#include <cstdint>
#include <string>
#include <vector>

namespace ember {

// One class of client-output-buffer-limit: past `hard` bytes of pending output, or past `soft`
// bytes for longer than `soft_seconds`, the client is disconnected. 0: no such limit.
struct OutputBufferLimit {
  int64_t hard = 0;
  int64_t soft = 0;
  int64_t soft_seconds = 0;
};
enum OutputBufferClass { kOutputNormal = 0, kOutputReplica = 1, kOutputPubSub = 2 };

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  uint32_t shards = 0;              // 0: one per CPU core
  std::string io_backend = "auto";  // auto | uring | epoll
  int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int64_t maxmemory_samples = 5;
  // CLIENT TRACKING: the most keys the tracking tables remember (0: no limit), as Redis.
  int64_t tracking_table_max_keys = 1000000;
  int64_t maxclients = 10000;
  int64_t timeout = 0;  // idle client timeout in seconds, 0 = never
  int64_t hz = 10;
  int64_t databases = 16;
  // Hard limit on a normal client's pending output while client-output-buffer-limit sets
  // none for it (ember's safety net: Redis would let it grow); past it the client is closed.
  int64_t client_output_buffer_limit = 1024ll * 1024 * 1024;
  // client-output-buffer-limit, by OutputBufferClass, with Redis's defaults.
  OutputBufferLimit output_buffer_limits[3] = {
      {0, 0, 0}, {256ll << 20, 64ll << 20, 60}, {32ll << 20, 8ll << 20, 60}};
  // Input a client may have queued unprocessed (behind a blocking command); past it the client
  // is closed (Redis's client-query-buffer-limit).
  int64_t client_query_buffer_limit = 1024ll * 1024 * 1024;
  // maxmemory-clients: all clients' buffers together past this, the biggest are closed (0: no
  // limit). With maxmemory_clients_percent it is a percentage of maxmemory, as Redis allows.
  int64_t maxmemory_clients = 0;
  bool maxmemory_clients_percent = false;
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  std::string requirepass;
  std::string aclfile;           // ACL users loaded at start and by ACL LOAD, written by ACL SAVE
  int64_t acllog_max_len = 128;  // ACL LOG entries kept
  bool acl_pubsub_default_all = false;  // acl-pubsub-default: allchannels (true) | resetchannels
  std::string enable_debug_command = "no";  // no | yes | local (loopback clients only)
  // Collection encodings: a value stays packed (listpack / intset) up to these sizes.
  int64_t stream_node_max_bytes = 4096;  // a stream node takes entries up to these bounds
  int64_t stream_node_max_entries = 100;
  int64_t list_max_listpack_size = -2;  // > 0: entries per node; -1..-5: 4..64 KiB per node
  int64_t hash_max_listpack_entries = 128;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t list_compress_depth = 0;  // stored for CONFIG GET; lists are not compressed yet
  // A sparse HyperLogLog growing past this many bytes turns dense.
  int64_t hll_sparse_max_bytes = 3000;
  // Persistence (src/persistence): where files live, snapshot save points ("3600 1 300 100",
  // normalised; empty: none), the append-only file and its fsync policy.
  std::string data_dir = ".";  // Redis's `dir`
  std::string dbfilename = "dump.rdb";
  std::string save;
  bool appendonly = false;
  std::string appendfsync = "everysec";  // always | everysec | no
  std::string appenddirname = "appendonlydir";
  std::string appendfilename = "appendonly.aof";
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64ll * 1024 * 1024;
  bool aof_load_truncated = true;
  bool stop_writes_on_bgsave_error = true;
  bool rdbcompression = true;
  bool rdbchecksum = true;
  // Microseconds slept per key loaded at start (Redis's key-load-delay, for tests that need a
  // load that lasts); slept between slices, with the shards free to answer -LOADING.
  int64_t key_load_delay = 0;
  // Accepted and reported as Redis does, with no effect until scripting / keyspace
  // notifications exist: the script time limit (lua-time-limit, busy-reply-threshold), the
  // event classes.
  int64_t busy_reply_threshold = 5000;
  uint32_t notify_keyspace_events = 0;  // NotifyFlag bits (commands/config_params.cc)
  // Replication (replication/): --replicaof "host port" (empty: a master), the master's
  // credentials, what a replica refuses, the backlog kept for partial resyncs.
  std::string replicaof;
  std::string masterauth;
  std::string masteruser;
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  int64_t repl_backlog_size = 1ll << 20;
  // As Redis 7: with no password set, only loopback clients are served (net/protected_mode.h).
  bool protected_mode = true;
  // INFO latencystats: per-command latency histograms, and the percentiles it shows.
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles = {50.0, 99.0, 99.9};
  // LATENCY: events at or above this many milliseconds are sampled (0: off), as Redis.
  int64_t latency_monitor_threshold = 0;
  // Prometheus text exposition on http://host:port/metrics (0: off).
  int64_t metrics_port = 0;
  // TLS (net/tls_context.h): a second listener on tls_port (0: none) beside the plain one
  // (port 0: none), with Redis's parameters and defaults.
  int64_t tls_port = 0;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  std::string tls_auth_clients = "yes";  // yes | no | optional
  std::string tls_protocols;             // "TLSv1.2 TLSv1.3"; empty: both
  std::string tls_ciphers;               // TLS 1.2 and older (OpenSSL's cipher list)
  std::string tls_ciphersuites;          // TLS 1.3
  bool tls_prefer_server_ciphers = false;
};

// The most output a normal client may have pending before it is closed: its class's hard limit
// (plus the 16 KiB reply buffer Redis does not count), or ember's safety net when none is set.
inline size_t NormalOutputHardLimit(const ServerConfig& config) {
  int64_t hard = config.output_buffer_limits[kOutputNormal].hard;
  return static_cast<size_t>(hard > 0 ? hard + 16 * 1024 : config.client_output_buffer_limit);
}

// maxmemory-clients in bytes (0: none; a percentage of an unset maxmemory is none).
inline int64_t ClientMemoryLimit(const ServerConfig& config) {
  if (!config.maxmemory_clients_percent) return config.maxmemory_clients;
  return config.maxmemory / 100 * config.maxmemory_clients;
}

}  // namespace ember
