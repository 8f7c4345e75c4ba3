// Sorted-set commands on one key: ZADD/ZINCRBY/ZREM, scores and ranks, pops (ZPOPMIN/ZPOPMAX,
// ZMPOP), ZRANDMEMBER and ZSCAN. Ranges are in zset_range.cc, the multi-key algebra in
// zset_algebra.cc, the pop core in zset_ops.cc.
#include <climits>
#include <cmath>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/scan_options.h"
#include "commands/typed_value.h"
#include "commands/zset_ops.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

uint64_t NextRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// Applies one ZADD element with Redis's flag rules. Returns false when the member was left
// alone (a NOP for the INCR reply); *nan is set when INCR produced NaN.
bool ZAddOne(ZSetValue* z, std::string_view member, double score, const ZAddFlags& f,
             const ZSetLimits& limits, int64_t* added, int64_t* updated, double* result,
             bool* nan) {
  auto current = z->Score(member);
  if (current) {
    if (f.nx) return false;
    if (f.incr) {
      score += *current;
      if (std::isnan(score)) {
        *nan = true;
        return false;
      }
    }
    if ((f.lt && score >= *current) || (f.gt && score <= *current)) return false;
    *result = score;
    if (score != *current) {
      z->Set(member, score, limits);
      ++*updated;
    }
    return true;
  }
  if (f.xx) return false;
  z->Set(member, score, limits);
  ++*added;
  *result = score;
  return true;
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]; ZINCRBY is ZADD INCR.
void ZAddGeneric(CommandContext& ctx, ZAddFlags f, size_t first_score) {
  size_t elements = ctx.args.size() - first_score;
  if (elements == 0 || elements % 2 != 0) return ctx.reply.Error(err::kSyntax);
  elements /= 2;
  if (f.nx && f.xx) {
    return ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    return ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (f.incr && elements > 1) {
    return ctx.reply.Error("ERR INCR option supports a single increment-element pair");
  }
  std::vector<double> scores(elements);
  size_t max_len = 0;
  for (size_t i = 0; i < elements; ++i) {
    auto s = ParseStrictDouble(ctx.args[first_score + 2 * i]);
    if (!s) return ctx.reply.Error(err::kNotFloat);
    scores[i] = *s;
    max_len = std::max(max_len, ctx.args[first_score + 2 * i + 1].size());
  }
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto found = FindTyped<ZSetValue>(db, key, ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ZSetLimits limits = ZLimits(ctx);
  int64_t added = 0, updated = 0;
  double result = 0;
  bool processed = false, nan = false;
  if (found.value == nullptr && !f.xx) CreateTyped(db, found, key, elements, max_len, limits);
  if (found.value != nullptr) {
    for (size_t i = 0; i < elements && !nan; ++i) {
      processed = ZAddOne(found.value, ctx.args[first_score + 2 * i + 1], scores[i], f, limits,
                          &added, &updated, &result, &nan);
    }
  }
  // An emptied (or just created and then refused) value goes, a changed one is counted.
  if (found.value != nullptr && (added + updated > 0 || found.value->empty()))
    FinishWrite(db, found);
  if (added + updated > 0) ctx.Notify(kNotifyZset, f.incr ? "zincr" : "zadd", key);
  if (nan) return ctx.reply.Error(kZsetNaN);
  if (f.incr) return processed ? ctx.reply.Double(result) : ctx.reply.Null();
  ctx.reply.Integer(f.ch ? added + updated : added);
}

void ZAdd(CommandContext& ctx) {
  ZAddFlags f;
  size_t i = 2;
  for (; i < ctx.args.size(); ++i) {
    std::string_view w = ctx.args[i];
    if (EqualsIgnoreCase(w, "NX")) {
      f.nx = true;
    } else if (EqualsIgnoreCase(w, "XX")) {
      f.xx = true;
    } else if (EqualsIgnoreCase(w, "GT")) {
      f.gt = true;
    } else if (EqualsIgnoreCase(w, "LT")) {
      f.lt = true;
    } else if (EqualsIgnoreCase(w, "CH")) {
      f.ch = true;
    } else if (EqualsIgnoreCase(w, "INCR")) {
      f.incr = true;
    } else {
      break;
    }
  }
  ZAddGeneric(ctx, f, i);
}

void ZIncrBy(CommandContext& ctx) {
  ZAddFlags f;
  f.incr = true;
  ZAddGeneric(ctx, f, 2);
}

void ZRem(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ZSetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ctx.reply.Integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) removed += found.value->Remove(ctx.args[i]);
  if (removed > 0) ctx.Notify(kNotifyZset, "zrem", ctx.args[1], FinishWrite(db, found));
  ctx.reply.Integer(removed);
}

void ZCard(CommandContext& ctx) {
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.Integer(found.value == nullptr ? 0 : static_cast<int64_t>(found.value->size()));
}

void ZScore(CommandContext& ctx) {
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  auto score = found.value == nullptr ? std::nullopt : found.value->Score(ctx.args[2]);
  if (!score) return ctx.reply.Null();
  ctx.reply.Double(*score);
}

void ZMScore(CommandContext& ctx) {
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto score = found.value == nullptr ? std::nullopt : found.value->Score(ctx.args[i]);
    if (score) {
      ctx.reply.Double(*score);
    } else {
      ctx.reply.Null();
    }
  }
}

