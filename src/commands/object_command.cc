// Introspection of single keys and of memory: OBJECT (ENCODING, FREQ, IDLETIME, REFCOUNT) and
// MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE). Neither touches the key's access stamp.
#include <string>
#include <vector>

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
// OBJECT ENCODING's name for a value (DEBUG OBJECT shows it too).
const char* ObjectEncodingName(const Record* r) {
  // Redis's limit for an embedded (one-allocation) string; longer ones report "raw".
  constexpr size_t kEmbstrLimit = 44;
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

namespace {

// A key's share of the table: its 8-byte slot pointer and 1-byte tag.
constexpr size_t kTableBytesPerKey = 9;

void ObjectCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "HELP") && ctx.args.size() == 2) {
    const char* lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return how the value of <key> is stored (embstr, int, listpack, hashtable ...).",
        "FREQ <key>",
        "    Return the access frequency counter of <key> (LFU maxmemory policies only).",
        "IDLETIME <key>",
        "    Return the seconds since <key> was last read or written (not with LFU policies).",
        "REFCOUNT <key>",
        "    Return how many references the value of <key> has (always 1 here).",
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
  if (EqualsIgnoreCase(sub, "ENCODING")) return ctx.reply.Bulk(ObjectEncodingName(r));
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

// Plain-text findings, as Redis's doctor gives (its advice is its own; so is ember's).
void MemoryDoctor(CommandContext& ctx) {
  memory::UpdatePeak();
  int64_t used = memory::Used(), peak = memory::Peak(), rss = memory::ResidentBytes();
  std::string text;
  if (used < 5 * 1024 * 1024) {
    text = "ember: too little memory in use (" + std::to_string(used) +
           " bytes) to judge; add some data and ask again.\n";
  } else {
    std::vector<std::string> findings;
    if (peak > used * 3 / 2) {
      findings.push_back("the peak (" + std::to_string(peak) +
                         " bytes) is well above today's use (" + std::to_string(used) +
                         " bytes): MEMORY PURGE may give some back.");
    }
    if (rss > used * 3 / 2) {
      findings.push_back("the resident size (" + std::to_string(rss) +
                         " bytes) is well above the allocated bytes: memory is fragmented.");
    }
    if (findings.empty()) {
      text = "ember: no memory problems found (" + std::to_string(used) + " bytes in use).\n";
    } else {
      text = "ember found:\n";
      for (const std::string& f : findings) text += " * " + f + "\n";
    }
  }
  ctx.reply.Verbatim(text);
}

void MemoryMallocStats(CommandContext& ctx) {
  memory::UpdatePeak();
  std::string text = "allocator: mimalloc\nallocated: " + std::to_string(memory::Used()) +
                     "\npeak: " + std::to_string(memory::Peak()) +
                     "\nresident: " + std::to_string(memory::ResidentBytes()) + "\n";
  ctx.reply.Verbatim(text);
}

void MemoryCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "USAGE") && ctx.args.size() >= 3) return MemoryUsage(ctx);
  if (EqualsIgnoreCase(sub, "STATS") && ctx.args.size() == 2) return MemoryStats(ctx);
  if (EqualsIgnoreCase(sub, "DOCTOR") && ctx.args.size() == 2) return MemoryDoctor(ctx);
  if (EqualsIgnoreCase(sub, "MALLOC-STATS") && ctx.args.size() == 2) return MemoryMallocStats(ctx);
  if (EqualsIgnoreCase(sub, "PURGE") && ctx.args.size() == 2) {
    memory::ReturnFreedPages();
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "HELP") && ctx.args.size() == 2) {
    const char* lines[] = {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "DOCTOR",
                           "    Report memory problems, if any, and what to do about them.",
                           "MALLOC-STATS",
                           "    Return the allocator's own figures.",
                           "PURGE",
                           "    Give free memory back to the operating system.",
                           "STATS",
                           "    Return how the server uses its memory.",
                           "USAGE <key> [SAMPLES <count>]",
                           "    Return the bytes <key> and its value take.",
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
