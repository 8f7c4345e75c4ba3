// Sorted-set ranges: ZRANGE (by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES) and its legacy
// forms, ZRANGESTORE, ZCOUNT/ZLEXCOUNT and ZREMRANGEBYRANK/SCORE/LEX. Every range becomes a
// half-open span of ranks [lo, hi) first, so counting, listing and removing share one path.
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/typed_value.h"
#include "commands/zset_ops.h"
#include "common/numbers.h"

namespace ember {
namespace {

using Items = std::vector<std::pair<std::string, double>>;

enum class RangeType : uint8_t { kAuto, kRank, kScore, kLex };

// A score bound: "(" makes it exclusive. The number is read as Redis's zslParseRange reads it
// (bare strtod: " 1", "" and a bare "(" are accepted, as 1, 0 and (0).
bool ParseScoreBound(std::string_view arg, double* value, bool* exclusive) {
  *exclusive = !arg.empty() && arg[0] == '(';
  if (*exclusive) arg.remove_prefix(1);
  auto v = ParseRangeDouble(arg);
  if (!v) return false;
  *value = *v;
  return true;
}

struct LexBound {
  enum Kind : uint8_t { kMinusInf, kPlusInf, kInclusive, kExclusive } kind;
  std::string_view value;
};

bool ParseLexBound(std::string_view arg, LexBound* out) {
  if (arg == "-") {
    out->kind = LexBound::kMinusInf;
  } else if (arg == "+") {
    out->kind = LexBound::kPlusInf;
  } else if (!arg.empty() && (arg[0] == '[' || arg[0] == '(')) {
    out->kind = arg[0] == '[' ? LexBound::kInclusive : LexBound::kExclusive;
    out->value = arg.substr(1);
  } else {
    return false;
  }
  return true;
}

// The number of members below a lex bound; `as_max` picks the bound's meaning as a maximum
// (members <= [x count) or as a minimum (members < [x are excluded).
size_t LexRank(const ZSetValue& z, const LexBound& b, bool as_max) {
  switch (b.kind) {
    case LexBound::kMinusInf:
      return 0;
    case LexBound::kPlusInf:
      return z.size();
    case LexBound::kInclusive:
      return z.CountLexBelow(b.value, as_max);
    case LexBound::kExclusive:
      return z.CountLexBelow(b.value, !as_max);
  }
  return 0;
}

// A parsed score or lex range, resolved to ranks against a zset.
struct SpanBounds {
  RangeType type;
  double min = 0, max = 0;
  bool min_ex = false, max_ex = false;
  LexBound lex_min{}, lex_max{};
  int64_t start = 0, stop = 0;  // kRank
};

// Parses the min/max (or start/stop) arguments; replies and returns false on error.
bool ParseBounds(CommandContext& ctx, RangeType type, std::string_view min, std::string_view max,
                 SpanBounds* out) {
  out->type = type;
  if (type == RangeType::kScore) {
    if (!ParseScoreBound(min, &out->min, &out->min_ex) ||
        !ParseScoreBound(max, &out->max, &out->max_ex)) {
      ctx.reply.Error(kZsetMinMaxFloat);
      return false;
    }
  } else if (type == RangeType::kLex) {
    if (!ParseLexBound(min, &out->lex_min) || !ParseLexBound(max, &out->lex_max)) {
      ctx.reply.Error(kZsetMinMaxLex);
      return false;
    }
  } else {
    auto start = ParseInt64(min), stop = ParseInt64(max);
    if (!start || !stop) {
      ctx.reply.Error(err::kNotInteger);
      return false;
    }
    out->start = *start;
    out->stop = *stop;
  }
  return true;
}

// The ranks [*lo, *hi) the bounds select (ascending order; for kRank, `reverse` reads start
// and stop from the top). Returns false when empty.
bool ResolveSpan(const ZSetValue& z, const SpanBounds& b, bool reverse, size_t* lo, size_t* hi) {
  if (b.type == RangeType::kScore) {
    *lo = z.CountScoreBelow(b.min, b.min_ex);
    *hi = z.CountScoreBelow(b.max, !b.max_ex);
  } else if (b.type == RangeType::kLex) {
    *lo = LexRank(z, b.lex_min, false);
    *hi = LexRank(z, b.lex_max, true);
  } else {
    auto size = static_cast<int64_t>(z.size());
    int64_t start = b.start < 0 ? b.start + size : b.start;
    int64_t stop = b.stop < 0 ? b.stop + size : b.stop;
    if (start < 0) start = 0;
    if (start > stop || start >= size) return false;
    if (stop >= size) stop = size - 1;
    if (reverse) {
      *lo = static_cast<size_t>(size - 1 - stop);
      *hi = static_cast<size_t>(size - start);
    } else {
      *lo = static_cast<size_t>(start);
      *hi = static_cast<size_t>(stop + 1);
    }
  }
  return *lo < *hi;
}

// Collects the members of [lo, hi) in the requested direction after skipping `offset`,
// at most `limit` (negative: no limit).
Items Collect(const ZSetValue& z, size_t lo, size_t hi, bool reverse, int64_t offset,
              int64_t limit) {
  Items items;
  if (offset < 0 || static_cast<uint64_t>(offset) >= hi - lo) return items;
  size_t n = hi - lo - static_cast<size_t>(offset);
  if (limit >= 0 && static_cast<uint64_t>(limit) < n) n = static_cast<size_t>(limit);
  size_t start = reverse ? hi - 1 - static_cast<size_t>(offset) : lo + static_cast<size_t>(offset);
  items.reserve(n);
  z.Visit(start, n, reverse, [&](std::string_view m, double s) {
    items.emplace_back(m, s);
    return true;
  });
  return items;
}

// ZRANGE and its relatives. `first` is the source key's index; `dst` is set for ZRANGESTORE.
void ZRangeGeneric(CommandContext& ctx, size_t first, std::string_view dst, RangeType type,
                   bool reverse_preset) {
  bool store = !dst.empty() || first == 2;
  std::string_view key = ctx.args[first];
  size_t min_idx = first + 1, max_idx = first + 2;
  // REV is an option of ZRANGE/ZRANGESTORE only (those start with kAuto); the legacy forms fix
  // their direction, so it is a syntax error there, as in Redis.
  bool reverse = reverse_preset, rev_seen = reverse_preset || type != RangeType::kAuto;
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = first + 3; j < ctx.args.size(); ++j) {
    std::string_view w = ctx.args[j];
    size_t left = ctx.args.size() - j - 1;
    if (!store && EqualsIgnoreCase(w, "WITHSCORES")) {
      with_scores = true;
    } else if (EqualsIgnoreCase(w, "LIMIT") && left >= 2) {
      auto o = ParseInt64(ctx.args[j + 1]), l = ParseInt64(ctx.args[j + 2]);
      if (!o || !l) return ctx.reply.Error(err::kNotInteger);
      offset = *o;
      limit = *l;
      j += 2;
    } else if (!rev_seen && EqualsIgnoreCase(w, "REV")) {
      reverse = rev_seen = true;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(w, "BYSCORE")) {
      type = RangeType::kScore;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(w, "BYLEX")) {
      type = RangeType::kLex;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (type == RangeType::kAuto) type = RangeType::kRank;
  // Redis only looks at the count here: LIMIT <any> -1 passes with a rank range.
  if (limit != -1 && type == RangeType::kRank) {
    return ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (with_scores && type == RangeType::kLex) {
    return ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  // Reverse score and lex ranges are written max first.
  if (reverse && type != RangeType::kRank) std::swap(min_idx, max_idx);
  SpanBounds bounds;
  if (!ParseBounds(ctx, type, ctx.args[min_idx], ctx.args[max_idx], &bounds)) return;
  auto found = FindTyped<ZSetValue>(ctx.Db(key), key, ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  Items items;
  size_t lo, hi;
  if (found.value != nullptr && ResolveSpan(*found.value, bounds, reverse, &lo, &hi)) {
    if (type == RangeType::kRank) {
      items = Collect(*found.value, lo, hi, reverse, 0, -1);
    } else {
      items = Collect(*found.value, lo, hi, reverse, offset, limit);
    }
  }
  if (store) return ctx.reply.Integer(StoreZSet(ctx, dst, "zrangestore", items));
  if (with_scores) return ReplyWithScores(ctx.reply, items);
  ReplyMembers(ctx.reply, items);
}

void ZRange(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, {}, RangeType::kAuto, false);
}
void ZRangeStore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 2, ctx.args[1], RangeType::kAuto, false);
}
void ZRevRange(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, {}, RangeType::kRank, true);
}
void ZRangeByScore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, {}, RangeType::kScore, false);
}
void ZRevRangeByScore(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, {}, RangeType::kScore, true);
}
void ZRangeByLex(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, {}, RangeType::kLex, false);
}
void ZRevRangeByLex(CommandContext& ctx) {
  ZRangeGeneric(ctx, 1, {}, RangeType::kLex, true);
}

