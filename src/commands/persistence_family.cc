// Persistence commands: DUMP and RESTORE (a key's value in Redis's serialisation, so keys can
// move between ember and Redis), SAVE (a synchronous snapshot of every shard).
#include <cstdio>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "engine/engine.h"
#include "keyspace/access_stamp.h"
#include "persistence/dump_payload.h"
#include "persistence/persistence.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"
#include "persistence/snapshot.h"

namespace ember {
namespace {

void Dump(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  std::string payload;
  AppendRdbValue(&payload, *entry.record, ctx.engine.config().rdbcompression);
  AppendDumpFooter(&payload);
  ctx.reply.Bulk(payload);
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle_s = -1;
  int64_t freq = -1;
};

// The options after the payload, checked in Redis's order; false once it replied an error.
bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  ArgParser args(ctx.args, 4);
  while (args.HasNext()) {
    bool has_value = args.remaining() >= 2;
    if (args.Eat("REPLACE")) {
      o->replace = true;
    } else if (args.Eat("ABSTTL")) {
      o->absttl = true;
    } else if (has_value && o->freq == -1 && args.Eat("IDLETIME")) {
      auto n = args.NextInt();
      if (!n) return ctx.reply.Error(err::kNotInteger), false;
      if (*n < 0) return ctx.reply.Error("ERR Invalid IDLETIME value, must be >= 0"), false;
      o->idle_s = *n;
    } else if (has_value && o->idle_s == -1 && args.Eat("FREQ")) {
      auto n = args.NextInt();
      if (!n) return ctx.reply.Error(err::kNotInteger), false;
      if (*n < 0 || *n > 255) {
        return ctx.reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255"), false;
      }
      o->freq = *n;
    } else {
      return ctx.reply.Error(err::kSyntax), false;
    }
  }
  return true;
}

void Restore(CommandContext& ctx) {
  RestoreOptions options;
  if (!ParseRestoreOptions(ctx, &options)) return;
  std::string_view key = ctx.args[1], payload = ctx.args[3];
  Database& db = ctx.Db(key);
  auto entry = db.Find(key, ctx.now_ms);
  if (entry && !options.replace) {
    return ctx.reply.Error("BUSYKEY Target key name already exists.");
  }
  auto ttl = ParseInt64(ctx.args[2]);
  if (!ttl) return ctx.reply.Error(err::kNotInteger);
  if (*ttl < 0) return ctx.reply.Error("ERR Invalid TTL value, must be >= 0");
  if (!DumpPayloadIntact(payload)) {
    return ctx.reply.Error("ERR DUMP payload version or checksum are wrong");
  }
  int64_t expire_ms = *ttl;
  if (expire_ms != 0 && !options.absttl) {
    expire_ms = expire_ms > INT64_MAX - ctx.now_ms ? INT64_MAX : expire_ms + ctx.now_ms;
  }
  std::string error;
  Record* record = DecodeRdbValue(key, payload.substr(0, payload.size() - kDumpFooterBytes),
                                  expire_ms, ctx.engine.config(), &error);
  if (record == nullptr) return ctx.reply.Error("ERR Bad data format");
  if (expire_ms != 0 && expire_ms <= ctx.now_ms) {
    // Already expired: Redis still deletes the key it would have replaced.
    Record::Free(record);
    if (entry) db.Erase(entry);
    return ctx.reply.Ok();
  }
  db.Put(entry, record);
  record->set_lru(RestoredAccessStamp(record->lru(), options.idle_s, static_cast<int>(options.freq),
                                      ctx.now_ms));
  ctx.Notify(kNotifyGeneric, "restore", key);
  ctx.reply.Ok();
}

}  // namespace

void RegisterPersistenceCommands(CommandTable& t) {
  CommandGroup g(t, "generic", kAclKeyspace);
  g.Add(Command("dump", Dump)
            .Arity(2)
            .Flags(kCmdReadOnly)
            .Key(1, kKeyRO | kKeyAccess)
            .Since("2.6.0")
            .Summary("Returns a serialized representation of the value stored at a key."));
  g.Add(Command("restore", Restore)
            .Arity(-4)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyOW | kKeyUpdate)
            .Acl(kAclDangerous)
            .Since("2.6.0")
            .Summary("Creates a key from the serialized representation of a value."));
}

}  // namespace ember
