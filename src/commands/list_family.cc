// List commands: pushes and pops, ranges, LINDEX/LSET/LINSERT/LREM/LTRIM/LPOS. Moving and
// blocking forms (LMOVE, LMPOP, BLPOP ...) are in list_blocking.cc.
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/list_ops.h"
#include "commands/typed_value.h"
#include "engine/engine.h"

namespace ember {
namespace {

// LPUSH/RPUSH and their X forms (only when the list exists).
void Push(CommandContext& ctx, bool left, bool only_existing) {
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ListValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) {
    if (only_existing) return ctx.reply.Integer(0);
    CreateTyped(db, found, ctx.args[1], ctx.engine.config().list_max_listpack_size);
  }
  ListValue* list = found.value;
  list->set_fill(ctx.engine.config().list_max_listpack_size);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    left ? list->PushFront(ctx.args[i]) : list->PushBack(ctx.args[i]);
  }
  FinishWrite(db, found);
  ctx.Notify(kNotifyList, left ? "lpush" : "rpush", ctx.args[1]);
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
}

void LPush(CommandContext& ctx) {
  Push(ctx, true, false);
}
void RPush(CommandContext& ctx) {
  Push(ctx, false, false);
}
void LPushX(CommandContext& ctx) {
  Push(ctx, true, true);
}
void RPushX(CommandContext& ctx) {
  Push(ctx, false, true);
}

// LPOP/RPOP key [count]
void Pop(CommandContext& ctx, bool left) {
  int64_t count = -1;  // -1: no count given, a single bulk reply
  if (ctx.args.size() > 3) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  if (ctx.args.size() == 3) {
    auto n = ParseInt64(ctx.args[2]);
    if (!n || *n < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
    count = *n;
  }
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ListValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return count < 0 ? ctx.reply.Null() : ctx.reply.NullArray();
  PopAndReply(ctx, db, found, left, count, false);
}

void LPop(CommandContext& ctx) {
  Pop(ctx, true);
}
void RPop(CommandContext& ctx) {
  Pop(ctx, false);
}

void LLen(CommandContext& ctx) {
  auto found = FindTyped<ListValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.Integer(found.value == nullptr ? 0 : static_cast<int64_t>(found.value->size()));
}

void LRange(CommandContext& ctx) {
  auto start = ParseInt64(ctx.args[2]), stop = ParseInt64(ctx.args[3]);
  if (!start || !stop) return ctx.reply.Error(err::kNotInteger);
  auto found = FindTyped<ListValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.ArrayHeader(0);
  size_t first, last;
  if (!ClampRange(*start, *stop, found.value->size(), &first, &last)) {
    return ctx.reply.ArrayHeader(0);
  }
  ctx.reply.ArrayHeader(last - first + 1);
  found.value->ForRange(first, last, [&](std::string_view v) { ctx.reply.Bulk(v); });
}

// LINDEX and LSET look the key up before parsing the index, as Redis does (so a missing key
// wins over a bad index).
void LIndex(CommandContext& ctx) {
  auto found = FindTyped<ListValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Null();
  auto index = ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(err::kNotInteger);
  size_t at;
  if (!NormalizeIndex(*index, found.value->size(), &at)) return ctx.reply.Null();
  ctx.reply.Bulk(found.value->At(at));
}

void LSet(CommandContext& ctx) {
  auto found = FindTyped<ListValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Error(err::kNoSuchKey);
  auto index = ParseInt64(ctx.args[2]);
  if (!index) return ctx.reply.Error(err::kNotInteger);
  found.value->set_fill(ctx.engine.config().list_max_listpack_size);
  size_t at;
  if (!NormalizeIndex(*index, found.value->size(), &at)) {
    return ctx.reply.Error("ERR index out of range");
  }
  found.value->Set(at, ctx.args[3]);
  FinishWrite(ctx.Db(ctx.args[1]), found);
  ctx.Notify(kNotifyList, "lset", ctx.args[1]);
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element
void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.args[2], "AFTER")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "BEFORE")) {
    after = false;
  } else {
    return ctx.reply.Error(err::kSyntax);
  }
  auto found = FindTyped<ListValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Integer(0);
  ListValue* list = found.value;
  int64_t pivot = -1;
  list->Scan(false, [&](size_t i, std::string_view v) {
    if (v != ctx.args[3]) return true;
    pivot = static_cast<int64_t>(i);
    return false;
  });
  if (pivot < 0) return ctx.reply.Integer(-1);
  list->set_fill(ctx.engine.config().list_max_listpack_size);
  list->InsertAt(static_cast<size_t>(pivot) + (after ? 1 : 0), ctx.args[4]);
  int64_t size = static_cast<int64_t>(list->size());
  FinishWrite(ctx.Db(ctx.args[1]), found);
  ctx.Notify(kNotifyList, "linsert", ctx.args[1]);
  ctx.reply.Integer(size);
}

