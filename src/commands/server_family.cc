// Server commands: TIME, SHUTDOWN, LASTSAVE. INFO: info.cc; CONFIG: config_command.cc;
// COMMAND: command_introspection.cc.
#include <algorithm>
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/clock.h"
#include "common/glob.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "persistence/persistence.h"
#include "replication/replication.h"

namespace ember {
namespace {

void Time(CommandContext& ctx) {
  int64_t us = WallClockUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.BulkInt(us / 1000000);
  ctx.reply.BulkInt(us % 1000000);
}

void LastSave(CommandContext& ctx) {
  Persistence* p = ctx.engine.persistence();
  ctx.reply.Integer(p != nullptr ? p->lastsave_s() : ctx.engine.start_time_ms() / 1000);
}

// ROLE: replication/replication.h answers (a master at offset 0 without it, in unit tests).
void Role(CommandContext& ctx) {
  if (Replication* r = ctx.engine.replication()) return r->Role(ctx.reply);
  ctx.reply.ArrayHeader(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(0);
  ctx.reply.ArrayHeader(0);
}

// LOLWUT [VERSION v]: a small picture of ember's shards, then the version line as Redis ends
// its art with.
void Lolwut(CommandContext& ctx) {
  if (ctx.args.size() > 1) {
    if (ctx.args.size() != 3 || !EqualsIgnoreCase(ctx.args[1], "VERSION")) {
      return ctx.reply.Error(err::kSyntax);
    }
    if (!ParseInt64(ctx.args[2])) return ctx.reply.Error(err::kNotInteger);
  }
  std::string art;
  uint32_t shards = ctx.engine.num_shards();
  for (uint32_t row = 0; row < 3; ++row) {
    for (uint32_t s = 0; s < std::min<uint32_t>(shards, 16); ++s) art += row == 1 ? "[#]" : "~~~";
    art += "\n";
  }
  art += "Every core its own fire.\n\nRedis ver. 7.0.15\n";
  ctx.reply.Verbatim(art);
}

// Runs with every shard held, so the final snapshot is taken here, while the server still
// serves: if it fails, SHUTDOWN is refused and the server keeps going, as Redis does.
void Shutdown(CommandContext& ctx) {
  bool save = false, nosave = false, force = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view word = ctx.args[i];
    if (EqualsIgnoreCase(word, "ABORT")) return ctx.reply.Error("ERR No shutdown in progress.");
    if (EqualsIgnoreCase(word, "SAVE")) {
      save = true;
    } else if (EqualsIgnoreCase(word, "NOSAVE")) {
      nosave = true;
    } else if (EqualsIgnoreCase(word, "FORCE")) {
      force = true;
    } else if (!EqualsIgnoreCase(word, "NOW")) {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (save && nosave) return ctx.reply.Error(err::kSyntax);
  Persistence* p = ctx.engine.persistence();
  bool final_save = save || (!nosave && !ctx.engine.config().save.empty());
  if (p != nullptr && final_save) {
    std::string error;
    if (!p->PrepareShutdown(force, &error)) {
      return ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
    }
  }
  // Like Redis: no reply on success; the connection closes as the server stops.
  if (save || nosave)
    ctx.engine.set_shutdown_save(save ? Engine::ShutdownSave::kSave
                                      : Engine::ShutdownSave::kNoSave);
  ctx.engine.RequestShutdown();
  ctx.client.close_after_reply = true;
}

}  // namespace

void RegisterInfoCommand(CommandTable& t);
void RegisterConfigCommand(CommandTable& t);
void RegisterCommandCommand(CommandTable& t);
void RegisterDebugCommand(CommandTable& t);
void RegisterBackgroundSaveCommands(CommandGroup& g);
void RegisterReplicationCommands(CommandTable& t);

void RegisterServerCommands(CommandTable& t) {
  CommandGroup g(t, "server");
  RegisterBackgroundSaveCommands(g);
  g.Add(Command("time", Time)
            .Arity(1)
            .Flags(kCmdLoading | kCmdStale | kCmdFast)
            .Exec(ExecKind::kLocal)
            .Since("2.6.0")
            .Summary("Returns the server time."));
  g.Add(Command("lastsave", LastSave)
            .Arity(1)
            .Flags(kCmdLoading | kCmdStale | kCmdFast)
            .Exec(ExecKind::kLocal)
            .Acl(kAclAdmin | kAclDangerous)
            .Since("1.0.0")
            .Summary("Returns the unix time of the last save."));
  g.Add(Command("shutdown", Shutdown)
            .Arity(-1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy)
            .Exec(ExecKind::kAllShards)
            .Since("1.0.0")
            .Summary("Stops the server gracefully."));
  g.Add(Command("role", Role)
            .Arity(1)
            .Flags(kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast)
            .Exec(ExecKind::kLocal)
            .Acl(kAclAdmin | kAclDangerous)
            .Since("2.8.12")
            .Summary("Returns the server's replication role."));
  g.Add(Command("lolwut", Lolwut)
            .Arity(-1)
            .Flags(kCmdReadOnly | kCmdFast)
            .Exec(ExecKind::kLocal)
            .Since("5.0.0")
            .Summary("Draws a small picture and the version."));
  RegisterInfoCommand(t);
  RegisterConfigCommand(t);
  RegisterCommandCommand(t);
  RegisterDebugCommand(t);
  RegisterReplicationCommands(t);
}

}  // namespace ember
