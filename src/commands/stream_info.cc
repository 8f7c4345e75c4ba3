// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP, with Redis
// 7.0's fields (entries-added, entries-read, lag, ...) in its order.
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/stream_ops.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

void ReplyEdgeEntry(ReplyBuilder& r, const StreamValue& s, bool first) {
  StreamId id;
  if (!s.EdgeId(first, &id)) return r.Null();
  s.Lookup(id, [&](StreamId entry, std::span<const std::string_view> fv) {
    ReplyEntry(r, entry, fv);
    return false;
  });
}

void ReplyEntriesRead(ReplyBuilder& r, const StreamValue& s, const StreamGroup& g) {
  r.Bulk("entries-read");
  g.entries_read != kInvalidEntriesRead ? r.Integer(g.entries_read) : r.Null();
  r.Bulk("lag");
  int64_t lag = 0;
  s.GroupLag(g, &lag) ? r.Integer(lag) : r.Null();
}

// The header fields both forms share.
void ReplyStreamHeader(ReplyBuilder& r, const StreamValue& s) {
  r.Bulk("length");
  r.Integer(static_cast<int64_t>(s.length()));
  r.Bulk("radix-tree-keys");
  r.Integer(static_cast<int64_t>(s.node_count()));
  // A radix tree's inner nodes have no counterpart here: the keys plus a root.
  r.Bulk("radix-tree-nodes");
  r.Integer(static_cast<int64_t>(s.node_count() + 1));
  r.Bulk("last-generated-id");
  ReplyId(r, s.last_id());
  r.Bulk("max-deleted-entry-id");
  ReplyId(r, s.max_deleted_id());
  r.Bulk("entries-added");
  r.Integer(static_cast<int64_t>(s.entries_added()));
  r.Bulk("recorded-first-entry-id");
  ReplyId(r, s.first_id());
}

void ReplyFullGroup(ReplyBuilder& r, const StreamValue& s, const std::string& name,
                    const StreamGroup& g, size_t count) {
  r.MapHeader(7);
  r.Bulk("name");
  r.Bulk(name);
  r.Bulk("last-delivered-id");
  ReplyId(r, g.last_id);
  ReplyEntriesRead(r, s, g);
  r.Bulk("pel-count");
  r.Integer(static_cast<int64_t>(g.pel().size()));
  r.Bulk("pending");
  size_t n = count == 0 ? g.pel().size() : std::min(count, g.pel().size());
  r.ArrayHeader(n);
  auto it = g.pel().begin();
  for (size_t i = 0; i < n; ++i, ++it) {
    r.ArrayHeader(4);
    ReplyId(r, it->first);
    r.Bulk(it->second.consumer->name);
    r.Integer(it->second.delivery_ms);
    r.Integer(static_cast<int64_t>(it->second.delivery_count));
  }
  r.Bulk("consumers");
  r.ArrayHeader(g.consumers().size());
  for (const auto& [cname, c] : g.consumers()) {
    r.MapHeader(4);
    r.Bulk("name");
    r.Bulk(cname);
    r.Bulk("seen-time");
    r.Integer(c.seen_ms);
    r.Bulk("pel-count");
    r.Integer(static_cast<int64_t>(c.pending.size()));
    r.Bulk("pending");
    size_t m = count == 0 ? c.pending.size() : std::min(count, c.pending.size());
    r.ArrayHeader(m);
    auto pit = c.pending.begin();
    for (size_t i = 0; i < m; ++i, ++pit) {
      const PendingEntry& p = g.pel().find(*pit)->second;
      r.ArrayHeader(3);
      ReplyId(r, *pit);
      r.Integer(p.delivery_ms);
      r.Integer(static_cast<int64_t>(p.delivery_count));
    }
  }
}

void SubcommandSyntaxError(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(err::AsCString(ctx.args[1]).substr(0, 128)) + "'. Try XINFO HELP.");
}

