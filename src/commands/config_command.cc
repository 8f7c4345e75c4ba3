// CONFIG GET / SET / RESETSTAT / REWRITE over the parameters ember has.
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "acl/acl_registry.h"
#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/config_params.h"
#include "commands/errors.h"
#include "common/error_stats.h"
#include "common/glob.h"
#include "engine/command_stats.h"
#include "engine/engine.h"
#include "engine/eviction.h"
#include "engine/slow_command_watch.h"
#include "keyspace/access_stamp.h"
#include "net/tls_context.h"
#include "persistence/persistence.h"

namespace ember {
namespace {

// Every parameter whose name or alias matches one of the patterns, each once; an alias is
// reported under the name the pattern matched, as Redis 7 does.
void ConfigGet(CommandContext& ctx) {
  std::vector<std::pair<const char*, const ConfigParam*>> matched;
  auto add = [&](const char* name, const ConfigParam& p) {
    for (auto& [seen, param] : matched) {
      if (seen == name) return;
    }
    matched.emplace_back(name, &p);
  };
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    for (const ConfigParam& p : ConfigParams()) {
      if (GlobMatch(ctx.args[i], p.name, true)) add(p.name, p);
      if (p.alias != nullptr && GlobMatch(ctx.args[i], p.alias, true)) add(p.alias, p);
    }
  }
  ctx.reply.MapHeader(matched.size());
  for (auto& [name, p] : matched) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(p->get(ctx.engine.config()));
  }
}

std::string SetFailed(std::string_view arg, std::string_view why) {
  return "ERR CONFIG SET failed (possibly related to argument '" + std::string(arg) + "') - " +
         std::string(why);
}

// All pairs or none, as Redis 7: names are checked first (unknown, immutable, repeated), then
// every value is applied to a copy that replaces the configuration only if all succeed.
void ConfigSet(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) return ctx.reply.Error(err::kSyntax);
  std::vector<const ConfigParam*> params;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    std::string_view name = ctx.args[i];
    const ConfigParam* param = FindConfigParam(name);
    if (param == nullptr) {
      return ctx.reply.Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                             std::string(err::AsCString(name)) + "'");
    }
    if (param->mutability == ConfigParam::Mutability::kImmutable)
      return ctx.reply.Error(SetFailed(name, "can't set immutable config"));
    if (param->mutability == ConfigParam::Mutability::kProtected)
      return ctx.reply.Error(SetFailed(name, "can't set protected config"));
    for (size_t j = 2; j < i; j += 2) {  // the same spelling twice (an alias is another name)
      if (EqualsIgnoreCase(ctx.args[j], name))
        return ctx.reply.Error(SetFailed(name, "duplicate parameter"));
    }
    params.push_back(param);
  }
  ServerConfig updated = ctx.engine.config();
  for (size_t k = 0; k < params.size(); ++k) {
    std::string error = params[k]->set(updated, ctx.args[2 + 2 * k + 1]);
    if (!error.empty()) {
      std::string lower(ctx.args[2 + 2 * k]);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return ctx.reply.Error(SetFailed(lower, error));
    }
  }
  // New TLS settings make a new context for the connections accepted from now on; any that
  // does not load leaves everything as it was (Redis's message; the reason goes to the log).
  if (updated.tls_port != 0 && tls::SettingsDiffer(updated, ctx.engine.config())) {
    if (std::string error; !tls::Configure(updated, &error)) {
      fprintf(stderr, "ember-server: TLS configuration not changed: %s\n", error.c_str());
      std::string first_tls;
      for (size_t k = 0; k < params.size() && first_tls.empty(); ++k) {
        if (std::string_view(params[k]->name).starts_with("tls-")) first_tls = params[k]->name;
      }
      return ctx.reply.Error(
          SetFailed(first_tls, "Unable to update TLS configuration. Check server logs."));
    }
  }
  // Records' access stamps switch meaning with the policy, as in Redis.
  if (updated.maxmemory_policy != ctx.engine.config().maxmemory_policy) {
    g_access_tracking =
        IsLfuPolicy(updated.maxmemory_policy) ? AccessTracking::kLfu : AccessTracking::kLru;
  }
  bool aof_changed = updated.appendonly != ctx.engine.config().appendonly;
  bool fsync_changed = updated.appendfsync != ctx.engine.config().appendfsync;
  bool password_changed = updated.requirepass != ctx.engine.config().requirepass;
  ctx.engine.PublishConfig(updated);
  // As Redis: requirepass is the default user's only password ("" = nopass).
  if (password_changed) acl::Registry::Instance().SetDefaultPassword(updated.requirepass);
  ApplySlowCommandThresholds(updated);  // SLOWLOG and LATENCY read their thresholds at once
  Persistence* persistence = ctx.engine.persistence();
  if (fsync_changed && persistence != nullptr) persistence->SetAppendFsync(updated.appendfsync);
  if (aof_changed) {
    // Starting an AOF writes its first base from the data: every shard is held here.
    std::string error = "persistence is not available";
    Persistence* p = ctx.engine.persistence();
    if (p == nullptr || !p->SetAppendOnly(updated.appendonly, &error)) {
      updated.appendonly = !updated.appendonly;
      ctx.engine.PublishConfig(updated);
      return ctx.reply.Error(SetFailed("appendonly", error));
    }
  }
  ctx.reply.Ok();
}

