// Hash commands: HSET/HGET and friends, counters, HRANDFIELD and HSCAN.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/scan_options.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "types/hash_ref.h"

namespace ember {
namespace {

// Looks the key up; replies WRONGTYPE and returns false when it holds another type.
bool Lookup(CommandContext& ctx, bool for_read, Database::Entry* out) {
  Database& db = ctx.Db(ctx.args[1]);
  *out =
      for_read ? db.FindForRead(ctx.args[1], ctx.now_ms) : db.FindMutable(ctx.args[1], ctx.now_ms);
  if (*out && out->record->type() != ValueType::kHash) {
    ctx.reply.Error(err::kWrongType);
    return false;
  }
  return true;
}

// The hash at `entry` (found by Lookup, maybe missing); changes are stored when it goes.
HashRef Open(CommandContext& ctx, Database::Entry& entry) {
  return HashRef(ctx.Db(ctx.args[1]), entry, ctx.args[1], ctx.engine.config());
}

// HSET key field value [field value ...] (HMSET replies OK instead of the count).
void SetFields(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 != 0) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  Database::Entry entry;
  if (!Lookup(ctx, false, &entry)) return;
  HashRef hash = Open(ctx, entry);
  int64_t added = 0;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    if (hash.Set(ctx.args[i], ctx.args[i + 1])) ++added;
  }
  ctx.Notify(kNotifyHash, "hset", ctx.args[1]);
  reply_ok ? ctx.reply.Ok() : ctx.reply.Integer(added);
}

void HSet(CommandContext& ctx) {
  SetFields(ctx, false);
}
void HMSet(CommandContext& ctx) {
  SetFields(ctx, true);
}

void HSetNx(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, false, &entry)) return;
  HashRef hash = Open(ctx, entry);
  bool set = !hash.Contains(ctx.args[2]) && hash.Set(ctx.args[2], ctx.args[3]);
  if (set) ctx.Notify(kNotifyHash, "hset", ctx.args[1]);
  ctx.reply.Integer(set ? 1 : 0);
}

void HGet(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  auto value = Open(ctx, entry).Get(ctx.args[2]);
  value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
}

void HMGet(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  HashRef hash = Open(ctx, entry);
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto value = hash.Get(ctx.args[i]);
    value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
  }
}

// HGETALL (map in RESP3), HKEYS, HVALS.
void ListFields(CommandContext& ctx, bool fields, bool values) {
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  HashRef hash = Open(ctx, entry);
  size_t n = hash.size();
  if (fields && values) {
    ctx.reply.MapHeader(n);
  } else {
    ctx.reply.ArrayHeader(n);
  }
  if (n == 0) return;
  hash.ForEach([&](std::string_view f, std::string_view v) {
    if (fields) ctx.reply.Bulk(f);
    if (values) ctx.reply.Bulk(v);
    return true;
  });
}

void HGetAll(CommandContext& ctx) {
  ListFields(ctx, true, true);
}
void HKeys(CommandContext& ctx) {
  ListFields(ctx, true, false);
}
void HVals(CommandContext& ctx) {
  ListFields(ctx, false, true);
}

void HDel(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, false, &entry)) return;
  HashRef hash = Open(ctx, entry);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size() && !hash.empty(); ++i) {
    if (hash.Erase(ctx.args[i])) ++removed;
  }
  if (removed > 0) ctx.Notify(kNotifyHash, "hdel", ctx.args[1], hash.empty());
  ctx.reply.Integer(removed);
}

void HExists(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  ctx.reply.Integer(Open(ctx, entry).Contains(ctx.args[2]) ? 1 : 0);
}

void HLen(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  ctx.reply.Integer(static_cast<int64_t>(Open(ctx, entry).size()));
}

