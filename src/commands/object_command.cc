// Introspection of single keys and of memory: OBJECT (ENCODING, FREQ, IDLETIME, REFCOUNT) and
// MEMORY (USAGE, STATS). Neither touches the key's access stamp.
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/memory.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "engine/eviction.h"
#include "keyspace/access_stamp.h"
#include "types/object.h"

namespace ember {
namespace {

// Redis's limit for an embedded (one-allocation) string; longer ones report "raw".
constexpr size_t kEmbstrLimit = 44;
// A key's share of the table: its 8-byte slot pointer and 1-byte tag.
constexpr size_t kTableBytesPerKey = 9;

const char* EncodingName(const Record* r) {
  switch (r->encoding()) {
    case Encoding::kInt:
      return "int";
    case Encoding::kRaw:
      return r->raw_value().size() <= kEmbstrLimit ? "embstr" : "raw";
    case Encoding::kObject:
      return r->object()->EncodingName();
    case Encoding::kPacked:
      return "listpack";
  }
  return "unknown";
}

void ObjectCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "HELP") && ctx.args.size() == 2) {
    const char* lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Print this help."};
    ctx.reply.ArrayHeader(std::size(lines));
    for (const char* line : lines) ctx.reply.SimpleString(line);
    return;
  }
  bool known = EqualsIgnoreCase(sub, "ENCODING") || EqualsIgnoreCase(sub, "FREQ") ||
               EqualsIgnoreCase(sub, "IDLETIME") || EqualsIgnoreCase(sub, "REFCOUNT");
  if (!known || ctx.args.size() != 3) {
    return ctx.reply.Error(err::UnknownSubcommand("OBJECT", sub));
  }
  std::string_view key = ctx.args[2];
  auto entry = ctx.Db(key).Peek(key, ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  const Record* r = entry.record;
  bool lfu = g_access_tracking.load(std::memory_order_relaxed) == AccessTracking::kLfu;
  if (EqualsIgnoreCase(sub, "ENCODING")) return ctx.reply.Bulk(EncodingName(r));
  if (EqualsIgnoreCase(sub, "REFCOUNT")) return ctx.reply.Integer(1);
  if (EqualsIgnoreCase(sub, "FREQ")) {
    if (!lfu) {
      return ctx.reply.Error(
          "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
          "note that when switching between policies at runtime LRU and LFU data will take "
          "some time to adjust.");
    }
    return ctx.reply.Integer(LfuCounter(r->lru(), ctx.now_ms));
  }
  if (lfu) {
    return ctx.reply.Error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
        "when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  ctx.reply.Integer(IdleMs(r->lru(), ctx.now_ms) / 1000);
}

void MemoryUsage(CommandContext& ctx) {
  if (ctx.args.size() != 3 && ctx.args.size() != 5) return ctx.reply.Error(err::kSyntax);
  if (ctx.args.size() == 5) {
    if (!EqualsIgnoreCase(ctx.args[3], "SAMPLES")) return ctx.reply.Error(err::kSyntax);
    auto samples = ParseInt64(ctx.args[4]);
    if (!samples || *samples < 0) return ctx.reply.Error(err::kNotInteger);
  }
  std::string_view key = ctx.args[2];
  auto entry = ctx.Db(key).Peek(key, ctx.now_ms);
  if (!entry) return ctx.reply.Null();
  size_t bytes = entry.record->AllocatedBytes() + kTableBytesPerKey;
  if (entry.record->encoding() == Encoding::kObject)
    bytes += entry.record->object()->AllocatedBytes();
  ctx.reply.Integer(static_cast<int64_t>(bytes));
}

void MemoryStats(CommandContext& ctx) {
  size_t keys = 0, dataset = 0;
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    Shard& shard = ctx.engine.shard(s);
    dataset += shard.used_bytes();
    for (int db = 0; db < kNumDatabases; ++db) keys += shard.db(db).size();
  }
  memory::UpdatePeak();
  int64_t used = memory::Used(), rss = memory::ResidentBytes();
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("peak.allocated");
  ctx.reply.Integer(memory::Peak());
  ctx.reply.Bulk("total.allocated");
  ctx.reply.Integer(used);
  ctx.reply.Bulk("dataset.bytes");
  ctx.reply.Integer(static_cast<int64_t>(dataset));
  ctx.reply.Bulk("keys.count");
  ctx.reply.Integer(static_cast<int64_t>(keys));
  ctx.reply.Bulk("keys.bytes-per-key");
  ctx.reply.Integer(keys == 0 ? 0 : static_cast<int64_t>(dataset / keys));
  ctx.reply.Bulk("allocator.resident");
  ctx.reply.Integer(rss);
  ctx.reply.Bulk("fragmentation");
  ctx.reply.Double(used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
}

void MemoryCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "USAGE") && ctx.args.size() >= 3) return MemoryUsage(ctx);
  if (EqualsIgnoreCase(sub, "STATS") && ctx.args.size() == 2) return MemoryStats(ctx);
  if (EqualsIgnoreCase(sub, "HELP") && ctx.args.size() == 2) {
    const char* lines[] = {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "STATS",
                           "    Return information about the memory usage of the server.",
                           "USAGE <key> [SAMPLES <count>]",
                           "    Return memory in bytes used by <key> and its value.",
                           "HELP",
                           "    Print this help."};
    ctx.reply.ArrayHeader(std::size(lines));
    for (const char* line : lines) ctx.reply.SimpleString(line);
    return;
  }
  ctx.reply.Error(err::UnknownSubcommand("MEMORY", sub));
}

}  // namespace

