// String commands: GET/SET and friends, counters, ranges.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

// DECRBY -9223372036854775808: the negated increment is not representable.
constexpr std::string_view kDecrOverflow = "ERR decrement would overflow";
// Room for any int64 in decimal (FormatInt64 needs 21 bytes).
constexpr size_t kIntBufSize = 24;
// Values growing past this size get +50% slack instead of +100%, bounding the waste.
constexpr size_t kDoublingLimit = size_t{1} << 20;

bool IsString(const Record* r) {
  return r->type() == ValueType::kString;
}

// A string value as bytes: raw values directly, int-encoded ones formatted into `buf`.
std::string_view StringValue(const Record* r, char* buf) {
  if (r->encoding() == Encoding::kInt)
    return std::string_view(buf, FormatInt64(r->int_value(), buf));
  return r->raw_value();
}

// Replies straight from the record's bytes (int-encoded values as their decimal text).
void ReplyValue(CommandContext& ctx, const Record* r) {
  if (r->encoding() == Encoding::kInt) {
    ctx.reply.BulkInt(r->int_value());
  } else {
    ctx.reply.Bulk(r->raw_value());
  }
}

// The largest string APPEND/SETRANGE may build (proto-max-bulk-len, as in Redis).
int64_t MaxStringLength(CommandContext& ctx) {
  return ctx.engine.config().proto_max_bulk_len;
}

// ---------------------------------------------------------------------------------------------
// Expiry options, shared by SET and GETEX.

enum class ExpireUnit : uint8_t { kNone, kEx, kPx, kExAt, kPxAt };

struct ExtendedOptions {
  bool nx = false, xx = false, get = false, keepttl = false, persist = false;
  ExpireUnit unit = ExpireUnit::kNone;
  std::string_view expire_arg;  // validated later by ResolveExpire
};

ExpireUnit ExpireUnitOf(std::string_view word) {
  if (EqualsIgnoreCase(word, "EX")) return ExpireUnit::kEx;
  if (EqualsIgnoreCase(word, "PX")) return ExpireUnit::kPx;
  if (EqualsIgnoreCase(word, "EXAT")) return ExpireUnit::kExAt;
  if (EqualsIgnoreCase(word, "PXAT")) return ExpireUnit::kPxAt;
  return ExpireUnit::kNone;
}

