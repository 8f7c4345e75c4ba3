#include "engine/shard_hold.h"

#include <mutex>

#include "engine/engine.h"

namespace ember {
namespace {

class Park final : public Task {
 public:
  explicit Park(std::shared_ptr<ShardHold::State> state) : state_(std::move(state)) {}
  void Run() override {
    std::shared_ptr<ShardHold::State> state = std::move(state_);
    delete this;
    state->arrived.fetch_add(1, std::memory_order_acq_rel);
    state->arrived.notify_all();
    state->released.wait(0, std::memory_order_acquire);
  }

 private:
  std::shared_ptr<ShardHold::State> state_;
};

}  // namespace

void ShardHold::Acquire() {
  if (state_) return;
  state_ = std::make_shared<ShardHold::State>();
  uint32_t shards = engine_.num_shards();
  {
    // In the order of multi-shard steps, so a step posted meanwhile cannot deadlock with us.
    std::lock_guard lock(engine_.multi_shard_order());
    for (uint32_t s = 0; s < shards; ++s) engine_.mailbox(s).Post(new Park(state_));
  }
  for (uint32_t n = state_->arrived.load(std::memory_order_acquire); n < shards;
       n = state_->arrived.load(std::memory_order_acquire)) {
    state_->arrived.wait(n, std::memory_order_acquire);
  }
}

void ShardHold::Release() {
  if (!state_) return;
  state_->released.store(1, std::memory_order_release);
  state_->released.notify_all();
  state_.reset();
}

}  // namespace ember
