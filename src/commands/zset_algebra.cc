// Sorted-set algebra: ZUNION/ZINTER/ZDIFF, their STORE forms and ZINTERCARD. Plain sets are
// accepted as inputs, every member scoring 1. Inputs are all read before the destination is
// written, since it may be one of them.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/typed_value.h"
#include "commands/zset_ops.h"
#include "common/numbers.h"
#include "types/set_value.h"

namespace ember {
namespace {

using Items = std::vector<std::pair<std::string, double>>;

enum class SetOp : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

// One input key: a zset, a set, or missing (both null: empty).
struct Input {
  const ZSetValue* zset = nullptr;
  const SetValue* set = nullptr;

  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  std::optional<double> Score(std::string_view member) const {
    if (zset) return zset->Score(member);
    if (set && set->Contains(member)) return 1.0;
    return std::nullopt;
  }
  template <class Fn>
  void ForEach(Fn&& fn) const {
    if (zset) {
      zset->Visit(0, zset->size(), false, [&](std::string_view m, double s) {
        fn(m, s);
        return true;
      });
    } else if (set) {
      set->ForEach([&](std::string_view m) {
        fn(m, 1.0);
        return true;
      });
    }
  }
};

// Reads the inputs; replies WRONGTYPE and returns false for a key of another type.
bool LoadInputs(CommandContext& ctx, size_t first, size_t n, std::vector<Input>* out) {
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.args[first + i];
    Database::Entry e = ctx.Db(key).FindForRead(key, ctx.now_ms);
    Input in;
    if (e) {
      if (e.record->type() == ValueType::kZSet) {
        in.zset = static_cast<const ZSetValue*>(e.record->object());
      } else if (e.record->type() == ValueType::kSet) {
        in.set = static_cast<const SetValue*>(e.record->object());
      } else {
        ctx.reply.Error(err::kWrongType);
        return false;
      }
    }
    out->push_back(in);
  }
  return true;
}

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0.0 : v;  // 0 * inf counts as 0, as in Redis
}

void Combine(double* acc, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *acc += v;
      if (std::isnan(*acc)) *acc = 0.0;  // inf + -inf
      break;
    case Aggregate::kMin:
      *acc = std::min(*acc, v);
      break;
    case Aggregate::kMax:
      *acc = std::max(*acc, v);
      break;
  }
}

void SortItems(Items* items) {
  std::sort(items->begin(), items->end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second < b.second;
    return a.first < b.first;
  });
}

size_t SmallestInput(const std::vector<Input>& inputs) {
  size_t best = 0;
  for (size_t i = 1; i < inputs.size(); ++i) {
    if (inputs[i].size() < inputs[best].size()) best = i;
  }
  return best;
}

Items Compute(const std::vector<Input>& inputs, const std::vector<double>& weights, SetOp op,
              Aggregate agg) {
  Items items;
  if (op == SetOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    for (size_t i = 0; i < inputs.size(); ++i) {
      inputs[i].ForEach([&](std::string_view m, double s) {
        double v = Weighted(s, weights[i]);
        auto [it, added] = acc.try_emplace(std::string(m), v);
        if (!added) Combine(&it->second, v, agg);
      });
    }
    items.assign(acc.begin(), acc.end());
  } else if (op == SetOp::kInter) {
    // Walk the smallest input; aggregate in argument order so results don't depend on sizes.
    size_t pivot = SmallestInput(inputs);
    inputs[pivot].ForEach([&](std::string_view m, double) {
      double total = 0;
      for (size_t i = 0; i < inputs.size(); ++i) {
        auto s = inputs[i].Score(m);
        if (!s) return;
        double v = Weighted(*s, weights[i]);
        if (i == 0) {
          total = v;
        } else {
          Combine(&total, v, agg);
        }
      }
      items.emplace_back(m, total);
    });
  } else {
    inputs[0].ForEach([&](std::string_view m, double s) {
      for (size_t i = 1; i < inputs.size(); ++i) {
        if (inputs[i].Score(m)) return;
      }
      items.emplace_back(m, s);
    });
  }
  SortItems(&items);
  return items;
}

// Parses `numkeys` at args[at]; replies and returns 0 on error.
size_t ParseNumKeys(CommandContext& ctx, size_t at) {
  auto numkeys = ParseInt64(ctx.args[at]);
  if (!numkeys) {
    ctx.reply.Error(err::kNotInteger);
    return 0;
  }
  if (*numkeys < 1) {
    std::string name(ctx.args[0]);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    ctx.reply.Error("ERR at least 1 input key is needed for '" + name + "' command");
    return 0;
  }
  if (*numkeys > static_cast<int64_t>(ctx.args.size() - at - 1)) {
    ctx.reply.Error(err::kSyntax);
    return 0;
  }
  return static_cast<size_t>(*numkeys);
}

