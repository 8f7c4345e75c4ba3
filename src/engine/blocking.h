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

// One per shard; used only by whoever is running that shard's commands.
class BlockingRegistry {
 public:
  void Add(int db, std::string_view key, std::shared_ptr<Waiter> waiter, bool at_front);
  // Wakes the first waiter on (db, key) still waiting; drops the ones that gave up.
  void WakeFirst(Engine& engine, int db, std::string_view key);
  bool empty() const { return queues_.empty(); }

 private:
  static std::string QueueKey(int db, std::string_view key);
  std::unordered_map<std::string, std::deque<std::shared_ptr<Waiter>>> queues_;
};

// For blocking handlers: parses the timeout argument (seconds, may be fractional) into ms,
// 0 meaning forever; replies Redis's error and returns nullopt when it is invalid.
std::optional<int64_t> ParseBlockTimeout(CommandContext& ctx, std::string_view arg);

// For blocking handlers that found nothing: parks the client on `keys` of its current
// database. The handler then replies nothing; the session holds the client's pipeline.
void BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms,
                 bool null_bulk_on_timeout);

// After a write command: wakes the first waiter of each of its keys that now exists.
void SignalKeysReady(Engine& engine, const CommandSpec& spec,
                     std::span<const std::string_view> args, int db, int64_t now_ms);

}  // namespace ember