// ZCOUNT / ZLEXCOUNT key min max
void CountGeneric(CommandContext& ctx, RangeType type) {
  SpanBounds bounds;
  if (!ParseBounds(ctx, type, ctx.args[2], ctx.args[3], &bounds)) return;
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  size_t lo, hi;
  if (found.value == nullptr || !ResolveSpan(*found.value, bounds, false, &lo, &hi)) {
    return ctx.reply.Integer(0);
  }
  ctx.reply.Integer(static_cast<int64_t>(hi - lo));
}

void ZCount(CommandContext& ctx) {
  CountGeneric(ctx, RangeType::kScore);
}
void ZLexCount(CommandContext& ctx) {
  CountGeneric(ctx, RangeType::kLex);
}

// ZREMRANGEBYRANK / BYSCORE / BYLEX key min max
void RemRangeGeneric(CommandContext& ctx, RangeType type) {
  SpanBounds bounds;
  if (!ParseBounds(ctx, type, ctx.args[2], ctx.args[3], &bounds)) return;
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ZSetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  size_t lo, hi;
  if (found.value == nullptr || !ResolveSpan(*found.value, bounds, false, &lo, &hi)) {
    return ctx.reply.Integer(0);
  }
  found.value->EraseRange(lo, hi - lo);
  std::string_view event = type == RangeType::kRank    ? "zremrangebyrank"
                           : type == RangeType::kScore ? "zremrangebyscore"
                                                       : "zremrangebylex";
  ctx.Notify(kNotifyZset, event, ctx.args[1], FinishWrite(db, found));
  ctx.reply.Integer(static_cast<int64_t>(hi - lo));
}

