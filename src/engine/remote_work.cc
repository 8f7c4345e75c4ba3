#include "engine/remote_work.h"

#include <thread>

#include "common/clock.h"
#include "engine/execute.h"
#include "engine/session.h"
#include "keyspace/segmented_table.h"

namespace ember {

void ShardBatch::Add(const CommandSpec& spec, std::span<const std::string_view> args) {
  commands_.push_back(
      {&spec, static_cast<uint32_t>(args_.size()), static_cast<uint32_t>(args.size())});
  args_.insert(args_.end(), args.begin(), args.end());
}

void ShardBatch::Reset() {
  // Buffers a bulk round grew are let go: an idle connection keeps at most a few KiB here.
  constexpr size_t kKeepBytes = 4096;
  executed_ = false;
  args_.clear();
  commands_.clear();
  reply_ends_.clear();
  replies_.clear();
  if (replies_.capacity() > kKeepBytes) std::string().swap(replies_);
  if (args_.capacity() * sizeof(args_[0]) > kKeepBytes) std::vector<std::string_view>().swap(args_);
  if (commands_.capacity() * sizeof(Command) > kKeepBytes) std::vector<Command>().swap(commands_);
  if (reply_ends_.capacity() * sizeof(uint32_t) > kKeepBytes)
    std::vector<uint32_t>().swap(reply_ends_);
}

void ShardBatch::Run() {
  if (executed_) {  // back on the home thread
    session_->OnBatchDone(this);
    return;
  }
  ReplyBuilder reply(&replies_, client_.resp);
  size_t limit = reply_limit_;
  reply.set_limit(limit);
  int64_t now = WallClockMs();
  reply_ends_.reserve(commands_.size());
  // The keys' table lines and records are cold on this core: ask for all the table lines
  // first, then for each record one command ahead (the home thread's prefetcher left them
  // alone, they are not its keys).
  const Database& db = engine_.shard(target_).db(client_.db);
  thread_local std::vector<uint64_t> hashes;
  hashes.clear();
  for (const Command& cmd : commands_) {
    auto key_index = static_cast<uint32_t>(cmd.spec->first_key);
    bool keyed = key_index > 0 && key_index < cmd.num_args;
    hashes.push_back(keyed ? HashKey(args_[cmd.first_arg + key_index]) : 0);
    if (keyed) db.PrefetchSlots(hashes.back());
  }
  size_t ran = 0;
  for (; ran < commands_.size(); ++ran) {
    size_t i = ran;
    if (i + 1 < commands_.size() && hashes[i + 1] != 0) db.PrefetchRecord(hashes[i + 1]);
    const Command& cmd = commands_[i];
    std::span<const std::string_view> args(args_.data() + cmd.first_arg, cmd.num_args);
    ReserveUpToLimit(replies_, limit, engine_.config());
    ExecuteCommand(engine_, *cmd.spec, args, client_, reply, now, static_cast<int32_t>(target_));
    reply_ends_.push_back(static_cast<uint32_t>(replies_.size()));
    if (reply.Overflowed()) [[unlikely]] {
      // A pipeline of big replies for a client that does not read: the rest does not run
      // (their replies stay empty) and the client is closed, as at its output limit.
      CloseForOutputLimit(engine_, client_);
      reply_ends_.resize(commands_.size(), static_cast<uint32_t>(replies_.size()));
      ++ran;
      break;
    }
  }
  auto& counter = engine_.shard(target_).commands_processed;
  counter.store(counter.load(std::memory_order_relaxed) + ran, std::memory_order_relaxed);
  executed_ = true;
  turn_commit::PostAfterCommit(engine_, home_, this);
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
    // Every other participant is parked below: this thread owns all their shards now. What
    // they journaled before the step goes to the log first, the step's own records before
    // anyone resumes, so the log's order is the execution order.
    for (uint32_t shard : shards_) turn_commit::HandOver(engine_, engine_.shard(shard).journal());
    ReplyBuilder reply(&reply_, client_.resp);
    ExecuteCommand(engine_, spec_, args_, client_, reply, WallClockMs());
    if (Journal* journal = Journal::Current(); journal != nullptr)
      log_offset_ = turn_commit::HandOver(engine_, *journal);
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
    turn_commit::PostAfterCommit(engine_, home_, &completion_, log_offset_);
}

void MultiShardStep::Completion::Run() {
  step_->session_->OnStepDone(step_);
}

}  // namespace ember
