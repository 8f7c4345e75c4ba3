// ACL SETUSER, GETUSER, DELUSER, USERS, LIST, WHOAMI, CAT, DRYRUN, GENPASS, LOG, SAVE, LOAD, HELP.
#include <openssl/rand.h>

#include <algorithm>
#include <set>

#include "acl/acl_check.h"
#include "acl/acl_registry.h"
#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/hex.h"
#include "common/numbers.h"
#include "engine/engine.h"

namespace ember {
namespace {

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
    "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
    "Redis configuration file set) in order to store users in the Redis configuration.";

std::string_view UserOf(const ClientState& c) {
  return c.user != nullptr ? std::string_view(c.user->name) : "default";
}

// Closes the clients whose user is gone (ACL DELUSER, ACL LOAD), as Redis does; the caller's
// own connection after its reply.
void CloseClientsOfMissingUsers(CommandContext& ctx) {
  acl::Registry& registry = acl::Registry::Instance();
  std::set<std::string, std::less<>> missing;
  ctx.engine.clients().ForEach([&](ClientState& c) {
    if (c.user != nullptr && registry.Find(c.user->name) == nullptr) missing.insert(c.user->name);
  });
  if (missing.empty()) return;
  ctx.engine.clients().ForEach([&](ClientState& c) {
    if (c.user == nullptr || missing.count(c.user->name) == 0) return;
    if (c.id == ctx.client.id) {
      ctx.client.close_after_reply = true;
      return;
    }
    ctx.engine.KillClient(c);
  });
}

void SetUser(CommandContext& ctx) {
  std::string_view name = ctx.args[2];
  if (name.find_first_of(std::string_view(" \0", 2)) != std::string_view::npos) {
    return ctx.reply.Error("ERR Usernames can't contain spaces or null characters");
  }
  acl::RuleError error;
  if (!acl::Registry::Instance().SetUser(name, ctx.args.subspan(3), &error)) {
    return ctx.reply.Error("ERR " + error.Text("Error in ACL SETUSER modifier"));
  }
  ctx.reply.Ok();
}

void ReplySelector(CommandContext& ctx, const acl::Selector& s) {
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(acl::DescribeCommands(s));
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(acl::DescribeKeys(s));
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(acl::DescribeChannels(s));
}

void GetUser(CommandContext& ctx) {
  std::shared_ptr<const acl::User> user = acl::Registry::Instance().Find(ctx.args[2]);
  if (user == nullptr) return ctx.reply.Null();
  ctx.reply.MapHeader(6);
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> flags = {user->enabled ? "on" : "off"};
  if (user->nopass) flags.push_back("nopass");
  if (user->sanitize == acl::User::Sanitize::kSanitize) flags.push_back("sanitize-payload");
  if (user->sanitize == acl::User::Sanitize::kSkip) flags.push_back("skip-sanitize-payload");
  ctx.reply.ArrayHeader(flags.size());
  for (std::string_view flag : flags) ctx.reply.Bulk(flag);
  ctx.reply.Bulk("passwords");
  ctx.reply.ArrayHeader(user->password_hashes.size());
  for (const std::string& hash : user->password_hashes) ctx.reply.Bulk(hash);
  ReplySelector(ctx, user->root);  // the root selector's fields at the top level
  ctx.reply.Bulk("selectors");
  ctx.reply.ArrayHeader(user->selectors.size());
  for (const acl::Selector& s : user->selectors) {
    ctx.reply.MapHeader(3);
    ReplySelector(ctx, s);
  }
}

void DelUser(CommandContext& ctx) {
  int64_t deleted = 0;
  if (!acl::Registry::Instance().DeleteUsers(ctx.args.subspan(2), &deleted)) {
    return ctx.reply.Error("ERR The 'default' user cannot be removed");
  }
  CloseClientsOfMissingUsers(ctx);
  ctx.reply.Integer(deleted);
}

void Users(CommandContext& ctx) {
  std::vector<std::shared_ptr<const acl::User>> users = acl::Registry::Instance().Users();
  ctx.reply.ArrayHeader(users.size());
  for (const auto& user : users) ctx.reply.Bulk(user->name);
}

void List(CommandContext& ctx) {
  std::vector<std::shared_ptr<const acl::User>> users = acl::Registry::Instance().Users();
  ctx.reply.ArrayHeader(users.size());
  for (const auto& user : users) ctx.reply.Bulk(acl::DescribeUser(*user));
}

void WhoAmI(CommandContext& ctx) {
  ctx.reply.Bulk(UserOf(ctx.client));
}

void Cat(CommandContext& ctx) {
  std::span<const std::string_view> names = AclCategoryNames();
  if (ctx.args.size() == 2) {
    ctx.reply.ArrayHeader(names.size());
    for (std::string_view name : names) ctx.reply.Bulk(name);
    return;
  }
  if (ctx.args.size() > 3) return ctx.reply.Error(err::UnknownSubcommand("acl", ctx.args[1]));
  auto it = std::find_if(names.begin(), names.end(), [&](std::string_view name) {
    return EqualsIgnoreCase(name, ctx.args[2]);
  });
  if (it == names.end()) {
    return ctx.reply.Error("ERR Unknown category '" + std::string(err::AsCString(ctx.args[2])) +
                           "'");
  }
  uint32_t bit = 1u << (it - names.begin());
  std::vector<std::string_view> commands;
  for (const CommandSpec* spec : CommandTable::Instance().AclEntries()) {
    if (spec->acl & bit) commands.push_back(spec->name);
  }
  ctx.reply.ArrayHeader(commands.size());
  for (std::string_view name : commands) ctx.reply.Bulk(name);
}

void DryRun(CommandContext& ctx) {
  std::shared_ptr<const acl::User> user = acl::Registry::Instance().Find(ctx.args[2]);
  if (user == nullptr) {
    return ctx.reply.Error("ERR User '" + std::string(err::AsCString(ctx.args[2])) + "' not found");
  }
  std::span<const std::string_view> call = ctx.args.subspan(3);
  if (CommandTable::Instance().Find(call[0]) == nullptr) {
    return ctx.reply.Error("ERR Command '" + std::string(err::AsCString(call[0])) + "' not found");
  }
  std::string error;
  const CommandSpec* spec = CommandTable::Instance().Validate(call, &error);
  if (spec == nullptr) return ctx.reply.Error(error);
  acl::CheckResult result = acl::Check(*user, *spec, call);
  if (result.ok()) return ctx.reply.Ok();
  ctx.reply.Bulk(acl::DryRunText(result, *spec));
}

void GenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.args.size() > 3) return ctx.reply.Error(err::UnknownSubcommand("acl", ctx.args[1]));
  if (ctx.args.size() == 3) {
    auto parsed = ParseInt64(ctx.args[2]);
    if (!parsed) return ctx.reply.Error(err::kNotInteger);
    bits = *parsed;
  }
  if (bits <= 0 || bits > 4096) {
    return ctx.reply.Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a "
        "positive number up to 4096");
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::vector<unsigned char> random((chars + 1) / 2);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return ctx.reply.Error("ERR the random generator failed");
  }
  std::string password = HexLower(random.data(), random.size());
  password.resize(chars);
  ctx.reply.Bulk(password);
}

