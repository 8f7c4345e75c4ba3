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

// Registries of the shards this thread ran commands on that have ready keys.
thread_local std::vector<BlockingRegistry*> t_ready_registries;

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
  active = true;
}

void BlockingRegistry::NoteReady(const std::string& queue_key) {
  if (std::find(ready_.begin(), ready_.end(), queue_key) != ready_.end()) return;
  if (ready_.empty()) t_ready_registries.push_back(this);
  ready_.push_back(queue_key);
}

void BlockingRegistry::MarkReady(int db, std::string_view key) {
  if (queues_.empty()) return;
  std::string queue_key = QueueKey(db, key);
  if (queues_.contains(queue_key)) NoteReady(queue_key);
}

void BlockingRegistry::MarkDbReady(int db) {
  for (const auto& [queue_key, queue] : queues_) {
    if (static_cast<unsigned char>(queue_key[0]) == static_cast<unsigned>(db)) NoteReady(queue_key);
  }
}

bool HasReadyKeys() {
  return !t_ready_registries.empty();
}

void ServeReadyKeys(Engine& engine, int64_t now_ms) {
  // A wake-up only posts a task, so nothing here adds ready keys while we walk them.
  for (BlockingRegistry* registry : t_ready_registries) {
    std::vector<std::string> ready = std::move(registry->ready_);
    registry->ready_.clear();
    for (const std::string& queue_key : ready) {
      int db = static_cast<unsigned char>(queue_key[0]);
      std::string_view key = std::string_view(queue_key).substr(1);
      if (!engine.shard(engine.ShardOfKey(key)).db(db).Peek(key, now_ms)) continue;
      registry->WakeFirst(engine, db, key);
    }
  }
  t_ready_registries.clear();
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
  active = !queues_.empty();
}

void BlockingRegistry::WakeAll(Engine& engine, int db, std::string_view key) {
  auto it = queues_.find(QueueKey(db, key));
  if (it == queues_.end()) return;
  std::deque<std::shared_ptr<Waiter>> queue = std::move(it->second);
  queues_.erase(it);
  active = !queues_.empty();
  for (std::shared_ptr<Waiter>& waiter : queue) {
    WaiterState expected = WaiterState::kWaiting;
    if (waiter->state.compare_exchange_strong(expected, WaiterState::kWoken)) {
      uint32_t home = waiter->home_worker;
      engine.mailbox(home).Post(new WakeTask(engine, std::move(waiter), db, key));
    }
  }
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
  if (ctx.client.in_exec) {  // inside EXEC nothing waits: the answer of a timeout, at once
    null_bulk_on_timeout ? ctx.reply.Null() : ctx.reply.NullArray();
    return;
  }
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

void PassOnKeysReady(Engine& engine, const CommandSpec& spec,
                     std::span<const std::string_view> args, int db) {
  thread_local std::vector<size_t> positions;
  CommandTable::KeyPositions(spec, args, &positions);
  for (size_t pos : positions) {
    std::string_view key = args[pos];
    engine.shard(engine.ShardOfKey(key)).blocking().MarkReady(db, key);
  }
}

}  // namespace ember
