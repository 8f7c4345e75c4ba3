// String commands: GET/SET and friends, counters, ranges.
#include <climits>
#include <cmath>
#include <cstring>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/numbers.h"

namespace ember {
namespace {

constexpr int64_t kMaxStringLength = 512ll * 1024 * 1024;

bool IsString(const Record* r) { return r->type() == ValueType::kString; }

// A string value as bytes: raw values directly, int-encoded ones formatted into `buf`.
std::string_view StringValue(const Record* r, char* buf) {
  if (r->encoding() == Encoding::kInt) return std::string_view(buf, FormatInt64(r->int_value(), buf));
  return r->raw_value();
}

void ReplyValue(CommandContext& ctx, const Record* r) {
  if (r->encoding() == Encoding::kInt) {
    ctx.reply.BulkInt(r->int_value());
  } else {
    ctx.reply.Bulk(r->raw_value());
  }
}

// Converts a relative or absolute expiry argument into absolute unix ms; false on overflow/<=0.
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

void Get(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  ReplyValue(ctx, entry.record);
}

struct SetOptions {
  bool nx = false, xx = false, keepttl = false, get = false;
  int64_t expire_ms = 0;
};

// Parses SET's options; returns false after replying with an error.
bool ParseSetOptions(CommandContext& ctx, SetOptions* opts) {
  ArgParser args(ctx.args, 3);
  bool has_expire = false;
  while (args.HasNext()) {
    std::string_view word = args.Next();
    bool seconds = EqualsIgnoreCase(word, "EX") || EqualsIgnoreCase(word, "EXAT");
    bool absolute = EqualsIgnoreCase(word, "EXAT") || EqualsIgnoreCase(word, "PXAT");
    if (EqualsIgnoreCase(word, "NX") && !opts->xx) {
      opts->nx = true;
    } else if (EqualsIgnoreCase(word, "XX") && !opts->nx) {
      opts->xx = true;
    } else if (EqualsIgnoreCase(word, "GET")) {
      opts->get = true;
    } else if (EqualsIgnoreCase(word, "KEEPTTL") && !has_expire) {
      opts->keepttl = true;
    } else if ((seconds || absolute || EqualsIgnoreCase(word, "PX")) && !has_expire &&
               !opts->keepttl && args.HasNext()) {
      has_expire = true;
      auto value = ParseInt64(args.Next());
      if (!value) {
        ctx.reply.Error(err::kNotInteger);
        return false;
      }
      if (!ToAbsoluteMs(*value, seconds, absolute, ctx.now_ms, &opts->expire_ms)) {
        ctx.reply.Error(err::InvalidExpire("set"));
        return false;
      }
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void Set(CommandContext& ctx) {
  SetOptions opts;
  if (!ParseSetOptions(ctx, &opts)) return;
  std::string_view key = ctx.args[1];
  Database& db = ctx.Db(key);
  auto entry = db.Find(key, ctx.now_ms);
  if (opts.get && entry && !IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  bool write = !(opts.nx && entry) && !(opts.xx && !entry);
  if (opts.get) {
    if (entry) {
      ReplyValue(ctx, entry.record);  // before the record is replaced
    } else {
      ctx.reply.Null();
    }
  }
  if (!write) {
    if (!opts.get) ctx.reply.Null();
    return;
  }
  int64_t expire = opts.expire_ms;
  if (opts.keepttl && entry) expire = entry.record->expire_ms();
  db.Put(entry, Record::NewString(key, ctx.args[2], expire));
  if (!opts.get) ctx.reply.Ok();
}

void SetWithTtl(CommandContext& ctx, bool seconds) {
  auto value = ParseInt64(ctx.args[2]);
  if (!value) return ctx.reply.Error(err::kNotInteger);
  int64_t expire;
  if (!ToAbsoluteMs(*value, seconds, false, ctx.now_ms, &expire)) {
    return ctx.reply.Error(err::InvalidExpire(ctx.args[0]));
  }
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  db.Put(entry, Record::NewString(ctx.args[1], ctx.args[3], expire));
  ctx.reply.Ok();
}

void SetEx(CommandContext& ctx) { SetWithTtl(ctx, true); }
void PSetEx(CommandContext& ctx) { SetWithTtl(ctx, false); }

void SetNx(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (entry) return ctx.reply.Integer(0);
  db.Put(entry, Record::NewString(ctx.args[1], ctx.args[2], 0));
  ctx.reply.Integer(1);
}

void GetSet(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (entry && !IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  if (entry) {
    ReplyValue(ctx, entry.record);
  } else {
    ctx.reply.Null();
  }
  db.Put(entry, Record::NewString(ctx.args[1], ctx.args[2], 0));
}

void GetDel(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  ReplyValue(ctx, entry.record);
  db.Erase(entry);
}

void GetEx(CommandContext& ctx) {
  ArgParser args(ctx.args, 2);
  int64_t expire = -1;  // -1: leave as is, 0: persist
  if (args.HasNext()) {
    std::string_view word = args.Next();
    bool seconds = EqualsIgnoreCase(word, "EX") || EqualsIgnoreCase(word, "EXAT");
    bool absolute = EqualsIgnoreCase(word, "EXAT") || EqualsIgnoreCase(word, "PXAT");
    if (EqualsIgnoreCase(word, "PERSIST") && !args.HasNext()) {
      expire = 0;
    } else if ((seconds || absolute || EqualsIgnoreCase(word, "PX")) && args.remaining() == 1) {
      auto value = ParseInt64(args.Next());
      if (!value) return ctx.reply.Error(err::kNotInteger);
      if (!ToAbsoluteMs(*value, seconds, absolute, ctx.now_ms, &expire)) {
        return ctx.reply.Error(err::InvalidExpire("getex"));
      }
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  ReplyValue(ctx, entry.record);
  if (expire > 0 && entry.record->has_expire()) {
    entry.record->set_expire_in_place(expire);
  } else if (expire >= 0 && (expire > 0 || entry.record->has_expire())) {
    db.Put(entry, CloneWithExpire(entry.record, expire));
  }
}

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

void MSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    Database& db = ctx.Db(ctx.args[i]);
    auto entry = db.Find(ctx.args[i], ctx.now_ms);
    db.Put(entry, Record::NewString(ctx.args[i], ctx.args[i + 1], 0));
  }
  ctx.reply.Ok();
}

void MSetNx(CommandContext& ctx) {
  if (ctx.args.size() % 2 == 0) return ctx.reply.Error(err::WrongArity(ctx.args[0]));
  for (size_t i = 1; i < ctx.args.size(); i += 2) {
    if (ctx.Db(ctx.args[i]).Find(ctx.args[i], ctx.now_ms)) return ctx.reply.Integer(0);
  }
  MSet(ctx);
  // MSet replied +OK; MSETNX answers 1. Replace the last 5 bytes.
  ctx.reply.output()->resize(ctx.reply.output()->size() - 5);
  ctx.reply.Integer(1);
}

void IncrBy(CommandContext& ctx, int64_t delta) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
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
  db.Put(entry, Record::NewInt(ctx.args[1], result, expire));
  ctx.reply.Integer(result);
}

void Incr(CommandContext& ctx) { IncrBy(ctx, 1); }
void Decr(CommandContext& ctx) { IncrBy(ctx, -1); }
void IncrByCmd(CommandContext& ctx) {
  auto delta = ParseInt64(ctx.args[2]);
  if (!delta) return ctx.reply.Error(err::kNotInteger);
  IncrBy(ctx, *delta);
}
void DecrByCmd(CommandContext& ctx) {
  auto delta = ParseInt64(ctx.args[2]);
  if (!delta || *delta == INT64_MIN) return ctx.reply.Error(delta ? err::kOverflow : err::kNotInteger);
  IncrBy(ctx, -*delta);
}

void IncrByFloat(CommandContext& ctx) {
  auto delta = ParseLongDouble(ctx.args[2]);
  if (!delta) return ctx.reply.Error(err::kNotFloat);
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  long double current = 0;
  int64_t expire = 0;
  if (entry) {
    if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
    char buf[24];
    auto parsed = ParseLongDouble(StringValue(entry.record, buf));
    if (!parsed) return ctx.reply.Error(err::kNotFloat);
    current = *parsed;
    expire = entry.record->expire_ms();
  }
  long double result = current + *delta;
  if (std::isnan(result) || std::isinf(result)) return ctx.reply.Error(err::kIncrFloatNaN);
  std::string text = FormatLongDouble(result);
  db.Put(entry, Record::NewString(ctx.args[1], text, expire));
  ctx.reply.Bulk(text);
}

// Rewrites the value of `entry` as raw bytes `prefix_len` of the old value + `tail` at
// `offset`, growing geometrically so repeated APPENDs are amortized O(1).
void WriteRange(Database& db, Database::Entry& entry, std::string_view key, int64_t offset,
                std::string_view data, bool append) {
  char buf[24];
  std::string_view old = entry ? StringValue(entry.record, buf) : std::string_view();
  size_t new_len = std::max(old.size(), static_cast<size_t>(offset) + data.size());
  Record* r = entry.record;
  if (r != nullptr && r->encoding() == Encoding::kRaw && new_len <= r->raw_value_capacity()) {
    char* bytes = r->raw_value_data();
    if (static_cast<size_t>(offset) > old.size()) memset(bytes + old.size(), 0, offset - old.size());
    memcpy(bytes + offset, data.data(), data.size());
    r->TrySetRawLength(new_len);
    return;
  }
  size_t capacity = append ? std::max(new_len, old.size() * 2) : new_len;
  std::string value(old);
  value.resize(new_len, '\0');
  memcpy(value.data() + offset, data.data(), data.size());
  int64_t expire = r != nullptr ? r->expire_ms() : 0;
  Record* fresh = append || new_len > 20 ? Record::NewStringWithCapacity(key, value, capacity, expire)
                                         : Record::NewStringWithCapacity(key, value, new_len, expire);
  db.Put(entry, fresh);
}

void Append(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (entry && !IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[24];
  size_t old_len = entry ? StringValue(entry.record, buf).size() : 0;
  if (static_cast<int64_t>(old_len + ctx.args[2].size()) > kMaxStringLength) {
    return ctx.reply.Error(err::kStringTooLong);
  }
  WriteRange(db, entry, ctx.args[1], static_cast<int64_t>(old_len), ctx.args[2], true);
  ctx.reply.Integer(static_cast<int64_t>(old_len + ctx.args[2].size()));
}

void StrLen(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Integer(0);
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[24];
  ctx.reply.Integer(static_cast<int64_t>(StringValue(entry.record, buf).size()));
}

void GetRange(CommandContext& ctx) {
  auto start = ParseInt64(ctx.args[2]);
  auto end = ParseInt64(ctx.args[3]);
  if (!start || !end) return ctx.reply.Error(err::kNotInteger);
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Bulk("");
  if (!IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[24];
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

void SetRange(CommandContext& ctx) {
  auto offset = ParseInt64(ctx.args[2]);
  if (!offset) return ctx.reply.Error(err::kNotInteger);
  if (*offset < 0) return ctx.reply.Error(err::kOffsetRange);
  std::string_view data = ctx.args[3];
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (entry && !IsString(entry.record)) return ctx.reply.Error(err::kWrongType);
  char buf[24];
  size_t old_len = entry ? StringValue(entry.record, buf).size() : 0;
  if (data.empty()) return ctx.reply.Integer(static_cast<int64_t>(old_len));
  if (*offset + static_cast<int64_t>(data.size()) > kMaxStringLength) {
    return ctx.reply.Error(err::kStringTooLong);
  }
  WriteRange(db, entry, ctx.args[1], *offset, data, false);
  ctx.reply.Integer(static_cast<int64_t>(std::max(old_len, static_cast<size_t>(*offset) + data.size())));
}

CommandSpec Cmd(const char* name, int arity, uint32_t flags, int first, int last, int step,
                CommandHandler handler, const char* summary) {
  return CommandSpec{name, arity, flags, first, last, step, ExecKind::kKeyed, handler, "string", summary};
}

}  // namespace

void RegisterStringCommands(CommandTable& t) {
  constexpr uint32_t kRead = kCmdReadOnly | kCmdFast;
  constexpr uint32_t kWriteFast = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWriteSlow = kCmdWrite | kCmdDenyOom;
  t.Register(Cmd("get", 2, kRead, 1, 1, 1, Get, "Returns the string value of a key."));
  t.Register(Cmd("set", -3, kWriteSlow, 1, 1, 1, Set, "Sets the string value of a key."));
  t.Register(Cmd("setnx", 3, kWriteFast, 1, 1, 1, SetNx, "Sets a key only when it does not exist."));
  t.Register(Cmd("setex", 4, kWriteSlow, 1, 1, 1, SetEx, "Sets a key with an expiry in seconds."));
  t.Register(Cmd("psetex", 4, kWriteSlow, 1, 1, 1, PSetEx, "Sets a key with an expiry in ms."));
  t.Register(Cmd("getset", 3, kWriteFast, 1, 1, 1, GetSet, "Sets a key and returns the old value."));
  t.Register(Cmd("getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, GetDel, "Returns a key's value and deletes it."));
  t.Register(Cmd("getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, GetEx, "Returns a key's value and sets its expiry."));
  t.Register(Cmd("mget", -2, kRead, 1, -1, 1, MGet, "Returns the values of several keys."));
  t.Register(Cmd("mset", -3, kWriteSlow, 1, -1, 2, MSet, "Sets several keys at once."));
  t.Register(Cmd("msetnx", -3, kWriteSlow, 1, -1, 2, MSetNx, "Sets several keys only if none exists."));
  t.Register(Cmd("incr", 2, kWriteFast, 1, 1, 1, Incr, "Increments an integer value by one."));
  t.Register(Cmd("decr", 2, kWriteFast, 1, 1, 1, Decr, "Decrements an integer value by one."));
  t.Register(Cmd("incrby", 3, kWriteFast, 1, 1, 1, IncrByCmd, "Increments an integer value."));
  t.Register(Cmd("decrby", 3, kWriteFast, 1, 1, 1, DecrByCmd, "Decrements an integer value."));
  t.Register(Cmd("incrbyfloat", 3, kWriteFast, 1, 1, 1, IncrByFloat, "Increments a float value."));
  t.Register(Cmd("append", 3, kWriteFast, 1, 1, 1, Append, "Appends to a string value."));
  t.Register(Cmd("strlen", 2, kRead, 1, 1, 1, StrLen, "Returns the length of a string value."));
  t.Register(Cmd("getrange", 4, kCmdReadOnly, 1, 1, 1, GetRange, "Returns a substring."));
  t.Register(Cmd("substr", 4, kCmdReadOnly, 1, 1, 1, GetRange, "Returns a substring (old name)."));
  t.Register(Cmd("setrange", 4, kWriteSlow, 1, 1, 1, SetRange, "Overwrites part of a string."));
}

}  // namespace ember
