// DEBUG: SLEEP, OBJECT, SET-ACTIVE-EXPIRE, DIGEST, DIGEST-VALUE, RELOAD, HELP. Off unless the
// server runs with --enable-debug-command yes (or local: loopback clients only), as in Redis 7.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <thread>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/active_expire.h"
#include "engine/engine.h"
#include "keyspace/access_stamp.h"
#include "types/hash_ref.h"
#include "types/list_value.h"
#include "types/object.h"
#include "types/set_value.h"
#include "types/stream_value.h"
#include "types/zset_value.h"

namespace ember {

const char* ObjectEncodingName(const Record* r);  // object_command.cc

namespace {

constexpr std::string_view kNotAllowed =
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.";

// A 160-bit digest (40 hex digits, as Redis prints) built from five seeded 64-bit FNV-1a
// style mixes folded to 32 bits each: stable for equal data, different otherwise.
struct Digest {
  uint32_t words[5] = {0, 0, 0, 0, 0};

  static uint64_t Mix(uint64_t h, std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
    h ^= bytes.size();
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
  }
  // An order-independent combination (XOR) of one item's hash.
  void Add(std::string_view item) {
    for (uint32_t i = 0; i < 5; ++i) {
      uint64_t h = Mix(0xcbf29ce484222325ull + i * 0x51ed27ull, item);
      words[i] ^= static_cast<uint32_t>(h ^ (h >> 32));
    }
  }
  bool empty() const {
    for (uint32_t w : words) {
      if (w != 0) return false;
    }
    return true;
  }
  std::string Hex() const {
    char buf[41];
    for (int i = 0; i < 5; ++i) snprintf(buf + i * 8, 9, "%08" PRIx32, words[i]);
    return std::string(buf, 40);
  }
};

std::string Framed(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    out += std::to_string(p.size());
    out += ':';
    out += p;
  }
  return out;
}

// The value's digest: ordered types hash their sequence, unordered ones combine members.
Digest ValueDigest(Database& db, Database::Entry& entry, const ServerConfig& config) {
  Record* r = entry.record;
  Digest d;
  std::string type(1, static_cast<char>('0' + static_cast<int>(r->type())));
  switch (r->type()) {
    case ValueType::kString:
      d.Add(Framed({type, RecordValueString(r)}));
      break;
    case ValueType::kList: {
      std::string seq = type;
      static_cast<ListValue*>(r->object())->Scan(false, [&](size_t, std::string_view v) {
        seq += Framed({v});
        return true;
      });
      d.Add(seq);
      break;
    }
    case ValueType::kSet:
      d.Add(type);
      static_cast<SetValue*>(r->object())->ForEach([&](std::string_view m) {
        d.Add(Framed({type, m}));
        return true;
      });
      break;
    case ValueType::kZSet: {
      d.Add(type);
      auto* z = static_cast<ZSetValue*>(r->object());
      z->Visit(0, z->size(), false, [&](std::string_view m, double score) {
        d.Add(Framed({type, m, FormatDouble(score)}));
        return true;
      });
      break;
    }
    case ValueType::kHash: {
      d.Add(type);
      HashRef hash(db, entry, r->key(), config);
      hash.ForEach([&](std::string_view f, std::string_view v) {
        d.Add(Framed({type, f, v}));
        return true;
      });
      break;
    }
    case ValueType::kStream: {
      std::string seq = type;
      auto* s = static_cast<StreamValue*>(r->object());
      s->Range({}, StreamId::Max(), false, [&](StreamId id, std::span<const std::string_view> fv) {
        seq += Framed({id.ToString()});
        for (std::string_view x : fv) seq += Framed({x});
        return true;
      });
      seq += Framed({s->last_id().ToString()});
      d.Add(seq);
      break;
    }
  }
  return d;
}

bool DebugAllowed(const CommandContext& ctx) {
  const std::string& mode = ctx.engine.config().enable_debug_command;
  if (mode == "yes") return true;
  if (mode != "local") return false;
  const std::string& addr = ctx.client.addr;
  return addr.rfind("127.", 0) == 0 || addr.rfind("[::1]", 0) == 0 || addr.rfind("::1", 0) == 0;
}

void DebugObject(CommandContext& ctx) {
  std::string_view key = ctx.args[2];
  auto entry = ctx.Db(key).Peek(key, ctx.now_ms);
  if (!entry) return ctx.reply.Error("ERR no such key");
  const Record* r = entry.record;
  size_t bytes = r->AllocatedBytes();
  if (r->encoding() == Encoding::kObject) bytes += r->object()->AllocatedBytes();
  char line[256];
  snprintf(
      line, sizeof(line),
      "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%" PRId64,
      static_cast<const void*>(r), ObjectEncodingName(r), bytes, r->lru() & 0xffffff,
      IdleMs(r->lru(), ctx.now_ms) / 1000);
  ctx.reply.SimpleString(line);
}

void DebugDigest(CommandContext& ctx) {
  Digest all;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    for (int db = 0; db < kNumDatabases; ++db) {
      Database& d = ctx.engine.shard(s).db(db);
      std::vector<std::string> keys;
      uint32_t cursor = 0;
      do {
        cursor = d.Scan(cursor, 1024, [&](Record* r) { keys.emplace_back(r->key()); });
      } while (cursor != 0);
      for (const std::string& key : keys) {
        auto entry = d.Peek(key, ctx.now_ms);
        if (!entry) continue;
        Digest value = ValueDigest(d, entry, ctx.engine.config());
        std::string expire =
            entry.record->has_expire() ? std::to_string(entry.record->expire_ms()) : "";
        all.Add(Framed({std::to_string(db), key, value.Hex(), expire}));
      }
    }
  }
  ctx.reply.SimpleString(all.empty() ? std::string(40, '0') : all.Hex());
}