void HStrLen(CommandContext& ctx) {
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  auto value = Open(ctx, entry).Get(ctx.args[2]);
  ctx.reply.Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

void HIncrBy(CommandContext& ctx) {
  auto by = ParseInt64(ctx.args[3]);
  if (!by) return ctx.reply.Error(err::kNotInteger);
  Database::Entry entry;
  if (!Lookup(ctx, false, &entry)) return;
  HashRef hash = Open(ctx, entry);
  int64_t current = 0;
  if (auto value = hash.Get(ctx.args[2])) {
    auto parsed = ParseInt64(*value);
    if (!parsed) return ctx.reply.Error("ERR hash value is not an integer");
    current = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(current, *by, &result)) return ctx.reply.Error(err::kOverflow);
  hash.Set(ctx.args[2], std::to_string(result));
  ctx.Notify(kNotifyHash, "hincrby", ctx.args[1]);
  ctx.reply.Integer(result);
}

void HIncrByFloat(CommandContext& ctx) {
  auto by = ParseStrictLongDouble(ctx.args[3]);
  if (!by) return ctx.reply.Error(err::kNotFloat);
  if (std::isinf(*by)) return ctx.reply.Error("ERR value is NaN or Infinity");
  Database::Entry entry;
  if (!Lookup(ctx, false, &entry)) return;
  HashRef hash = Open(ctx, entry);
  long double current = 0;
  if (auto value = hash.Get(ctx.args[2])) {
    auto parsed = ParseStrictLongDouble(*value);
    if (!parsed) return ctx.reply.Error("ERR hash value is not a float");
    current = *parsed;
  }
  long double result = current + *by;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(err::kIncrFloatNaN);
  std::string text = FormatLongDouble(result);
  hash.Set(ctx.args[2], text);
  ctx.Propagate({"HSET", ctx.args[1], ctx.args[2], text});  // the sum, not the float increment
  ctx.Notify(kNotifyHash, "hincrbyfloat", ctx.args[1]);
  ctx.reply.Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandField(CommandContext& ctx) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  bool with_count = ctx.args.size() >= 3, with_values = false;
  int64_t count = 1;
  if (with_count) {
    // As in Redis: the count is checked before the other arguments, and only WITHVALUES
    // (which doubles the reply) caps it at half the range.
    auto n = ParseInt64(ctx.args[2]);
    if (!n) return ctx.reply.Error(err::kNotInteger);
    if (*n == INT64_MIN) return ctx.reply.Error(err::kRandCountRange);
    count = *n;
    if (ctx.args.size() > 4 ||
        (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "WITHVALUES"))) {
      return ctx.reply.Error(err::kSyntax);
    }
    with_values = ctx.args.size() == 4;
    if (with_values && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  HashRef hash = Open(ctx, entry);
  if (!with_count) {
    if (hash.empty()) return ctx.reply.Null();
    return ctx.reply.Bulk(hash.RandomPair(rng()).first);
  }
  if (hash.empty() || count == 0) return ctx.reply.ArrayHeader(0);
  bool pairs = with_values && ctx.client.resp >= 3;
  if (count < 0) {
    // Repeats allowed. Streamed: the count, not the hash, sizes this reply, so it stops at the
    // client's output limit (the client is then closed).
    auto n = static_cast<size_t>(-count);
    ctx.reply.ArrayHeader(with_values && !pairs ? n * 2 : n);
    for (size_t i = 0; i < n && !ctx.reply.Overflowed(); ++i) {
      auto [f, v] = hash.RandomPair(rng());
      if (pairs) ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(f);
      if (with_values) ctx.reply.Bulk(v);
    }
    return;
  }
  std::vector<std::pair<std::string, std::string>> picked;
  {
    // Distinct fields: all of them, shuffled and cut (the set is small or the count large).
    hash.ForEach([&](std::string_view f, std::string_view v) {
      picked.emplace_back(f, v);
      return true;
    });
    std::shuffle(picked.begin(), picked.end(), rng);
    if (static_cast<size_t>(count) < picked.size()) picked.resize(static_cast<size_t>(count));
  }
  ctx.reply.ArrayHeader(with_values && !pairs ? picked.size() * 2 : picked.size());
  for (const auto& [f, v] : picked) {
    if (pairs) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(f);
    if (with_values) ctx.reply.Bulk(v);
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count]. As in Redis, a missing key answers an empty
// scan before the options are looked at.
void HScan(CommandContext& ctx) {
  auto cursor = ParseUint64(ctx.args[2]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  Database::Entry entry;
  if (!Lookup(ctx, true, &entry)) return;
  HashRef hash = Open(ctx, entry);
  if (hash.empty()) return ReplyScan(ctx, 0, {});
  ScanOptions options;
  if (!ParseScanOptions(ctx, 3, false, &options)) return;
  std::vector<std::string> out;
  uint64_t next = hash.Scan(*cursor, options.count, [&](std::string_view f, std::string_view v) {
    if (!options.Matches(f)) return;
    out.emplace_back(f);
    out.emplace_back(v);
  });
  ReplyScan(ctx, next, out);
}

}  // namespace

void RegisterHashCommands(CommandTable& t) {
  CommandGroup g(t, "hash", kAclHash);
  g.Add(Command("hset", HSet)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("2.0.0")
            .Summary("Sets fields of a hash, creating it if needed."));
  g.Add(Command("hmset", HMSet)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("2.0.0")
            .Summary("Sets fields of a hash (deprecated form of HSET)."));
  g.Add(Command("hsetnx", HSetNx)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("2.0.0")
            .Summary("Sets a field of a hash only when it is absent."));
  g.Add(Command("hget", HGet)
            .Arity(3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Returns the value of a field."));
  g.Add(Command("hmget", HMGet)
            .Arity(-3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Returns the values of several fields."));
  g.Add(Command("hgetall", HGetAll)
            .Arity(2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Returns every field and value of a hash."));
  g.Add(Command("hkeys", HKeys)
            .Arity(2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Returns every field of a hash."));
  g.Add(Command("hvals", HVals)
            .Arity(2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.0.0")
            .Summary("Returns every value of a hash."));
  g.Add(Command("hdel", HDel)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyDelete)
            .Since("2.0.0")
            .Summary("Deletes fields of a hash."));
  g.Add(Command("hexists", HExists)
            .Arity(3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("2.0.0")
            .Summary("Tells whether a field exists."));
  g.Add(Command("hlen", HLen)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("2.0.0")
            .Summary("Returns the number of fields in a hash."));
  g.Add(Command("hstrlen", HStrLen)
            .Arity(3)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("3.2.0")
            .Summary("Returns the length of a field's value."));
  g.Add(Command("hincrby", HIncrBy)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("2.0.0")
            .Summary("Adds an integer to a field's value."));
  g.Add(Command("hincrbyfloat", HIncrByFloat)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("2.6.0")
            .Summary("Adds a float to a field's value."));
  g.Add(Command("hrandfield", HRandField)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("6.2.0")
            .Summary("Returns random fields of a hash."));
  g.Add(Command("hscan", HScan)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.8.0")
            .Summary("Iterates over the fields and values of a hash."));
}

}  // namespace ember