void ZRemRangeByRank(CommandContext& ctx) {
  RemRangeGeneric(ctx, RangeType::kRank);
}
void ZRemRangeByScore(CommandContext& ctx) {
  RemRangeGeneric(ctx, RangeType::kScore);
}
void ZRemRangeByLex(CommandContext& ctx) {
  RemRangeGeneric(ctx, RangeType::kLex);
}

}  // namespace

void RegisterZSetRangeCommands(CommandTable& t) {
  CommandGroup g(t, "sorted-set", kAclSortedSet);
  g.Add(Command("zrange", ZRange)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.2.0")
            .Summary("Returns members in a sorted set within a range of indexes."));
  g.Add(Command("zrangestore", ZRangeStore)
            .Arity(-5)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .Key(2, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Stores a range of members from sorted set in a key."));
  g.Add(
      Command("zrevrange", ZRevRange)
          .Arity(-4)
          .Flags(kCmdReadOnly)
          .Key(1, kKeyRO | kKeyAccess)
          .Since("1.2.0")
          .Summary("Returns members in a sorted set within a range of indexes in reverse order."));
  g.Add(Command("zrangebyscore", ZRangeByScore)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.5")
            .Summary("Returns members in a sorted set within a range of scores."));
  g.Add(Command("zrevrangebyscore", ZRevRangeByScore)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.2.0")
            .Summary("Returns members in a sorted set within a range of scores in reverse order."));
  g.Add(Command("zrangebylex", ZRangeByLex)
            .Arity(-4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.8.9")
            .Summary("Returns members in a sorted set within a lexicographical range."));
  g.Add(
      Command("zrevrangebylex", ZRevRangeByLex)
          .Arity(-4)
          .Flags(kCmdReadOnly)
          .Key(1, kKeyRO | kKeyAccess)
          .Since("2.8.9")
          .Summary(
              "Returns members in a sorted set within a lexicographical range in reverse order."));
  g.Add(Command("zcount", ZCount)
            .Arity(4)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary(
                "Returns the count of members in a sorted set that have scores within a range."));
  g.Add(Command("zlexcount", ZLexCount)
            .Arity(4)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.8.9")
            .Summary(
                "Returns the number of members in a sorted set within a lexicographical range."));
  g.Add(Command("zremrangebyrank", ZRemRangeByRank)
            .Arity(4)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("2.0.0")
            .Summary("Removes members in a sorted set within a range of indexes. Deletes the "
                     "sorted set if all members were removed."));
  g.Add(Command("zremrangebyscore", ZRemRangeByScore)
            .Arity(4)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("1.2.0")
            .Summary("Removes members in a sorted set within a range of scores. Deletes the sorted "
                     "set if all members were removed."));
  g.Add(Command("zremrangebylex", ZRemRangeByLex)
            .Arity(4)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("2.8.9")
            .Summary("Removes members in a sorted set within a lexicographical range. Deletes the "
                     "sorted set if all members were removed."));
}

}  // namespace ember
