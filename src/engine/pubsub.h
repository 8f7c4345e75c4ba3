#pragma once
// Pub/sub and MONITOR: who listens to what, and the delivery of their frames to connections on
// any worker thread.
//
// The registry (channels, shard channels, patterns, monitors -> listeners) is shared by every
// thread under a reader-writer lock: publishers read it, subscribers change it on their own
// thread. A listener is (client id, worker thread, target). A publisher on the listener's own
// thread appends to its connection at once; for any other thread it queues one task per
// destination thread per publish, carrying client ids and one refcounted copy of each frame.
// The destination finds the connection by id in its own per-thread table, so a connection
// that closed meanwhile is simply not found.
#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "commands/client_state.h"
#include "engine/pattern_index.h"

namespace ember {

class Mailbox;

// A subscriber's connection as its own worker thread sees it (net/connection.h).
class PushTarget {
 public:
  // Appends one frame to the output and schedules a flush; `push`: a RESP2 array the
  // connection sends as a RESP3 push ('>') when it speaks RESP3. Only on the target's thread.
  virtual void Push(std::string_view frame, bool push) = 0;

 protected:
  ~PushTarget() = default;
};

enum class SubscriptionKind : uint8_t { kChannel = 0, kPattern = 1, kShardChannel = 2 };

// One frame bound for several threads: one allocation, freed by the last thread done with it.
class SharedFrame {
 public:
  static SharedFrame* Make(std::string_view bytes, bool push);
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref();
  std::string_view bytes() const { return {data(), size_}; }
  bool push() const { return push_; }

 private:
  SharedFrame(size_t size, bool push) : size_(size), push_(push) {}
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::atomic<uint32_t> refs_{1};
  uint32_t size_;
  bool push_;
};

class PubSub {
 public:
  // `mailboxes`: one per worker thread, indexed like ClientState::worker.
  explicit PubSub(std::span<Mailbox* const> mailboxes);
  ~PubSub();
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // The calling thread is worker `worker`: deliveries to its clients need no task. Threads
  // never bound (tests, the main thread) deliver through the mailboxes only.
  static void BindThread(int worker);
  static int bound_worker();

  // On the client's own thread. True when the subscription is new / was there.
  bool Subscribe(ClientState& client, SubscriptionKind kind, std::string_view name);
  bool Unsubscribe(ClientState& client, SubscriptionKind kind, std::string_view name);
  // The client's subscriptions of one kind (UNSUBSCRIBE with no argument).
  std::vector<std::string> SubscriptionsOf(const ClientState& client, SubscriptionKind kind) const;
  void StartMonitor(ClientState& client);
  // Makes the client findable by LocalClient on its own thread (client tracking's deliveries to
  // clients that subscribed to nothing). On the client's own thread.
  void Enlist(ClientState& client) { EntryOf(client); }
  // On worker `worker`'s thread: its client `id`, if it is in this registry's books.
  ClientState* LocalClient(uint64_t id, uint32_t worker) {
    auto& clients = workers_[worker]->clients;
    auto it = clients.find(id);
    return it == clients.end() ? nullptr : it->second.state;
  }
  // Every subscription and MONITOR of the client (RESET, connection close).
  void DropClient(ClientState& client);

  // Any thread: delivers `message` to the channel's subscribers (and, for a plain channel, to
  // the clients whose patterns match it); returns how many receivers it was sent to.
  size_t Publish(std::string_view channel, std::string_view message, bool shard = false);
  // Posts what this thread published for other threads since the last flush (the end of each
  // event-loop turn, and before any result this thread sends elsewhere, so that a client that
  // saw the reply of a PUBLISH can never see a later message first).
  void FlushThread();
  // One relaxed load: anyone subscribed to a channel or a pattern at all?
  bool HasSubscribers() const {
    return num_channels_.load(std::memory_order_relaxed) +
               num_patterns_.load(std::memory_order_relaxed) >
           0;
  }
  // One relaxed load: is any client in MONITOR mode?
  bool monitored() const { return num_monitors_.load(std::memory_order_relaxed) > 0; }
  // Sends a MONITOR line for a command `client` ran in database `db`.
  void FeedMonitors(const ClientState& client, int db, std::span<const std::string_view> args);

  // PUBSUB CHANNELS / SHARDCHANNELS (empty pattern: all), NUMSUB / SHARDNUMSUB, NUMPAT.
  std::vector<std::string> ActiveChannels(bool shard, std::string_view pattern) const;
  size_t SubscriberCount(bool shard, std::string_view channel) const;
  // Distinct channels / patterns / shard channels with at least one subscriber (INFO).
  size_t num_channels() const { return num_channels_.load(std::memory_order_relaxed); }
  size_t num_patterns() const { return num_patterns_.load(std::memory_order_relaxed); }
  size_t num_shard_channels() const { return num_shard_channels_.load(std::memory_order_relaxed); }

 private:
  struct Listener {
    uint64_t client_id;
    uint32_t worker;
    PushTarget* target;  // dereferenced only on `worker`'s thread
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using ListenerMap =
      std::unordered_map<std::string, std::vector<Listener>, StringHash, std::equal_to<>>;
  // What one worker thread knows of its own clients; only that thread touches it.
  struct ClientEntry {
    PushTarget* target = nullptr;
    ClientState* state = nullptr;
    std::unordered_set<std::string, StringHash, std::equal_to<>> names[3];
    bool monitor = false;
  };
  struct alignas(64) WorkerClients {
    std::unordered_map<uint64_t, ClientEntry> clients;
  };
  class Delivery;

 public:
  struct Outbox;

 private:
  void PostOrHold(Outbox& outbox);

  ListenerMap& MapOf(SubscriptionKind kind);
  std::atomic<size_t>& CounterOf(SubscriptionKind kind);
  ClientEntry& EntryOf(ClientState& client);
  void PublishCounts(ClientState& client, const ClientEntry& entry);
  // Under the shared lock: hands `frame` to every listener, now or through the outbox.
  void Deliver(const std::vector<Listener>& listeners, std::string_view frame, bool push,
               Outbox& outbox);
  void PostOutbox(Outbox& outbox);

  std::vector<Mailbox*> mailboxes_;
  std::vector<std::unique_ptr<WorkerClients>> workers_;
  mutable std::shared_mutex mutex_;
  ListenerMap channels_, patterns_, shard_channels_;
  // patterns_' entries by literal prefix: what a PUBLISH matches against.
  PatternIndex<ListenerMap::value_type> pattern_index_;
  std::vector<Listener> monitors_;
  std::atomic<size_t> num_channels_{0}, num_patterns_{0}, num_shard_channels_{0};
  std::atomic<size_t> num_monitors_{0};
};

// Appends a MONITOR line for `args` ("+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"\r\n"),
// with passwords redacted as Redis does.
void FormatMonitorLine(std::string& out, int64_t now_us, int db, std::string_view addr,
                       std::span<const std::string_view> args);

}  // namespace ember