// ZUNION/ZINTER/ZDIFF numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES], and
// the STORE forms (dst first, no WITHSCORES). ZDIFF takes neither WEIGHTS nor AGGREGATE.
void AlgebraGeneric(CommandContext& ctx, SetOp op, bool store) {
  size_t at = store ? 2 : 1;
  size_t n = ParseNumKeys(ctx, at);
  if (n == 0) return;
  std::vector<Input> inputs;
  if (!LoadInputs(ctx, at + 1, n, &inputs)) return;
  std::vector<double> weights(n, 1.0);
  Aggregate agg = Aggregate::kSum;
  bool with_scores = false;
  for (size_t j = at + 1 + n; j < ctx.args.size(); ++j) {
    std::string_view w = ctx.args[j];
    size_t left = ctx.args.size() - j - 1;
    if (op != SetOp::kDiff && left >= n && EqualsIgnoreCase(w, "WEIGHTS")) {
      for (size_t i = 0; i < n; ++i) {
        auto v = ParseStrictDouble(ctx.args[j + 1 + i]);
        if (!v) return ctx.reply.Error("ERR weight value is not a float");
        weights[i] = *v;
      }
      j += n;
    } else if (op != SetOp::kDiff && left >= 1 && EqualsIgnoreCase(w, "AGGREGATE")) {
      std::string_view a = ctx.args[++j];
      if (EqualsIgnoreCase(a, "SUM")) {
        agg = Aggregate::kSum;
      } else if (EqualsIgnoreCase(a, "MIN")) {
        agg = Aggregate::kMin;
      } else if (EqualsIgnoreCase(a, "MAX")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.reply.Error(err::kSyntax);
      }
    } else if (!store && EqualsIgnoreCase(w, "WITHSCORES")) {
      with_scores = true;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  Items items = Compute(inputs, weights, op, agg);
  if (store)
    return ctx.reply.Integer(StoreZSet(ctx, ctx.args[1],
                                       op == SetOp::kUnion   ? "zunionstore"
                                       : op == SetOp::kInter ? "zinterstore"
                                                             : "zdiffstore",
                                       items));
  if (with_scores) return ReplyWithScores(ctx.reply, items);
  ReplyMembers(ctx.reply, items);
}

void ZUnion(CommandContext& ctx) {
  AlgebraGeneric(ctx, SetOp::kUnion, false);
}
void ZInter(CommandContext& ctx) {
  AlgebraGeneric(ctx, SetOp::kInter, false);
}
void ZDiff(CommandContext& ctx) {
  AlgebraGeneric(ctx, SetOp::kDiff, false);
}
void ZUnionStore(CommandContext& ctx) {
  AlgebraGeneric(ctx, SetOp::kUnion, true);
}
void ZInterStore(CommandContext& ctx) {
  AlgebraGeneric(ctx, SetOp::kInter, true);
}
void ZDiffStore(CommandContext& ctx) {
  AlgebraGeneric(ctx, SetOp::kDiff, true);
}

// ZINTERCARD numkeys key... [LIMIT limit]
void ZInterCard(CommandContext& ctx) {
  size_t n = ParseNumKeys(ctx, 1);
  if (n == 0) return;
  std::vector<Input> inputs;
  if (!LoadInputs(ctx, 2, n, &inputs)) return;
  uint64_t limit = 0;
  for (size_t j = 2 + n; j < ctx.args.size(); ++j) {
    if (ctx.args.size() - j - 1 >= 1 && EqualsIgnoreCase(ctx.args[j], "LIMIT")) {
      auto v = ParseInt64(ctx.args[++j]);
      if (!v || *v < 0) return ctx.reply.Error("ERR LIMIT can't be negative");
      limit = static_cast<uint64_t>(*v);
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  uint64_t count = 0;
  size_t pivot = SmallestInput(inputs);
  // ForEach cannot stop early for sets, so the limit only cuts the lookups short.
  inputs[pivot].ForEach([&](std::string_view m, double) {
    if (limit != 0 && count >= limit) return;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (i != pivot && !inputs[i].Score(m)) return;
    }
    ++count;
  });
  ctx.reply.Integer(static_cast<int64_t>(count));
}

}  // namespace

void RegisterZSetAlgebraCommands(CommandTable& t) {
  CommandGroup g(t, "sorted-set", kAclSortedSet);
  g.Add(Command("zunion", ZUnion)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .KeyCount(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Returns the union of multiple sorted sets."));
  g.Add(Command("zinter", ZInter)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .KeyCount(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Returns the intersect of multiple sorted sets."));
  g.Add(Command("zdiff", ZDiff)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .KeyCount(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Returns the difference between multiple sorted sets."));
  g.Add(Command("zunionstore", ZUnionStore)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .KeyCount(2, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Stores the union of multiple sorted sets in a key."));
  g.Add(Command("zinterstore", ZInterStore)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .KeyCount(2, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Stores the intersect of multiple sorted sets in a key."));
  g.Add(Command("zdiffstore", ZDiffStore)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .KeyCount(2, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Stores the difference of multiple sorted sets in a key."));
  g.Add(Command("zintercard", ZInterCard)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .KeyCount(1, kKeyRO | kKeyAccess)
            .Since("7.0.0")
            .Summary("Returns the number of members of the intersect of multiple sorted sets."));
}

}  // namespace ember