// Parses SET's (for_set) or GETEX's options from argument `start` on, as Redis does:
// conflicting options (NX+XX, two expiry kinds, KEEPTTL/PERSIST with an expiry) are a syntax
// error, a repeated option is accepted (the last expiry value wins). Replies on error.
bool ParseExtendedOptions(CommandContext& ctx, size_t start, bool for_set, ExtendedOptions* o) {
  ArgParser args(ctx.args, start);
  while (args.HasNext()) {
    std::string_view word = args.Next();
    if (ExpireUnit unit = ExpireUnitOf(word); unit != ExpireUnit::kNone) {
      bool other_unit = o->unit != ExpireUnit::kNone && o->unit != unit;
      if (o->keepttl || o->persist || other_unit || !args.HasNext()) {
        ctx.reply.Error(err::kSyntax);
        return false;
      }
      o->unit = unit;
      o->expire_arg = args.Next();
    } else if (for_set && EqualsIgnoreCase(word, "NX") && !o->xx) {
      o->nx = true;
    } else if (for_set && EqualsIgnoreCase(word, "XX") && !o->nx) {
      o->xx = true;
    } else if (for_set && EqualsIgnoreCase(word, "GET")) {
      o->get = true;
    } else if (for_set && EqualsIgnoreCase(word, "KEEPTTL") && o->unit == ExpireUnit::kNone) {
      o->keepttl = true;
    } else if (!for_set && EqualsIgnoreCase(word, "PERSIST") && o->unit == ExpireUnit::kNone) {
      o->persist = true;
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// Converts a relative or absolute expiry argument into absolute unix ms; false when the value
// is <= 0 or the conversion overflows.
bool ToAbsoluteMs(int64_t value, bool seconds, bool absolute, int64_t now_ms, int64_t* out) {
  if (value <= 0) return false;
  if (seconds) {
    if (value > LLONG_MAX / 1000) return false;
    value *= 1000;
  }
  if (!absolute) {
    if (value > LLONG_MAX - now_ms) return false;
    value += now_ms;
  }
  *out = value;
  return true;
}

// Parses an expiry value given as `arg` into absolute ms; replies and returns false on error.
bool ResolveExpire(CommandContext& ctx, std::string_view arg, bool seconds, bool absolute,
                   int64_t* out) {
  auto value = ParseInt64(arg);
  if (!value) {
    ctx.reply.Error(err::kNotInteger);
    return false;
  }
  if (!ToAbsoluteMs(*value, seconds, absolute, ctx.now_ms, out)) {
    ctx.reply.Error(err::InvalidExpire(ctx.args[0]));
    return false;
  }
  return true;
}

bool ResolveExpire(CommandContext& ctx, const ExtendedOptions& o, int64_t* out) {
  bool seconds = o.unit == ExpireUnit::kEx || o.unit == ExpireUnit::kExAt;
  bool absolute = o.unit == ExpireUnit::kExAt || o.unit == ExpireUnit::kPxAt;
  return ResolveExpire(ctx, o.expire_arg, seconds, absolute, out);
}

// ---------------------------------------------------------------------------------------------
// GET / SET and variants.

void Get(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  ReplyValue(ctx, entry.record);
}

void Set(CommandContext& ctx) {
  ExtendedOptions opts;
  if (!ParseExtendedOptions(ctx, 3, true, &opts)) return;
  int64_t expire = 0;
  if (opts.unit != ExpireUnit::kNone && !ResolveExpire(ctx, opts, &expire)) return;
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = opts.get ? db.FindForRead(key, ctx.now_ms) : db.Find(key, ctx.now_ms);
  if (opts.get) {
    if (!entry) {
      ctx.reply.Null();
    } else if (!IsString(entry.record)) {
      return ctx.reply.Error(err::kWrongType);
    } else {
      ReplyValue(ctx, entry.record);  // before the record is replaced
    }
  }
  if ((opts.nx && entry) || (opts.xx && !entry)) {
    if (!opts.get) ctx.reply.Null();
    return;
  }
  if (opts.keepttl && entry) expire = entry.record->expire_ms();
  db.Put(entry, Record::NewString(key, ctx.args[2], expire));
  // Journaled with the absolute time, so a replay keeps the TTL.
  if (opts.unit != ExpireUnit::kNone) ctx.Propagate({"SET", key, ctx.args[2], "PXAT"}, expire);
  ctx.Notify(kNotifyString, "set", key);
  if (opts.unit != ExpireUnit::kNone) ctx.Notify(kNotifyGeneric, "expire", key);
  if (!opts.get) ctx.reply.Ok();
}

void SetWithTtl(CommandContext& ctx, bool seconds) {
  int64_t expire;
  if (!ResolveExpire(ctx, ctx.args[2], seconds, false, &expire)) return;
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  db.Put(entry, Record::NewString(ctx.args[1], ctx.args[3], expire));
  ctx.Propagate({"SET", ctx.args[1], ctx.args[3], "PXAT"}, expire);
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
  ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  ctx.reply.Ok();
}

void SetEx(CommandContext& ctx) {
  SetWithTtl(ctx, true);
}
void PSetEx(CommandContext& ctx) {
  SetWithTtl(ctx, false);
}

void SetNx(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (entry) return ctx.reply.Integer(0);
  db.Put(entry, Record::NewString(ctx.args[1], ctx.args[2], 0));
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
  ctx.reply.Integer(1);
}

void GetSet(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindForRead(ctx.args[1], ctx.now_ms);
  if (entry && !IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  if (entry) {
    ReplyValue(ctx, entry.record);
  } else {
    ctx.reply.Null();
  }
  db.Put(entry, Record::NewString(ctx.args[1], ctx.args[2], 0));
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
}

void GetDel(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  ReplyValue(ctx, entry.record);
  db.Erase(entry);
  ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
}

// GETEX: like Redis, a missing key answers nil and a wrong type WRONGTYPE before the expiry
// value is validated; an EXAT/PXAT already in the past deletes the key.
void GetEx(CommandContext& ctx) {
  ExtendedOptions opts;
  if (!ParseExtendedOptions(ctx, 2, false, &opts)) return;
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  int64_t expire = 0;
  if (opts.unit != ExpireUnit::kNone && !ResolveExpire(ctx, opts, &expire)) return;
  ReplyValue(ctx, entry.record);
  Record* r = entry.record;
  bool absolute = opts.unit == ExpireUnit::kExAt || opts.unit == ExpireUnit::kPxAt;
  if (absolute && expire <= ctx.now_ms) {
    db.Erase(entry);
    ctx.Propagate({"DEL", ctx.args[1]});
    ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
  } else if (opts.unit != ExpireUnit::kNone) {
    db.PreUpdate(entry.hash, ctx.args[1]);
    if (r->TrySetExpireInPlace(expire)) {
      db.PostUpdate(entry);
    } else {
      db.Put(entry, CloneWithExpire(r, expire));
    }
    ctx.Propagate({"PEXPIREAT", ctx.args[1]}, expire);
    ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  } else if (opts.persist && r->has_expire()) {
    db.Put(entry, CloneWithExpire(r, 0));
    ctx.Propagate({"PERSIST", ctx.args[1]});
    ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  }
}

// ---------------------------------------------------------------------------------------------
// Multi-key commands. Each key's database is looked up separately (keys may live on different
// shards); the engine runs the handler with all involved shards paused, so each is atomic.

void MGet(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 1);
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    auto entry = ctx.Db(ctx.args[i]).FindForRead(ctx.args[i], ctx.now_ms);
    if (!entry || !IsString(entry.record)) {
      ctx.reply.Null();
    } else {
      ReplyValue(ctx, entry.record);
    }
  }
}

// Stores every key/value pair of MSET/MSETNX (later duplicates win), dropping TTLs.
void SetPairs(CommandContext& ctx) {
  for (size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
    Database& db = ctx.Db(ctx.args[i]);
    auto entry = db.Find(ctx.args[i], ctx.now_ms);
    db.Put(entry, Record::NewString(ctx.args[i], ctx.args[i + 1], 0));
    ctx.Notify(kNotifyString, "set", ctx.args[i]);
  }
}

void MSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  SetPairs(ctx);
  ctx.reply.Ok();
}

void MSetNx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    if (ctx.Db(ctx.args[i]).Find(ctx.args[i], ctx.now_ms)) return ctx.reply.Integer(0);
  }
  SetPairs(ctx);
  ctx.reply.Integer(1);
}

