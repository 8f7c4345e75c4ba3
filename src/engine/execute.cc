#include "engine/execute.h"

#include <vector>

#include "commands/errors.h"
#include "engine/blocking.h"
#include "engine/command_stats.h"
#include "engine/eviction.h"
#include "engine/journal.h"
#include "engine/slow_command_watch.h"
#include "persistence/persistence.h"

namespace ember {
namespace {

// The shard a write's memory check evicts from: the one owning its first key, which is the
// shard this thread is running the command for.
Shard& ShardForMemoryCheck(Engine& engine, const CommandSpec& spec,
                           std::span<const std::string_view> args, int32_t key_shard) {
  if (key_shard >= 0) return engine.shard(static_cast<uint32_t>(key_shard));
  thread_local std::vector<size_t> positions;
  CommandTable::KeyPositions(spec, args, &positions);
  uint32_t shard = positions.empty() ? 0 : engine.ShardOfKey(args[positions[0]]);
  return engine.shard(shard);
}

void JournalCommand(int db, std::span<const std::string_view> args) {
  Journal* journal = Journal::Current();
  if (journal == nullptr || Propagation::count() < 0) return;
  if (Propagation::count() > 0) {
    journal->AppendEncoded(db, Propagation::records());
  } else {
    journal->Append(db, args);
  }
}

}  // namespace

void ExecuteCommand(Engine& engine, const CommandSpec& spec, std::span<const std::string_view> args,
                    ClientState& client, ReplyBuilder& reply, int64_t now_ms, int32_t key_shard) {
  if ((spec.flags & kCmdWrite) && engine.writes_refused()) [[unlikely]] {
    if (engine.persistence() != nullptr) {
      std::string error = engine.persistence()->MisconfError();
      if (!error.empty()) {
        RecordRejectedCall(args);
        return reply.Error(error);
      }
    }
  }
  // Loading replays what was accepted before: the memory limit is not asked again.
  if ((spec.flags & kCmdDenyOom) && engine.config().maxmemory > 0 && !Database::loading() &&
      !MakeRoomForWrite(engine, ShardForMemoryCheck(engine, spec, args, key_shard), now_ms)) {
    RecordRejectedCall(args);
    return reply.Error(err::kOom);
  }
  CommandContext ctx{args, reply, client, engine, now_ms, key_shard};
  uint64_t errors = reply.errors_written();
  CommandCall call = StartCommandCall(spec, args);  // INFO commandstats / latencystats
  // CLIENT NO-TOUCH: this client's lookups leave access stamps alone, except TOUCH's own.
  bool untouched = client.no_touch && spec.handler != nullptr && spec.name != "touch";
  if (untouched) [[unlikely]]
    Database::set_no_touch(true);
  // A write that changed something is journaled: as its arguments, or as the effect the
  // handler gave with ctx.Propagate (absolute times, the members SPOP chose ...).
  bool journaled = Journal::enabled() && (spec.flags & kCmdWrite) != 0;
  uint64_t changes = Database::thread_changes();
  if (journaled) [[unlikely]]
    Propagation::Reset();
  ClientState* outer_client = CommandClient();
  SetCommandClient(&client);  // the writer, for NOLOOP and for its own invalidations
  spec.handler(ctx);
  SetCommandClient(outer_client);
  if (journaled && Database::thread_changes() != changes) [[unlikely]]
    JournalCommand(client.db, args);
  if (untouched) [[unlikely]]
    Database::set_no_touch(false);
  if (client.tracking_active) [[unlikely]]
    engine.tracking().AfterCommand(spec, args, client, reply);
  uint64_t ticks =
      FinishCommandCall(call, reply.errors_written() != errors, engine.config().latency_tracking);
  if (ticks >= SlowCommandTicks()) [[unlikely]]
    RecordSlowCommand(engine, spec, args, client, ticks);
  // MONITOR, as Redis: after the command ran, never admin commands (their arguments may be
  // secrets), a blocked command's re-runs or the replay of a loaded file.
  if (engine.pubsub().monitored()) [[unlikely]] {
    if (!(spec.flags & kCmdAdmin) && !client.block_retry && !Database::loading())
      engine.pubsub().FeedMonitors(client, client.db, args);
  }
  // Wake-ups come from the keyspace (a key came into being), whatever the command's arguments
  // name; a blocking command that took its share passes the rest on.
  // (A command that parked passes nothing on: a stream it waits on exists while it waits.)
  if ((spec.flags & kCmdBlocking) && client.block_waiter == nullptr)
    PassOnKeysReady(engine, spec, args, client.db);
  if (HasReadyKeys()) ServeReadyKeys(engine, now_ms);
}

void ExecuteDirect(Engine& engine, std::span<const std::string_view> args, ClientState& client,
                   ReplyBuilder& reply, int64_t now_ms) {
  if (args.empty()) return;
  std::string error;
  const CommandSpec* spec = CommandTable::Instance().Validate(args, &error);
  if (spec == nullptr) {
    RecordRejectedCall(args);
    reply.Error(error);
    return;
  }
  ExecuteCommand(engine, *spec, args, client, reply, now_ms);
}

}  // namespace ember
