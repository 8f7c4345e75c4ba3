// ember-server: parses flags, opens one listener per worker, runs one worker thread per shard
// and shuts down gracefully on SIGINT, SIGTERM or SHUTDOWN.
#include <mimalloc.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "acl/acl_registry.h"
#include "commands/config_params.h"
#include "common/clock.h"
#include "engine/dataset_loading.h"
#include "engine/engine.h"
#include "engine/eviction.h"
#include "engine/shard_hold.h"
#include "keyspace/access_stamp.h"
#include "keyspace/record_heap.h"
#include "net/listener.h"
#include "net/worker.h"
#include "persistence/persistence.h"
#include "replication/replication.h"
#include "server/file_limit.h"
#include "server/memory_size.h"
#include "server/metrics_server.h"
#include "server/security_flags.h"

#if !defined(EMBER_SANITIZED)
#include "common/counting_new_delete.h"
#endif

using namespace ember;

namespace {

int ParseFlags(int argc, char** argv, ServerConfig* config) {
  CLI::App app{"ember-server: a Redis-compatible, memory-efficient cache server"};
  std::string max_memory, acl_pubsub_default = "resetchannels";
  app.add_option("--host,--bind", config->host, "address to bind to")->capture_default_str();
  app.add_option("--port,-p", config->port, "port to listen on")->capture_default_str();
  app.add_option("--shards", config->shards, "worker threads, one shard each (default: CPU cores)");
  app.add_option("--io-backend", config->io_backend, "auto, uring or epoll")
      ->check(CLI::IsMember({"auto", "uring", "epoll"}))
      ->capture_default_str();
  app.add_option("--max-memory,--maxmemory", max_memory, "memory limit, e.g. 256M, 1G");
  app.add_option("--eviction-policy,--maxmemory-policy", config->maxmemory_policy,
                 "what to do at the memory limit")
      ->check(CLI::IsMember({"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
                             "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}))
      ->capture_default_str();
  app.add_option("--proto-max-bulk-len", config->proto_max_bulk_len, "largest bulk string accepted")
      ->capture_default_str();
  app.add_option("--maxclients", config->maxclients, "most concurrent clients")
      ->capture_default_str();
  app.add_option("--timeout", config->timeout, "close clients idle this many seconds (0: never)");
  app.add_option("--hz", config->hz, "background task frequency")->capture_default_str();
  app.add_option("--requirepass", config->requirepass, "password clients must AUTH with");
  app.add_option("--aclfile", config->aclfile, "ACL users file (ACL LOAD / ACL SAVE)");
  app.add_option("--acllog-max-len", config->acllog_max_len, "ACL LOG entries kept")
      ->capture_default_str();
  app.add_option("--acl-pubsub-default", acl_pubsub_default,
                 "channels of new users: resetchannels or allchannels")
      ->check(CLI::IsMember({"resetchannels", "allchannels"}))
      ->capture_default_str();
  app.add_option("--enable-debug-command", config->enable_debug_command,
                 "allow DEBUG: no, yes, or local (loopback clients only)")
      ->check(CLI::IsMember({"no", "yes", "local"}))
      ->capture_default_str();
  app.add_option("--slowlog-log-slower-than", config->slowlog_log_slower_than,
                 "log commands slower than this many microseconds");
  app.add_option("--slowlog-max-len", config->slowlog_max_len, "slow log length");
  app.add_option("--latency-monitor-threshold", config->latency_monitor_threshold,
                 "LATENCY samples events of at least this many milliseconds (0: off)");
  app.add_option("--metrics-port", config->metrics_port,
                 "serve Prometheus metrics on http://host:port/metrics (0: off)")
      ->check(CLI::Range(0, 65535));
  std::string output_limits, maxmemory_clients;
  app.add_option("--maxmemory-clients", maxmemory_clients,
                 "close the biggest clients when all buffers pass this (\"64mb\", \"5%\")");
  app.add_option("--client-output-buffer-limit", output_limits,
                 "output limits by client class: \"pubsub 32mb 8mb 60 normal 0 0 0 ...\"");
  std::string save, appendonly, aof_min_size, aof_load_truncated, stop_writes;
  app.add_option("--data-dir,--dir", config->data_dir, "directory for persistence files")
      ->capture_default_str();
  app.add_option("--dbfilename", config->dbfilename, "snapshot file name")->capture_default_str();
  app.add_option("--save", save, "snapshot save points: \"seconds changes ...\" (\"\": none)");
  // `--appendonly` alone turns it on, as in the product's examples; yes|no as Redis.
  app.add_option("--appendonly", appendonly, "append-only file: yes or no")
      ->expected(0, 1)
      ->default_str("no");
  app.add_option("--appendfsync", config->appendfsync, "AOF fsync: always, everysec or no")
      ->check(CLI::IsMember({"always", "everysec", "no"}))
      ->capture_default_str();
  app.add_option("--appenddirname", config->appenddirname, "AOF directory inside --data-dir")
      ->capture_default_str();
  app.add_option("--appendfilename", config->appendfilename, "AOF base name")
      ->capture_default_str();
  app.add_option("--auto-aof-rewrite-percentage", config->auto_aof_rewrite_percentage,
                 "rewrite the AOF when it grew this many percent (0: never)");
  app.add_option("--auto-aof-rewrite-min-size", aof_min_size, "smallest AOF to rewrite, e.g. 64mb");
  app.add_option("--aof-load-truncated", aof_load_truncated,
                 "load a truncated AOF's valid part: yes or no");
  app.add_option("--key-load-delay", config->key_load_delay,
                 "microseconds slept per key loaded at start (for tests)");
  app.add_option("--stop-writes-on-bgsave-error", stop_writes,
                 "refuse writes while persistence fails: yes or no");
  std::string replica_read_only, serve_stale, backlog_size;
  app.add_option("--replicaof,--slaveof", config->replicaof, "replicate \"host port\"");
  app.add_option("--masterauth", config->masterauth, "password to AUTH with at the master");
  app.add_option("--masteruser", config->masteruser, "user to AUTH as at the master");
  app.add_option("--replica-read-only", replica_read_only, "refuse writes on a replica: yes or no");
  app.add_option("--replica-serve-stale-data", serve_stale,
                 "answer while the master link is down: yes or no");
  app.add_option("--repl-backlog-size", backlog_size, "replication backlog, e.g. 1mb");
  SecurityFlagText security_flags;
  AddSecurityFlags(app, config, &security_flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (!max_memory.empty()) {
    auto bytes = ParseMemorySize(max_memory);
    if (!bytes) {
      fprintf(stderr, "ember-server: invalid --max-memory '%s'\n", max_memory.c_str());
      return 1;
    }
    config->maxmemory = *bytes;
  }
  auto yes_no = [](const std::string& flag, const std::string& value, bool* out) {
    if (value == "yes" || value.empty()) {
      *out = true;
    } else if (value == "no") {
      *out = false;
    } else {
      fprintf(stderr, "ember-server: %s takes yes or no, not '%s'\n", flag.c_str(), value.c_str());
      return false;
    }
    return true;
  };
  if (app.count("--appendonly") > 0 && !yes_no("--appendonly", appendonly, &config->appendonly))
    return 1;
  if (!aof_load_truncated.empty() &&
      !yes_no("--aof-load-truncated", aof_load_truncated, &config->aof_load_truncated))
    return 1;
  if (!stop_writes.empty() &&
      !yes_no("--stop-writes-on-bgsave-error", stop_writes, &config->stop_writes_on_bgsave_error))
    return 1;
  if (!replica_read_only.empty() &&
      !yes_no("--replica-read-only", replica_read_only, &config->replica_read_only))
    return 1;
  if (!serve_stale.empty() &&
      !yes_no("--replica-serve-stale-data", serve_stale, &config->replica_serve_stale_data))
    return 1;
  if (!backlog_size.empty()) {
    auto bytes = ParseMemorySize(backlog_size);
    if (!bytes || *bytes <= 0) {
      fprintf(stderr, "ember-server: invalid --repl-backlog-size '%s'\n", backlog_size.c_str());
      return 1;
    }
    config->repl_backlog_size = *bytes;
  }
  if (!maxmemory_clients.empty()) {
    if (std::string error = SetMaxmemoryClients(*config, maxmemory_clients); !error.empty()) {
      fprintf(stderr, "ember-server: --maxmemory-clients: %s\n", error.c_str());
      return 1;
    }
  }
  config->acl_pubsub_default_all = acl_pubsub_default == "allchannels";
  if (!output_limits.empty()) {
    if (std::string error = SetOutputBufferLimits(*config, output_limits); !error.empty()) {
      fprintf(stderr, "ember-server: --client-output-buffer-limit: %s\n", error.c_str());
      return 1;
    }
  }
  if (app.count("--save") > 0) {
    if (std::string error = SetSave(*config, save); !error.empty()) {
      fprintf(stderr, "ember-server: --save: %s\n", error.c_str());
      return 1;
    }
  }
  if (!aof_min_size.empty()) {
    auto bytes = ParseMemorySize(aof_min_size);
    if (!bytes) {
      fprintf(stderr, "ember-server: invalid --auto-aof-rewrite-min-size '%s'\n",
              aof_min_size.c_str());
      return 1;
    }
    config->auto_aof_rewrite_min_size = *bytes;
  }
  if (!ApplySecurityFlags(security_flags, config)) return 1;
  if (IsLfuPolicy(config->maxmemory_policy)) g_access_tracking = AccessTracking::kLfu;
  if (config->shards == 0) config->shards = std::max(1u, std::thread::hardware_concurrency());
  std::string warnings, error;
  if (!FitMaxclientsToFileLimit(*config, &warnings, &error)) {
    fprintf(stderr, "ember-server: %s Exiting.\n", error.c_str());
    return 1;
  }
  if (!warnings.empty()) fprintf(stderr, "ember-server: %s\n", warnings.c_str());
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  // Hand emptied pages back to the OS as soon as the allocator collects them, so memory freed
  // by FLUSHALL, expiry or eviction leaves RSS (mimalloc's default waits 25 ms and then needs
  // the thread to allocate again, which an idle shard never does).
  mi_option_set(mi_option_decommit_delay, 0);
  ServerConfig config;
  if (int rc = ParseFlags(argc, argv, &config); rc >= 0) return rc;

  if (config.io_backend == "auto") config.io_backend = Worker::UringAvailable() ? "uring" : "epoll";
  if (config.io_backend == "uring" && !Worker::UringAvailable()) {
    fprintf(stderr, "ember-server: io_uring is not available here; use --io-backend epoll\n");
    return 1;
  }

  // Signals go to the main thread only (sigtimedwait below); workers never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Engine engine(config);
  acl::SetPubsubDefaultAllChannels(config.acl_pubsub_default_all);
  if (std::string error;
      !config.aclfile.empty() && !acl::Registry::Instance().LoadFile(config.aclfile, &error)) {
    fprintf(stderr, "ember-server: %s\n", error.c_str());
    return 1;
  }
  Persistence persistence(engine);
  engine.set_persistence(&persistence);
  Replication replication(engine);
  engine.set_replication(&replication);
  std::vector<int> listeners, tls_listeners;
  if (std::string error;
      !OpenServerListeners(config, engine.num_shards(), &listeners, &tls_listeners, &error)) {
    fprintf(stderr, "ember-server: %s\n", error.c_str());
    return 1;
  }

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  for (uint32_t i = 0; i < engine.num_shards(); ++i) {
    workers.push_back(Worker::Create(config.io_backend, engine, i, listeners[i], tls_listeners[i]));
  }
  // The data set comes back while the workers already serve: as Redis, clients are accepted
  // and answered -LOADING until it is in (the AOF when it is on, else the snapshot file).
  g_dataset_loading.store(true);
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });
  fprintf(stderr, "ember-server: accepting connections on %s:%u (%u shards, %s backend, pid %d)\n",
          config.host.c_str(), config.port, engine.num_shards(), config.io_backend.c_str(),
          getpid());
  auto stop_workers = [&] {
    engine.RequestShutdown();
    for (auto& thread : threads) thread.join();
    workers.clear();
  };
  auto poll_signals = [&] {
    timespec now{0, 0};
    int sig = sigtimedwait(&signals, nullptr, &now);
    if (sig == SIGINT || sig == SIGTERM) {
      fprintf(stderr, "ember-server: received %s while loading, shutting down\n",
              sig == SIGINT ? "SIGINT" : "SIGTERM");
      engine.RequestShutdown();
    }
  };
  if (std::string error; !persistence.Start(poll_signals, &error)) {
    stop_workers();
    engine.set_persistence(nullptr);
    if (error.empty()) return 0;  // a shutdown while loading: nothing to save (as Redis)
    fprintf(stderr, "ember-server: %s\n", error.c_str());
    return 1;
  }
  fprintf(stderr, "ember-server: ready on %s:%u (%u shards, %s backend, pid %d)\n",
          config.host.c_str(), config.port, engine.num_shards(), config.io_backend.c_str(),
          getpid());

  replication.Start();            // --replicaof: the link starts once the data set is in
  MetricsServer metrics(engine);  // --metrics-port: its own thread, once the data set is in
  if (std::string error; !metrics.Start(&error)) {
    fprintf(stderr, "ember-server: --metrics-port: %s\n", error.c_str());
    engine.RequestShutdown();
  }
  timespec tick{0, 100 * 1000 * 1000};
  while (!engine.shutdown_requested()) {
    int sig = sigtimedwait(&signals, nullptr, &tick);
    engine.rates().Sample(engine, MonotonicUs() / 1000);
    // Keys loaded at start live in blocks this thread carved: take back those the shards
    // freed since, so their pages can return to the OS.
    record_heap::ReclaimRemoteFrees();
    persistence.Cron(WallClockMs());
    replication.Cron();
    if (sig == SIGINT || sig == SIGTERM) {
      const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
      fprintf(stderr, "ember-server: received %s, shutting down\n", name);
      if (!engine.ConfigCopy().save.empty()) {
        // As Redis: with save points the final snapshot comes first, and if it fails the
        // server keeps serving.
        ShardHold hold(engine);
        hold.Acquire();
        std::string error;
        bool ok = persistence.PrepareShutdown(/*force=*/false, &error);
        hold.Release();
        if (!ok) {
          fprintf(stderr,
                  "ember-server: %s received but errors trying to shut down the server, check "
                  "the logs for more information\n",
                  name);
          continue;
        }
      }
      engine.RequestShutdown();
    }
  }
  metrics.Stop();      // before the workers go: a scrape in flight waits for them
  replication.Stop();  // the link may be holding the shards: it lets go first
  for (auto& thread : threads) thread.join();
  workers.clear();
  // As Redis: a final snapshot when save points are set (or SHUTDOWN SAVE), unless NOSAVE.
  Engine::ShutdownSave mode = engine.shutdown_save();
  bool save = mode == Engine::ShutdownSave::kSave ||
              (mode == Engine::ShutdownSave::kDefault && !engine.config().save.empty());
  if (std::string error; !persistence.Shutdown(save, &error)) {
    fprintf(stderr, "ember-server: error saving before exit: %s\n", error.c_str());
    engine.set_persistence(nullptr);
    return 1;
  }
  engine.set_persistence(nullptr);
  engine.set_replication(nullptr);
  fprintf(stderr, "ember-server: bye\n");
  return 0;
}
