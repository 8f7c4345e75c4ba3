// Generic key commands: DEL, EXISTS, RENAME, COPY, TYPE, TOUCH and the whole-keyspace ones
// (DBSIZE, KEYS, SCAN, RANDOMKEY, FLUSHDB, FLUSHALL, SWAPDB). Expiry commands: key_expiry.cc.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/scan_options.h"
#include "common/glob.h"
#include "engine/engine.h"

namespace ember {
namespace {

const char* TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kHash:
      return "hash";
    case ValueType::kStream:
      return "stream";
  }
  return "none";
}

bool Expired(const Record* r, int64_t now_ms) {
  return r->has_expire() && r->expire_ms() <= now_ms;
}

void Del(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    Database& db = ctx.Db(ctx.args[i]);
    auto entry = db.Find(ctx.args[i], ctx.now_ms);
    if (entry) {
      db.Erase(entry);
      ctx.Notify(kNotifyGeneric, "del", ctx.args[i]);
      ++deleted;
    }
  }
  ctx.reply.Integer(deleted);
}

// EXISTS and TOUCH: how many of the keys exist (repeats count again). Both are reads, as in
// Redis (keyspace hits and misses are counted).
void CountExisting(CommandContext& ctx, bool touch) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    if (ctx.Db(ctx.args[i]).FindForRead(ctx.args[i], ctx.now_ms, touch)) ++found;
  }
  ctx.reply.Integer(found);
}

void Exists(CommandContext& ctx) {
  CountExisting(ctx, false);
}
void Touch(CommandContext& ctx) {
  CountExisting(ctx, true);
}

void Type(CommandContext& ctx) {
  auto entry = ctx.Db(ctx.args[1]).FindForRead(ctx.args[1], ctx.now_ms, false);
  ctx.reply.SimpleString(entry ? TypeName(entry.record->type()) : "none");
}

// RENAME / RENAMENX: moves src to dst (possibly across shards), keeping value and expiry.
void Rename(CommandContext& ctx, bool only_if_absent) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  Database& src_db = ctx.Db(src);
  auto from = src_db.Find(src, ctx.now_ms);
  if (!from) return ctx.reply.Error(err::kNoSuchKey);
  if (src == dst) return only_if_absent ? ctx.reply.Integer(0) : ctx.reply.Ok();
  Database& dst_db = ctx.Db(dst);
  auto to = dst_db.Find(dst, ctx.now_ms);  // erasing an expired dst leaves `from` valid
  if (only_if_absent && to) return ctx.reply.Integer(0);
  Record* moved = CloneWithKey(from.record, dst);
  src_db.EraseKeepingObject(from);  // erasing never moves other records: `to` stays valid
  dst_db.Put(to, moved);
  ctx.Notify(kNotifyGeneric, "rename_from", src);
  ctx.Notify(kNotifyGeneric, "rename_to", dst);
  only_if_absent ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void RenameCmd(CommandContext& ctx) {
  Rename(ctx, false);
}
void RenameNx(CommandContext& ctx) {
  Rename(ctx, true);
}

void Copy(CommandContext& ctx) {
  ArgParser args(ctx.args, 3);
  int db_index = ctx.client.db;
  bool replace = false;
  while (args.HasNext()) {
    if (args.Eat("REPLACE")) {
      replace = true;
    } else if (args.Eat("DB") && args.HasNext()) {
      auto n = ParseInt64(args.Next());
      if (!n) return ctx.reply.Error(err::kNotInteger);
      if (*n < 0 || *n >= kNumDatabases) return ctx.reply.Error(err::kDbIndex);
      db_index = static_cast<int>(*n);
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  if (src == dst && db_index == ctx.client.db) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  auto from = ctx.Db(src).Find(src, ctx.now_ms);
  if (!from) return ctx.reply.Integer(0);
  Database& dst_db = ctx.engine.shard(ctx.engine.ShardOfKey(dst)).db(db_index);
  auto to = dst_db.Find(dst, ctx.now_ms);
  if (to && !replace) return ctx.reply.Integer(0);
  dst_db.Put(to, CopyWithKey(from.record, dst));
  NotifyKeyspaceEvent(kNotifyGeneric, "copy_to", dst, db_index);
  ctx.reply.Integer(1);
}

void DbSize(CommandContext& ctx) {
  size_t total = 0;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) total += ctx.DbOnShard(s).size();
  ctx.reply.Integer(static_cast<int64_t>(total));
}

void Keys(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  bool all = pattern == "*";
  std::vector<std::string_view> keys;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    Database& db = ctx.DbOnShard(s);
    uint32_t cursor = 0;
    do {
      cursor = db.Scan(cursor, SIZE_MAX, [&](Record* r) {
        if (!Expired(r, ctx.now_ms) && (all || GlobMatch(pattern, r->key())))
          keys.push_back(r->key());
      });
    } while (cursor != 0);
  }
  ctx.reply.ArrayHeader(keys.size());
  for (auto key : keys) ctx.reply.Bulk(key);
}

