#pragma once
// Server configuration: command-line flags, and the parameters CONFIG GET/SET expose.
#include <cstdint>
#include <string>

namespace ember {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  uint32_t shards = 0;              // 0: one per CPU core
  std::string io_backend = "auto";  // auto | uring | epoll
  int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int64_t maxmemory_samples = 5;
  int64_t maxclients = 10000;
  int64_t timeout = 0;  // idle client timeout in seconds, 0 = never
  int64_t hz = 10;
  int64_t databases = 16;
  // Hard limit on a normal client's pending output; past it the client is closed.
  int64_t client_output_buffer_limit = 1024ll * 1024 * 1024;
  // Input a client may have queued unprocessed (behind a blocking command); past it the client
  // is closed (Redis's client-query-buffer-limit).
  int64_t client_query_buffer_limit = 1024ll * 1024 * 1024;
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  std::string requirepass;
  std::string enable_debug_command = "no";  // no | yes | local (loopback clients only)
  // Collection encodings: a value stays packed (listpack / intset) up to these sizes.
  int64_t list_max_listpack_size = -2;  // > 0: entries per node; -1..-5: 4..64 KiB per node
  int64_t hash_max_listpack_entries = 128;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
};

}  // namespace ember
