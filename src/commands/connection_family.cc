// Connection commands: PING, ECHO, HELLO, SELECT, QUIT, AUTH, CLIENT.
#include <algorithm>
#include <string>
#include <vector>

#include "acl/acl_registry.h"
#include "commands/arg_parser.h"
#include "commands/client_control.h"
#include "commands/client_line.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "commands/tracking_commands.h"
#include "common/clock.h"
#include "engine/engine.h"
#include "replication/replication.h"

namespace ember {
namespace {

void Ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) return ctx.reply.Error(err::WrongArity("ping"));
  // A subscribed RESP2 client can only take arrays: ["pong", message or ""].
  if (ctx.client.subscribed() && ctx.client.resp == 2) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    return ctx.reply.Bulk(ctx.args.size() == 2 ? ctx.args[1] : std::string_view());
  }
  if (ctx.args.size() == 2) return ctx.reply.Bulk(ctx.args[1]);
  ctx.reply.SimpleString("PONG");
}

void Echo(CommandContext& ctx) {
  ctx.reply.Bulk(ctx.args[1]);
}

void Select(CommandContext& ctx) {
  auto index = ParseInt64(ctx.args[1]);
  if (!index) return ctx.reply.Error(err::kNotInteger);
  if (*index < 0 || *index >= kNumDatabases) return ctx.reply.Error(err::kDbIndex);
  ctx.client.db = static_cast<int>(*index);
  ctx.reply.Ok();
}

void Quit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

// AUTH and HELLO AUTH: the client runs as `user` from now on, or the failure is logged.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view pass) {
  std::shared_ptr<const acl::User> found = acl::Registry::Instance().Authenticate(user, pass);
  if (found == nullptr) {
    acl::LogEntry entry;
    entry.reason = "auth";
    entry.context = ctx.client.in_multi ? "multi" : "toplevel";
    entry.object = std::string(ctx.args[0]);  // AUTH or HELLO, as the client wrote it
    entry.username = std::string(user);
    entry.created_ms = ctx.now_ms;
    entry.client_info = ClientLine(ctx.client, ctx.now_ms);
    entry.client_info.pop_back();  // CLIENT LIST's "\n"
    acl::Registry::Instance().Log(std::move(entry), ctx.engine.config().acllog_max_len);
    return false;
  }
  ctx.client.acl_generation = acl::Generation();
  ctx.client.acl_unrestricted = found->Unrestricted();
  ctx.engine.clients().SetUser(&ctx.client, std::move(found));
  ctx.client.authenticated = true;
  return true;
}

void Auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) return ctx.reply.Error(err::kSyntax);
  if (ctx.args.size() == 2 && acl::Registry::DefaultNoPass()) {
    return ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
  }
  if (!Authenticate(ctx, ctx.args.size() == 3 ? ctx.args[1] : "default", ctx.args.back())) {
    return ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
  }
  ctx.reply.Ok();
}

bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

void Hello(CommandContext& ctx) {
  ArgParser args(ctx.args, 1);
  int version = ctx.client.resp;
  if (args.HasNext()) {
    auto parsed = ParseInt64(args.Next());
    if (!parsed) return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    if (*parsed < 2 || *parsed > 3) return ctx.reply.Error(err::kNoProto);
    version = static_cast<int>(*parsed);
  }
  std::string_view name;
  bool set_name = false, authenticated = ctx.client.authenticated;
  while (args.HasNext()) {
    if (args.Eat("AUTH") && args.remaining() >= 2) {
      std::string_view user = args.Next(), pass = args.Next();
      if (!Authenticate(ctx, user, pass)) {
        return ctx.reply.Error("WRONGPASS invalid username-password pair or user is disabled.");
      }
      authenticated = true;
    } else if (args.Eat("SETNAME") && args.HasNext()) {
      name = args.Next();
      set_name = true;
    } else {
      return ctx.reply.Error(
          std::string("ERR Syntax error in HELLO option '") +
          std::string(err::AsCString(args.HasNext() ? args.Peek() : ctx.args.back())) + "'");
    }
  }
  if (!authenticated) {
    return ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
  }
  ctx.client.authenticated = true;
  if (set_name && !ValidClientName(name)) {
    return ctx.reply.Error(
        "ERR Client names cannot contain spaces, newlines or special characters.");
  }
  if (set_name) ctx.engine.clients().SetName(&ctx.client, name);
  ctx.client.resp = version;
  ctx.reply.set_resp_version(version);
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk("7.0.15");
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(version);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayHeader(0);
}

}  // namespace