// ---------------------------------------------------------------------------------------------
// Counters.

void IncrBy(CommandContext& ctx, int64_t delta) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindMutable(ctx.args[1], ctx.now_ms);
  int64_t current = 0, expire = 0;
  if (entry) {
    if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
    if (entry.record->encoding() == Encoding::kInt) {
      current = entry.record->int_value();
    } else {
      auto parsed = ParseInt64(entry.record->raw_value());
      if (!parsed) return ctx.reply.Error(err::kNotInteger);
      current = *parsed;
    }
    expire = entry.record->expire_ms();
  }
  int64_t result;
  if (__builtin_add_overflow(current, delta, &result)) return ctx.reply.Error(err::kOverflow);
  if (entry && entry.record->encoding() == Encoding::kInt) {
    entry.record->set_int_value_in_place(result);  // counters update without allocating
    db.PostUpdate(entry);
  } else {
    db.Put(entry, Record::NewInt(ctx.args[1], result, expire));  // keeps the TTL
  }
  ctx.Notify(kNotifyString, "incrby", ctx.args[1]);
  ctx.reply.Integer(result);
}

void Incr(CommandContext& ctx) {
  IncrBy(ctx, 1);
}
void Decr(CommandContext& ctx) {
  IncrBy(ctx, -1);
}

void IncrByCmd(CommandContext& ctx) {
  auto delta = ParseInt64(ctx.args[2]);
  if (!delta) return ctx.reply.Error(err::kNotInteger);
  IncrBy(ctx, *delta);
}

void DecrByCmd(CommandContext& ctx) {
  auto delta = ParseInt64(ctx.args[2]);
  if (!delta) return ctx.reply.Error(err::kNotInteger);
  if (*delta == INT64_MIN) return ctx.reply.Error(kDecrOverflow);
  IncrBy(ctx, -*delta);
}

// Redis's order: type check, then the stored value, then the increment.
void IncrByFloat(CommandContext& ctx) {
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = db.Find(key, ctx.now_ms);
  long double current = 0;
  int64_t expire = 0;
  if (entry) {
    if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
    char buf[kIntBufSize];
    auto parsed = ParseStrictLongDouble(StringValue(entry.record, buf));
    if (!parsed) return ctx.reply.Error(err::kNotFloat);
    current = *parsed;
    expire = entry.record->expire_ms();
  }
  auto delta = ParseStrictLongDouble(ctx.args[2]);
  if (!delta) return ctx.reply.Error(err::kNotFloat);
  long double result = current + *delta;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(err::kIncrFloatNaN);
  std::string text = FormatLongDouble(result);
  // Stored as a plain string, as Redis does (its text is what every reader sees).
  db.Put(entry, Record::NewStringWithCapacity(key, text, text.size(), expire));
  // The sum, not the float increment (replaying it would round differently on another build).
  ctx.Propagate({"SET", key, text, "KEEPTTL"});
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply.Bulk(text);
}