void RegisterIntrospectionCommands(CommandTable& t) {
  constexpr uint32_t kAdminFlags = kCmdLoading | kCmdStale;
  CommandGroup generic(t, "generic");
  generic.Add(
      Command("object", ObjectCommand)
          .Arity(-2)
          .Since("2.2.3")
          .Summary("Inspects the internals of a key's value.")
          .Subcommand(Command("help")
                          .Arity(2)
                          .Flags(kAdminFlags)
                          .Acl(kAclKeyspace)
                          .Since("6.2.0")
                          .Summary("Lists the OBJECT subcommands."))
          .Subcommand(
              Command("freq")
                  .Arity(3)
                  .Flags(kCmdReadOnly)
                  .Key(2, kKeyRO)
                  .Acl(kAclKeyspace)
                  .Since("4.0.0")
                  .Summary("Returns the key's logarithmic access frequency (LFU policies)."))
          .Subcommand(Command("encoding")
                          .Arity(3)
                          .Flags(kCmdReadOnly)
                          .Key(2, kKeyRO)
                          .Acl(kAclKeyspace)
                          .Since("2.2.3")
                          .Summary("Returns how the key's value is stored."))
          .Subcommand(Command("idletime")
                          .Arity(3)
                          .Flags(kCmdReadOnly)
                          .Key(2, kKeyRO)
                          .Acl(kAclKeyspace)
                          .Since("2.2.3")
                          .Summary("Returns the seconds since the key was last read or written."))
          .Subcommand(Command("refcount")
                          .Arity(3)
                          .Flags(kCmdReadOnly)
                          .Key(2, kKeyRO)
                          .Acl(kAclKeyspace)
                          .Since("2.2.3")
                          .Summary("Returns the number of references to the key's value.")));
  // STATS, DOCTOR ... read every shard, so they run with all shards still (they are never hot);
  // USAGE runs on its key's shard.
  CommandGroup server(t, "server");
  server.Add(Command("memory", MemoryCommand)
                 .Arity(-2)
                 .Exec(ExecKind::kAllShards)
                 .Since("4.0.0")
                 .Summary("Reports memory use of a key or of the server.")
                 .Subcommand(Command("doctor").Arity(2).Since("4.0.0").Summary(
                     "Reports memory problems and how to address them."))
                 .Subcommand(Command("help")
                                 .Arity(2)
                                 .Flags(kAdminFlags)
                                 .Since("4.0.0")
                                 .Summary("Lists the MEMORY subcommands."))
                 .Subcommand(Command("malloc-stats")
                                 .Arity(2)
                                 .Since("4.0.0")
                                 .Summary("Returns the allocator's own statistics."))
                 .Subcommand(Command("purge").Arity(2).Since("4.0.0").Summary(
                     "Asks the allocator to return free memory to the system."))
                 .Subcommand(Command("stats").Arity(2).Since("4.0.0").Summary(
                     "Returns details about the server's memory use."))
                 .Subcommand(Command("usage")
                                 .Arity(-3)
                                 .Flags(kCmdReadOnly)
                                 .Exec(ExecKind::kKeyed)
                                 .Key(2, kKeyRO)
                                 .Since("4.0.0")
                                 .Summary("Estimates the memory a key and its value use.")));
}

}  // namespace ember
