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
#include "commands/typed_value.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "types/hash_value.h"

namespace ember {
namespace {

using HashEntry = TypedEntry<HashValue>;

// Looks the hash up; replies WRONGTYPE and returns false on another type.
bool Lookup(CommandContext& ctx, bool for_read, HashEntry* out) {
  *out = FindTyped<HashValue>(ctx.Db(ctx.args[1]), ctx.args[1], ctx.now_ms, for_read);
  if (out->wrong_type) ctx.reply.Error(err::kWrongType);
  return !out->wrong_type;
}

HashValue* LookupOrCreate(CommandContext& ctx, HashEntry* found) {
  if (!Lookup(ctx, false, found)) return nullptr;
  if (found->value == nullptr) CreateTyped(ctx.Db(ctx.args[1]), *found, ctx.args[1]);
  return found->value;
}

// HSET key field value [field value ...] (HMSET replies OK instead of the count).
void SetFields(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 != 0) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  HashEntry found;
  HashValue* hash = LookupOrCreate(ctx, &found);
  if (hash == nullptr) return;
  int64_t added = 0;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    if (hash->Set(ctx.args[i], ctx.args[i + 1], ctx.engine.config())) ++added;
  }
  reply_ok ? ctx.reply.Ok() : ctx.reply.Integer(added);
}

void HSet(CommandContext& ctx) {
  SetFields(ctx, false);
}
void HMSet(CommandContext& ctx) {
  SetFields(ctx, true);
}

void HSetNx(CommandContext& ctx) {
  HashEntry found;
  HashValue* hash = LookupOrCreate(ctx, &found);
  if (hash == nullptr) return;
  if (hash->Contains(ctx.args[2])) return ctx.reply.Integer(0);
  hash->Set(ctx.args[2], ctx.args[3], ctx.engine.config());
  ctx.reply.Integer(1);
}

void HGet(CommandContext& ctx) {
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  auto value = found.value ? found.value->Get(ctx.args[2]) : std::nullopt;
  value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
}

void HMGet(CommandContext& ctx) {
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    auto value = found.value ? found.value->Get(ctx.args[i]) : std::nullopt;
    value ? ctx.reply.Bulk(*value) : ctx.reply.Null();
  }
}