void Log(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    return ctx.reply.Error(
        "ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP.");
  }
  int64_t count = 10;
  if (ctx.args.size() == 3) {
    if (EqualsIgnoreCase(ctx.args[2], "RESET")) {
      acl::Registry::Instance().ResetLog();
      return ctx.reply.Ok();
    }
    auto parsed = ParseInt64(ctx.args[2]);
    if (!parsed) return ctx.reply.Error(err::kNotInteger);
    count = std::max<int64_t>(0, *parsed);
  }
  std::vector<acl::LogEntry> entries =
      acl::Registry::Instance().LogEntries(static_cast<size_t>(count));
  ctx.reply.ArrayHeader(entries.size());
  for (const acl::LogEntry& e : entries) {
    ctx.reply.MapHeader(7);
    ctx.reply.Bulk("count");
    ctx.reply.Integer(static_cast<int64_t>(e.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(e.reason);
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(e.context);
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(e.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(e.username);
    ctx.reply.Bulk("age-seconds");
    ctx.reply.Double(static_cast<double>(std::max<int64_t>(0, ctx.now_ms - e.created_ms)) / 1000);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(e.client_info);
  }
}

void Save(CommandContext& ctx) {
  const std::string& path = ctx.engine.config().aclfile;
  if (path.empty()) return ctx.reply.Error(kNoAclFile);
  std::string error;
  if (!acl::Registry::Instance().SaveFile(path, &error)) return ctx.reply.Error("ERR " + error);
  ctx.reply.Ok();
}

void Load(CommandContext& ctx) {
  const std::string& path = ctx.engine.config().aclfile;
  if (path.empty()) return ctx.reply.Error(kNoAclFile);
  std::string error;
  if (!acl::Registry::Instance().LoadFile(path, &error)) return ctx.reply.Error("ERR " + error);
  CloseClientsOfMissingUsers(ctx);
  ctx.reply.Ok();
}

void Help(CommandContext& ctx) {
  static constexpr const char* kHelp[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    The command categories, or the commands of <category>.",
      "DELUSER <username> [<username> ...]",
      "    Deletes users and closes their connections.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Whether the user may run the command, without running it.",
      "GETUSER <username>",
      "    The user's flags, passwords, commands, keys, channels and selectors.",
      "GENPASS [<bits>]",
      "    A random password of 256 bits, or of <bits>.",
      "LIST",
      "    Every user, as a line of the ACL file.",
      "LOAD",
      "    Replaces the users with those of the ACL file.",
      "LOG [<count> | RESET]",
      "    The latest refused commands and authentications, or clears them.",
      "SAVE",
      "    Writes the users to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Creates or changes a user.",
      "USERS",
      "    The user names.",
      "WHOAMI",
      "    The user of this connection.",
      "HELP",
      "    This text."};
  ctx.reply.ArrayHeader(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.SimpleString(line);
}

void AclContainer(CommandContext& ctx) {
  ctx.reply.Error(err::UnknownSubcommand("acl", ctx.args[1]));
}

}  // namespace

void RegisterAclCommands(CommandTable& t) {
  CommandGroup g(t, "server");
  constexpr uint32_t kInfo = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kAdmin = kCmdAdmin | kInfo;
  auto sub = [](const char* name, CommandHandler handler, int arity, uint32_t flags,
                const char* summary) {
    return Command(name, handler).Arity(arity).Flags(flags).Since("6.0.0").Summary(summary);
  };
  g.Add(Command("acl", AclContainer)
            .Arity(-2)
            .Exec(ExecKind::kLocal)
            .Since("6.0.0")
            .Summary("A container for Access List Control commands.")
            .Subcommand(sub("cat", Cat, -2, kInfo,
                            "Lists the ACL categories, or the commands "
                            "inside a category."))
            .Subcommand(sub("deluser", DelUser, -3, kAdmin,
                            "Deletes ACL users, and terminates "
                            "their connections."))
            .Subcommand(sub("dryrun", DryRun, -4, kAdmin,
                            "Simulates the execution of a command "
                            "by a user, without executing it.")
                            .Since("7.0.0"))
            .Subcommand(sub("genpass", GenPass, -2, kInfo,
                            "Generates a pseudorandom, secure password for ACL users."))
            .Subcommand(sub("getuser", GetUser, 3, kAdmin, "Lists the ACL rules of a user."))
            .Subcommand(sub("list", List, 2, kAdmin,
                            "Dumps the effective rules in ACL file "
                            "format."))
            .Subcommand(sub("load", Load, 2, kAdmin,
                            "Reloads the rules from the configured ACL "
                            "file."))
            .Subcommand(sub("log", Log, -2, kAdmin,
                            "Lists recent security events generated due "
                            "to ACL rules."))
            .Subcommand(sub("save", Save, 2, kAdmin,
                            "Saves the effective ACL rules in the "
                            "configured ACL file."))
            .Subcommand(sub("setuser", SetUser, -3, kAdmin,
                            "Creates and modifies an ACL user "
                            "and its rules."))
            .Subcommand(sub("users", Users, 2, kAdmin, "Lists all ACL users."))
            .Subcommand(sub("whoami", WhoAmI, 2, kInfo,
                            "Returns the authenticated username of "
                            "the current connection."))
            .Subcommand(sub("help", Help, 2, kCmdLoading | kCmdStale,
                            "Returns helpful text about the different subcommands.")));
}

}  // namespace ember
