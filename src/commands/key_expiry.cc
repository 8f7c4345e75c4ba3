// Expiry commands: EXPIRE family (NX, XX, GT, LT), TTL family, EXPIRETIME, PERSIST.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"

namespace ember {
namespace {

// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]
void ExpireGeneric(CommandContext& ctx, bool seconds, bool absolute) {
  // Like Redis, the options are checked before the time.
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.args.size(); ++i) {
    std::string_view word = ctx.args[i];
    if (EqualsIgnoreCase(word, "NX"))
      nx = true;
    else if (EqualsIgnoreCase(word, "XX"))
      xx = true;
    else if (EqualsIgnoreCase(word, "GT"))
      gt = true;
    else if (EqualsIgnoreCase(word, "LT"))
      lt = true;
    else
      return ctx.reply.Error(std::string("ERR Unsupported option ") +
                             std::string(err::AsCString(word)));
  }
  if (nx && (xx || gt || lt)) {
    return ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
  auto value = ParseInt64(ctx.args[2]);
  if (!value) return ctx.reply.Error(err::kNotInteger);

  int64_t when = *value;
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)
      return ctx.reply.Error(err::InvalidExpire(ctx.args[0]));
    when *= 1000;
  }
  if (!absolute) {
    if ((when > 0 && ctx.now_ms > LLONG_MAX - when))
      return ctx.reply.Error(err::InvalidExpire(ctx.args[0]));
    when += ctx.now_ms;
  }
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Integer(0);
  int64_t current = entry.record->expire_ms();  // 0: no expiry, which counts as infinite
  if (nx && current != 0) return ctx.reply.Integer(0);
  if (xx && current == 0) return ctx.reply.Integer(0);
  if (gt && (current == 0 || when <= current)) return ctx.reply.Integer(0);
  if (lt && current != 0 && when >= current) return ctx.reply.Integer(0);
  if (when <= ctx.now_ms) {
    db.Erase(entry);  // a time in the past deletes the key
    ctx.Propagate({"DEL", ctx.args[1]});
    ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
    return ctx.reply.Integer(1);
  }
  db.PreUpdate(entry.hash, ctx.args[1]);
  if (entry.record->TrySetExpireInPlace(when)) {
    db.PostUpdate(entry);
  } else {
    db.Put(entry, CloneWithExpire(entry.record, when));
  }
  // The absolute time, whatever form the command had (the condition held: it need not again).
  ctx.Propagate({"PEXPIREAT", ctx.args[1]}, when);
  ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  ctx.reply.Integer(1);
}

void Expire(CommandContext& ctx) {
  ExpireGeneric(ctx, true, false);
}
void PExpire(CommandContext& ctx) {
  ExpireGeneric(ctx, false, false);
}
void ExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, true, true);
}
void PExpireAt(CommandContext& ctx) {
  ExpireGeneric(ctx, false, true);
}

// TTL/PTTL (remaining) and EXPIRETIME/PEXPIRETIME (absolute): -2 missing, -1 no expiry.
void TtlGeneric(CommandContext& ctx, bool seconds, bool absolute) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms, false);
  if (!entry) return ctx.reply.Integer(-2);
  if (!entry.record->has_expire()) return ctx.reply.Integer(-1);
  int64_t ms = entry.record->expire_ms();
  if (!absolute) ms = std::max<int64_t>(0, ms - ctx.now_ms);
  ctx.reply.Integer(seconds ? (ms + 500) / 1000 : ms);  // Redis rounds seconds, absolute too
}

void Ttl(CommandContext& ctx) {
  TtlGeneric(ctx, true, false);
}
void PTtl(CommandContext& ctx) {
  TtlGeneric(ctx, false, false);
}
void ExpireTime(CommandContext& ctx) {
  TtlGeneric(ctx, true, true);
}
void PExpireTime(CommandContext& ctx) {
  TtlGeneric(ctx, false, true);
}

void Persist(CommandContext& ctx) {
  Database& db = ctx.Db(ctx.args[1]);
  auto entry = db.Find(ctx.args[1], ctx.now_ms);
  if (!entry || !entry.record->has_expire()) return ctx.reply.Integer(0);
  db.Put(entry, CloneWithExpire(entry.record, 0));
  ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterKeyExpiryCommands(CommandTable& t) {
  CommandGroup g(t, "generic", kAclKeyspace);
  g.Add(Command("expire", Expire)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Sets a key's time to live in seconds."));
  g.Add(Command("pexpire", PExpire)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("2.6.0")
            .Summary("Sets a key's time to live in milliseconds."));
  g.Add(Command("expireat", ExpireAt)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("1.2.0")
            .Summary("Sets a key's expiry as a unix time in seconds."));
  g.Add(Command("pexpireat", PExpireAt)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("2.6.0")
            .Summary("Sets a key's expiry as a unix time in ms."));
  g.Add(Command("ttl", Ttl)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("1.0.0")
            .Summary("Returns a key's time to live in seconds."));
  g.Add(Command("pttl", PTtl)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.6.0")
            .Summary("Returns a key's time to live in milliseconds."));
  g.Add(Command("expiretime", ExpireTime)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("7.0.0")
            .Summary("Returns a key's expiry as a unix time in seconds."));
  g.Add(Command("pexpiretime", PExpireTime)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("7.0.0")
            .Summary("Returns a key's expiry as a unix time in ms."));
  g.Add(Command("persist", Persist)
            .Arity(2)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyUpdate)
            .Since("2.2.0")
            .Summary("Removes a key's expiry."));
}

}  // namespace ember
