// COMMAND: COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, all read from the command table.
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/glob.h"

namespace ember {
namespace {

// Redis 7's order for COMMAND INFO's flags.
std::vector<std::string_view> FlagNames(uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kCmdWrite, "write"},
      {kCmdReadOnly, "readonly"},
      {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},
      {kCmdPubSub, "pubsub"},
      {kCmdNoScript, "noscript"},
      {kCmdBlocking, "blocking"},
      {kCmdLoading, "loading"},
      {kCmdStale, "stale"},
      {kCmdSkipMonitor, "skip_monitor"},
      {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},
      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoAsyncLoading, "no_async_loading"},
      {kCmdNoMulti, "no_multi"},
      {kCmdAllowBusy, "allow_busy"},
      {kCmdMovableKeys, "movablekeys"}};
  std::vector<std::string_view> names;
  for (auto [bit, name] : kNames) {
    if (flags & bit) names.push_back(name);
  }
  return names;
}

void ReplyStatusSet(CommandContext& ctx, const std::vector<std::string_view>& items,
                    std::string_view prefix = "") {
  ctx.reply.SetHeader(items.size());
  for (auto item : items) ctx.reply.SimpleString(std::string(prefix) + std::string(item));
}

std::vector<std::string_view> AclNames(uint32_t acl) {
  std::vector<std::string_view> names;
  auto all = AclCategoryNames();
  for (size_t i = 0; i < all.size(); ++i) {
    if (acl & (1u << i)) names.push_back(all[i]);
  }
  return names;
}

void ReplyTypedSpec(CommandContext& ctx, std::string_view type,
                    std::initializer_list<std::pair<std::string_view, int64_t>> fields) {
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("type");
  ctx.reply.Bulk(type);
  ctx.reply.Bulk("spec");
  ctx.reply.MapHeader(fields.size());
  for (auto [name, value] : fields) {
    ctx.reply.Bulk(name);
    ctx.reply.Integer(value);
  }
}

// One key spec in Redis 7's shape: flags, begin_search, find_keys.
void ReplyKeySpec(CommandContext& ctx, const KeySpec& k) {
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("flags");
  ReplyStatusSet(ctx, KeyFlagNames(k.flags));
  ctx.reply.Bulk("begin_search");
  if (k.index == 0) {
    ReplyTypedSpec(ctx, "unknown", {});
  } else {
    ReplyTypedSpec(ctx, "index", {{"index", k.index}});
  }
  ctx.reply.Bulk("find_keys");
  if (k.index == 0) {
    ReplyTypedSpec(ctx, "unknown", {});
  } else if (k.keynum) {
    ReplyTypedSpec(ctx, "keynum", {{"keynumidx", 0}, {"firstkey", 1}, {"keystep", k.step}});
  } else {
    ReplyTypedSpec(ctx, "range", {{"lastkey", k.last}, {"keystep", k.step}, {"limit", 0}});
  }
}

// One COMMAND INFO entry in Redis 7's shape, subcommands nested.
void ReplyCommandInfo(CommandContext& ctx, const CommandSpec& spec) {
  ctx.reply.ArrayHeader(10);
  ctx.reply.Bulk(spec.name);
  ctx.reply.Integer(spec.arity);
  ReplyStatusSet(ctx, FlagNames(spec.flags));
  ctx.reply.Integer(spec.first_key);
  ctx.reply.Integer(spec.last_key);
  ctx.reply.Integer(spec.key_step);
  ReplyStatusSet(ctx, AclNames(spec.acl), "@");
  ctx.reply.SetHeader(0);  // tips
  ctx.reply.SetHeader(spec.key_specs.size());
  for (const KeySpec& k : spec.key_specs) ReplyKeySpec(ctx, k);
  ctx.reply.SetHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(ctx, sub);
}

void ReplyCommandDocs(CommandContext& ctx, const CommandSpec& spec) {
  ctx.reply.Bulk(spec.name);
  ctx.reply.MapHeader(spec.subcommands.empty() ? 3 : 4);
  ctx.reply.Bulk("summary");
  ctx.reply.Bulk(spec.summary);
  ctx.reply.Bulk("since");
  ctx.reply.Bulk(spec.since);
  ctx.reply.Bulk("group");
  ctx.reply.Bulk(spec.group);
  if (spec.subcommands.empty()) return;
  ctx.reply.Bulk("subcommands");
  ctx.reply.MapHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) ReplyCommandDocs(ctx, sub);
}

// "get", "config|get" (COMMAND INFO/DOCS name a subcommand by its full name).
const CommandSpec* FindByFullName(std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* spec = CommandTable::Instance().Find(name.substr(0, bar));
  if (spec == nullptr || bar == std::string_view::npos) return spec;
  return spec->FindSubcommand(name.substr(bar + 1));
}

// The entry an invocation runs (its subcommand's, if it names one); replies on error.
const CommandSpec* FindInvoked(CommandContext& ctx, std::span<const std::string_view> call) {
  const CommandSpec* spec = CommandTable::Instance().Find(call[0]);
  if (spec != nullptr && spec->has_subcommands && call.size() >= 2) {
    spec = spec->FindSubcommand(call[1]);
  }
  if (spec == nullptr) {
    ctx.reply.Error("ERR Invalid command specified");
    return nullptr;
  }
  int argc = static_cast<int>(call.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    ctx.reply.Error("ERR Invalid number of arguments specified for command");
    return nullptr;
  }
  return spec;
}