// ---------------------------------------------------------------------------------------------
// APPEND / SETRANGE / STRLEN / GETRANGE.

// Capacity for a value growing from old_len to needed bytes: geometric, so repeated APPENDs
// cost amortized O(1) per byte; never past the string size limit unless needed is.
size_t GrowCapacity(size_t old_len, size_t needed, int64_t max_len) {
  if (needed <= old_len) return needed;
  size_t grown = old_len < kDoublingLimit ? old_len * 2 : old_len + old_len / 2;
  grown = std::min(grown, static_cast<size_t>(std::max<int64_t>(max_len, 0)));
  return std::max(needed, grown);
}

// Writes `data` at `offset` into the string value of `entry` (missing: empty), zero-filling
// any gap, and returns the new length. Writes in place when the record has room; otherwise
// builds a raw record with geometric slack (int-encoded values are converted to raw).
size_t WriteRange(CommandContext& ctx, Database& db, Database::Entry& entry, size_t offset,
                  std::string_view data) {
  Record* r = entry.record;
  char buf[kIntBufSize];
  std::string_view old = r != nullptr ? StringValue(r, buf) : std::string_view("", 0);
  size_t new_len = std::max(old.size(), offset + data.size());
  char* bytes;
  if (r != nullptr && r->encoding() == Encoding::kRaw && new_len <= r->raw_value_capacity()) {
    bytes = r->raw_value_data();
  } else {
    size_t capacity = GrowCapacity(old.size(), new_len, MaxStringLength(ctx));
    int64_t expire = r != nullptr ? r->expire_ms() : 0;
    r = Record::NewStringWithCapacity(ctx.args[1], old, capacity, expire);
    bytes = r->raw_value_data();
    db.Put(entry, r);  // frees the old record; `old` is not used past this point
  }
  if (offset > old.size()) memset(bytes + old.size(), 0, offset - old.size());
  if (!data.empty()) memcpy(bytes + offset, data.data(), data.size());
  if (new_len != old.size()) r->TrySetRawLength(new_len);
  db.PostUpdate(entry);  // in place or not, the value changed
  return new_len;
}

void Append(CommandContext& ctx) {
  std::string_view key = ctx.args[1], data = ctx.args[2];
  Database& db = ctx.Db(key);
  auto entry = db.FindMutable(key, ctx.now_ms);
  if (!entry) {
    db.Put(entry, Record::NewString(key, data, 0));
    ctx.Notify(kNotifyString, "append", key);
    return ctx.reply.Integer(static_cast<int64_t>(data.size()));
  }
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[kIntBufSize];
  size_t old_len = StringValue(entry.record, buf).size();
  if (static_cast<int64_t>(old_len + data.size()) > MaxStringLength(ctx)) {
    return ctx.reply.Error(err::kStringTooLong);
  }
  size_t new_len = WriteRange(ctx, db, entry, old_len, data);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply.Integer(static_cast<int64_t>(new_len));
}

void SetRange(CommandContext& ctx) {
  auto offset = ParseInt64(ctx.args[2]);
  if (!offset) return ctx.reply.Error(err::kNotInteger);
  if (*offset < 0) return ctx.reply.Error(err::kOffsetRange);
  std::string_view data = ctx.args[3];
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindMutable(ctx.args[1], ctx.now_ms);
  size_t old_len = 0;
  if (entry) {
    if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
    char buf[kIntBufSize];
    old_len = StringValue(entry.record, buf).size();
  }
  // Nothing to write: report the current length and create nothing.
  if (data.empty()) return ctx.reply.Integer(static_cast<int64_t>(old_len));
  if (*offset > MaxStringLength(ctx) - static_cast<int64_t>(data.size())) {
    return ctx.reply.Error(err::kStringTooLong);
  }
  size_t new_len = WriteRange(ctx, db, entry, static_cast<size_t>(*offset), data);
  ctx.Notify(kNotifyString, "setrange", ctx.args[1]);
  ctx.reply.Integer(static_cast<int64_t>(new_len));
}

void StrLen(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Integer(0);
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[kIntBufSize];
  ctx.reply.Integer(static_cast<int64_t>(StringValue(entry.record, buf).size()));
}

