#include "commands/zset_ops.h"

#include <algorithm>

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {

std::optional<MPopArgs> ParseMPopArgs(CommandContext& ctx, size_t first) {
  auto numkeys = ParseInt64(ctx.args[first]);
  if (!numkeys || *numkeys <= 0) {
    ctx.reply.Error("ERR numkeys should be greater than 0");
    return std::nullopt;
  }
  if (*numkeys > static_cast<int64_t>(ctx.args.size() - first) - 2) {
    ctx.reply.Error(err::kSyntax);
    return std::nullopt;
  }
  MPopArgs out;
  out.keys = ctx.args.subspan(first + 1, static_cast<size_t>(*numkeys));
  ArgParser args(ctx.args, first + 1 + static_cast<size_t>(*numkeys));
  if (args.Eat("MIN")) {
    out.end = PopEnd::kMin;
  } else if (args.Eat("MAX")) {
    out.end = PopEnd::kMax;
  } else {
    ctx.reply.Error(err::kSyntax);
    return std::nullopt;
  }
  if (args.remaining() >= 2 && args.Eat("COUNT")) {
    auto n = ParseInt64(args.Next());
    if (!n || *n <= 0) {
      ctx.reply.Error("ERR count should be greater than 0");
      return std::nullopt;
    }
    out.count = static_cast<size_t>(*n);
  }
  if (args.HasNext()) {
    ctx.reply.Error(err::kSyntax);
    return std::nullopt;
  }
  return out;
}

ZSetLimits ZLimits(CommandContext& ctx) {
  const auto& c = ctx.engine.config();
  return ZSetLimits{c.zset_max_listpack_entries, c.zset_max_listpack_value};
}

void ReplyWithScores(ReplyBuilder& reply,
                     const std::vector<std::pair<std::string, double>>& items) {
  if (reply.resp3()) {
    reply.ArrayHeader(items.size());
    for (const auto& [member, score] : items) {
      reply.ArrayHeader(2);
      reply.Bulk(member);
      reply.Double(score);
    }
    return;
  }
  reply.ArrayHeader(items.size() * 2);
  for (const auto& [member, score] : items) {
    reply.Bulk(member);
    reply.Double(score);
  }
}

void ReplyMembers(ReplyBuilder& reply, const std::vector<std::pair<std::string, double>>& items) {
  reply.ArrayHeader(items.size());
  for (const auto& item : items) reply.Bulk(item.first);
}

int64_t StoreZSet(CommandContext& ctx, std::string_view dst, std::string_view event,
                  const std::vector<std::pair<std::string, double>>& items) {
  Database& db = ctx.Db(dst);
  Database::Entry entry = db.Find(dst, ctx.now_ms);
  if (items.empty()) {
    if (entry) {
      db.Erase(entry);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
    return 0;
  }
  size_t max_len = 0;
  for (const auto& item : items) max_len = std::max(max_len, item.first.size());
  ZSetLimits limits = ZLimits(ctx);
  auto* z = new ZSetValue(items.size(), max_len, limits);
  for (const auto& [member, score] : items) z->Set(member, score, limits);
  db.Put(entry, Record::NewObject(dst, ValueType::kZSet, z, 0));
  ctx.Notify(kNotifyZset, event, dst);
  return static_cast<int64_t>(z->size());
}

std::vector<std::pair<std::string, double>> PopMembers(Database& db, TypedEntry<ZSetValue>& found,
                                                       PopEnd end, size_t count) {
  ZSetValue* z = found.value;
  count = std::min(count, z->size());
  std::vector<std::pair<std::string, double>> out;
  out.reserve(count);
  bool from_min = end == PopEnd::kMin;
  size_t start = from_min ? 0 : z->size() - 1;
  z->Visit(start, count, !from_min, [&](std::string_view m, double s) {
    out.emplace_back(m, s);
    return true;
  });
  z->EraseRange(from_min ? 0 : z->size() - count, count);
  FinishWrite(db, found);
  return out;
}

void PopAndReply(CommandContext& ctx, Database& db, TypedEntry<ZSetValue>& found,
                 std::string_view key, PopEnd end, size_t count, PopReply shape) {
  auto items = PopMembers(db, found, end, count);
  if (!items.empty()) {
    ctx.Notify(kNotifyZset, end == PopEnd::kMin ? "zpopmin" : "zpopmax", key,
               found.value == nullptr);
  }
  // BZPOPMIN, ZMPOP ...: the pop they made, whatever form they had.
  ctx.Propagate({end == PopEnd::kMin ? "ZPOPMIN" : "ZPOPMAX", key},
                static_cast<int64_t>(items.size()));
  ReplyBuilder& r = ctx.reply;
  switch (shape) {
    case PopReply::kFlat:
      r.ArrayHeader(items.size() * 2);
      for (const auto& [m, s] : items) {
        r.Bulk(m);
        r.Double(s);
      }
      break;
    case PopReply::kNested:
    case PopReply::kKeyed:
      if (shape == PopReply::kKeyed) {
        r.ArrayHeader(2);
        r.Bulk(key);
      }
      r.ArrayHeader(items.size());
      for (const auto& [m, s] : items) {
        r.ArrayHeader(2);
        r.Bulk(m);
        r.Double(s);
      }
      break;
    case PopReply::kKeyFlat:
      r.ArrayHeader(3);
      r.Bulk(key);
      r.Bulk(items[0].first);
      r.Double(items[0].second);
      break;
  }
}

}  // namespace ember