// CLIENT LIST's flags: O (MONITOR), P (subscribed), N (none of them).
static std::string ClientFlags(const ClientState& c) {
  std::string flags;
  if (c.monitor) flags += 'O';
  if (c.subscribed()) flags += 'P';
  if (c.in_multi) flags += 'x';
  if (c.parked) flags += 'b';
  flags += TrackingClientFlags(c);
  if (c.no_evict) flags += 'e';
  return flags.empty() ? "N" : flags;
}

std::string ClientLine(const ClientState& c, int64_t now_ms) {
  auto load = [](const std::atomic<uint64_t>& v) {
    return std::to_string(v.load(std::memory_order_relaxed));
  };
  return "id=" + std::to_string(c.id) + " addr=" + c.addr + " laddr=" + c.laddr +
         " fd=" + std::to_string(c.fd) + " name=" + c.name +
         " age=" + std::to_string((now_ms - c.created_ms) / 1000) +
         " idle=" + std::to_string(std::max<int64_t>(0, now_ms - c.last_active_ms) / 1000) +
         " flags=" + ClientFlags(c) + " db=" + std::to_string(c.db) +
         " sub=" + std::to_string(c.sub_channels) + " psub=" + std::to_string(c.sub_patterns) +
         " ssub=" + std::to_string(c.sub_shard_channels) +
         " multi=" + std::to_string(c.in_multi ? static_cast<int>(c.multi_queued) : -1) +
         " qbuf=" + load(c.qbuf) + " qbuf-free=" + load(c.qbuf_free) +
         " argv-mem=0 multi-mem=0 rbs=" + load(c.rbs) + " rbp=" + load(c.rbp) +
         " obl=0 oll=0 omem=" + load(c.omem) + " tot-mem=" + load(c.tot_mem) +
         " events=r cmd=" + c.last_command.load(std::memory_order_relaxed) +
         " user=" + (c.user != nullptr ? c.user->name : std::string("default")) + " redir=" +
         std::to_string(c.tracking.on
                            ? static_cast<int64_t>(static_cast<uint64_t>(c.tracking.redirect))
                            : -1) +
         " resp=" + std::to_string(c.resp) + "\n";
}