// GETRANGE/SUBSTR with Redis 7.0's index rules (negative indexes count from the end and are
// clamped to 0; an end past the string is clamped to its last byte).
void GetRange(CommandContext& ctx) {
  auto start = ParseInt64(ctx.args[2]);
  if (!start) return ctx.reply.Error(err::kNotInteger);
  auto end = ParseInt64(ctx.args[3]);
  if (!end) return ctx.reply.Error(err::kNotInteger);
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Bulk("");
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[kIntBufSize];
  std::string_view value = StringValue(entry.record, buf);
  int64_t len = static_cast<int64_t>(value.size());
  int64_t s = *start, e = *end;
  if (s < 0 && e < 0 && s > e) return ctx.reply.Bulk("");
  if (s < 0) s = std::max<int64_t>(0, len + s);
  if (e < 0) e = std::max<int64_t>(0, len + e);
  if (e >= len) e = len - 1;
  if (len == 0 || s > e) return ctx.reply.Bulk("");
  ctx.reply.Bulk(value.substr(static_cast<size_t>(s), static_cast<size_t>(e - s + 1)));
}

// SET overwrites its key, unless GET makes it read the old value first.
uint32_t SetKeyFlags(std::span<const std::string_view> args, size_t) {
  for (size_t i = 3; i < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "GET")) return kKeyRW | kKeyAccess | kKeyUpdate;
  }
  return kKeyOW | kKeyUpdate;
}

}  // namespace

void RegisterLcsCommand(CommandTable& t);

void RegisterStringCommands(CommandTable& t) {
  CommandGroup g(t, "string", kAclString);
  g.Add(Command("get", Get)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns the string value of a key."));
  g.Add(Command("set", Set)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags)
            .ResolveKeyFlags(SetKeyFlags)
            .Since("1.0.0")
            .Summary("Sets the string value of a key."));
  g.Add(Command("setnx", SetNx)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyOW | kKeyInsert)
            .Since("1.0.0")
            .Summary("Sets a key only when it does not exist."));
  g.Add(Command("setex", SetEx)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .Since("2.0.0")
            .Summary("Sets a key with an expiry in seconds."));
  g.Add(Command("psetex", PSetEx)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .Since("2.6.0")
            .Summary("Sets a key with an expiry in ms."));
  g.Add(Command("getset", GetSet)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Sets a key and returns the old value."));
  g.Add(Command("getdel", GetDel)
            .Arity(2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Since("6.2.0")
            .Summary("Returns a value and deletes the key."));
  g.Add(Command("getex", GetEx)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("6.2.0")
            .Summary("Returns a value and sets its expiry."));
  g.Add(Command("mget", MGet)
            .Arity(-2)
            .Flags(kCmdReadOnly | kCmdFast)
            .KeyRange(1, -1, 1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns the values of several keys."));
  g.Add(Command("mset", MSet)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .KeyRange(1, -1, 2, kKeyOW | kKeyUpdate)
            .Since("1.0.1")
            .Summary("Sets several keys at once."));
  g.Add(Command("msetnx", MSetNx)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .KeyRange(1, -1, 2, kKeyOW | kKeyInsert)
            .Since("1.0.1")
            .Summary("Sets several keys if none exists."));
  g.Add(Command("incr", Incr)
            .Arity(2)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Increments an integer value by one."));
  g.Add(Command("decr", Decr)
            .Arity(2)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Decrements an integer value by one."));
  g.Add(Command("incrby", IncrByCmd)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Increments an integer value."));
  g.Add(Command("decrby", DecrByCmd)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Decrements an integer value."));
  g.Add(Command("incrbyfloat", IncrByFloat)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyUpdate)
            .Since("2.6.0")
            .Summary("Increments a float value."));
  g.Add(Command("append", Append)
            .Arity(3)
            .Flags(kCmdWrite | kCmdDenyOom | kCmdFast)
            .Key(1, kKeyRW | kKeyInsert)
            .Since("2.0.0")
            .Summary("Appends to a string value."));
  g.Add(Command("strlen", StrLen)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("2.2.0")
            .Summary("Returns the length of a string value."));
  g.Add(Command("getrange", GetRange)
            .Arity(4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.4.0")
            .Summary("Returns a substring."));
  g.Add(Command("substr", GetRange)
            .Arity(4)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns a substring (old name)."));
  g.Add(Command("setrange", SetRange)
            .Arity(4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("2.2.0")
            .Summary("Overwrites part of a string."));
  RegisterLcsCommand(t);
}

}  // namespace ember