void ResetStat(CommandContext& ctx) {
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    Shard& shard = ctx.engine.shard(s);
    uint64_t changes = shard.stats().changes;  // save points count from it: not a statistic
    shard.stats() = KeyspaceStats{};
    shard.stats().changes = changes;
    shard.commands_processed.store(0, std::memory_order_relaxed);
  }
  ServerStats& stats = ctx.engine.stats();
  stats.total_connections_received = 0;
  stats.rejected_connections = 0;
  stats.total_net_input_bytes = 0;
  stats.total_net_output_bytes = 0;
  ResetCommandStats();
  ResetErrorCounts();
  ctx.reply.Ok();
}

void Config(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  static constexpr std::pair<const char*, int> kArity[] = {
      {"GET", -3}, {"SET", -4}, {"RESETSTAT", 2}, {"REWRITE", 2}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    std::string error;
    if (EqualsIgnoreCase(sub, name) &&
        !err::CheckSubcommandArity("config", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "GET")) {
    if (ctx.args.size() < 3)
      return ctx.reply.Error("ERR wrong number of arguments for 'config|get' command");
    return ConfigGet(ctx);
  }
  if (EqualsIgnoreCase(sub, "SET")) return ConfigSet(ctx);
  if (EqualsIgnoreCase(sub, "RESETSTAT") && ctx.args.size() == 2) return ResetStat(ctx);
  if (EqualsIgnoreCase(sub, "REWRITE") && ctx.args.size() == 2) {
    return ctx.reply.Error("ERR The server is running without a config file");
  }
  if (EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.ArrayHeader(4);
    for (const char* line : {"CONFIG <subcommand> [<arg> ...]. Subcommands are:", "GET <pattern>",
                             "SET <directive> <value>", "RESETSTAT"}) {
      ctx.reply.SimpleString(line);
    }
    return;
  }
  ctx.reply.Error(err::UnknownSubcommand("config", sub));
}

}  // namespace

void RegisterConfigCommand(CommandTable& t) {
  constexpr uint32_t kAdminFlags = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  CommandGroup g(t, "server");
  g.Add(Command("config", Config)
            .Arity(-2)
            .Exec(ExecKind::kAllShards)
            .Since("2.0.0")
            .Summary("Reads or changes server parameters.")
            .Subcommand(Command("get")
                            .Arity(-3)
                            .Flags(kAdminFlags)
                            .Since("2.0.0")
                            .Summary("Returns the values of parameters matching patterns."))
            .Subcommand(Command("set")
                            .Arity(-4)
                            .Flags(kAdminFlags)
                            .Since("2.0.0")
                            .Summary("Changes parameters at run time."))
            .Subcommand(Command("resetstat")
                            .Arity(2)
                            .Flags(kAdminFlags)
                            .Since("2.0.0")
                            .Summary("Resets the server's statistics."))
            .Subcommand(Command("rewrite")
                            .Arity(2)
                            .Flags(kAdminFlags)
                            .Since("2.8.0")
                            .Summary("Writes the running parameters to the config file."))
            .Subcommand(Command("help")
                            .Arity(2)
                            .Flags(kCmdLoading | kCmdStale)
                            .Since("5.0.0")
                            .Summary("Lists the CONFIG subcommands.")));
}

}  // namespace ember