namespace {

// A client type name CLIENT LIST/KILL TYPE accepts (Redis's getClientTypeByName).
bool KnownClientType(std::string_view type) {
  for (std::string_view known : {"normal", "master", "slave", "replica", "pubsub"}) {
    if (EqualsIgnoreCase(type, known)) return true;
  }
  return false;
}

// Whether `c` is of the client type named (normal or pubsub: there are no replicas or masters).
bool IsClientType(const ClientState& c, std::string_view type) {
  return EqualsIgnoreCase(type, c.subscribed() ? "pubsub" : "normal");
}

std::string UnknownClientType(std::string_view type) {
  return "ERR Unknown client type '" + std::string(err::AsCString(type)) + "'";
}

// CLIENT KILL: the old form (an address) or filters. Returns the number killed.
void ClientKill(CommandContext& ctx) {
  uint64_t id = 0;
  std::string_view addr, laddr;
  bool skipme = true, old_form = ctx.args.size() == 3;
  std::string_view type;  // empty: any
  std::string_view user;  // empty: any
  if (old_form) {
    addr = ctx.args[2];
  } else {
    ArgParser args(ctx.args, 2);
    while (args.HasNext()) {
      if (args.remaining() < 2) return ctx.reply.Error(err::kSyntax);
      std::string_view filter = args.Next(), value = args.Next();
      if (EqualsIgnoreCase(filter, "ID")) {
        auto parsed = ParseUint64(value);
        if (!parsed || *parsed == 0)
          return ctx.reply.Error("ERR client-id should be greater than 0");
        id = *parsed;
      } else if (EqualsIgnoreCase(filter, "ADDR")) {
        addr = value;
      } else if (EqualsIgnoreCase(filter, "LADDR")) {
        laddr = value;
      } else if (EqualsIgnoreCase(filter, "SKIPME")) {
        if (!EqualsIgnoreCase(value, "yes") && !EqualsIgnoreCase(value, "no")) {
          return ctx.reply.Error(err::kSyntax);
        }
        skipme = EqualsIgnoreCase(value, "yes");
      } else if (EqualsIgnoreCase(filter, "TYPE")) {
        if (!KnownClientType(value)) return ctx.reply.Error(UnknownClientType(value));
        type = value;
      } else if (EqualsIgnoreCase(filter, "USER")) {
        if (acl::Registry::Instance().Find(value) == nullptr) {
          return ctx.reply.Error("ERR No such user '" + std::string(err::AsCString(value)) + "'");
        }
        user = value;
      } else {
        return ctx.reply.Error(err::kSyntax);
      }
    }
  }
  int64_t killed = 0;
  // Replicas are the replication sender's sockets, not clients (replication/replica_sender.h).
  bool replicas = EqualsIgnoreCase(type, "replica") || EqualsIgnoreCase(type, "slave");
  if (replicas && ctx.engine.replication() != nullptr && id == 0 && addr.empty() && laddr.empty())
    killed += static_cast<int64_t>(ctx.engine.replication()->KillReplicas());
  ctx.engine.clients().ForEach([&](ClientState& c) {
    if (!type.empty() && !IsClientType(c, type)) return;
    // A client already being closed no longer counts, as in Redis where it is freed at once.
    if (c.kill_requested.load(std::memory_order_relaxed)) return;
    if (id != 0 && c.id != id) return;
    if (!addr.empty() && c.addr != addr) return;
    if (!laddr.empty() && c.laddr != laddr) return;
    if (!user.empty() && (c.user != nullptr ? std::string_view(c.user->name) : "default") != user) {
      return;
    }
    if (c.id == ctx.client.id) {
      if (skipme && !old_form) return;
      ctx.client.close_after_reply = true;
    } else {
      if (!ctx.engine.KillClient(c)) return;
    }
    ++killed;
  });
  if (old_form) {
    if (killed == 0) return ctx.reply.Error("ERR No such client");
    return ctx.reply.Ok();
  }
  ctx.reply.Integer(killed);
}

void Client(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  int64_t now = WallClockMs();
  static constexpr std::pair<const char*, int> kArity[] = {
      {"ID", 2},    {"GETNAME", 2}, {"SETNAME", 3},  {"INFO", 2},     {"LIST", -2},
      {"KILL", -3}, {"SETINFO", 4}, {"NO-EVICT", 3}, {"NO-TOUCH", 3}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    std::string error;
    if (EqualsIgnoreCase(sub, name) &&
        !err::CheckSubcommandArity("client", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "ID") && ctx.args.size() == 2)
    return ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  if (EqualsIgnoreCase(sub, "GETNAME") && ctx.args.size() == 2) {
    if (ctx.client.name.empty()) return ctx.reply.Null();
    return ctx.reply.Bulk(ctx.client.name);
  }
  if (EqualsIgnoreCase(sub, "SETNAME") && ctx.args.size() == 3) {
    if (!ValidClientName(ctx.args[2])) {
      return ctx.reply.Error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
    ctx.engine.clients().SetName(&ctx.client, ctx.args[2]);
    return ctx.reply.Ok();
  }
  // Our own buffers as they are now, this command included, as Redis shows them.
  if (ctx.client.publish_sizes != nullptr) ctx.client.publish_sizes(ctx.client.connection);
  if (EqualsIgnoreCase(sub, "INFO") && ctx.args.size() == 2) {
    return ctx.reply.Verbatim(ClientLine(ctx.client, now));
  }
  if (EqualsIgnoreCase(sub, "LIST")) {
    std::vector<uint64_t> ids;
    std::string_view type;
    ArgParser args(ctx.args, 2);
    while (args.HasNext()) {
      if (args.Eat("ID")) {
        if (!args.HasNext()) return ctx.reply.Error(err::kSyntax);
        while (args.HasNext()) {
          auto id = ParseUint64(args.Next());
          if (!id || *id == 0) return ctx.reply.Error("ERR Invalid client ID");
          ids.push_back(*id);
        }
      } else if (args.Eat("TYPE") && args.HasNext()) {
        type = args.Next();
        if (!KnownClientType(type)) return ctx.reply.Error(UnknownClientType(type));
      } else {
        return ctx.reply.Error(err::kSyntax);
      }
    }
    std::string text;
    ctx.engine.clients().ForEach([&](ClientState& c) {
      if (c.kill_requested.load(std::memory_order_relaxed)) return;  // killed: gone, as in Redis
      if (!type.empty() && !IsClientType(c, type)) return;
      if (ids.empty() || std::find(ids.begin(), ids.end(), c.id) != ids.end())
        text += ClientLine(c, now);
    });
    return ctx.reply.Verbatim(text);
  }
  if (EqualsIgnoreCase(sub, "KILL") && ctx.args.size() >= 3) return ClientKill(ctx);
  if (EqualsIgnoreCase(sub, "SETINFO") && ctx.args.size() == 4) return ctx.reply.Ok();
  if (EqualsIgnoreCase(sub, "NO-EVICT") && ctx.args.size() == 3) {
    if (EqualsIgnoreCase(ctx.args[2], "on")) {
      ctx.client.no_evict = true;
    } else if (EqualsIgnoreCase(ctx.args[2], "off")) {
      ctx.client.no_evict = false;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
    return ctx.reply.Ok();
  }
  if (RunClientControl(ctx, sub)) return;
  if (RunClientTracking(ctx, sub)) return;
  if (EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.ArrayHeader(6);
    for (const char* line :
         {"CLIENT <subcommand> [<arg> ...]. Subcommands are:", "ID", "GETNAME", "SETNAME <name>",
          "LIST | INFO", "KILL <ip:port> | <filter> <value> ..."}) {
      ctx.reply.SimpleString(line);
    }
    return;
  }
  ctx.reply.Error(err::UnknownSubcommand("client", sub));
}

}  // namespace

void RegisterConnectionCommands(CommandTable& t) {
  CommandGroup g(t, "connection");
  g.Add(Command("ping", Ping)
            .Arity(-1)
            .Flags(kCmdFast | kCmdSubscribedMode)
            .Exec(ExecKind::kLocal)
            .Acl(kAclConnection)
            .Since("1.0.0")
            .Summary("Returns the server's liveliness response."));
  g.Add(Command("echo", Echo)
            .Arity(2)
            .Flags(kCmdLoading | kCmdStale | kCmdFast)
            .Exec(ExecKind::kLocal)
            .Acl(kAclConnection)
            .Since("1.0.0")
            .Summary("Returns the given string."));
  g.Add(Command("select", Select)
            .Arity(2)
            .Flags(kCmdLoading | kCmdStale | kCmdFast)
            .Exec(ExecKind::kConnection)
            .Acl(kAclConnection)
            .Since("1.0.0")
            .Summary("Changes the selected database."));
  g.Add(Command("quit", Quit)
            .Arity(-1)
            .Flags(kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy |
                   kCmdNotQueued | kCmdSubscribedMode)
            .Exec(ExecKind::kConnection)
            .Acl(kAclConnection)
            .Since("1.0.0")
            .Summary("Closes the connection."));
  g.Add(Command("auth", Auth)
            .Arity(-2)
            .Flags(kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy)
            .Exec(ExecKind::kConnection)
            .Acl(kAclConnection)
            .Since("1.0.0")
            .Summary("Authenticates the connection."));
  g.Add(Command("hello", Hello)
            .Arity(-1)
            .Flags(kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy)
            .Exec(ExecKind::kConnection)
            .Acl(kAclConnection)
            .Since("6.0.0")
            .Summary("Handshakes with the server."));
  g.Add(Command("reset", Reset)
            .Arity(1)
            .Flags(kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy |
                   kCmdNotQueued | kCmdSubscribedMode)
            .Exec(ExecKind::kConnection)
            .Acl(kAclConnection)
            .Since("6.2.0")
            .Summary("Resets the connection."));
  constexpr uint32_t kClientFlags = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kAdminFlags = kClientFlags | kCmdAdmin;
  g.Add(Command("client", Client)
            .Arity(-2)
            .Exec(ExecKind::kConnection)
            .Since("2.4.0")
            .Summary("Manages client connections.")
            .Subcommand(Command("id")
                            .Arity(2)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("5.0.0")
                            .Summary("Returns the connection's id."))
            .Subcommand(Command("getname")
                            .Arity(2)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("2.6.9")
                            .Summary("Returns the connection's name."))
            .Subcommand(Command("setname")
                            .Arity(3)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("2.6.9")
                            .Summary("Names the connection."))
            .Subcommand(Command("setinfo")
                            .Arity(4)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("7.2.0")
                            .Summary("Records the client library's name or version."))
            .Subcommand(Command("info")
                            .Arity(2)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("6.2.0")
                            .Summary("Describes this connection."))
            .Subcommand(Command("list")
                            .Arity(-2)
                            .Flags(kAdminFlags)
                            .Acl(kAclConnection)
                            .Since("2.4.0")
                            .Summary("Describes every connection."))
            .Subcommand(Command("kill")
                            .Arity(-3)
                            .Flags(kAdminFlags)
                            .Acl(kAclConnection)
                            .Since("2.4.0")
                            .Summary("Closes connections."))
            .Subcommand(Command("pause")
                            .Arity(-3)
                            .Flags(kAdminFlags)
                            .Acl(kAclConnection)
                            .Since("2.9.50")
                            .Summary("Holds clients' commands for a while."))
            .Subcommand(Command("unpause")
                            .Arity(2)
                            .Flags(kAdminFlags)
                            .Acl(kAclConnection)
                            .Since("6.2.0")
                            .Summary("Lets held commands run."))
            .Subcommand(Command("unblock")
                            .Arity(-3)
                            .Flags(kAdminFlags)
                            .Acl(kAclConnection)
                            .Since("5.0.0")
                            .Summary("Ends a client's wait in a blocking command."))
            .Subcommand(Command("reply")
                            .Arity(3)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("3.2.0")
                            .Summary("Turns the connection's replies off or on."))
            .Subcommand(Command("no-evict")
                            .Arity(3)
                            .Flags(kAdminFlags)
                            .Acl(kAclConnection)
                            .Since("7.0.0")
                            .Summary("Exempts the connection from client eviction."))
            .Subcommand(
                Command("no-touch")
                    .Arity(3)
                    .Flags(kClientFlags)
                    .Acl(kAclConnection)
                    .Since("7.2.0")
                    .Summary("Stops this connection's reads from updating keys' access times."))
            .Subcommand(Command("tracking")
                            .Arity(-3)
                            .Flags(kClientFlags)
                            .Exec(ExecKind::kAllShards)  // BCAST prefixes reach every shard
                            .Acl(kAclConnection)
                            .Since("6.0.0")
                            .Summary("Controls server-assisted client-side caching."))
            .Subcommand(Command("caching")
                            .Arity(3)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("6.0.0")
                            .Summary("Tracks (or not) the keys of the next command."))
            .Subcommand(Command("getredir")
                            .Arity(2)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("6.0.0")
                            .Summary("Returns the id of the tracking redirection client."))
            .Subcommand(Command("trackinginfo")
                            .Arity(2)
                            .Flags(kClientFlags)
                            .Acl(kAclConnection)
                            .Since("6.2.0")
                            .Summary("Describes this connection's client-side caching."))
            .Subcommand(Command("help")
                            .Arity(2)
                            .Flags(kCmdLoading | kCmdStale)
                            .Acl(kAclConnection)
                            .Since("5.0.0")
                            .Summary("Lists the CLIENT subcommands.")));
}

}  // namespace ember
