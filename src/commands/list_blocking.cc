// Moving and multi-key list commands and their blocking forms: LMOVE, RPOPLPUSH, LMPOP, BLPOP,
// BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. A blocking form that finds nothing parks the client
// (engine/blocking.h) and is re-run when one of its keys gets data.
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "commands/list_ops.h"
#include "engine/blocking.h"
#include "engine/engine.h"

namespace ember {

bool ClampRange(int64_t start, int64_t stop, size_t size, size_t* first, size_t* last) {
  int64_t n = static_cast<int64_t>(size);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *first = static_cast<size_t>(start);
  *last = static_cast<size_t>(stop);
  return true;
}

void PopAndReply(CommandContext& ctx, Database& db, TypedEntry<ListValue>& found, bool left,
                 int64_t count, bool with_key) {
  ListValue* list = found.value;
  std::string key(found.entry.record->key());
  if (with_key) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
  }
  if (count < 0) {
    ctx.reply.Bulk(left ? list->PopFront() : list->PopBack());
  } else {
    size_t n = std::min(static_cast<size_t>(count), list->size());
    ctx.reply.ArrayHeader(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(left ? list->PopFront() : list->PopBack());
  }
  ctx.Notify(kNotifyList, left ? "lpop" : "rpop", key, FinishWrite(db, found));
  // BLPOP, LMPOP ...: the pop they made, whatever form they had (a blocked one may have been
  // served by a wake-up).
  std::string_view pop = left ? "LPOP" : "RPOP";
  if (count < 0) {
    ctx.Propagate({pop, key});
  } else {
    ctx.Propagate({pop, key}, count);
  }
}

namespace {

bool ParseSide(std::string_view word, bool* left) {
  if (EqualsIgnoreCase(word, "LEFT")) {
    *left = true;
  } else if (EqualsIgnoreCase(word, "RIGHT")) {
    *left = false;
  } else {
    return false;
  }
  return true;
}

// The LMOVE core: false (and nothing replied) when the source is missing, so the caller
// replies null or blocks.
bool Move(CommandContext& ctx, std::string_view src, std::string_view dst, bool from_left,
          bool to_left) {
  Database& src_db = ctx.Db(src);
  auto from = FindTyped<ListValue>(src_db, src, ctx.now_ms, false);
  if (from.wrong_type) {
    ctx.reply.Error(err::kWrongType);
    return true;
  }
  if (from.value == nullptr) return false;
  Database& dst_db = ctx.Db(dst);
  auto to = FindTyped<ListValue>(dst_db, dst, ctx.now_ms, false);
  if (to.wrong_type) {
    ctx.reply.Error(err::kWrongType);
    return true;
  }
  std::string value = from_left ? from.value->PopFront() : from.value->PopBack();
  ListValue* target = from.value;  // src == dst: a rotation, never empty on the way
  bool src_deleted = false;
  if (src != dst) {
    src_deleted = FinishWrite(src_db, from);  // erasing never moves other records: `to` stays valid
    if (to.value == nullptr) {
      CreateTyped(dst_db, to, dst, ctx.engine.config().list_max_listpack_size);
    }
    target = to.value;
  }
  target->set_fill(ctx.engine.config().list_max_listpack_size);
  to_left ? target->PushFront(value) : target->PushBack(value);
  FinishWrite(src != dst ? dst_db : src_db, src != dst ? to : from);
  // Redis's order: the push, the pop, then the source's deletion.
  ctx.Notify(kNotifyList, to_left ? "lpush" : "rpush", dst);
  ctx.Notify(kNotifyList, from_left ? "lpop" : "rpop", src, src_deleted);
  ctx.Propagate({"LMOVE", src, dst, from_left ? "LEFT" : "RIGHT", to_left ? "LEFT" : "RIGHT"});
  ctx.reply.Bulk(value);
  return true;
}

void LMove(CommandContext& ctx) {
  bool from_left, to_left;
  if (!ParseSide(ctx.args[3], &from_left) || !ParseSide(ctx.args[4], &to_left)) {
    return ctx.reply.Error(err::kSyntax);
  }
  if (!Move(ctx, ctx.args[1], ctx.args[2], from_left, to_left)) ctx.reply.Null();
}

void RPopLPush(CommandContext& ctx) {
  if (!Move(ctx, ctx.args[1], ctx.args[2], false, true)) ctx.reply.Null();
}

// Pops from the first non-empty list of `keys`; false when all are empty (nothing replied).
bool PopFirst(CommandContext& ctx, std::span<const std::string_view> keys, bool left,
              int64_t count) {
  for (std::string_view key : keys) {
    Database& db = ctx.Db(key);
    auto found = FindTyped<ListValue>(db, key, ctx.now_ms, false);
    if (found.wrong_type) {
      ctx.reply.Error(err::kWrongType);
      return true;
    }
    if (found.value == nullptr) continue;
    PopAndReply(ctx, db, found, left, count, true);
    return true;
  }
  return false;
}

// Parses `numkeys key... LEFT|RIGHT [COUNT n]` starting at args[at]; replies the error.
bool ParseMultiPop(CommandContext& ctx, size_t at, std::span<const std::string_view>* keys,
                   bool* left, int64_t* count) {
  auto numkeys = ParseInt64(ctx.args[at]);
  if (!numkeys || *numkeys <= 0) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return false;
  }
  // The side must follow the keys.
  if (*numkeys >= static_cast<int64_t>(ctx.args.size() - at - 1)) {
    ctx.reply.Error(err::kSyntax);
    return false;
  }
  size_t n = static_cast<size_t>(*numkeys);
  *keys = ctx.args.subspan(at + 1, n);
  ArgParser args(ctx.args, at + 1 + n);
  if (!args.HasNext() || !ParseSide(args.Next(), left)) {
    ctx.reply.Error(err::kSyntax);
    return false;
  }
  *count = 1;
  bool count_seen = false;
  while (args.HasNext()) {
    if (count_seen || !args.Eat("COUNT") || !args.HasNext()) {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
    auto c = ParseInt64(args.Next());
    if (!c || *c <= 0) {
      ctx.reply.Error("ERR count should be greater than 0");
      return false;
    }
    *count = *c;
    count_seen = true;
  }
  return true;
}

void LMPop(CommandContext& ctx) {
  std::span<const std::string_view> keys;
  bool left;
  int64_t count;
  if (!ParseMultiPop(ctx, 1, &keys, &left, &count)) return;
  if (!PopFirst(ctx, keys, left, count)) ctx.reply.NullArray();
}

// BLPOP/BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, bool left) {
  auto timeout = ParseBlockTimeout(ctx, ctx.args.back());
  if (!timeout) return;
  auto keys = ctx.args.subspan(1, ctx.args.size() - 2);
  if (PopFirst(ctx, keys, left, -1)) return;
  BlockClient(ctx, keys, *timeout, false);
}

void BLPop(CommandContext& ctx) {
  BlockingPop(ctx, true);
}
void BRPop(CommandContext& ctx) {
  BlockingPop(ctx, false);
}

void BlockingMove(CommandContext& ctx, bool from_left, bool to_left, std::string_view timeout_arg) {
  auto timeout = ParseBlockTimeout(ctx, timeout_arg);
  if (!timeout) return;
  if (Move(ctx, ctx.args[1], ctx.args[2], from_left, to_left)) return;
  // Inside EXEC it answers as LMOVE would; Redis times it out with a null array, though.
  if (ctx.client.in_exec) return ctx.reply.Null();
  BlockClient(ctx, ctx.args.subspan(1, 1), *timeout, false);
}

void BLMove(CommandContext& ctx) {
  bool from_left, to_left;
  if (!ParseSide(ctx.args[3], &from_left) || !ParseSide(ctx.args[4], &to_left)) {
    return ctx.reply.Error(err::kSyntax);
  }
  BlockingMove(ctx, from_left, to_left, ctx.args[5]);
}

void BRPopLPush(CommandContext& ctx) {
  BlockingMove(ctx, false, true, ctx.args[3]);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void BLMPop(CommandContext& ctx) {
  auto timeout = ParseBlockTimeout(ctx, ctx.args[1]);
  if (!timeout) return;
  std::span<const std::string_view> keys;
  bool left;
  int64_t count;
  if (!ParseMultiPop(ctx, 2, &keys, &left, &count)) return;
  if (PopFirst(ctx, keys, left, count)) return;
  BlockClient(ctx, keys, *timeout, false);
}

}  // namespace

void RegisterListMoveCommands(CommandTable& t) {
  CommandGroup g(t, "list", kAclList);
  g.Add(Command("lmove", LMove)
            .Arity(5)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyRW | kKeyInsert)
            .Since("6.2.0")
            .Summary("Moves an element from one list to another."));
  g.Add(Command("rpoplpush", RPopLPush)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyRW | kKeyInsert)
            .Since("1.2.0")
            .Summary("Moves the last element of a list to the head of another."));
  g.Add(Command("lmpop", LMPop)
            .Arity(-4)
            .Flags(kCmdWrite)
            .KeyCount(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("7.0.0")
            .Summary("Pops elements from the first non-empty list."));
  g.Add(Command("blpop", BLPop)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdNoScript | kCmdBlocking)
            .KeyRange(1, -2, 1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("2.0.0")
            .Summary("Pops the first element of the first non-empty list, or blocks until one is "
                     "available."));
  g.Add(Command("brpop", BRPop)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdNoScript | kCmdBlocking)
            .KeyRange(1, -2, 1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("2.0.0")
            .Summary("Pops the last element of the first non-empty list, or blocks until one is "
                     "available."));
  g.Add(Command("blmove", BLMove)
            .Arity(6)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdNoScript | kCmdBlocking)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyRW | kKeyInsert)
            .Since("6.2.0")
            .Summary("Moves an element between lists, or blocks until one is available."));
  g.Add(Command("brpoplpush", BRPopLPush)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdNoScript | kCmdBlocking)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyRW | kKeyInsert)
            .Since("2.2.0")
            .Summary(
                "Moves the last element of a list to another, or blocks until one is available."));
  g.Add(Command("blmpop", BLMPop)
            .Arity(-5)
            .Flags(kCmdWrite | kCmdBlocking)
            .KeyCount(2, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("7.0.0")
            .Summary(
                "Pops elements from the first non-empty list, or blocks until one is available."));
}

}  // namespace ember
