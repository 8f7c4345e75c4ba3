#pragma once
// Client-side caching (CLIENT TRACKING), Redis 7.0's semantics.
//
// Default mode: the keys a tracking client reads are remembered on each key's shard
// (engine/tracking_table.h), in that shard's thread; a change of such a key (any write,
// expiry, eviction: the shard's write hooks) sends every remembered client one invalidation
// and forgets the key. BCAST: every change of a key under a client's prefix is noted on the
// shard and sent at the end of the shard's turn, one message per prefix. FLUSHDB/FLUSHALL send
// every tracking client the null invalidation.
//
// Delivery, as pub/sub's: the writing thread gathers invalidations per destination worker and
// posts one task per worker at the end of its turn; the destination finds the client by id
// (a closed client is not found), applies its current mode and redirection, and pushes
// `>2 invalidate [keys]` (RESP3) or, to a RESP2 redirect target in subscribed mode, a
// `__redis__:invalidate` message. Invalidations for the client whose own command made them
// wait until that command's reply is complete (ClientState::after_reply_pushes), as in Redis.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/tracking_table.h"

namespace ember {

class Engine;
struct ClientState;
struct CommandSpec;
class ReplyBuilder;

class ClientTracking {
 public:
  explicit ClientTracking(Engine& engine);

  // CLIENT TRACKING ON (the command holds every shard): registers the client, subscribes its
  // BCAST prefixes on every shard.
  void Enable(ClientState& client, uint64_t redirect, bool bcast, bool optin, bool optout,
              bool noloop, std::span<const std::string_view> prefixes);
  // CLIENT TRACKING OFF (every shard held).
  void Disable(ClientState& client);
  // RESET or disconnect, on the client's own thread (shards not held): its BCAST prefixes go
  // through a task per shard; its default-mode entries go lazily (a closed client is never
  // found again, ids are never reused).
  void OnClientGone(ClientState& client);

  // After a command of a client with tracking_active ran (engine/execute.cc): remembers the
  // keys of a read, ends a CLIENT CACHING, and appends the client's own invalidations after
  // its reply.
  void AfterCommand(const CommandSpec& spec, std::span<const std::string_view> args,
                    ClientState& client, ReplyBuilder& reply);
  // The write hooks of shard `shard`: the key `key` (HashKey(key) == hash) is about to change.
  void KeyChanged(ShardTracking& shard, uint64_t hash, std::string_view key);
  // FLUSHDB / FLUSHALL by `flusher` (every shard held): the null invalidation to every
  // tracking client, and every shard forgets its keys.
  void Flushed(ClientState& flusher);
  // End of the owner thread's turn: posts what shard `shard` gathered.
  void FlushShard(uint32_t shard);

  // INFO: clients with tracking on, and the tables' sizes.
  size_t num_clients();
  size_t num_prefixes();
  int64_t total_keys() const { return total_keys_.load(std::memory_order_relaxed); }
  int64_t total_items() const { return total_items_.load(std::memory_order_relaxed); }

  // What a destination worker receives: one invalidation for one client.
  enum class Kind : uint8_t { kDefault, kBroadcast, kNull };
  struct Message {
    uint64_t client_id;
    uint64_t seq;  // when it was made (see TrackingState::off_seq)
    Kind kind;
    bool redirected;      // client_id is a redirect target: only its protocol matters
    std::string payload;  // the RESP array of keys (empty for kNull)
  };
  // On worker `worker`'s thread.
  void DeliverHere(uint32_t worker, Message message);

 private:
  class Delivery;
  void Post(uint32_t worker, std::vector<Message> messages);
  void Send(uint32_t worker, Message message);
  // The client the shard's command runs for is also the one to tell: true when handled here.
  bool TellWriter(const TrackedClient& target, std::string_view payload, bool null);
  void Remember(ClientState& client, std::string_view key);
  void Invalidate(ShardTracking& shard, const TrackingTable::Entry& entry);
  ShardTracking& shard(uint32_t index);

  Engine& engine_;
  // Orders tracking's ON/OFF against the changes that make invalidations: CLIENT TRACKING holds
  // every shard, so no change runs beside it.
  std::atomic<uint64_t> seq_{1};
  std::atomic<int64_t> total_keys_{0};
  std::atomic<int64_t> total_items_{0};
  std::mutex mutex_;
  std::unordered_map<uint64_t, uint32_t> clients_;    // tracking client id -> worker
  std::map<std::string, int, std::less<>> prefixes_;  // BCAST prefix -> clients using it
};

// The client whose command the calling thread runs (null outside commands: the expiry sweeper,
// eviction by the timer). Set by ExecuteCommand around every command: inline, two stores.
inline thread_local ClientState* t_command_client = nullptr;
inline ClientState* CommandClient() {
  return t_command_client;
}
inline void SetCommandClient(ClientState* client) {
  t_command_client = client;
}

}  // namespace ember
