#pragma once
// Blocking commands (BLPOP, BLMOVE, BZPOPMIN ...). A command that finds none of its keys ready
// parks its client: one Waiter is queued on every key, in the registry of the key's own shard.
// A write that leaves a watched key present wakes that key's first waiter (FIFO); the woken
// client re-runs its command on its home thread, and if another client got there first it
// queues again at the front. The client's own worker enforces the timeout; whichever of
// wake-up and timeout flips the waiter's state first wins.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "keyspace/database.h"

namespace ember {

class Engine;
class Session;
struct CommandContext;
struct CommandSpec;

enum class WaiterState : int { kWaiting, kWoken, kTimedOut, kCancelled };

struct Waiter {
  std::atomic<WaiterState> state{WaiterState::kWaiting};
  uint32_t home_worker = 0;
  Session* session = nullptr;         // read and cleared only on the home thread
  int64_t deadline_ms = 0;            // 0: no timeout
  bool null_bulk_on_timeout = false;  // BLMOVE/BRPOPLPUSH: a null bulk; others a null array
};

// Clients blocked in the whole server: a write only looks for waiters when this is non-zero.
inline std::atomic<int64_t> g_blocked_clients{0};

// One per shard; used only by whoever is running that shard's commands. The shard's databases
// tell it of every new key; a watched one is noted as ready, and once the command that made it
// has finished, ServeReadyKeys() wakes the first client waiting on each ready key that still
// exists (as Redis's signalKeyAsReady / handleClientsBlockedOnKeys).
class BlockingRegistry final : public KeyAddedObserver {
 public:
  void Add(int db, std::string_view key, std::shared_ptr<Waiter> waiter, bool at_front);
  // Wakes the first waiter on (db, key) still waiting; drops the ones that gave up.
  void WakeFirst(Engine& engine, int db, std::string_view key);
  // Wakes every waiter on (db, key): new stream entries are for all readers (XREAD), and a
  // group reader that finds nothing left parks again.
  void WakeAll(Engine& engine, int db, std::string_view key);
  bool empty() const { return queues_.empty(); }

  void OnKeyAdded(int db, std::string_view key) override { MarkReady(db, key); }
  // Notes (db, key) as ready if a client waits on it.
  void MarkReady(int db, std::string_view key);
  // SWAPDB: every key waited on in `db` may exist now.
  void MarkDbReady(int db);

 private:
  static std::string QueueKey(int db, std::string_view key);
  void NoteReady(const std::string& queue_key);
  friend void ServeReadyKeys(Engine& engine, int64_t now_ms);

  std::unordered_map<std::string, std::deque<std::shared_ptr<Waiter>>> queues_;
  std::vector<std::string> ready_;  // queue keys, each once
};

// After a command: wakes one client for each ready key the command left present, on every
// shard this thread touched. Cheap when nothing is ready (one thread-local check).
void ServeReadyKeys(Engine& engine, int64_t now_ms);
bool HasReadyKeys();

// For blocking handlers: parses the timeout argument (seconds, may be fractional) into ms,
// 0 meaning forever; replies Redis's error and returns nullopt when it is invalid.
std::optional<int64_t> ParseBlockTimeout(CommandContext& ctx, std::string_view arg);

// For blocking handlers that found nothing: parks the client on `keys` of its current
// database. The handler then replies nothing; the session holds the client's pipeline.
void BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms,
                 bool null_bulk_on_timeout);

// After a blocking command took its share: its keys that still hold data are ready for the
// next client waiting on them (a push of several elements wakes one client, which passes on).
void PassOnKeysReady(Engine& engine, const CommandSpec& spec,
                     std::span<const std::string_view> args, int db);

}  // namespace ember