void Scan(CommandContext& ctx) {
  auto cursor = ParseUint64(ctx.args[1]);
  if (!cursor) return ctx.reply.Error(err::kInvalidCursor);
  ScanOptions options;
  if (!ParseScanOptions(ctx, 2, true, &options)) return;
  // Cursor layout: shard index in the high 32 bits, the shard table's cursor in the low 32.
  // Like Redis, COUNT bounds the records visited, not the keys returned: a MATCH or TYPE that
  // filters most keys out returns few keys per call instead of walking the whole keyspace.
  uint64_t shard = *cursor >> 32;
  uint32_t table_cursor = static_cast<uint32_t>(*cursor);
  size_t visited = 0;
  std::vector<std::string_view> keys;
  while (shard < ctx.num_shards() && visited < options.count) {
    Database& db = ctx.DbOnShard(static_cast<uint32_t>(shard));
    table_cursor = db.Scan(table_cursor, options.count - visited, [&](Record* r) {
      ++visited;
      if (Expired(r, ctx.now_ms) || !options.Matches(r->key())) return;
      if (!options.type.empty() && !EqualsIgnoreCase(options.type, TypeName(r->type()))) return;
      keys.push_back(r->key());
    });
    if (table_cursor == 0) ++shard;
  }
  uint64_t next = shard >= ctx.num_shards() ? 0 : (shard << 32) | table_cursor;
  ctx.reply.ArrayHeader(2);
  ctx.reply.BulkInt(static_cast<int64_t>(next));
  ctx.reply.ArrayHeader(keys.size());
  for (auto key : keys) ctx.reply.Bulk(key);
}

void RandomKey(CommandContext& ctx) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  size_t total = 0;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) total += ctx.DbOnShard(s).size();
  // Each miss deletes the expired key it drew, so the loop converges; the bound only caps the
  // work spent on a keyspace made almost entirely of expired keys.
  for (int attempt = 0; attempt < 1000 && total > 0; ++attempt) {
    // Pick a shard weighted by its size, then a record within it.
    uint64_t pick = rng() % total;
    uint32_t s = 0;
    while (pick >= ctx.DbOnShard(s).size()) pick -= ctx.DbOnShard(s++).size();
    Database& db = ctx.DbOnShard(s);
    Record* r = db.Random(rng());
    if (r == nullptr) break;
    if (!Expired(r, ctx.now_ms)) return ctx.reply.Bulk(r->key());
    std::string key(r->key());
    db.Find(key, ctx.now_ms);  // lazy expiry deletes it
    --total;
  }
  ctx.reply.Null();
}

bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "ASYNC") &&
                              !EqualsIgnoreCase(ctx.args[1], "SYNC"))) {
    ctx.reply.Error(err::kSyntax);
    return false;
  }
  return true;
}

void FlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) ctx.DbOnShard(s).Clear();
  ctx.engine.tracking().Flushed(ctx.client);  // the null invalidation, as Redis
  ctx.reply.Ok();
}

void FlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    for (int db = 0; db < kNumDatabases; ++db) ctx.engine.shard(s).db(db).Clear();
  }
  ctx.engine.tracking().Flushed(ctx.client);
  ctx.reply.Ok();
}

// A database index as Redis parses it for SWAPDB: any 32-bit integer (range checked later).
bool ParseDbIndex(std::string_view arg, int64_t* out) {
  auto n = ParseInt64(arg);
  if (!n || *n < INT32_MIN || *n > INT32_MAX) return false;
  *out = *n;
  return true;
}