// LREM key count element: count > 0 from the head, < 0 from the tail, 0 all.
void LRem(CommandContext& ctx) {
  auto count = ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(err::kNotInteger);
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ListValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Integer(0);
  bool from_back = *count < 0;
  uint64_t limit = *count == 0 ? UINT64_MAX
                               : (*count < 0 ? 0 - static_cast<uint64_t>(*count)
                                             : static_cast<uint64_t>(*count));
  found.value->set_fill(ctx.engine.config().list_max_listpack_size);
  size_t removed = found.value->Remove(ctx.args[3], limit, from_back);
  if (removed > 0) ctx.Notify(kNotifyList, "lrem", ctx.args[1], FinishWrite(db, found));
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void LTrim(CommandContext& ctx) {
  auto start = ParseInt64(ctx.args[2]), stop = ParseInt64(ctx.args[3]);
  if (!start || !stop) return ctx.reply.Error(err::kNotInteger);
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ListValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Ok();
  size_t first, last;
  if (ClampRange(*start, *stop, found.value->size(), &first, &last)) {
    found.value->Trim(first, last);
  } else {
    found.value->Trim(1, 0);
  }
  ctx.Notify(kNotifyList, "ltrim", ctx.args[1], FinishWrite(db, found));
  ctx.reply.Ok();
}

// LPOS key element [RANK rank] [COUNT num] [MAXLEN len]
void LPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  ArgParser args(ctx.args, 3);
  while (args.HasNext()) {
    std::string_view opt = args.Next();
    bool is_rank = EqualsIgnoreCase(opt, "RANK");
    if (!args.HasNext() ||
        !(is_rank || EqualsIgnoreCase(opt, "COUNT") || EqualsIgnoreCase(opt, "MAXLEN"))) {
      return ctx.reply.Error(err::kSyntax);
    }
    // Redis reports a non-number COUNT or MAXLEN with its "can't be negative" error.
    auto n = ParseInt64(args.Next());
    if (!n && is_rank) return ctx.reply.Error(err::kNotInteger);
    if (!n) n = -1;
    if (is_rank) {
      if (*n == 0 || *n == INT64_MIN) {
        return ctx.reply.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
            "... or use negative to start from the end of the list");
      }
      rank = *n;
    } else if (EqualsIgnoreCase(opt, "COUNT")) {
      if (*n < 0) return ctx.reply.Error("ERR COUNT can't be negative");
      count = *n;
    } else if (EqualsIgnoreCase(opt, "MAXLEN")) {
      if (*n < 0) return ctx.reply.Error("ERR MAXLEN can't be negative");
      maxlen = *n;
    }
  }
  auto found = FindTyped<ListValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return count < 0 ? ctx.reply.Null() : ctx.reply.ArrayHeader(0);
  std::vector<int64_t> matches;
  int64_t skip = (rank < 0 ? -rank : rank) - 1, seen = 0;
  uint64_t want = count < 0 ? 1 : (count == 0 ? UINT64_MAX : static_cast<uint64_t>(count));
  found.value->Scan(rank < 0, [&](size_t i, std::string_view v) {
    if (maxlen > 0 && ++seen > maxlen) return false;
    if (v != ctx.args[2]) return true;
    if (skip > 0) {
      --skip;
      return true;
    }
    matches.push_back(static_cast<int64_t>(i));
    return matches.size() < want;
  });
  if (count < 0) return matches.empty() ? ctx.reply.Null() : ctx.reply.Integer(matches[0]);
  ctx.reply.ArrayHeader(matches.size());
  for (int64_t m : matches) ctx.reply.Integer(m);
}

}  // namespace

void RegisterListCommands(CommandTable& t) {
  CommandGroup g(t, "list", kAclList);
  g.Add(Command("lpush", LPush)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("1.0.0")
            .Summary("Prepends elements to a list, creating it if needed."));
  g.Add(Command("rpush", RPush)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("1.0.0")
            .Summary("Appends elements to a list, creating it if needed."));
  g.Add(Command("lpushx", LPushX)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("2.2.0")
            .Summary("Prepends elements to a list only when it exists."));
  g.Add(Command("rpushx", RPushX)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("2.2.0")
            .Summary("Appends elements to a list only when it exists."));
  g.Add(Command("lpop", LPop)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("1.0.0")
            .Summary("Removes and returns the first elements of a list."));
  g.Add(Command("rpop", RPop)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("1.0.0")
            .Summary("Removes and returns the last elements of a list."));
  g.Add(Command("llen", LLen)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("1.0.0")
            .Summary("Returns the length of a list."));
  g.Add(Command("lrange", LRange)
            .Arity(4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns a range of elements from a list."));
  g.Add(Command("lindex", LIndex)
            .Arity(3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns an element from a list by its index."));
  g.Add(Command("lset", LSet)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Sets the value of an element by its index."));
  g.Add(Command("linsert", LInsert)
            .Arity(5)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("2.2.0")
            .Summary("Inserts an element before or after another element."));
  g.Add(Command("lrem", LRem)
            .Arity(4)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("1.0.0")
            .Summary("Removes elements from a list."));
  g.Add(Command("ltrim", LTrim)
            .Arity(4)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("1.0.0")
            .Summary("Trims a list to a range of indexes."));
  g.Add(Command("lpos", LPos)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.0.6")
            .Summary("Returns the index of matching elements in a list."));
  RegisterListMoveCommands(t);
}

}  // namespace ember
