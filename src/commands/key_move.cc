// MOVE key db: the key changes database but stays on its shard (routing is by key).
#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

void Move(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  auto index = ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(err::kNotInteger);
  if (*index < 0 || *index >= kNumDatabases) return ctx.reply.Error(err::kDbIndex);
  if (*index == ctx.client.db) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  Database& from_db = ctx.Db(key);
  auto from = from_db.Find(key, ctx.now_ms);
  if (!from) return ctx.reply.Integer(0);
  Database& to_db = ctx.engine.shard(ctx.engine.ShardOfKey(key)).db(static_cast<int>(*index));
  if (to_db.Find(key, ctx.now_ms)) return ctx.reply.Integer(0);
  to_db.Insert(from_db.Detach(from));  // the record keeps its value and expiry
  ctx.Notify(kNotifyGeneric, "move_from", key);
  NotifyKeyspaceEvent(kNotifyGeneric, "move_to", key, static_cast<int>(*index));
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterKeyMoveCommand(CommandTable& t) {
  CommandGroup g(t, "generic", kAclKeyspace);
  g.Add(Command("move", Move)
            .Arity(3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Moves a key to another database."));
}

}  // namespace ember
