// Commands over several sets: SUNION/SINTER/SDIFF and their STORE forms, SINTERCARD, SMOVE.
// The keys may live on different shards: the engine runs such a command as one atomic step
// with all of them quiescent, so the handler just reads each key's own database.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/typed_value.h"
#include "engine/engine.h"
#include "types/set_value.h"

namespace ember {
namespace {

enum class SetOp : uint8_t { kUnion, kInter, kDiff };

SetLimits Limits(CommandContext& ctx) {
  const auto& c = ctx.engine.config();
  return SetLimits{c.set_max_intset_entries, c.set_max_listpack_entries, c.set_max_listpack_value};
}

// Looks up every source set (nullptr for a missing key). False, with WRONGTYPE replied, when
// any key holds another type: Redis checks all of them before computing anything.
bool LoadSets(CommandContext& ctx, size_t first, size_t count, bool for_read,
              std::vector<const SetValue*>* sets) {
  sets->clear();
  for (size_t i = first; i < first + count; ++i) {
    std::string_view key = ctx.args[i];
    auto found = FindTyped<SetValue>(ctx.Db(key), key, ctx.now_ms, for_read);
    if (found.wrong_type) {
      ctx.reply.Error(err::kWrongType);
      return false;
    }
    sets->push_back(found.value);
  }
  return true;
}

// Visits the members of the intersection (smallest set first, probing the others); stops
// once `limit` members were visited (0: no limit). Returns how many were visited.
size_t ForEachInter(std::vector<const SetValue*> sets, size_t limit,
                    const std::function<void(std::string_view)>& fn) {
  for (const SetValue* s : sets) {
    if (s == nullptr) return 0;  // an empty (missing) set empties the intersection
  }
  std::sort(sets.begin(), sets.end(),
            [](const SetValue* a, const SetValue* b) { return a->size() < b->size(); });
  size_t found = 0;
  sets[0]->ForEach([&](std::string_view m) {
    for (size_t i = 1; i < sets.size(); ++i) {
      if (sets[i] != sets[0] && !sets[i]->Contains(m)) return true;
    }
    fn(m);
    ++found;
    return limit == 0 || found < limit;
  });
  return found;
}

// The result of `op` over `sets`, as a new set built with the current encoding limits.
SetValue* Compute(SetOp op, const std::vector<const SetValue*>& sets, const SetLimits& limits) {
  auto* out = new SetValue();
  switch (op) {
    case SetOp::kUnion:
      for (const SetValue* s : sets) {
        if (s == nullptr) continue;
        s->ForEach([&](std::string_view m) {
          out->Add(m, limits);
          return true;
        });
      }
      break;
    case SetOp::kInter:
      ForEachInter(sets, 0, [&](std::string_view m) { out->Add(m, limits); });
      break;
    case SetOp::kDiff:
      if (sets[0] == nullptr) break;
      sets[0]->ForEach([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i) {
          if (sets[i] != nullptr && sets[i]->Contains(m)) return true;
        }
        out->Add(m, limits);
        return true;
      });
      break;
  }
  return out;
}

// SUNION/SINTER/SDIFF key [key ...]: the result as a set reply.
void ReplyOp(CommandContext& ctx, SetOp op) {
  std::vector<const SetValue*> sets;
  if (!LoadSets(ctx, 1, ctx.args.size() - 1, true, &sets)) return;
  if (op == SetOp::kInter) {
    // Streamed: no copy of the result is needed.
    std::vector<std::string> members;
    ForEachInter(sets, 0, [&](std::string_view m) { members.emplace_back(m); });
    ctx.reply.SetHeader(members.size());
    for (const auto& m : members) ctx.reply.Bulk(m);
    return;
  }
  std::unique_ptr<SetValue> result(Compute(op, sets, Limits(ctx)));
  ctx.reply.SetHeader(result->size());
  result->ForEach([&](std::string_view m) {
    ctx.reply.Bulk(m);
    return true;
  });
}

// SUNIONSTORE/SINTERSTORE/SDIFFSTORE dst key [key ...]: replaces dst with the result (any
// type it held), or deletes it when the result is empty.
void StoreOp(CommandContext& ctx, SetOp op) {
  std::vector<const SetValue*> sets;
  if (!LoadSets(ctx, 2, ctx.args.size() - 2, false, &sets)) return;
  std::unique_ptr<SetValue> result(Compute(op, sets, Limits(ctx)));
  std::string_view dst = ctx.args[1];
  Database& db = ctx.Db(dst);
  auto entry = db.Find(dst, ctx.now_ms);
  auto size = static_cast<int64_t>(result->size());
  if (size == 0) {
    if (entry) {
      db.Erase(entry);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
  } else {
    db.Put(entry, Record::NewObject(dst, ValueType::kSet, result.release(), 0));
    ctx.Notify(kNotifySet,
               op == SetOp::kUnion   ? "sunionstore"
               : op == SetOp::kInter ? "sinterstore"
                                     : "sdiffstore",
               dst);
  }
  ctx.reply.Integer(size);
}

void SUnion(CommandContext& ctx) {
  ReplyOp(ctx, SetOp::kUnion);
}
void SInter(CommandContext& ctx) {
  ReplyOp(ctx, SetOp::kInter);
}
void SDiff(CommandContext& ctx) {
  ReplyOp(ctx, SetOp::kDiff);
}
void SUnionStore(CommandContext& ctx) {
  StoreOp(ctx, SetOp::kUnion);
}
void SInterStore(CommandContext& ctx) {
  StoreOp(ctx, SetOp::kInter);
}
void SDiffStore(CommandContext& ctx) {
  StoreOp(ctx, SetOp::kDiff);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCard(CommandContext& ctx) {
  auto numkeys = ParseInt64(ctx.args[1]);
  if (!numkeys || *numkeys <= 0) return ctx.reply.Error("ERR numkeys should be greater than 0");
  if (*numkeys > static_cast<int64_t>(ctx.args.size()) - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  auto n = static_cast<size_t>(*numkeys);
  ArgParser args(ctx.args, 2 + n);
  int64_t limit = 0;
  while (args.HasNext()) {
    if (args.remaining() >= 2 && args.Eat("LIMIT")) {
      auto l = ParseInt64(args.Next());
      if (!l || *l < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
      limit = *l;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::vector<const SetValue*> sets;
  if (!LoadSets(ctx, 2, n, true, &sets)) return;
  size_t count = ForEachInter(sets, static_cast<size_t>(limit), [](std::string_view) {});
  ctx.reply.Integer(static_cast<int64_t>(count));
}

// SMOVE src dst member
void SMove(CommandContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2], member = ctx.args[3];
  Database& src_db = ctx.Db(src);
  Database& dst_db = ctx.Db(dst);
  auto from = FindTyped<SetValue>(src_db, src, ctx.now_ms, false);
  auto to = FindTyped<SetValue>(dst_db, dst, ctx.now_ms, false);
  if (from.value == nullptr && !from.wrong_type) return ctx.reply.Integer(0);
  if (from.wrong_type || to.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (from.value == to.value) return ctx.reply.Integer(from.value->Contains(member));
  if (!from.value->Remove(member)) return ctx.reply.Integer(0);
  // Drop an emptied source before inserting dst: an insert may move the source's slot.
  ctx.Notify(kNotifySet, "srem", src, FinishWrite(src_db, from));
  SetLimits limits = Limits(ctx);
  if (to.value == nullptr) {
    // Look dst up again: erasing the source may have touched the table it shares.
    to = FindTyped<SetValue>(dst_db, dst, ctx.now_ms, false);
    CreateTyped(dst_db, to, dst, member, size_t{1}, limits);
  }
  if (to.value->Add(member, limits)) {
    FinishWrite(dst_db, to);
    ctx.Notify(kNotifySet, "sadd", dst);
  }
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterSetAlgebraCommands(CommandTable& t) {
  CommandGroup g(t, "set", kAclSet);
  g.Add(Command("sunion", SUnion)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .KeyRange(1, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns the union of multiple sets."));
  g.Add(Command("sinter", SInter)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .KeyRange(1, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns the intersect of multiple sets."));
  g.Add(Command("sdiff", SDiff)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .KeyRange(1, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns the difference of multiple sets."));
  g.Add(Command("sunionstore", SUnionStore)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .KeyRange(2, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Stores the union of multiple sets in a key."));
  g.Add(Command("sinterstore", SInterStore)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyUpdate)
            .KeyRange(2, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Stores the intersect of multiple sets in a key."));
  g.Add(Command("sdiffstore", SDiffStore)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .KeyRange(2, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Stores the difference of multiple sets in a key."));
  g.Add(Command("smove", SMove)
            .Arity(4)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyRW | kKeyInsert)
            .Since("1.0.0")
            .Summary("Moves a member from one set to another."));
  g.Add(Command("sintercard", SInterCard)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .KeyCount(1, kKeyRO | kKeyAccess)
            .Since("7.0.0")
            .Summary("Returns the number of members of the intersect of multiple sets."));
}

}  // namespace ember
