#include "engine/blocking.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "commands/command.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "engine/session.h"

namespace ember {
namespace {

// Runs on the key's shard: wakes the next client waiting on the key.
class PassWakeTask : public Task {
 public:
  PassWakeTask(Engine& engine, int db, std::string_view key)
      : engine_(engine), db_(db), key_(key) {}
  void Run() override {
    engine_.shard(engine_.ShardOfKey(key_)).blocking().WakeFirst(engine_, db_, key_);
    delete this;
  }

 private:
  Engine& engine_;
  int db_;
  std::string key_;
};

// Runs on the blocked client's home thread.
class WakeTask : public Task {
 public:
  WakeTask(Engine& engine, std::shared_ptr<Waiter> waiter, int db, std::string_view key)
      : engine_(engine), waiter_(std::move(waiter)), db_(db), key_(key) {}
  void Run() override {
    // A client that left (or is leaving) after this wake-up was sent declines it: it goes to
    // the next client waiting on the key, which would otherwise stay parked beside a ready key.
    Session* session = waiter_->session;
    if (session == nullptr || !session->OnWaiterWoken())
      engine_.mailbox(engine_.ShardOfKey(key_)).Post(new PassWakeTask(engine_, db_, key_));
    delete this;
  }

 private:
  Engine& engine_;
  std::shared_ptr<Waiter> waiter_;
  int db_;
  std::string key_;
};

}  // namespace

std::string BlockingRegistry::QueueKey(int db, std::string_view key) {
  std::string out(1, static_cast<char>(db));
  out.append(key);
  return out;
}

void BlockingRegistry::Add(int db, std::string_view key, std::shared_ptr<Waiter> waiter,
                           bool at_front) {
  auto& queue = queues_[QueueKey(db, key)];
  // Forget clients that timed out or left, so an idle key's queue cannot grow without bound.
  std::erase_if(queue, [](const auto& w) { return w->state.load() != WaiterState::kWaiting; });
  at_front ? queue.push_front(std::move(waiter)) : queue.push_back(std::move(waiter));
}

void BlockingRegistry::WakeFirst(Engine& engine, int db, std::string_view key) {
  auto it = queues_.find(QueueKey(db, key));
  if (it == queues_.end()) return;
  auto& queue = it->second;
  while (!queue.empty()) {
    std::shared_ptr<Waiter> waiter = std::move(queue.front());
    queue.pop_front();
    WaiterState expected = WaiterState::kWaiting;
    if (waiter->state.compare_exchange_strong(expected, WaiterState::kWoken)) {
      uint32_t home = waiter->home_worker;
      engine.mailbox(home).Post(new WakeTask(engine, std::move(waiter), db, key));
      break;
    }
  }
  if (queue.empty()) queues_.erase(it);
}

std::optional<int64_t> ParseBlockTimeout(CommandContext& ctx, std::string_view arg) {
  auto seconds = ParseDouble(arg);
  if (!seconds || !std::isfinite(*seconds) || *seconds * 1000 > 9.2e18) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  if (*seconds < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return std::nullopt;
  }
  return static_cast<int64_t>(std::ceil(*seconds * 1000));
}

void BlockClient(CommandContext& ctx, std::span<const std::string_view> keys, int64_t timeout_ms,
                 bool null_bulk_on_timeout) {
  auto waiter = std::make_shared<Waiter>();
  waiter->home_worker = ctx.client.worker;
  // Set now, not when the session takes the block: a wake-up may reach the home thread first.
  waiter->session = ctx.client.session;
  waiter->deadline_ms = timeout_ms == 0 ? 0 : ctx.now_ms + timeout_ms;
  waiter->null_bulk_on_timeout = null_bulk_on_timeout;
  for (std::string_view key : keys) {
    Shard& shard = ctx.engine.shard(ctx.engine.ShardOfKey(key));
    shard.blocking().Add(ctx.client.db, key, waiter, ctx.client.block_retry);
  }
  ctx.client.block_waiter = std::move(waiter);
}

void SignalKeysReady(Engine& engine, const CommandSpec& spec,
                     std::span<const std::string_view> args, int db, int64_t now_ms) {
  thread_local std::vector<size_t> positions;
  CommandTable::KeyPositions(spec, args, &positions);
  for (size_t i = 0; i < positions.size(); ++i) {
    std::string_view key = args[positions[i]];
    Shard& shard = engine.shard(engine.ShardOfKey(key));
    if (shard.blocking().empty()) continue;
    if (!shard.db(db).Peek(key, now_ms)) continue;  // deleted or emptied: nothing to serve
    // One wake-up per key (LMOVE k k names it twice): each woken client wakes the next once it
    // has taken its share, so a second one would race the first for the same element, out of
    // turn.
    auto same_key = [&](size_t pos) { return args[pos] == key; };
    if (std::any_of(positions.begin(), positions.begin() + i, same_key)) continue;
    shard.blocking().WakeFirst(engine, db, key);
  }
}

}  // namespace ember
