#pragma once
// A client's command pipeline. Process() parses every complete command in the input and runs
// them in the order they came, and their effects become visible in that order too:
//  - commands on the home shard (and keyless ones) run inline, replies straight to output;
//  - consecutive commands for one other shard travel there as one batch (one message and one
//    wake-up for the lot); the next command for any other shard waits until that batch is back;
//  - commands that need several shards at once (MSET across shards, DBSIZE, FLUSHALL...) run
//    as one atomic multi-shard step, after everything before them has completed;
//  - commands that change the connection (SELECT, HELLO) run once nothing is in flight.
// Replies are stitched back in arrival order.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "engine/blocking.h"
#include "engine/engine.h"
#include "engine/key_prefetcher.h"
#include "protocol/resp_parser.h"

namespace ember {

class ShardBatch;
class MultiShardStep;

// Past this much pending output a connection runs no more of its commands until the output
// drains (the rest of a pipeline waits unread), so a client that does not read holds at most
// about 4 MiB plus one reply. Not when client-output-buffer-limit sets a normal-class limit:
// then, as in Redis, its commands run on and the limit closes a client that does not read.
inline size_t OutputHighWater(const ServerConfig& config) {
  const OutputBufferLimit& limit = config.output_buffer_limits[kOutputNormal];
  return limit.hard > 0 || limit.soft > 0 ? SIZE_MAX : 4 * 1024 * 1024;
}
// With a normal-class limit set, a client's output may grow up to it: once past 4 MiB it gets
// room for all of that at once, so a doubling std::string never holds (and the allocator never
// keeps) twice the limit. A reply that starts near the limit may pass it by this slack.
inline void ReserveUpToLimit(std::string& out, size_t limit, const ServerConfig& config) {
  constexpr size_t kReserveFrom = 4 * 1024 * 1024, kSlack = 2 * 1024 * 1024;
  if (out.size() < kReserveFrom || OutputHighWater(config) != SIZE_MAX) [[likely]]
    return;
  if (out.capacity() < limit) out.reserve(limit + kSlack);
}
// A reply past the client's hard output limit stops being built and closes the client.
void CloseForOutputLimit(Engine& engine, ClientState& client);

class Session {
 public:
  // on_resume runs on the home thread once in-flight work has completed and its replies were
  // appended to the output; the owner then calls Process() again and flushes.
  Session(Engine& engine, uint32_t home_shard, ClientState& client, std::string* output,
          void (*on_resume)(void*), void* owner);
  ~Session();

  // Runs the complete commands at the start of `input`; returns how many bytes it consumed.
  // While waiting() the caller must leave the input bytes where they are, unchanged.
  size_t Process(std::string_view input);
  bool waiting() const { return outstanding_ > 0 || blocked_; }
  // Remote work is in flight: the session must outlive it.
  bool in_flight() const { return outstanding_ > 0; }
  // Parked by a blocking command (BLPOP ...) until a wake-up or its timeout.
  bool blocked() const { return blocked_; }
  int64_t block_deadline_ms() const;
  // Home thread: a key we wait on got data; re-runs the blocked command. False when the client
  // is leaving and declines: the wake-up goes to the next client waiting.
  bool OnWaiterWoken();
  // The connection is closing: stop waiting, and never park again, so that no push wakes a
  // client that could never receive what it pops.
  void AbandonBlock();
  // Home thread: replies the timeout's null and resumes, if the deadline has passed.
  void CheckBlockTimeout(int64_t now_ms);
  // Home thread: CLIENT UNBLOCK asked this client to stop waiting (as on a timeout, or with
  // an UNBLOCKED error).
  void OnUnblockRequest();
  // The last Process() stopped at a command that waits for CLIENT PAUSE to end.
  bool paused() const { return paused_; }
  // A protocol error or QUIT: flush the output, then close.
  bool closing() const { return closing_; }
  // A command of this client has begun writing its reply straight into the output: pushes for
  // the client wait in deferred_pushes() until it is done. (Before its first reply byte they go
  // ahead of it, as in Redis: a PUBLISH to oneself sees the message, then the count.)
  bool replying() const { return replying_ && output_->size() > reply_begin_; }
  std::string& deferred_pushes() { return deferred_pushes_; }
  // Output already handed to the kernel but not yet sent (io_uring's send buffer): it counts
  // against the client's output limit too.
  void set_output_in_flight(size_t bytes) { output_in_flight_ = bytes; }
  // How much more output the client may get before its hard limit closes it.
  size_t OutputRoom() const;
  // Bytes the command being parsed is known to need (for sizing the read buffer).
  size_t BytesNeededHint() const { return parser_.BytesNeededHint(); }

  // Completion callbacks, on the home thread.
  void OnBatchDone(ShardBatch* batch);
  void OnStepDone(MultiShardStep* step);

