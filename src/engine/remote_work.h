#pragma once
// Work that crosses threads: a batch of single-shard commands for one shard, and a multi-shard
// step that runs one command while every shard it touches is paused.
#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "engine/engine.h"
#include "engine/task_queue.h"

namespace ember {

class Session;

// Commands bound for one shard. Runs there, then travels back to the home thread as its own
// completion message.
class ShardBatch : public Task {
 public:
  struct Command {
    const CommandSpec* spec;
    uint32_t first_arg, num_args;
  };

  ShardBatch(Engine& engine, Session* session, ClientState& client, uint32_t target, uint32_t home)
      : engine_(engine), session_(session), client_(client), target_(target), home_(home) {}

  void Add(const CommandSpec& spec, std::span<const std::string_view> args);
  // Empties the batch for the session's next round, keeping small buffers (a connection that
  // keeps hopping then allocates nothing per round).
  void Reset();
  // Offsets in replies() where the next command's reply will begin.
  uint32_t reply_size_after_run(size_t command) const { return reply_ends_[command]; }
  const std::string& replies() const { return replies_; }
  size_t size() const { return commands_.size(); }
  uint32_t target() const { return target_; }
  // The client's output limit less what it already has pending (the replies stop there).
  void Send(size_t reply_limit) {
    reply_limit_ = reply_limit;
    engine_.mailbox(target_).Post(this);
  }

  void Run() override;

 private:
  Engine& engine_;
  Session* session_;
  ClientState& client_;
  uint32_t target_, home_;
  bool executed_ = false;
  size_t reply_limit_ = SIZE_MAX;
  std::vector<std::string_view> args_;
  std::vector<Command> commands_;
  std::vector<uint32_t> reply_ends_;
  std::string replies_;
};

// One command over several shards, atomic: every participant thread stops at the step; the
// last to arrive runs the command (all the others are waiting, so it may touch all their data),
// then releases them. Steps are posted under one lock, so all shards order them alike.
class MultiShardStep {
 public:
  MultiShardStep(Engine& engine, Session* session, ClientState& client, const CommandSpec& spec,
                 std::span<const std::string_view> args, std::vector<uint32_t> shards,
                 uint32_t home);
  void Post();
  const std::string& reply() const { return reply_; }
  const CommandSpec& spec() const { return spec_; }
  std::span<const std::string_view> args() const { return args_; }

 private:
  class Participant;
  class Completion : public Task {
   public:
    explicit Completion(MultiShardStep* step) : step_(step) {}
    void Run() override;

   private:
    MultiShardStep* step_;
  };
  void Arrive();
  Completion completion_{this};

  Engine& engine_;
  Session* session_;
  ClientState& client_;
  const CommandSpec& spec_;
  std::vector<std::string_view> args_;
  std::vector<uint32_t> shards_;
  uint32_t home_;
  std::string reply_;
  std::atomic<uint32_t> arrived_{0};
  std::atomic<uint32_t> done_{0};
  std::atomic<uint32_t> left_{0};
  uint64_t log_offset_ = 0;  // the durable log past the step's records (set before done_)
};

}  // namespace ember