void ZRankGeneric(CommandContext& ctx, bool reverse) {
  bool with_score = false;
  if (ctx.args.size() > 4) return ctx.reply.Error(err::kSyntax);
  if (ctx.args.size() == 4) {
    if (!EqualsIgnoreCase(ctx.args[3], "WITHSCORE")) return ctx.reply.Error(err::kSyntax);
    with_score = true;
  }
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  auto rank = found.value == nullptr ? std::nullopt : found.value->Rank(ctx.args[2]);
  if (!rank) return with_score ? ctx.reply.NullArray() : ctx.reply.Null();
  int64_t r = static_cast<int64_t>(reverse ? found.value->size() - 1 - *rank : *rank);
  if (!with_score) return ctx.reply.Integer(r);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Integer(r);
  ctx.reply.Double(*found.value->Score(ctx.args[2]));
}

void ZRank(CommandContext& ctx) {
  ZRankGeneric(ctx, false);
}
void ZRevRank(CommandContext& ctx) {
  ZRankGeneric(ctx, true);
}

// ZPOPMIN/ZPOPMAX key [count]
void ZPopGeneric(CommandContext& ctx, PopEnd end) {
  if (ctx.args.size() > 3) return ctx.reply.Error(err::kSyntax);
  bool has_count = ctx.args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    auto n = ParseInt64(ctx.args[2]);
    if (!n || *n < 0) return ctx.reply.Error(kZsetPositive);
    count = *n;
  }
  Database& db = ctx.Db(ctx.args[1]);
  auto found = FindTyped<ZSetValue>(db, ctx.args[1], ctx.now_ms, false);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr || count == 0) return ctx.reply.ArrayHeader(0);
  PopReply shape = has_count && ctx.reply.resp3() ? PopReply::kNested : PopReply::kFlat;
  PopAndReply(ctx, db, found, ctx.args[1], end, static_cast<size_t>(count), shape);
}

void ZPopMin(CommandContext& ctx) {
  ZPopGeneric(ctx, PopEnd::kMin);
}
void ZPopMax(CommandContext& ctx) {
  ZPopGeneric(ctx, PopEnd::kMax);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void ZMPop(CommandContext& ctx) {
  auto mpop = ParseMPopArgs(ctx, 1);
  if (!mpop) return;
  for (std::string_view key : mpop->keys) {
    Database& db = ctx.Db(key);
    auto found = FindTyped<ZSetValue>(db, key, ctx.now_ms, false);
    if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
    if (found.value == nullptr) continue;
    return PopAndReply(ctx, db, found, key, mpop->end, mpop->count, PopReply::kKeyed);
  }
  ctx.reply.NullArray();
}

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMember(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
    if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
    if (found.value == nullptr) return ctx.reply.Null();
    found.value->Visit(NextRandom() % found.value->size(), 1, false,
                       [&](std::string_view m, double) {
                         ctx.reply.Bulk(m);
                         return false;
                       });
    return;
  }
  auto count = ParseInt64(ctx.args[2]);
  if (!count) return ctx.reply.Error(err::kNotInteger);
  if (*count == LLONG_MIN) return ctx.reply.Error(err::kRandCountRange);
  bool with_scores = false;
  if (ctx.args.size() > 4 ||
      (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "WITHSCORES"))) {
    return ctx.reply.Error(err::kSyntax);
  }
  if (ctx.args.size() == 4) {
    with_scores = true;
    if (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr || *count == 0) return ctx.reply.ArrayHeader(0);
  const ZSetValue& z = *found.value;
  std::vector<std::pair<std::string, double>> items;
  auto take = [&](size_t rank) {
    z.Visit(rank, 1, false, [&](std::string_view m, double s) {
      items.emplace_back(m, s);
      return false;
    });
  };
  if (*count < 0) {
    // Repeats allowed: independent picks, streamed (the count, not the set, sizes this reply,
    // so it stops at the client's output limit; the client is then closed).
    auto n = static_cast<size_t>(-*count);
    bool pairs = with_scores && ctx.reply.resp3();
    ctx.reply.ArrayHeader(with_scores && !pairs ? n * 2 : n);
    for (size_t i = 0; i < n && !ctx.reply.Overflowed(); ++i) {
      z.Visit(NextRandom() % z.size(), 1, false, [&](std::string_view m, double s) {
        if (pairs) ctx.reply.ArrayHeader(2);
        ctx.reply.Bulk(m);
        if (with_scores) ctx.reply.Double(s);
        return false;
      });
    }
    return;
  }
  if (static_cast<size_t>(*count) >= z.size()) {
    z.Visit(0, z.size(), false, [&](std::string_view m, double s) {
      items.emplace_back(m, s);
      return true;
    });
  } else if (static_cast<size_t>(*count) * 4 <= z.size()) {
    // Few of many: draw ranks until enough distinct ones came up (rarely a repeat).
    std::unordered_set<size_t> picked;
    while (picked.size() < static_cast<size_t>(*count)) {
      size_t rank = NextRandom() % z.size();
      if (picked.insert(rank).second) take(rank);
    }
  } else {
    // A large share: a partial Fisher-Yates shuffle over rank numbers.
    std::vector<size_t> ranks(z.size());
    for (size_t i = 0; i < ranks.size(); ++i) ranks[i] = i;
    auto n = static_cast<size_t>(*count);
    for (size_t i = 0; i < n; ++i) {
      std::swap(ranks[i], ranks[i + NextRandom() % (ranks.size() - i)]);
      take(ranks[i]);
    }
  }
  if (with_scores) return ReplyWithScores(ctx.reply, items);
  ReplyMembers(ctx.reply, items);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: scores come back as bulk strings. As in
// Redis, a missing key answers an empty scan before the options are looked at.
void ZScan(CommandContext& ctx) {
  auto cursor = ParseUint64(ctx.args[2]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  auto found = FindTyped<ZSetValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, true);
  if (found.wrong_type) return ctx.reply.Error(err::kWrongType);
  if (found.value == nullptr) return ReplyScan(ctx, 0, {});
  ScanOptions options;
  if (!ParseScanOptions(ctx, 3, false, &options)) return;
  std::vector<std::string> out;
  uint64_t next = found.value->Scan(*cursor, options.count, [&](std::string_view m, double s) {
    if (options.Matches(m)) {
      out.emplace_back(m);
      out.push_back(FormatDouble(s));
    }
    return true;
  });
  ReplyScan(ctx, next, out);
}

}  // namespace

