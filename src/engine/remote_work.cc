#include "engine/remote_work.h"

#include <thread>

#include "common/clock.h"
#include "engine/execute.h"
#include "engine/session.h"

namespace ember {

void ShardBatch::Add(const CommandSpec& spec, std::span<const std::string_view> args) {
  commands_.push_back(
      {&spec, static_cast<uint32_t>(args_.size()), static_cast<uint32_t>(args.size())});
  args_.insert(args_.end(), args.begin(), args.end());
}

void ShardBatch::Run() {
  if (executed_) {  // back on the home thread
    session_->OnBatchDone(this);
    return;
  }
  ReplyBuilder reply(&replies_, client_.resp);
  int64_t now = WallClockMs();
  reply_ends_.reserve(commands_.size());
  for (const Command& cmd : commands_) {
    std::span<const std::string_view> args(args_.data() + cmd.first_arg, cmd.num_args);
    ExecuteCommand(engine_, *cmd.spec, args, client_, reply, now, static_cast<int32_t>(target_));
    reply_ends_.push_back(static_cast<uint32_t>(replies_.size()));
  }
  auto& counter = engine_.shard(target_).commands_processed;
  counter.store(counter.load(std::memory_order_relaxed) + commands_.size(),
                std::memory_order_relaxed);
  executed_ = true;
  engine_.mailbox(home_).Post(this);
}

class MultiShardStep::Participant : public Task {
 public:
  explicit Participant(MultiShardStep* step) : step_(step) {}
  void Run() override {
    MultiShardStep* step = step_;
    delete this;
    step->Arrive();
  }

 private:
  MultiShardStep* step_;
};

MultiShardStep::MultiShardStep(Engine& engine, Session* session, ClientState& client,
                               const CommandSpec& spec, std::span<const std::string_view> args,
                               std::vector<uint32_t> shards, uint32_t home)
    : engine_(engine),
      session_(session),
      client_(client),
      spec_(spec),
      args_(args.begin(), args.end()),
      shards_(std::move(shards)),
      home_(home) {}

void MultiShardStep::Post() {
  std::lock_guard lock(engine_.multi_shard_order());
  for (uint32_t shard : shards_) engine_.mailbox(shard).Post(new Participant(this));
}

void MultiShardStep::Arrive() {
  const auto n = static_cast<uint32_t>(shards_.size());
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
    // Every other participant is parked below: this thread owns all their shards now.
    ReplyBuilder reply(&reply_, client_.resp);
    ExecuteCommand(engine_, spec_, args_, client_, reply, WallClockMs());
    done_.store(1, std::memory_order_release);
    done_.notify_all();
  } else {
    for (int spin = 0; spin < 200 && done_.load(std::memory_order_acquire) == 0; ++spin) {
      std::this_thread::yield();
    }
    done_.wait(0, std::memory_order_acquire);
  }
  // The last one out tells the home thread; nobody touches the step after that.
  if (left_.fetch_add(1, std::memory_order_acq_rel) + 1 == n)
    engine_.mailbox(home_).Post(&completion_);
}

void MultiShardStep::Completion::Run() {
  step_->session_->OnStepDone(step_);
}

}  // namespace ember