void GetKeys(CommandContext& ctx, bool with_flags) {
  std::span<const std::string_view> call = ctx.args.subspan(2);
  const CommandSpec* spec = FindInvoked(ctx, call);
  if (spec == nullptr) return;
  std::vector<size_t> positions;
  std::vector<uint32_t> flags;
  CommandTable::KeysWithFlags(*spec, call, &positions, &flags);
  if (positions.empty()) return ctx.reply.Error("ERR The command has no key arguments");
  ctx.reply.ArrayHeader(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) {
    if (!with_flags) {
      ctx.reply.Bulk(call[positions[i]]);
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(call[positions[i]]);
    ReplyStatusSet(ctx, KeyFlagNames(flags[i]));
  }
}

// COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p], subcommands included.
void List(CommandContext& ctx) {
  std::string_view kind, value;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "FILTERBY")) {
    kind = ctx.args[3];
    value = ctx.args[4];
    if (!EqualsIgnoreCase(kind, "PATTERN") && !EqualsIgnoreCase(kind, "ACLCAT") &&
        !EqualsIgnoreCase(kind, "MODULE")) {
      return ctx.reply.Error(err::kSyntax);
    }
  } else if (ctx.args.size() != 2) {
    return ctx.reply.Error(err::kSyntax);
  }
  uint32_t category = 0;
  auto categories = AclCategoryNames();
  for (size_t i = 0; i < categories.size(); ++i) {
    if (EqualsIgnoreCase(value, categories[i])) category = 1u << i;
  }
  auto keep = [&](const CommandSpec& spec) {
    if (kind.empty()) return true;
    if (EqualsIgnoreCase(kind, "PATTERN")) return GlobMatch(value, spec.name, true);
    if (EqualsIgnoreCase(kind, "ACLCAT")) return (spec.acl & category) != 0;
    return false;  // MODULE: ember has no modules
  };
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : CommandTable::Instance().All()) {
    if (keep(*spec)) names.push_back(spec->name);
    for (const CommandSpec& sub : spec->subcommands) {
      if (keep(sub)) names.push_back(sub.name);
    }
  }
  ctx.reply.ArrayHeader(names.size());
  for (auto name : names) ctx.reply.Bulk(name);
}

void Help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all commands.",
      "COUNT",
      "    Return the total number of commands in this server.",
      "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
      "    Return the names of the commands, optionally filtered.",
      "INFO [<command-name> ...]",
      "    Return details about the named commands, or all of them.",
      "DOCS [<command-name> ...]",
      "    Return the documentation of the named commands, or all of them.",
      "GETKEYS <full-command>",
      "    Return the keys of a full command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys of a full command and what the command does with each.",
      "HELP",
      "    Print this help."};
  ctx.reply.ArrayHeader(std::size(kLines));
  for (auto line : kLines) ctx.reply.SimpleString(line);
}

void CommandCmd(CommandContext& ctx) {
  const auto& all = CommandTable::Instance().All();
  if (ctx.args.size() == 1) {
    ctx.reply.ArrayHeader(all.size());
    for (const CommandSpec* spec : all) ReplyCommandInfo(ctx, *spec);
    return;
  }
  std::string_view sub = ctx.args[1];
  if (EqualsIgnoreCase(sub, "COUNT")) return ctx.reply.Integer(static_cast<int64_t>(all.size()));
  if (EqualsIgnoreCase(sub, "LIST")) return List(ctx);
  if (EqualsIgnoreCase(sub, "HELP")) return Help(ctx);
  if (EqualsIgnoreCase(sub, "GETKEYS")) return GetKeys(ctx, false);
  if (EqualsIgnoreCase(sub, "GETKEYSANDFLAGS")) return GetKeys(ctx, true);
  if (EqualsIgnoreCase(sub, "INFO")) {
    if (ctx.args.size() == 2) {
      ctx.reply.ArrayHeader(all.size());
      for (const CommandSpec* spec : all) ReplyCommandInfo(ctx, *spec);
      return;
    }
    ctx.reply.ArrayHeader(ctx.args.size() - 2);
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = FindByFullName(ctx.args[i]);
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
        if (const CommandSpec* spec = FindByFullName(ctx.args[i])) wanted.push_back(spec);
      }
    }
    ctx.reply.MapHeader(wanted.size());
    for (const CommandSpec* spec : wanted) ReplyCommandDocs(ctx, *spec);
    return;
  }
  ctx.reply.Error(err::UnknownSubcommand("command", sub));
}

}  // namespace

void RegisterCommandCommand(CommandTable& t) {
  constexpr uint32_t kFlags = kCmdLoading | kCmdStale;
  CommandGroup g(t, "server");
  g.Add(Command("command", CommandCmd)
            .Arity(-1)
            .Flags(kFlags)
            .Exec(ExecKind::kLocal)
            .Acl(kAclConnection)
            .Since("2.8.13")
            .Summary("Returns information about commands.")
            .Subcommand(Command("count")
                            .Arity(2)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("2.8.13")
                            .Summary("Returns the number of commands."))
            .Subcommand(Command("docs")
                            .Arity(-2)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("7.0.0")
                            .Summary("Returns the documentation of commands."))
            .Subcommand(Command("getkeys")
                            .Arity(-4)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("2.8.13")
                            .Summary("Returns the keys of a full command."))
            .Subcommand(Command("getkeysandflags")
                            .Arity(-4)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("7.0.0")
                            .Summary("Returns the keys of a full command and how it uses them."))
            .Subcommand(Command("help")
                            .Arity(2)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("5.0.0")
                            .Summary("Lists the COMMAND subcommands."))
            .Subcommand(Command("info")
                            .Arity(-2)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("2.8.13")
                            .Summary("Returns details about commands."))
            .Subcommand(Command("list")
                            .Arity(-2)
                            .Flags(kFlags)
                            .Acl(kAclConnection)
                            .Since("7.0.0")
                            .Summary("Returns the names of commands.")));
}

}  // namespace ember
