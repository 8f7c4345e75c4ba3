// Server commands: TIME, COMMAND, SHUTDOWN, LASTSAVE. INFO: info.cc; CONFIG: config_command.cc.
#include <string>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/clock.h"
#include "common/glob.h"
#include "engine/engine.h"

namespace ember {
namespace {

void Time(CommandContext& ctx) {
  int64_t us = WallClockUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.BulkInt(us / 1000000);
  ctx.reply.BulkInt(us % 1000000);
}

void LastSave(CommandContext& ctx) {
  ctx.reply.Integer(ctx.engine.start_time_ms() / 1000);
}

std::vector<std::string_view> FlagNames(const CommandSpec& spec) {
  std::vector<std::string_view> names;
  if (spec.flags & kCmdWrite) names.push_back("write");
  if (spec.flags & kCmdReadOnly) names.push_back("readonly");
  if (spec.flags & kCmdDenyOom) names.push_back("denyoom");
  if (spec.flags & kCmdAdmin) names.push_back("admin");
  if (spec.flags & kCmdNoScript) names.push_back("noscript");
  if (spec.flags & kCmdLoading) names.push_back("loading");
  if (spec.flags & kCmdStale) names.push_back("stale");
  if (spec.flags & kCmdFast) names.push_back("fast");
  if (spec.flags & kCmdBlocking) names.push_back("blocking");
  if (spec.flags & kCmdNoAuth) names.push_back("no_auth");
  return names;
}

// One COMMAND INFO entry in Redis 7's shape.
void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& spec) {
  ctx.reply.ArrayHeader(10);
  ctx.reply.Bulk(spec.name);
  ctx.reply.Integer(spec.arity);
  auto flags = FlagNames(spec);
  ctx.reply.SetHeader(flags.size());
  for (auto flag : flags) ctx.reply.SimpleString(flag);
  ctx.reply.Integer(spec.first_key);
  ctx.reply.Integer(spec.last_key);
  ctx.reply.Integer(spec.key_step);
  ctx.reply.SetHeader(1);
  ctx.reply.SimpleString("@" + spec.group);
  ctx.reply.ArrayHeader(0);  // tips
  ctx.reply.ArrayHeader(0);  // key specs
  ctx.reply.ArrayHeader(0);  // subcommands
}

void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& spec) {
  ctx.reply.Bulk(spec.name);
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("summary");
  ctx.reply.Bulk(spec.summary);
  ctx.reply.Bulk("since");
  ctx.reply.Bulk("1.0.0");
  ctx.reply.Bulk("group");
  ctx.reply.Bulk(spec.group);
}

void CommandGetKeys(CommandContext& ctx) {
  std::span<const std::string_view> call = ctx.args.subspan(2);
  const CommandSpec* spec = CommandTable::Instance().Find(call[0]);
  if (spec == nullptr) return ctx.reply.Error("ERR Invalid command specified");
  int argc = static_cast<int>(call.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    return ctx.reply.Error("ERR Invalid number of arguments specified for command");
  }
  std::vector<size_t> positions;
  CommandTable::KeyPositions(*spec, call, &positions);
  if (positions.empty()) return ctx.reply.Error("ERR The command has no key arguments");
  ctx.reply.ArrayHeader(positions.size());
  for (size_t pos : positions) ctx.reply.Bulk(call[pos]);
}

