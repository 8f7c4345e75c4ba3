#include "engine/all_shards_task.h"

#include <atomic>
#include <memory>
#include <thread>

#include "engine/engine.h"
#include "engine/turn_commit.h"

namespace ember {
namespace {

struct Barrier {
  Barrier(Engine& e, std::function<void()> f, uint32_t n)
      : engine(e), fn(std::move(f)), shards(n) {}
  Engine& engine;
  std::function<void()> fn;
  uint32_t shards;
  std::atomic<uint32_t> arrived{0};
  std::atomic<uint32_t> done{0};
};

class Arrival final : public Task {
 public:
  explicit Arrival(std::shared_ptr<Barrier> barrier) : barrier_(std::move(barrier)) {}
  void Run() override {
    std::shared_ptr<Barrier> b = std::move(barrier_);
    delete this;
    if (b->arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == b->shards) {
      // As a multi-shard step: what the shards journaled before goes to the log first.
      for (uint32_t s = 0; s < b->shards; ++s)
        turn_commit::HandOver(b->engine, b->engine.shard(s).journal());
      b->fn();
      if (Journal* journal = Journal::Current(); journal != nullptr)
        turn_commit::HandOver(b->engine, *journal);
      b->done.store(1, std::memory_order_release);
      b->done.notify_all();
    } else {
      for (int spin = 0; spin < 200 && b->done.load(std::memory_order_acquire) == 0; ++spin)
        std::this_thread::yield();
      b->done.wait(0, std::memory_order_acquire);
    }
  }

 private:
  std::shared_ptr<Barrier> barrier_;
};

}  // namespace

void RunOnAllShards(Engine& engine, std::function<void()> fn) {
  auto barrier = std::make_shared<Barrier>(engine, std::move(fn), engine.num_shards());
  std::lock_guard lock(engine.multi_shard_order());
  for (uint32_t s = 0; s < engine.num_shards(); ++s) engine.mailbox(s).Post(new Arrival(barrier));
}

}  // namespace ember