 private:
  struct PendingReply {
    int32_t source;  // -1: local_replies_, otherwise a shard id with a batch
    uint32_t begin, end;
    bool dropped = false;  // CLIENT REPLY OFF / SKIP
  };
  enum class Parsed { kCommand, kEmpty, kNeedMore, kBroken };
  enum class Admission { kRun, kRefused, kHold };
  Parsed ParseNext(std::string_view input, size_t pos, bool unauthenticated, size_t* consumed,
                   std::span<const std::string_view>* args);
  // Known, allowed and not paused? A refused command has its error replied.
  Admission Admit(std::span<const std::string_view> args, bool unauthenticated,
                  const CommandSpec** spec);
  // Routes and runs (or sends) the command; false when it must wait for the round in flight.
  bool Dispatch(const CommandSpec& spec, std::span<const std::string_view> args);
  // CLIENT REPLY: TakeSkip() before a command runs, DropsReply() with its answer after.
  bool TakeSkip();
  bool DropsReply(bool skipping) const;
  void EndWait(bool with_error);

  enum class Route { kInline, kRemote, kBarrier };
  Route Classify(const CommandSpec& spec, std::span<const std::string_view> args, uint32_t* target);
  // key_shard: where all the command's keys live (the router's target), or -1.
  void RunInline(const CommandSpec& spec, std::span<const std::string_view> args,
                 int32_t key_shard);
  void AddRemote(uint32_t shard, const CommandSpec& spec, std::span<const std::string_view> args);
  void ReplyError(std::string_view message) { ReplyLocally(message, true); }
  Admission Refuse(std::span<const std::string_view> args, std::string_view error);
  // A reply made here, not by a command (errors, QUEUED), in its place among the round's.
  void ReplyLocally(std::string_view text, bool error);
  // Between MULTI and EXEC: queues the command (true), or lets it run now (false: EXEC,
  // DISCARD, QUIT, RESET ...).
  bool QueueInMulti(const CommandSpec& spec, std::span<const std::string_view> args);
  // EXEC goes where its queued commands' and watched keys' shards are (into tx_shards_).
  Route ClassifyTransaction(uint32_t* target);
  // EVAL goes where its KEYS are (inline when that is here), or to every shard.
  Route ClassifyScript(const CommandSpec& spec, std::span<const std::string_view> args,
                       uint32_t* target);
  // The script asked to run again with every shard held (scripting/script_commands.cc).
  bool RetryScriptOnAllShards(const CommandSpec& spec, std::span<const std::string_view> args,
                              bool reply_dropped);
  void StartMultiShardStep(const CommandSpec& spec, std::span<const std::string_view> args);
  void DispatchBatches();
  void FinishRound();
  std::span<const std::string_view> StableArgs(std::span<const std::string_view> args);
  // Runs the blocking command in blocked_command_, alone.
  void RunBlocking(const CommandSpec& spec);
  // After a blocking command ran: parks the session if it blocked; true while it is parked
  // or re-running.
  bool TakeBlock();
  void Unblock();
  void Rerun();

  Engine& engine_;
  uint32_t home_shard_;
  ClientState& client_;
  std::string* output_;
  void (*on_resume_)(void*);
  void* owner_;
  RespParser parser_;
  KeyPrefetcher prefetcher_;
  ReplyBuilder reply_;

  // The current round: replies that must wait for remote work to keep their order.
  bool round_has_remote_ = false;
  uint32_t round_shard_ = 0;  // the one shard the round's commands are out on
  size_t output_in_flight_ = 0;
  // Commands one remote batch may hold: about kBatchReplyBytes of replies at the size the last
  // round's had (the first round: kFirstBatchCommands).
  static constexpr size_t kBatchReplyBytes = 4 * 1024 * 1024, kFirstBatchCommands = 64;
  size_t max_batch_commands_ = kFirstBatchCommands;
  int64_t now_ms_ = 0;  // the clock for commands run inline, read once per Process call
  // Indexed by shard: nullptr until the session first sends work there, then kept (empty
  // between rounds) and reused.
  std::vector<ShardBatch*> batches_;
  std::vector<PendingReply> pending_;
  std::string local_replies_;
  std::deque<std::string> inline_args_;  // copies of inline-command arguments for this round
  std::vector<std::string_view> arg_scratch_;
  std::vector<size_t> key_positions_;
  std::vector<uint32_t> tx_shards_;
  std::vector<std::string_view> tx_argv_;
  uint32_t outstanding_ = 0;
  bool closing_ = false;
  bool paused_ = false;
  bool step_reply_dropped_ = false;
  bool replying_ = false;
  size_t reply_begin_ = 0;
  std::string deferred_pushes_;
  bool blocked_ = false;
  bool abandoned_ = false;  // see AbandonBlock()
  std::shared_ptr<Waiter> waiter_;
  std::vector<std::string> blocked_command_;     // kept to re-run it on a wake-up
  std::vector<std::string_view> blocking_args_;  // views of it for a multi-shard step
};

}  // namespace ember
