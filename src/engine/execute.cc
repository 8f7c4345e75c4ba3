#include "engine/execute.h"

#include <vector>

#include "commands/errors.h"
#include "engine/blocking.h"
#include "engine/eviction.h"

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

}  // namespace

void ExecuteCommand(Engine& engine, const CommandSpec& spec, std::span<const std::string_view> args,
                    ClientState& client, ReplyBuilder& reply, int64_t now_ms, int32_t key_shard) {
  if ((spec.flags & kCmdDenyOom) && engine.config().maxmemory > 0 &&
      !MakeRoomForWrite(engine, ShardForMemoryCheck(engine, spec, args, key_shard), now_ms)) {
    return reply.Error(err::kOom);
  }
  CommandContext ctx{args, reply, client, engine, now_ms, key_shard};
  spec.handler(ctx);
  // Wake-ups come from the keyspace (a key came into being), whatever the command's arguments
  // name; a blocking command that took its share passes the rest on.
  if (spec.flags & kCmdBlocking) PassOnKeysReady(engine, spec, args, client.db);
  if (HasReadyKeys()) ServeReadyKeys(engine, now_ms);
}

void ExecuteDirect(Engine& engine, std::span<const std::string_view> args, ClientState& client,
                   ReplyBuilder& reply, int64_t now_ms) {
  if (args.empty()) return;
  std::string error;
  const CommandSpec* spec = CommandTable::Instance().Validate(args, &error);
  if (spec == nullptr) {
    reply.Error(error);
    return;
  }
  ExecuteCommand(engine, *spec, args, client, reply, now_ms);
}

}  // namespace ember