void InfoStream(CommandContext& ctx, const StreamValue& s) {
  size_t argc = ctx.args.size() - 3;
  ReplyBuilder& r = ctx.reply;
  if (argc == 0) {
    r.MapHeader(10);
    ReplyStreamHeader(r, s);
    r.Bulk("groups");
    r.Integer(static_cast<int64_t>(s.groups().size()));
    r.Bulk("first-entry");
    ReplyEdgeEntry(r, s, true);
    r.Bulk("last-entry");
    ReplyEdgeEntry(r, s, false);
    return;
  }
  int64_t count = 10;
  if (argc != 1 && argc != 3) return SubcommandSyntaxError(ctx);
  if (!EqualsIgnoreCase(ctx.args[3], "full")) return SubcommandSyntaxError(ctx);
  if (argc == 3) {
    if (!EqualsIgnoreCase(ctx.args[4], "count")) return SubcommandSyntaxError(ctx);
    auto n = ParseInt64(ctx.args[5]);
    if (!n) return r.Error(err::kNotInteger);
    count = *n < 0 ? 10 : *n;
  }
  r.MapHeader(9);
  ReplyStreamHeader(r, s);
  r.Bulk("entries");
  ReplyRange(r, s, {}, StreamId::Max(), static_cast<size_t>(count), false);
  r.Bulk("groups");
  r.ArrayHeader(s.groups().size());
  for (const auto& [name, g] : s.groups())
    ReplyFullGroup(r, s, name, g, static_cast<size_t>(count));
}

void InfoGroups(CommandContext& ctx, const StreamValue& s) {
  ReplyBuilder& r = ctx.reply;
  r.ArrayHeader(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    r.MapHeader(6);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("consumers");
    r.Integer(static_cast<int64_t>(g.consumers().size()));
    r.Bulk("pending");
    r.Integer(static_cast<int64_t>(g.pel().size()));
    r.Bulk("last-delivered-id");
    ReplyId(r, g.last_id);
    ReplyEntriesRead(r, s, g);
  }
}

void InfoConsumers(CommandContext& ctx, StreamValue& s) {
  StreamGroup* g = s.FindGroup(ctx.args[3]);
  if (g == nullptr) return ctx.reply.Error(NoGroupError(ctx.args[2], ctx.args[3]));
  ReplyBuilder& r = ctx.reply;
  r.ArrayHeader(g->consumers().size());
  for (const auto& [name, c] : g->consumers()) {
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(name);
    r.Bulk("pending");
    r.Integer(static_cast<int64_t>(c.pending.size()));
    r.Bulk("idle");
    int64_t idle = ctx.now_ms - c.seen_ms;
    r.Integer(idle < 0 ? 0 : idle);
  }
}

void XInfo(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "help")) {
    if (ctx.args.size() != 2) return SubcommandSyntaxError(ctx);
    static constexpr std::string_view kHelp[] = {
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help."};
    ctx.reply.ArrayHeader(std::size(kHelp));
    for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
    return;
  }
  bool consumers = EqualsIgnoreCase(sub, "consumers") && ctx.args.size() == 4;
  bool groups = EqualsIgnoreCase(sub, "groups") && ctx.args.size() == 3;
  bool stream = EqualsIgnoreCase(sub, "stream");
  if (!consumers && !groups && !stream)
    return ctx.reply.Error(err::UnknownSubcommand("XINFO", sub));
  TypedEntry<StreamValue> found;
  if (!FindStream(ctx, ctx.args[2], true, &found)) return;
  if (found.value == nullptr) return ctx.reply.Error(err::kNoSuchKey);
  if (consumers) return InfoConsumers(ctx, *found.value);
  if (groups) return InfoGroups(ctx, *found.value);
  InfoStream(ctx, *found.value);
}

}  // namespace

void RegisterStreamInfoCommands(CommandTable& t) {
  CommandGroup g(t, "stream", kAclStream);
  auto sub = [](std::string_view name, int arity, std::string_view summary) {
    return Command(name)
        .Arity(arity)
        .Flags(kCmdReadOnly)
        .Key(2, kKeyRO)
        .Since("5.0.0")
        .Summary(summary);
  };
  g.Add(Command("xinfo", XInfo)
            .Arity(-2)
            .Since("5.0.0")
            .Summary("A container for stream introspection commands.")
            .Subcommand(sub("consumers", 4, "Returns a list of the consumers in a group."))
            .Subcommand(sub("groups", 3, "Returns a list of the consumer groups of a stream."))
            .Subcommand(sub("stream", -3, "Returns information about a stream."))
            .Subcommand(Command("help")
                            .Arity(2)
                            .Flags(kCmdLoading | kCmdStale)
                            .Since("5.0.0")
                            .Summary("Returns helpful text about the different subcommands.")));
}

}  // namespace ember