void RegisterZSetCommands(CommandTable& t) {
  CommandGroup g(t, "sorted-set", kAclSortedSet);
  g.Add(Command("zadd", ZAdd)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("1.2.0")
            .Summary("Adds one or more members to a sorted set, or updates their scores. Creates "
                     "the key if it doesn't exist."));
  g.Add(Command("zincrby", ZIncrBy)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.2.0")
            .Summary("Increments the score of a member in a sorted set."));
  g.Add(Command("zrem", ZRem)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("1.2.0")
            .Summary("Removes one or more members from a sorted set. Deletes the sorted set if all "
                     "members were removed."));
  g.Add(Command("zcard", ZCard)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("1.2.0")
            .Summary("Returns the number of members in a sorted set."));
  g.Add(Command("zscore", ZScore)
            .Arity(3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.2.0")
            .Summary("Returns the score of a member in a sorted set."));
  g.Add(Command("zmscore", ZMScore)
            .Arity(-3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Returns the score of one or more members in a sorted set."));
  g.Add(Command("zrank", ZRank)
            .Arity(-3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Returns the index of a member in a sorted set ordered by ascending scores."));
  g.Add(
      Command("zrevrank", ZRevRank)
          .Arity(-3)
          .Flags(kCmdReadOnly | kCmdFast)
          .Key(1, kKeyRO | kKeyAccess)
          .Since("2.0.0")
          .Summary("Returns the index of a member in a sorted set ordered by descending scores."));
  g.Add(Command("zpopmin", ZPopMin)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("5.0.0")
            .Summary("Returns the lowest-scoring members from a sorted set after removing them. "
                     "Deletes the sorted set if the last member was popped."));
  g.Add(Command("zpopmax", ZPopMax)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("5.0.0")
            .Summary("Returns the highest-scoring members from a sorted set after removing them. "
                     "Deletes the sorted set if the last member was popped."));
  g.Add(Command("zrandmember", ZRandMember)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Returns one or more random members from a sorted set."));
  g.Add(Command("zscan", ZScan)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.8.0")
            .Summary("Iterates over members and scores of a sorted set."));
  g.Add(Command("zmpop", ZMPop)
            .Arity(-4)
            .Flags(kCmdWrite)
            .KeyCount(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("7.0.0")
            .Summary("Returns the highest- or lowest-scoring members from one or more sorted sets "
                     "after removing them. Deletes the sorted set if the last member was popped."));
  RegisterZSetRangeCommands(t);
  RegisterZSetAlgebraCommands(t);
  RegisterZSetBlockingCommands(t);
}

}  // namespace ember
