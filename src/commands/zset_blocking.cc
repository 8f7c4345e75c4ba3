// Blocking sorted-set pops: BZPOPMIN, BZPOPMAX and BZMPOP. They pop at once when a key holds
// members, otherwise park the client (engine/blocking.h) until a write to one of the keys.
#include "commands/errors.h"
#include "commands/zset_ops.h"
#include "engine/blocking.h"
#include "engine/engine.h"

namespace ember {
namespace {

// Pops from the first key holding a zset; false when none does (nothing replied).
bool PopFirst(CommandContext& ctx, std::span<const std::string_view> keys, PopEnd end, size_t count,
              PopReply shape) {
  for (std::string_view key : keys) {
    Database& db = ctx.Db(key);
    auto found = FindTyped<ZSetValue>(db, key, ctx.now_ms, false);
    if (found.wrong_type) {
      ctx.reply.Error(err::kWrongType);
      return true;
    }
    if (found.value == nullptr) continue;
    PopAndReply(ctx, db, found, key, end, count, shape);
    return true;
  }
  return false;
}

// BZPOPMIN/BZPOPMAX key [key ...] timeout
void BlockingPop(CommandContext& ctx, PopEnd end) {
  auto timeout = ParseBlockTimeout(ctx, ctx.args.back());
  if (!timeout) return;
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (PopFirst(ctx, keys, end, 1, PopReply::kKeyFlat)) return;
  BlockClient(ctx, keys, *timeout, false);
}

void BZPopMin(CommandContext& ctx) {
  BlockingPop(ctx, PopEnd::kMin);
}
void BZPopMax(CommandContext& ctx) {
  BlockingPop(ctx, PopEnd::kMax);
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void BZMPop(CommandContext& ctx) {
  auto timeout = ParseBlockTimeout(ctx, ctx.args[1]);
  if (!timeout) return;
  auto mpop = ParseMPopArgs(ctx, 2);
  if (!mpop) return;
  if (PopFirst(ctx, mpop->keys, mpop->end, mpop->count, PopReply::kKeyed)) return;
  BlockClient(ctx, mpop->keys, *timeout, false);
}

}  // namespace

void RegisterZSetBlockingCommands(CommandTable& t) {
  CommandGroup g(t, "sorted-set", kAclSortedSet);
  g.Add(Command("bzpopmin", BZPopMin)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdNoScript | kCmdBlocking | kCmdFast)
            .KeyRange(1, -2, 1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("5.0.0")
            .Summary("Pops the lowest-scored member, or blocks until one is available."));
  g.Add(Command("bzpopmax", BZPopMax)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdNoScript | kCmdBlocking | kCmdFast)
            .KeyRange(1, -2, 1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("5.0.0")
            .Summary("Pops the highest-scored member, or blocks until one is available."));
  g.Add(Command("bzmpop", BZMPop)
            .Arity(-5)
            .Flags(kCmdWrite | kCmdBlocking)
            .KeyCount(2, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("7.0.0")
            .Summary("Pops members from the first non-empty sorted set, or blocks."));
}

}  // namespace ember
