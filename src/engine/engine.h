#pragma once
// The engine: all shards, key routing, server-wide counters and configuration. One instance
// per process, shared by every thread; per-shard data is only touched by its owner thread
// (or by a multi-shard step while the owners wait).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acl/acl_registry.h"
#include "commands/client_state.h"
#include "common/hash_slot.h"
#include "engine/client_memory.h"
#include "engine/client_tracking.h"
#include "engine/instantaneous_rates.h"
#include "engine/pubsub.h"
#include "engine/shard.h"
#include "engine/task_queue.h"
#include "engine/turn_commit.h"
#include "server/config.h"

namespace ember {

class Persistence;
class Replication;

struct ServerStats {
  std::atomic<uint64_t> total_connections_received{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> total_net_input_bytes{0};
  std::atomic<uint64_t> total_net_output_bytes{0};
  std::atomic<int64_t> connected_clients{0};
  std::atomic<uint64_t> client_query_buffer_limit_disconnections{0};
  std::atomic<uint64_t> client_output_buffer_limit_disconnections{0};
  std::atomic<uint64_t> evicted_clients{0};  // closed by maxmemory-clients
};

// Every live client, for CLIENT LIST / KILL and INFO clients.
class ClientRegistry {
 public:
  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  void Add(ClientState* client);
  void Remove(ClientState* client);
  // CLIENT SETNAME, HELLO SETNAME: other threads read names under the same lock.
  void SetName(ClientState* client, std::string_view name);
  std::string NameOf(const ClientState& client);  // from any thread
  // AUTH, HELLO AUTH, RESET and ACL changes: the client's user, on its own thread.
  void SetUser(ClientState* client, std::shared_ptr<const acl::User> user);
  // The client `id` when it lives on `worker` (called on that worker's thread, so it cannot be
  // going away meanwhile); null otherwise.
  ClientState* FindOn(uint64_t id, uint32_t worker);
  // The worker of client `id`, if it is connected.
  std::optional<uint32_t> WorkerOf(uint64_t id);
  // Clients not being closed by CLIENT KILL (those are gone for CLIENT LIST and INFO at once).
  int64_t LiveCount();
  template <typename Fn>
  void ForEach(Fn fn) {
    std::lock_guard lock(mutex_);
    for (auto& [id, client] : clients_) fn(*client);
  }
  // fn(every client by id), under the lock: none of them can go away meanwhile.
  template <typename Fn>
  void WithAll(Fn fn) {
    std::lock_guard lock(mutex_);
    fn(clients_);
  }

 private:
  std::atomic<uint64_t> next_id_{0};
  std::mutex mutex_;
  std::unordered_map<uint64_t, ClientState*> clients_;
};

class Engine {
 public:
  explicit Engine(ServerConfig config);
  ~Engine();

  uint32_t num_shards() const { return static_cast<uint32_t>(shards_.size()); }
  Shard& shard(uint32_t index) { return *shards_[index]; }
  uint32_t ShardOfKey(std::string_view key) const {
    return shards_.size() == 1 ? 0 : KeyHashSlot(key) % static_cast<uint32_t>(shards_.size());
  }
  Mailbox& mailbox(uint32_t shard) { return *mailboxes_[shard]; }

  // Shard threads read config() freely: CONFIG SET changes it only inside an all-shards step,
  // while every other shard thread is parked. Threads that run no shard (the main thread's
  // cron and loading, the metrics server) read ConfigCopy() instead, and CONFIG SET writes
  // through PublishConfig(): the lock is on neither the hot path nor a shard thread's reads.
  ServerConfig& config() { return config_; }
  ServerConfig ConfigCopy() const {
    std::lock_guard lock(config_mu_);
    return config_;
  }
  void PublishConfig(const ServerConfig& updated) {
    std::lock_guard lock(config_mu_);
    config_ = updated;
  }
  // Whether new connections must AUTH (the default user is off or has a password, as with
  // requirepass): read on every command by clients that have not authenticated (Redis asks
  // nothing of them once the password is cleared).
  bool password_required() const { return acl::Registry::DefaultRequiresAuth(); }
  ServerStats& stats() { return stats_; }
  ClientRegistry& clients() { return clients_; }
  // CLIENT KILL, maxmemory-clients, ACL DELUSER: closes `client` from any thread. It is gone
  // for CLIENT LIST and INFO at once; its own thread closes it on its next turn. False when it
  // was already being closed (the output limit may be closing it from its own thread).
  bool KillClient(ClientState& client);
  // What clients' buffers hold, per worker (maxmemory-clients, INFO).
  ClientMemory& client_memory() { return client_memory_; }
  InstantaneousRates& rates() { return rates_; }
  // Channels, patterns and monitors, and delivery to them from any thread.
  PubSub& pubsub() { return *pubsub_; }
  // CLIENT TRACKING: the invalidation service (engine/client_tracking.h).
  ClientTracking& tracking() { return *tracking_; }
  int64_t start_time_ms() const { return start_time_ms_; }