void DebugDigestValue(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    Database& db = ctx.Db(ctx.args[i]);
    auto entry = db.Peek(ctx.args[i], ctx.now_ms);
    ctx.reply.SimpleString(entry ? ValueDigest(db, entry, ctx.engine.config()).Hex()
                                 : std::string(40, '0'));
  }
}

void DebugHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DIGEST",
      "    Return a hash of the whole dataset (40 zeros when it is empty).",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Return a hash of each key's value.",
      "OBJECT <key>",
      "    Describe how the key's value is stored.",
      "RELOAD",
      "    Not available: this server has no persistence yet.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Turn the background deletion of expired keys off (0) or on (1).",
      "SLEEP <seconds>",
      "    Stop the server for <seconds> (decimals allowed).",
      "HELP",
      "    Print this help."};
  ctx.reply.ArrayHeader(std::size(kLines));
  for (auto line : kLines) ctx.reply.SimpleString(line);
}

void Debug(CommandContext& ctx) {
  if (!DebugAllowed(ctx)) return ctx.reply.Error(kNotAllowed);
  std::string_view sub = ctx.args[1];
  size_t argc = ctx.args.size();
  if (EqualsIgnoreCase(sub, "HELP") && argc == 2) return DebugHelp(ctx);
  if (EqualsIgnoreCase(sub, "SLEEP") && argc == 3) {
    auto seconds = ParseStrictLongDouble(ctx.args[2]);
    if (!seconds) return ctx.reply.Error(err::kNotFloat);
    // All shards are held by this step, so the whole server sleeps, as Redis does.
    auto us = static_cast<int64_t>(std::max<long double>(0, *seconds) * 1e6L);
    std::this_thread::sleep_for(std::chrono::microseconds(std::min<int64_t>(us, 3600000000LL)));
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "OBJECT") && argc == 3) return DebugObject(ctx);
  if (EqualsIgnoreCase(sub, "SET-ACTIVE-EXPIRE") && argc == 3) {
    auto on = ParseInt64(ctx.args[2]);
    if (!on) return ctx.reply.Error(err::kNotInteger);
    g_active_expire_enabled.store(*on != 0, std::memory_order_relaxed);
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "DIGEST") && argc == 2) return DebugDigest(ctx);
  if (EqualsIgnoreCase(sub, "DIGEST-VALUE")) return DebugDigestValue(ctx);
  if (EqualsIgnoreCase(sub, "RELOAD")) {
    return ctx.reply.Error(
        "ERR DEBUG RELOAD needs persistence, which this server does not have yet");
  }
  ctx.reply.Error(err::UnknownSubcommand("DEBUG", sub));
}

}  // namespace

void RegisterDebugCommand(CommandTable& t) {
  CommandGroup g(t, "server");
  g.Add(Command("debug", Debug)
            .Arity(-2)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale)
            .Exec(ExecKind::kAllShards)
            .Since("1.0.0")
            .Summary("Runs debugging and testing helpers."));
}

}  // namespace ember