void SwapDb(CommandContext& ctx) {
  int64_t a = 0, b = 0;
  if (!ParseDbIndex(ctx.args[1], &a)) return ctx.reply.Error("ERR invalid first DB index");
  if (!ParseDbIndex(ctx.args[2], &b)) return ctx.reply.Error("ERR invalid second DB index");
  if (a < 0 || a >= kNumDatabases || b < 0 || b >= kNumDatabases)
    return ctx.reply.Error(err::kDbIndex);
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    ctx.engine.shard(s).SwapDbs(static_cast<int>(a), static_cast<int>(b));
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterKeyExpiryCommands(CommandTable& t);
void RegisterKeyMoveCommand(CommandTable& t);

void RegisterKeyCommands(CommandTable& t) {
  CommandGroup g(t, "generic", kAclKeyspace);
  g.Add(Command("del", Del)
            .Arity(-2)
            .Flags(kCmdWrite)
            .KeyRange(1, -1, 1, kKeyRM | kKeyDelete)
            .Since("1.0.0")
            .Summary("Deletes one or more keys."));
  g.Add(Command("unlink", Del)
            .Arity(-2)
            .Flags(kCmdWrite | kCmdFast)
            .KeyRange(1, -1, 1, kKeyRM | kKeyDelete)
            .Since("4.0.0")
            .Summary("Deletes keys (memory is reclaimed at once)."));
  g.Add(Command("exists", Exists)
            .Arity(-2)
            .Flags(kCmdReadOnly | kCmdFast)
            .KeyRange(1, -1, 1, kKeyRO)
            .Since("1.0.0")
            .Summary("Counts the keys that exist."));
  g.Add(Command("type", Type)
            .Arity(2)
            .Flags(kCmdReadOnly | kCmdFast)
            .Key(1, kKeyRO)
            .Since("1.0.0")
            .Summary("Returns the type of a key's value."));
  g.Add(Command("rename", RenameCmd)
            .Arity(3)
            .Flags(kCmdWrite)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyOW | kKeyUpdate)
            .Since("1.0.0")
            .Summary("Renames a key, overwriting the destination."));
  g.Add(Command("renamenx", RenameNx)
            .Arity(3)
            .Flags(kCmdWrite | kCmdFast)
            .Key(1, kKeyRW | kKeyAccess | kKeyDelete)
            .Key(2, kKeyOW | kKeyInsert)
            .Since("1.0.0")
            .Summary("Renames a key if the new name is free."));
  g.Add(Command("copy", Copy)
            .Arity(-3)
            .Flags(kCmdWrite | kCmdDenyOom)
            .Key(1, kKeyRO | kKeyAccess)
            .Key(2, kKeyOW | kKeyUpdate)
            .Since("6.2.0")
            .Summary("Copies a key's value to another key."));
  g.Add(Command("touch", Touch)
            .Arity(-2)
            .Flags(kCmdReadOnly | kCmdFast)
            .KeyRange(1, -1, 1, kKeyRO)
            .Since("3.2.1")
            .Summary("Counts existing keys, updating access time."));
  g.Add(Command("dbsize", DbSize)
            .Arity(1)
            .Flags(kCmdReadOnly | kCmdFast)
            .Exec(ExecKind::kAllShards)
            .Group("server")
            .Since("1.0.0")
            .Summary("Returns the number of keys."));
  g.Add(Command("keys", Keys)
            .Arity(2)
            .Flags(kCmdReadOnly)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Since("1.0.0")
            .Summary("Returns all keys matching a pattern."));
  g.Add(Command("scan", Scan)
            .Arity(-2)
            .Flags(kCmdReadOnly)
            .Exec(ExecKind::kAllShards)
            .Since("2.8.0")
            .Summary("Iterates over the keys."));
  g.Add(Command("randomkey", RandomKey)
            .Arity(1)
            .Flags(kCmdReadOnly)
            .Exec(ExecKind::kAllShards)
            .Since("1.0.0")
            .Summary("Returns a random key."));
  g.Add(Command("flushdb", FlushDb)
            .Arity(-1)
            .Flags(kCmdWrite)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Group("server")
            .Since("1.0.0")
            .Summary("Removes all keys of the selected database."));
  g.Add(Command("flushall", FlushAll)
            .Arity(-1)
            .Flags(kCmdWrite)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Group("server")
            .Since("1.0.0")
            .Summary("Removes all keys of all databases."));
  g.Add(Command("swapdb", SwapDb)
            .Arity(3)
            .Flags(kCmdWrite | kCmdFast)
            .Exec(ExecKind::kAllShards)
            .Acl(kAclDangerous)
            .Group("server")
            .Since("4.0.0")
            .Summary("Swaps two databases."));
  RegisterKeyExpiryCommands(t);
  RegisterKeyMoveCommand(t);
}

}  // namespace ember