  // Multi-shard steps are posted to their shards under this lock, so every shard sees them in
  // the same order (which is what makes them deadlock-free).
  std::mutex& multi_shard_order() { return multi_shard_order_; }

  // CLIENT PAUSE: until `until_ms` (wall clock) every command, or only writes, waits. A second
  // pause keeps the later end and the stricter kind, as in Redis.
  void Pause(int64_t until_ms, bool writes_only, int64_t now_ms);
  void Unpause();
  // Whether a command with these flags must wait now (one relaxed load when not paused).
  bool PausedFor(uint32_t command_flags, int64_t now_ms) const;
  int64_t pause_until_ms() const { return pause_until_ms_.load(std::memory_order_relaxed); }

  // Where shard threads commit their journals at the end of every event-loop turn
  // (engine/turn_commit.h): the AOF, the replication stream, both, or nothing (null).
  DurableLog* durable_log() const { return durable_log_; }
  // The AOF when appendonly is on (null: off). Before the workers start, or from a step that
  // holds every shard.
  void set_durable_log(DurableLog* log);
  // The replication stream (replication/): once set, it gets every record the AOF gets. Same
  // threads as set_durable_log.
  void set_replication_sink(JournalSink* sink);

  // The persistence service (persistence/persistence.h); null in unit tests.
  Persistence* persistence() const { return persistence_; }
  void set_persistence(Persistence* p) { persistence_ = p; }
  // The replication service (replication/replication.h); null in unit tests.
  Replication* replication() const { return replication_; }
  void set_replication(Replication* r) { replication_ = r; }
  // -MISCONF: the last save or AOF write failed, writes are refused (one relaxed load).
  bool writes_refused() const { return writes_refused_.load(std::memory_order_relaxed); }
  void set_writes_refused(bool on) { writes_refused_.store(on, std::memory_order_relaxed); }
  // SHUTDOWN SAVE / NOSAVE: what the shutdown does about a final snapshot.
  enum class ShutdownSave { kDefault, kSave, kNoSave };
  void set_shutdown_save(ShutdownSave mode) { shutdown_save_.store(mode); }
  ShutdownSave shutdown_save() const { return shutdown_save_.load(); }

  void RequestShutdown();
  bool shutdown_requested() const { return shutdown_requested_.load(std::memory_order_acquire); }

 private:
  ServerConfig config_;
  mutable std::mutex config_mu_;  // PublishConfig() against ConfigCopy()
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
  ServerStats stats_;
  ClientRegistry clients_;
  ClientMemory client_memory_;
  InstantaneousRates rates_;
  std::unique_ptr<PubSub> pubsub_;
  std::unique_ptr<ClientTracking> tracking_;
  std::mutex multi_shard_order_;
  std::atomic<bool> shutdown_requested_{false};
  std::atomic<int64_t> pause_until_ms_{0};
  std::atomic<bool> pause_writes_only_{false};
  int64_t start_time_ms_;
  void UpdateJournalSinks();

  DurableLog* durable_log_ = nullptr;
  DurableLog* aof_log_ = nullptr;
  JournalSink* replication_sink_ = nullptr;
  std::unique_ptr<DurableLog> journal_tee_;  // both of them
  Persistence* persistence_ = nullptr;
  Replication* replication_ = nullptr;
  std::atomic<bool> writes_refused_{false};
  std::atomic<ShutdownSave> shutdown_save_{ShutdownSave::kDefault};
};

// The internal publish API (keyspace notifications, client tracking): callable from any shard
// thread inside a command; returns the receiver count. Check engine.pubsub().HasSubscribers()
// first to skip building the message when nobody listens.
size_t PublishMessage(Engine& engine, std::string_view channel, std::string_view message);

}  // namespace ember