// HGETALL (map in RESP3), HKEYS, HVALS.
void ListFields(CommandContext& ctx, bool fields, bool values) {
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  size_t n = found.value ? found.value->size() : 0;
  if (fields && values) {
    ctx.reply.MapHeader(n);
  } else {
    ctx.reply.ArrayHeader(n);
  }
  if (n == 0) return;
  found.value->ForEach([&](std::string_view f, std::string_view v) {
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
  HashEntry found;
  if (!Lookup(ctx, false, &found)) return;
  if (found.value == nullptr) return ctx.reply.Integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    if (found.value->Erase(ctx.args[i])) ++removed;
    if (found.value->empty()) break;
  }
  DeleteIfEmpty(ctx.Db(ctx.args[1]), found);
  ctx.reply.Integer(removed);
}

void HExists(CommandContext& ctx) {
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  ctx.reply.Integer(found.value && found.value->Contains(ctx.args[2]) ? 1 : 0);
}

void HLen(CommandContext& ctx) {
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  ctx.reply.Integer(found.value ? static_cast<int64_t>(found.value->size()) : 0);
}

void HStrLen(CommandContext& ctx) {
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  auto value = found.value ? found.value->Get(ctx.args[2]) : std::nullopt;
  ctx.reply.Integer(value ? static_cast<int64_t>(value->size()) : 0);
}

void HIncrBy(CommandContext& ctx) {
  auto by = ParseInt64(ctx.args[3]);
  if (!by) return ctx.reply.Error(err::kNotInteger);
  HashEntry found;
  HashValue* hash = LookupOrCreate(ctx, &found);
  if (hash == nullptr) return;
  int64_t current = 0;
  if (auto value = hash->Get(ctx.args[2])) {
    auto parsed = ParseInt64(*value);
    if (!parsed) return ctx.reply.Error("ERR hash value is not an integer");
    current = *parsed;
  }
  int64_t result;
  if (__builtin_add_overflow(current, *by, &result)) return ctx.reply.Error(err::kOverflow);
  hash->Set(ctx.args[2], std::to_string(result), ctx.engine.config());
  ctx.reply.Integer(result);
}

void HIncrByFloat(CommandContext& ctx) {
  auto by = ParseLongDouble(ctx.args[3]);
  if (!by) return ctx.reply.Error(err::kNotFloat);
  if (std::isinf(*by)) return ctx.reply.Error("ERR value is NaN or Infinity");
  HashEntry found;
  HashValue* hash = LookupOrCreate(ctx, &found);
  if (hash == nullptr) return;
  long double current = 0;
  if (auto value = hash->Get(ctx.args[2])) {
    auto parsed = ParseLongDouble(*value);
    if (!parsed) return ctx.reply.Error("ERR hash value is not a float");
    current = *parsed;
  }
  long double result = current + *by;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(err::kIncrFloatNaN);
  std::string text = FormatLongDouble(result);
  hash->Set(ctx.args[2], text, ctx.engine.config());
  ctx.reply.Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandField(CommandContext& ctx) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  if (ctx.args.size() > 4) return ctx.reply.Error(err::kSyntax);
  bool with_count = ctx.args.size() >= 3, with_values = false;
  int64_t count = 1;
  if (with_count) {
    auto n = ParseInt64(ctx.args[2]);
    if (!n) return ctx.reply.Error(err::kNotInteger);
    count = *n;
    if (ctx.args.size() == 4) {
      if (!EqualsIgnoreCase(ctx.args[3], "WITHVALUES")) return ctx.reply.Error(err::kSyntax);
      with_values = true;
    }
    if (count < -INT64_MAX / 2 || count > INT64_MAX / 2) {
      return ctx.reply.Error("ERR value is out of range");
    }
  }
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  HashValue* hash = found.value;
  if (!with_count) {
    if (hash == nullptr) return ctx.reply.Null();
    return ctx.reply.Bulk(hash->RandomPair(rng()).first);
  }
  if (hash == nullptr || count == 0) return ctx.reply.ArrayHeader(0);
  std::vector<std::pair<std::string, std::string>> picked;
  if (count < 0) {  // repeats allowed
    for (int64_t i = 0; i < -count; ++i) picked.push_back(hash->RandomPair(rng()));
  } else {
    // Distinct fields: all of them, shuffled and cut (the set is small or the count large).
    hash->ForEach([&](std::string_view f, std::string_view v) {
      picked.emplace_back(f, v);
      return true;
    });
    std::shuffle(picked.begin(), picked.end(), rng);
    if (static_cast<size_t>(count) < picked.size()) picked.resize(static_cast<size_t>(count));
  }
  bool pairs = with_values && ctx.client.resp >= 3;
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
  HashEntry found;
  if (!Lookup(ctx, true, &found)) return;
  if (found.value == nullptr) return ReplyScan(ctx, 0, {});
  ScanOptions options;
  if (!ParseScanOptions(ctx, 3, false, &options)) return;
  std::vector<std::string> out;
  uint64_t next =
      found.value->Scan(*cursor, options.count, [&](std::string_view f, std::string_view v) {
        if (!options.Matches(f)) return;
        out.emplace_back(f);
        out.emplace_back(v);
      });
  ReplyScan(ctx, next, out);
}

}  // namespace

void RegisterHashCommands(CommandTable& t) {
  auto reg = [&](const char* name, int arity, uint32_t flags, CommandHandler h,
                 const char* summary) {
    t.Register(CommandSpec{name, arity, flags, 1, 1, 1, ExecKind::kKeyed, h, "hash", summary});
  };
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kReadFast = kCmdReadOnly | kCmdFast;
  reg("hset", -4, kWriteFast, HSet, "Sets fields of a hash, creating it if needed.");
  reg("hmset", -4, kWriteFast, HMSet, "Sets fields of a hash (deprecated form of HSET).");
  reg("hsetnx", 4, kWriteFast, HSetNx, "Sets a field of a hash only when it is absent.");
  reg("hget", 3, kReadFast, HGet, "Returns the value of a field.");
  reg("hmget", -3, kReadFast, HMGet, "Returns the values of several fields.");
  reg("hgetall", 2, kCmdReadOnly, HGetAll, "Returns every field and value of a hash.");
  reg("hkeys", 2, kCmdReadOnly, HKeys, "Returns every field of a hash.");
  reg("hvals", 2, kCmdReadOnly, HVals, "Returns every value of a hash.");
  reg("hdel", -3, kCmdWrite | kCmdFast, HDel, "Deletes fields of a hash.");
  reg("hexists", 3, kReadFast, HExists, "Tells whether a field exists.");
  reg("hlen", 2, kReadFast, HLen, "Returns the number of fields in a hash.");
  reg("hstrlen", 3, kReadFast, HStrLen, "Returns the length of a field's value.");
  reg("hincrby", 4, kWriteFast, HIncrBy, "Adds an integer to a field's value.");
  reg("hincrbyfloat", 4, kWriteFast, HIncrByFloat, "Adds a float to a field's value.");
  reg("hrandfield", -2, kCmdReadOnly, HRandField, "Returns random fields of a hash.");
  reg("hscan", -3, kCmdReadOnly, HScan, "Iterates over the fields and values of a hash.");
}

}  // namespace ember
