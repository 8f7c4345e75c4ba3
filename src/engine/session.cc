#include "engine/session.h"

#include <algorithm>

#include "acl/acl_enforce.h"
#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "commands/transaction.h"
#include "common/clock.h"
#include "engine/command_stats.h"
#include "engine/dataset_loading.h"
#include "engine/execute.h"
#include "engine/remote_work.h"
#include "engine/replica_gate.h"
#include "scripting/script_busy.h"
#include "scripting/script_routing.h"

namespace ember {

void CloseForOutputLimit(Engine& engine, ClientState& client) {
  // As CLIENT KILL: gone for CLIENT LIST and INFO at once; the home worker closes it without
  // sending the rest.
  if (client.kill_requested.exchange(true, std::memory_order_relaxed)) return;
  engine.stats().connected_clients.fetch_sub(1, std::memory_order_relaxed);
  engine.stats().client_output_buffer_limit_disconnections.fetch_add(1, std::memory_order_relaxed);
}

Session::Session(Engine& engine, uint32_t home_shard, ClientState& client, std::string* output,
                 void (*on_resume)(void*), void* owner)
    : engine_(engine),
      home_shard_(home_shard),
      client_(client),
      output_(output),
      on_resume_(on_resume),
      owner_(owner),
      parser_(ParserLimits{engine.config().proto_max_bulk_len}),
      reply_(output, client.resp),
      batches_(engine.num_shards(), nullptr) {
  client_.session = this;
}

namespace {

// Lets go of a waiter that no one may wake any more: a wake-up already on its way finds no
// session and passes itself on to the next client waiting.
void CancelWaiter(std::shared_ptr<Waiter>& waiter) {
  if (waiter == nullptr) return;
  WaiterState expected = WaiterState::kWaiting;
  waiter->state.compare_exchange_strong(expected, WaiterState::kCancelled);
  waiter->session = nullptr;
  waiter.reset();
}

}  // namespace

Session::~Session() {
  CancelWaiter(waiter_);
  CancelWaiter(client_.block_waiter);
  if (blocked_) g_blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  client_.session = nullptr;
  // A connection is destroyed while its batches are out only when the server shuts down, after
  // every worker thread has stopped: nothing will run them again, and mailboxes never own or
  // touch the tasks left in them. (Otherwise in_flight() keeps the connection alive, and the
  // batches are idle between rounds.)
  for (ShardBatch* batch : batches_) delete batch;
}

std::span<const std::string_view> Session::StableArgs(std::span<const std::string_view> args) {
  // Inline commands are unescaped into the parser's own storage, which the next parse reuses;
  // remote work needs copies that live until the round ends.
  arg_scratch_.clear();
  for (std::string_view arg : args) {
    inline_args_.emplace_back(arg);
    arg_scratch_.push_back(inline_args_.back());
  }
  return arg_scratch_;
}

Session::Route Session::Classify(const CommandSpec& spec, std::span<const std::string_view> args,
                                 uint32_t* target) {
  switch (spec.exec) {
    case ExecKind::kLocal:
      *target = home_shard_;
      return Route::kInline;
    case ExecKind::kConnection:
      return Route::kBarrier;
    case ExecKind::kAllShards:
      if (engine_.num_shards() == 1) {
        *target = 0;
        return Route::kInline;
      }
      return Route::kBarrier;
    case ExecKind::kTransaction:
      return ClassifyTransaction(target);
    case ExecKind::kScript:
      return ClassifyScript(spec, args, target);
    case ExecKind::kKeyed:
      break;
  }
  CommandTable::KeyPositions(spec, args, &key_positions_);
  if (key_positions_.empty()) {
    *target = home_shard_;
    return Route::kInline;
  }
  uint32_t shard = engine_.ShardOfKey(args[key_positions_[0]]);
  for (size_t i = 1; i < key_positions_.size(); ++i) {
    if (engine_.ShardOfKey(args[key_positions_[i]]) != shard) return Route::kBarrier;
  }
  *target = shard;
  return shard == home_shard_ ? Route::kInline : Route::kRemote;
}

bool Session::TakeSkip() {
  bool skip = client_.skip_next_reply;
  client_.skip_next_reply = false;
  return skip;
}

bool Session::DropsReply(bool skipping) const {
  // After the command ran: CLIENT REPLY OFF and SKIP drop their own reply too, ON keeps it.
  return skipping || client_.reply_off || client_.skip_next_reply;
}

size_t Session::OutputRoom() const {
  size_t pending = output_->size() + output_in_flight_;
  size_t hard = NormalOutputHardLimit(engine_.config());
  return hard > pending ? hard - pending : 0;
}

void Session::RunInline(const CommandSpec& spec, std::span<const std::string_view> args,
                        int32_t key_shard) {
  auto& counter = engine_.shard(home_shard_).commands_processed;
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  bool skipping = TakeSkip();
  std::string* out = round_has_remote_ ? &local_replies_ : output_;
  size_t begin = out->size();
  reply_.set_output(out);
  size_t limit = out == output_ ? OutputRoom() + out->size() : OutputRoom();
  reply_.set_limit(limit);
  ReserveUpToLimit(*out, limit, engine_.config());
  replying_ = out == output_;
  reply_begin_ = begin;
  ExecuteCommand(engine_, spec, args, client_, reply_, now_ms_, key_shard);
  replying_ = false;
  if (reply_.Overflowed()) [[unlikely]] {
    CloseForOutputLimit(engine_, client_);
    closing_ = true;  // runs nothing more
  }
  reply_.set_output(output_);
  reply_.set_resp_version(client_.resp);  // HELLO and RESET may have switched protocols
  if (client_.script_retry_all_shards) [[unlikely]] {
    RetryScriptOnAllShards(spec, args, skipping);
    return;
  }
  if (DropsReply(skipping)) {
    out->resize(begin);
  } else if (round_has_remote_) {
    pending_.push_back({-1, static_cast<uint32_t>(begin), static_cast<uint32_t>(out->size())});
  }
  if (!deferred_pushes_.empty()) [[unlikely]] {
    output_->append(deferred_pushes_);
    deferred_pushes_.clear();
  }
}

void Session::ReplyLocally(std::string_view text, bool error) {
  bool skipping = TakeSkip();
  if (DropsReply(skipping)) return;
  // Behind remote work still out, the reply waits its turn in local_replies_.
  std::string* out = round_has_remote_ ? &local_replies_ : output_;
  auto begin = static_cast<uint32_t>(out->size());
  reply_.set_output(out);
  error ? reply_.Error(text) : reply_.SimpleString(text);
  reply_.set_output(output_);
  if (round_has_remote_)
    pending_.push_back({-1, begin, static_cast<uint32_t>(local_replies_.size())});
}

bool Session::QueueInMulti(const CommandSpec& spec, std::span<const std::string_view> args) {
  TransactionState& tx = *client_.tx;
  if (spec.flags & kCmdNotQueued) {
    if (spec.exec == ExecKind::kTransaction) {  // EXEC: the queue is complete
      client_.in_multi = false;
      tx.armed = true;
      return false;
    }
    if (spec.name == "watch") {
      ReplyError("ERR WATCH inside MULTI is not allowed");
      return true;
    }
    return false;  // MULTI (nested: its own error), DISCARD, QUIT, RESET run at once
  }
  if (spec.flags & kCmdNoMulti) {
    tx.queue_error = true;
    ReplyError("ERR Command not allowed inside a transaction");
    return true;
  }
  tx.Queue(spec, args);
  client_.multi_queued = static_cast<int>(tx.commands.size());
  ReplyLocally("QUEUED", false);
  return true;
}

Session::Route Session::ClassifyTransaction(uint32_t* target) {
  *target = home_shard_;
  const TransactionState* tx = client_.tx.get();
  // Nothing to run (EXEC without MULTI, EXECABORT): the home thread answers.
  if (tx == nullptr || !tx->armed || tx->queue_error) return Route::kInline;
  tx_shards_.clear();
  bool all = false;
  for (const TransactionState::Queued& cmd : tx->commands) {
    if (cmd.spec->exec == ExecKind::kAllShards) all = true;
    if (cmd.spec->exec != ExecKind::kKeyed) continue;
    std::vector<std::string_view>& argv = tx_argv_;
    tx->ArgsOf(cmd, &argv);
    CommandTable::KeyPositions(*cmd.spec, argv, &key_positions_);
    for (size_t pos : key_positions_) tx_shards_.push_back(engine_.ShardOfKey(argv[pos]));
  }
  for (const TransactionState::WatchedKey& w : tx->watched)
    tx_shards_.push_back(engine_.ShardOfKey(w.key));
  // Scripts: their KEYS (the kScript specs' key counts), or every shard for one known to
  // touch other keys.
  client_.script_all_shards = false;
  for (const TransactionState::Queued& cmd : tx->commands) {
    if (cmd.spec->exec != ExecKind::kScript || engine_.num_shards() == 1) continue;
    tx->ArgsOf(cmd, &tx_argv_);
    if (ScriptRunsOnAllShards(tx_argv_)) client_.script_all_shards = all = true;
    CommandTable::KeyPositions(*cmd.spec, tx_argv_, &key_positions_);
    for (size_t pos : key_positions_) tx_shards_.push_back(engine_.ShardOfKey(tx_argv_[pos]));
  }
  if (all && engine_.num_shards() > 1) {
    tx_shards_.clear();
    for (uint32_t i = 0; i < engine_.num_shards(); ++i) tx_shards_.push_back(i);
    return Route::kBarrier;
  }
  std::sort(tx_shards_.begin(), tx_shards_.end());
  tx_shards_.erase(std::unique(tx_shards_.begin(), tx_shards_.end()), tx_shards_.end());
  if (tx_shards_.empty()) return Route::kInline;
  if (tx_shards_.size() > 1) return Route::kBarrier;
  // One shard: it runs there alone, as a batch, and no other shard stops.
  *target = tx_shards_[0];
  return *target == home_shard_ ? Route::kInline : Route::kRemote;
}

Session::Route Session::ClassifyScript(const CommandSpec& spec,
                                       std::span<const std::string_view> args, uint32_t* target) {
  *target = home_shard_;
  client_.script_all_shards = false;
  if (engine_.num_shards() == 1) return Route::kInline;
  if (ScriptRunsOnAllShards(args)) {
    client_.script_all_shards = true;
    return Route::kBarrier;
  }
  CommandTable::KeyPositions(spec, args, &key_positions_);
  for (size_t pos : key_positions_) {
    // Another shard: a step even for one, so that the script can run again on every shard.
    if (engine_.ShardOfKey(args[pos]) != home_shard_) return Route::kBarrier;
  }
  return Route::kInline;
}

bool Session::RetryScriptOnAllShards(const CommandSpec& spec,
                                     std::span<const std::string_view> args, bool reply_dropped) {
  client_.script_retry_all_shards = false;
  client_.script_all_shards = true;
  client_.skip_next_reply = reply_dropped;  // CLIENT REPLY SKIP was meant for this command
  StartMultiShardStep(spec, args);
  return true;
}

void Session::AddRemote(uint32_t shard, const CommandSpec& spec,
                        std::span<const std::string_view> args) {
  round_shard_ = shard;
  ShardBatch*& batch = batches_[shard];
  if (batch == nullptr) batch = new ShardBatch(engine_, this, client_, shard, home_shard_);
  batch->Add(spec, args);
  // The reply range is filled in when the batch comes back; remember which command it was.
  bool dropped = DropsReply(TakeSkip());
  pending_.push_back(
      {static_cast<int32_t>(shard), static_cast<uint32_t>(batch->size() - 1), 0, dropped});
  round_has_remote_ = true;
}

// The stages of one command: parse it, admit it (known, authenticated, not paused), route it
// (which shard, and whether it must wait for the round in flight), execute it. MULTI queueing,
// subscribed mode and ACL checks belong in Admit.
size_t Session::Process(std::string_view input) {
  size_t pos = 0;
  now_ms_ = WallClockMs();  // one clock read per read, not per command (a batch is < 1 ms)
  prefetcher_.Reset(input, engine_, home_shard_);
  parser_.set_max_bulk_len(engine_.config().proto_max_bulk_len);  // CONFIG SET applies at once
  paused_ = false;
  while (!waiting() && !closing_ && pos < input.size()) {
    size_t consumed = 0;
    // An AUTH just before may change it.
    bool unauthenticated = !client_.authenticated && engine_.password_required();
    std::span<const std::string_view> args;
    Parsed parsed = ParseNext(input, pos, unauthenticated, &consumed, &args);
    if (parsed == Parsed::kNeedMore) break;
    if (parsed == Parsed::kBroken) {
      closing_ = true;
      break;
    }
    const CommandSpec* spec = nullptr;
    Admission admission =
        parsed == Parsed::kEmpty ? Admission::kRefused : Admit(args, unauthenticated, &spec);
    if (admission == Admission::kHold) break;
    if (admission == Admission::kRun && !Dispatch(*spec, args)) break;  // after the round
    pos += consumed;
    if (client_.close_after_reply) closing_ = true;
    if (output_->size() >= OutputHighWater(engine_.config())) break;  // the rest waits
  }
  if (round_has_remote_ && outstanding_ == 0) DispatchBatches();
  return pos;
}

Session::Parsed Session::ParseNext(std::string_view input, size_t pos, bool unauthenticated,
                                   size_t* consumed, std::span<const std::string_view>* args) {
  parser_.set_unauthenticated(unauthenticated);
  RespParser::Status status = parser_.Parse(input.substr(pos), consumed);
  if (status == RespParser::Status::kNeedMore) return Parsed::kNeedMore;
  if (pos + *consumed < input.size()) {  // pipelined: more commands follow in this read
    prefetcher_.Advance(pos, engine_.shard(home_shard_).db(client_.db));
  }
  if (status == RespParser::Status::kError) {
    ReplyError("ERR " + parser_.Error());
    return Parsed::kBroken;
  }
  *args = parser_.Args();
  if (args->empty()) return Parsed::kEmpty;
  if (input[pos] != '*') *args = StableArgs(*args);
  return Parsed::kCommand;
}

// A command refused before it runs (wrong arity, NOAUTH, NOPERM, -LOADING, -READONLY, -BUSY...):
// INFO counts it as rejected, and a MULTI it was meant for will not EXEC.
Session::Admission Session::Refuse(std::span<const std::string_view> args, std::string_view error) {
  RecordRejectedCall(args);
  if (client_.in_multi) client_.tx->queue_error = true;
  ReplyError(error);
  return Admission::kRefused;
}

Session::Admission Session::Admit(std::span<const std::string_view> args, bool unauthenticated,
                                  const CommandSpec** spec) {
  std::string error;
  *spec = CommandTable::Instance().Validate(args, &error);
  if (*spec == nullptr) {
    return Refuse(args, error);
  }
  // CLIENT PAUSE: the command waits, unread, until the pause ends (the worker resumes us).
  if (engine_.PausedFor((*spec)->flags, now_ms_)) {
    paused_ = true;
    return Admission::kHold;
  }
  client_.last_command.store(CommandTable::DisplayName(**spec, args), std::memory_order_relaxed);
  if (unauthenticated && !((*spec)->flags & kCmdNoAuth)) {
    return Refuse(args, "NOAUTH Authentication required.");
  }
  // ACL: the client's user, current (one relaxed load), and the call checked unless the user
  // may run anything (the default user). AUTH, HELLO and RESET are open to every user.
  if (client_.acl_generation != acl::Generation()) [[unlikely]] {
    if (!acl::RefreshClientUser(engine_, client_)) {  // the user was deleted
      closing_ = true;
      return Admission::kRefused;
    }
  }
  if (!client_.acl_unrestricted && !((*spec)->flags & kCmdNoAuth)) [[unlikely]] {
    acl::CheckResult denied;
    if (!acl::Permitted(engine_, client_, **spec, args, client_.in_multi ? "multi" : "toplevel",
                        now_ms_, &denied)) {
      return Refuse(args, acl::NoPermError(denied, **spec));
    }
  }
  if (DatasetLoading() && !((*spec)->flags & kCmdLoading)) [[unlikely]] {
    return Refuse(args, "LOADING Redis is loading the dataset in memory");
  }
  if (uint8_t gate = ReplicaGate(); gate != 0) [[unlikely]] {
    const char* refusal = nullptr;
    if ((gate & kGateStale) && !((*spec)->flags & kCmdStale)) {
      refusal = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    } else if ((gate & kGateReadOnly) && ((*spec)->flags & kCmdWrite)) {
      refusal = "READONLY You can't write against a read only replica.";
    }
    if (refusal != nullptr) {
      return Refuse(args, refusal);
    }
  }
  // A script has run past busy-reply-threshold (on another thread: this one is free).
  if (script_busy::Any() && !((*spec)->flags & kCmdAllowBusy)) [[unlikely]] {
    return Refuse(args, script_busy::BusyError());
  }
  if (script_busy::Any() && (*spec)->name == "shutdown") [[unlikely]] {
    // SHUTDOWN NOSAVE stops the scripts (written or not), then shuts down as usual.
    bool nosave = false;
    for (std::string_view arg : args.subspan(1)) nosave |= EqualsIgnoreCase(arg, "nosave");
    if (!nosave) {
      ReplyError(script_busy::BusyError());
      return Admission::kRefused;
    }
    script_busy::Kill(script_busy::KillKind::kForce);
  }
  // RESP2 subscribed mode: the connection carries only pub/sub frames (RESP3 mixes them).
  if (client_.resp == 2 && client_.subscribed() && !((*spec)->flags & kCmdSubscribedMode))
      [[unlikely]] {
    return Refuse(args, err::NotInSubscribedMode((*spec)->name));
  }
  return Admission::kRun;
}

bool Session::Dispatch(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (client_.in_multi && QueueInMulti(spec, args)) [[unlikely]]
    return true;
  if (spec.flags & kCmdBlocking) {
    if (round_has_remote_) return false;  // runs alone, after the round
    blocked_command_.assign(args.begin(), args.end());
    RunBlocking(spec);
    return true;
  }
  uint32_t target = 0;
  Route route = Classify(spec, args, &target);
  // A connection's commands take effect in the order it sent them, on whichever shards they
  // land: while commands are out on another shard, only more commands for that same shard
  // join them; the first for any other shard (or a barrier) waits until they are done.
  // (After CLIENT CACHING nothing runs beside the command it is for: the next one ends it.)
  if (round_has_remote_ && !(route == Route::kRemote && target == round_shard_) &&
      (!(route == Route::kInline && spec.exec == ExecKind::kLocal) || client_.tracking.caching)) {
    return false;
  }
  // A batch holds as many commands as about kBatchReplyBytes of replies (learnt from the
  // last round): a pipeline of big GETs to another shard cannot pile up gigabytes of replies
  // for a client that does not read; the rest waits for the output to drain.
  if (route == Route::kRemote && round_has_remote_ &&
      batches_[target]->size() >= max_batch_commands_) [[unlikely]] {
    return false;
  }
  if (route == Route::kInline) {
    RunInline(spec, args, static_cast<int32_t>(target));
  } else if (route == Route::kRemote) {
    AddRemote(target, spec, args);
  } else if (spec.exec == ExecKind::kConnection) {
    RunInline(spec, args, -1);
  } else {
    StartMultiShardStep(spec, args);
  }
  return true;
}

void Session::StartMultiShardStep(const CommandSpec& spec, std::span<const std::string_view> args) {
  std::vector<uint32_t> shards;
  if (spec.exec == ExecKind::kTransaction) {
    shards = tx_shards_;  // ClassifyTransaction just found them
  } else if (spec.exec == ExecKind::kAllShards ||
             (spec.exec == ExecKind::kScript && client_.script_all_shards)) {
    for (uint32_t i = 0; i < engine_.num_shards(); ++i) shards.push_back(i);
  } else {
    CommandTable::KeyPositions(spec, args, &key_positions_);
    for (size_t pos : key_positions_) shards.push_back(engine_.ShardOfKey(args[pos]));
    std::sort(shards.begin(), shards.end());
    shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  }
  auto& counter = engine_.shard(home_shard_).commands_processed;
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  step_reply_dropped_ = DropsReply(TakeSkip());
  auto* step =
      new MultiShardStep(engine_, this, client_, spec, args, std::move(shards), home_shard_);
  ++outstanding_;
  step->Post();
}

void Session::DispatchBatches() {
  for (ShardBatch* batch : batches_) {
    if (batch == nullptr || batch->size() == 0) continue;
    ++outstanding_;
    batch->Send(OutputRoom());
  }
}

void Session::OnBatchDone(ShardBatch* batch) {
  (void)batch;
  if (--outstanding_ == 0) FinishRound();
}

void Session::OnStepDone(MultiShardStep* step) {
  if (client_.script_retry_all_shards) [[unlikely]] {
    std::vector<std::string_view> args(step->args().begin(), step->args().end());
    const CommandSpec& spec = step->spec();
    delete step;
    --outstanding_;
    RetryScriptOnAllShards(spec, args, step_reply_dropped_);
    return;
  }
  if (!step_reply_dropped_) output_->append(step->reply());
  delete step;
  --outstanding_;
  inline_args_.clear();
  TakeBlock();
  on_resume_(owner_);  // also when parked: the worker then starts watching its timeout
}

void Session::RunBlocking(const CommandSpec& spec) {
  now_ms_ = WallClockMs();  // also reruns on a wake-up, outside Process
  // Views of our own copy: they must outlive a multi-shard step and serve a re-run.
  arg_scratch_.assign(blocked_command_.begin(), blocked_command_.end());
  std::span<const std::string_view> args(arg_scratch_);
  uint32_t target = 0;
  if (Classify(spec, args, &target) == Route::kInline) {
    RunInline(spec, args, static_cast<int32_t>(target));
    TakeBlock();
  } else {
    blocking_args_.assign(arg_scratch_.begin(), arg_scratch_.end());
    StartMultiShardStep(spec, blocking_args_);
  }
}

bool Session::TakeBlock() {
  client_.block_retry = false;
  if (client_.block_waiter == nullptr) return false;
  if (!client_.block_rewritten_args.empty()) [[unlikely]] {
    blocked_command_ = std::move(client_.block_rewritten_args);
    client_.block_rewritten_args.clear();
  }
  waiter_ = std::move(client_.block_waiter);
  client_.block_waiter = nullptr;
  if (abandoned_) {  // the connection closed while the command ran on other shards: never park
    CancelWaiter(waiter_);
    return false;
  }
  if (waiter_->state.load() == WaiterState::kWoken) {
    // A key got data before we even parked: run the command again right away.
    waiter_->session = nullptr;
    waiter_.reset();
    Rerun();
    return outstanding_ > 0 || blocked_;
  }
  blocked_ = true;
  client_.parked = true;
  g_blocked_clients.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Session::Unblock() {
  blocked_ = false;
  client_.parked = false;
  g_blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  waiter_->session = nullptr;
  waiter_.reset();
}

void Session::AbandonBlock() {
  abandoned_ = true;
  if (!blocked_) return;
  blocked_ = false;
  client_.parked = false;
  g_blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  CancelWaiter(waiter_);
}

void Session::Rerun() {
  const CommandSpec* spec = CommandTable::Instance().Find(blocked_command_[0]);
  client_.block_retry = true;
  RunBlocking(*spec);
}

bool Session::OnWaiterWoken() {
  if (!blocked_) return !abandoned_;  // not parked yet: TakeBlock sees the state and re-runs
  if (client_.kill_requested.load(std::memory_order_relaxed)) {
    AbandonBlock();  // killed (CLIENT KILL) but not closed yet: leave the element to others
    return false;
  }
  Unblock();
  Rerun();
  if (outstanding_ == 0 && !blocked_) on_resume_(owner_);
  return true;
}

int64_t Session::block_deadline_ms() const {
  return blocked_ ? waiter_->deadline_ms : 0;
}

void Session::CheckBlockTimeout(int64_t now_ms) {
  if (!blocked_ || waiter_->deadline_ms == 0 || now_ms < waiter_->deadline_ms) return;
  EndWait(false);
}

void Session::OnUnblockRequest() {
  int request = client_.unblock_request.exchange(0, std::memory_order_acq_rel);
  if (request != 0 && blocked_) EndWait(request == ClientState::kUnblockError);
}

void Session::EndWait(bool with_error) {
  WaiterState expected = WaiterState::kWaiting;
  if (!waiter_->state.compare_exchange_strong(expected, WaiterState::kTimedOut)) return;
  bool null_bulk = waiter_->null_bulk_on_timeout;
  Unblock();
  if (with_error) {
    reply_.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    null_bulk ? reply_.Null() : reply_.NullArray();
  }
  on_resume_(owner_);
}

void Session::FinishRound() {
  size_t before = output_->size();
  size_t commands = pending_.size();
  ReserveUpToLimit(*output_, OutputRoom() + before, engine_.config());
  // A client closed at its output limit gets none of these replies: not copying them keeps
  // its memory at the limit, not twice that.
  bool discard = client_.kill_requested.load(std::memory_order_relaxed);
  for (const PendingReply& p : pending_) {
    if (p.dropped || discard) continue;  // CLIENT REPLY OFF / SKIP
    if (p.source < 0) {
      output_->append(local_replies_, p.begin, p.end - p.begin);
      continue;
    }
    const ShardBatch* batch = batches_[static_cast<size_t>(p.source)];
    uint32_t index = p.begin;
    uint32_t begin = index == 0 ? 0 : batch->reply_size_after_run(index - 1);
    uint32_t end = batch->reply_size_after_run(index);
    output_->append(batch->replies(), begin, end - begin);
  }
  for (ShardBatch* batch : batches_) {
    if (batch != nullptr) batch->Reset();
  }
  pending_.clear();
  local_replies_.clear();
  inline_args_.clear();
  round_has_remote_ = false;
  size_t per_reply =
      std::max<size_t>(1, (output_->size() - before) / std::max<size_t>(1, commands));
  max_batch_commands_ = std::max<size_t>(1, kBatchReplyBytes / per_reply);
  on_resume_(owner_);
}

}  // namespace ember