void CommandCmd(CommandContext& ctx) {
  const auto& all = CommandTable::Instance().All();
  if (ctx.args.size() == 1) {
    ctx.reply.ArrayHeader(all.size());
    for (const CommandSpec* spec : all) ReplyCommandInfo(ctx, *spec);
    return;
  }
  std::string_view sub = ctx.args[1];
  static constexpr std::pair<const char*, int> kArity[] = {
      {"COUNT", 2}, {"LIST", -2}, {"INFO", -2}, {"DOCS", -2}, {"GETKEYS", -4}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    std::string error;
    if (EqualsIgnoreCase(sub, name) &&
        !err::CheckSubcommandArity("command", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "COUNT") && ctx.args.size() == 2) {
    return ctx.reply.Integer(static_cast<int64_t>(all.size()));
  }
  if (EqualsIgnoreCase(sub, "LIST")) {
    // COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]
    std::string_view kind, value;
    if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "FILTERBY")) {
      kind = ctx.args[3];
      value = ctx.args[4];
    } else if (ctx.args.size() != 2) {
      return ctx.reply.Error(err::kSyntax);
    }
    std::vector<std::string_view> names;
    for (const CommandSpec* spec : all) {
      bool keep = kind.empty() ||
                  (EqualsIgnoreCase(kind, "PATTERN") && GlobMatch(value, spec->name, true)) ||
                  (EqualsIgnoreCase(kind, "ACLCAT") && EqualsIgnoreCase(value, spec->group));
      if (!kind.empty() && !EqualsIgnoreCase(kind, "PATTERN") &&
          !EqualsIgnoreCase(kind, "ACLCAT") && !EqualsIgnoreCase(kind, "MODULE")) {
        return ctx.reply.Error(err::kSyntax);
      }
      if (keep) names.push_back(spec->name);
    }
    ctx.reply.ArrayHeader(names.size());
    for (auto name : names) ctx.reply.Bulk(name);
    return;
  }
  if (EqualsIgnoreCase(sub, "INFO")) {
    if (ctx.args.size() == 2) {
      ctx.reply.ArrayHeader(all.size());
      for (const CommandSpec* spec : all) ReplyCommandInfo(ctx, *spec);
      return;
    }
    ctx.reply.ArrayHeader(ctx.args.size() - 2);
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = CommandTable::Instance().Find(ctx.args[i]);
      if (spec == nullptr) {
        ctx.reply.Null();
      } else {
        ReplyCommandInfo(ctx, *spec);
      }
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "DOCS")) {
    std::vector<const CommandSpec*> wanted;
    if (ctx.args.size() == 2) {
      wanted = all;
    } else {
      for (size_t i = 2; i < ctx.args.size(); ++i) {
        if (const CommandSpec* spec = CommandTable::Instance().Find(ctx.args[i]))
          wanted.push_back(spec);
      }
    }
    ctx.reply.MapHeader(wanted.size());
    for (const CommandSpec* spec : wanted) ReplyCommandDocs(ctx, *spec);
    return;
  }
  if (EqualsIgnoreCase(sub, "GETKEYS")) {
    if (ctx.args.size() < 4) return ctx.reply.Error(err::WrongArity("command|getkeys"));
    return CommandGetKeys(ctx);
  }
  ctx.reply.Error(err::UnknownSubcommand("command", sub));
}

void Shutdown(CommandContext& ctx) {
  bool save = false, nosave = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view word = ctx.args[i];
    if (EqualsIgnoreCase(word, "ABORT")) return ctx.reply.Error("ERR No shutdown in progress.");
    if (EqualsIgnoreCase(word, "SAVE")) {
      save = true;
    } else if (EqualsIgnoreCase(word, "NOSAVE")) {
      nosave = true;
    } else if (!EqualsIgnoreCase(word, "NOW") && !EqualsIgnoreCase(word, "FORCE")) {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  if (save && nosave) return ctx.reply.Error(err::kSyntax);
  // Like Redis: no reply on success; the connection closes as the server stops.
  ctx.engine.RequestShutdown();
  ctx.client.close_after_reply = true;
}

}  // namespace

void RegisterInfoCommand(CommandTable& t);
void RegisterConfigCommand(CommandTable& t);

void RegisterServerCommands(CommandTable& t) {
  CommandGroup g(t, "server");
  g.Add(Command("time", Time)
            .Arity(1)
            .Flags(kCmdFast | kCmdLoading | kCmdStale)
            .Exec(ExecKind::kLocal)
            .Summary("Returns the server time."));
  g.Add(Command("lastsave", LastSave)
            .Arity(1)
            .Flags(kCmdFast | kCmdLoading | kCmdStale)
            .Exec(ExecKind::kLocal)
            .Summary("Returns the unix time of the last save."));
  g.Add(Command("command", CommandCmd)
            .Arity(-1)
            .Flags(kCmdLoading | kCmdStale)
            .Exec(ExecKind::kLocal)
            .Summary("Returns information about commands."));
  g.Add(Command("shutdown", Shutdown)
            .Arity(-1)
            .Flags(kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale)
            .Exec(ExecKind::kConnection)
            .Summary("Stops the server gracefully."));
  RegisterInfoCommand(t);
  RegisterConfigCommand(t);
}

}  // namespace ember
