// Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB, and MONITOR.
// The registry and the delivery across threads are engine/pubsub.h's.
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

using Kind = SubscriptionKind;

const char* SubscribeVerb(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return "subscribe";
    case Kind::kPattern:
      return "psubscribe";
    case Kind::kShardChannel:
      break;
  }
  return "ssubscribe";
}

const char* UnsubscribeVerb(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return "unsubscribe";
    case Kind::kPattern:
      return "punsubscribe";
    case Kind::kShardChannel:
      break;
  }
  return "sunsubscribe";
}

// The count every (un)subscribe reply carries: channels and patterns together, shard
// channels apart (Redis 7.0).
int64_t CountFor(const ClientState& client, Kind kind) {
  if (kind == Kind::kShardChannel) return client.sub_shard_channels;
  return client.sub_channels + client.sub_patterns;
}

// One confirmation per name: [verb, name, count], a push in RESP3.
void Confirm(CommandContext& ctx, const char* verb, const std::string_view* name, Kind kind) {
  ctx.reply.PushHeader(3);
  ctx.reply.Bulk(verb);
  if (name != nullptr) {
    ctx.reply.Bulk(*name);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Integer(CountFor(ctx.client, kind));
}

// Inside an EXEC that runs on another thread (its keys live elsewhere) a subscription cannot
// be made: the registry's books of a client belong to its own thread.
bool RefusedOffHomeThread(CommandContext& ctx) {
  if (!ctx.client.in_exec || PubSub::bound_worker() == static_cast<int>(ctx.client.worker))
    return false;
  ctx.reply.Error("ERR Command not allowed inside a transaction");
  return true;
}

void SubscribeTo(CommandContext& ctx, Kind kind) {
  if (RefusedOffHomeThread(ctx)) return;
  PubSub& pubsub = ctx.engine.pubsub();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    pubsub.Subscribe(ctx.client, kind, ctx.args[i]);
    Confirm(ctx, SubscribeVerb(kind), &ctx.args[i], kind);
  }
}

void UnsubscribeFrom(CommandContext& ctx, Kind kind) {
  if (RefusedOffHomeThread(ctx)) return;
  PubSub& pubsub = ctx.engine.pubsub();
  if (ctx.args.size() > 1) {
    for (size_t i = 1; i < ctx.args.size(); ++i) {
      pubsub.Unsubscribe(ctx.client, kind, ctx.args[i]);
      Confirm(ctx, UnsubscribeVerb(kind), &ctx.args[i], kind);
    }
    return;
  }
  // No names: every subscription of the kind, or one reply with a null name when none.
  std::vector<std::string> names = pubsub.SubscriptionsOf(ctx.client, kind);
  if (names.empty()) return Confirm(ctx, UnsubscribeVerb(kind), nullptr, kind);
  for (const std::string& name : names) {
    pubsub.Unsubscribe(ctx.client, kind, name);
    std::string_view view = name;
    Confirm(ctx, UnsubscribeVerb(kind), &view, kind);
  }
}

void Subscribe(CommandContext& ctx) {
  SubscribeTo(ctx, Kind::kChannel);
}
void PSubscribe(CommandContext& ctx) {
  SubscribeTo(ctx, Kind::kPattern);
}
void SSubscribe(CommandContext& ctx) {
  SubscribeTo(ctx, Kind::kShardChannel);
}
void Unsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, Kind::kChannel);
}
void PUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, Kind::kPattern);
}
void SUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, Kind::kShardChannel);
}

void Publish(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().Publish(ctx.args[1], ctx.args[2])));
}

void SPublish(CommandContext& ctx) {
  ctx.reply.Integer(
      static_cast<int64_t>(ctx.engine.pubsub().Publish(ctx.args[1], ctx.args[2], true)));
}

void ChannelList(CommandContext& ctx, bool shard) {
  std::string_view pattern = ctx.args.size() > 2 ? ctx.args[2] : std::string_view();
  if (ctx.args.size() > 3) {
    return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                           std::string(err::AsCString(ctx.args[1])) + "'. Try PUBSUB HELP.");
  }
  std::vector<std::string> channels = ctx.engine.pubsub().ActiveChannels(shard, pattern);
  ctx.reply.ArrayHeader(channels.size());
  for (const std::string& channel : channels) ctx.reply.Bulk(channel);
}

void NumSub(CommandContext& ctx, bool shard) {
  ctx.reply.ArrayHeader((ctx.args.size() - 2) * 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.Bulk(ctx.args[i]);
    ctx.reply.Integer(
        static_cast<int64_t>(ctx.engine.pubsub().SubscriberCount(shard, ctx.args[i])));
  }
}

void PubSubCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  std::string error;
  static constexpr std::pair<const char*, int> kArity[] = {
      {"CHANNELS", -2},      {"NUMSUB", -2},      {"NUMPAT", 2},
      {"SHARDCHANNELS", -2}, {"SHARDNUMSUB", -2}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    if (EqualsIgnoreCase(sub, name) &&
        !err::CheckSubcommandArity("pubsub", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "CHANNELS")) return ChannelList(ctx, false);
  if (EqualsIgnoreCase(sub, "SHARDCHANNELS")) return ChannelList(ctx, true);
  if (EqualsIgnoreCase(sub, "NUMSUB")) return NumSub(ctx, false);
  if (EqualsIgnoreCase(sub, "SHARDNUMSUB")) return NumSub(ctx, true);
  if (EqualsIgnoreCase(sub, "NUMPAT"))
    return ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().num_patterns()));
  if (EqualsIgnoreCase(sub, "HELP")) {
    static constexpr const char* kHelp[] = {
        "PUBSUB <subcommand> [<arg> ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Channels with subscribers, matching <pattern> if given.",
        "NUMPAT",
        "    How many distinct patterns have subscribers.",
        "NUMSUB [<channel> ...]",
        "    Each channel's subscriber count (patterns not included).",
        "SHARDCHANNELS [<pattern>]",
        "    Shard channels with subscribers, matching <pattern>.",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Each shard channel's subscriber count.",
        "HELP",
        "    This text."};
    ctx.reply.ArrayHeader(std::size(kHelp));
    for (const char* line : kHelp) ctx.reply.SimpleString(line);
    return;
  }
  ctx.reply.Error(err::UnknownSubcommand("pubsub", sub));
}

void Monitor(CommandContext& ctx) {
  // As Redis: a client in a transaction expects a reply per command.
  if (ctx.client.in_exec)
    return ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (!ctx.client.monitor) ctx.engine.pubsub().StartMonitor(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

void RegisterPubSubCommands(CommandTable& t) {
  CommandGroup g(t, "pubsub");
  constexpr uint32_t kSubscribeFlags =
      kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale | kCmdSubscribedMode;
  constexpr uint32_t kPublishFlags = kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast;
  // Subscriptions change the connection: they run on its own thread, once nothing is in flight.
  g.Add(Command("subscribe", Subscribe)
            .Arity(-2)
            .Flags(kSubscribeFlags)
            .Exec(ExecKind::kConnection)
            .Since("2.0.0")
            .Summary("Listens for messages published to channels."));
  g.Add(
      Command("psubscribe", PSubscribe)
          .Arity(-2)
          .Flags(kSubscribeFlags)
          .Exec(ExecKind::kConnection)
          .Since("2.0.0")
          .Summary("Listens for messages published to channels that match one or more patterns."));
  g.Add(Command("ssubscribe", SSubscribe)
            .Arity(-2)
            .Flags(kSubscribeFlags)
            .Exec(ExecKind::kConnection)
            .KeyRange(1, -1, 1, kKeyNotKey)
            .Since("7.0.0")
            .Summary("Listens for messages published to shard channels."));
  g.Add(Command("unsubscribe", Unsubscribe)
            .Arity(-1)
            .Flags(kSubscribeFlags)
            .Exec(ExecKind::kConnection)
            .Since("2.0.0")
            .Summary("Stops listening to messages posted to channels."));
  g.Add(Command("punsubscribe", PUnsubscribe)
            .Arity(-1)
            .Flags(kSubscribeFlags)
            .Exec(ExecKind::kConnection)
            .Since("2.0.0")
            .Summary("Stops listening to messages published to channels that match one or more "
                     "patterns."));
  g.Add(Command("sunsubscribe", SUnsubscribe)
            .Arity(-1)
            .Flags(kSubscribeFlags)
            .Exec(ExecKind::kConnection)
            .KeyRange(1, -1, 1, kKeyNotKey)
            .Since("7.0.0")
            .Summary("Stops listening to messages posted to shard channels."));
  // Keyless: runs on the publisher's thread, after its earlier commands took effect.
  g.Add(Command("publish", Publish)
            .Arity(3)
            .Flags(kPublishFlags)
            .Since("2.0.0")
            .Summary("Posts a message to a channel."));
  // Routed by its shard channel, as a cluster would: one publisher's messages to one shard
  // channel always leave from the same thread, in order.
  g.Add(Command("spublish", SPublish)
            .Arity(3)
            .Flags(kPublishFlags)
            .Key(1, kKeyNotKey)
            .Since("7.0.0")
            .Summary("Post a message to a shard channel"));
  constexpr uint32_t kIntrospection = kCmdPubSub | kCmdLoading | kCmdStale;
  g.Add(Command("pubsub", PubSubCommand)
            .Arity(-2)
            .Since("2.8.0")
            .Summary("A container for Pub/Sub commands.")
            .Subcommand(Command("channels")
                            .Arity(-2)
                            .Flags(kIntrospection)
                            .Since("2.8.0")
                            .Summary("Returns the active channels."))
            .Subcommand(Command("numsub")
                            .Arity(-2)
                            .Flags(kIntrospection)
                            .Since("2.8.0")
                            .Summary("Returns a count of subscribers to channels."))
            .Subcommand(Command("numpat")
                            .Arity(2)
                            .Flags(kIntrospection)
                            .Since("2.8.0")
                            .Summary("Returns a count of unique pattern subscriptions."))
            .Subcommand(Command("shardchannels")
                            .Arity(-2)
                            .Flags(kIntrospection)
                            .Since("7.0.0")
                            .Summary("Returns the active shard channels."))
            .Subcommand(Command("shardnumsub")
                            .Arity(-2)
                            .Flags(kIntrospection)
                            .Since("7.0.0")
                            .Summary("Returns the count of subscribers of shard channels."))
            .Subcommand(Command("help")
                            .Arity(2)
                            .Flags(kCmdLoading | kCmdStale)
                            .Since("6.2.0")
                            .Summary("Returns helpful text about the different subcommands.")));
  t.Add(Command("monitor", Monitor)
            .Arity(1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale)
            .Exec(ExecKind::kConnection)
            .Since("1.0.0")
            .Summary("Listens for all requests received by the server in real-time."),
        "server");
}

}  // namespace ember
