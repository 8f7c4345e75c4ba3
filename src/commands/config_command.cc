// CONFIG GET / SET / RESETSTAT / REWRITE over the parameters ember has.
#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/glob.h"
#include "engine/engine.h"
#include "engine/eviction.h"
#include "keyspace/access_stamp.h"
#include "server/memory_size.h"

namespace ember {
namespace {

struct Param {
  const char* name;
  std::function<std::string(const ServerConfig&)> get;
  // Returns an error message, or empty on success. Null: read-only at run time.
  std::function<std::string(ServerConfig&, std::string_view)> set;
};

std::function<std::string(ServerConfig&, std::string_view)> IntSetter(int64_t ServerConfig::*field,
                                                                      int64_t min) {
  return [field, min](ServerConfig& c, std::string_view v) -> std::string {
    auto n = ParseInt64(v);
    if (!n || *n < min) return "argument couldn't be parsed into an integer";
    c.*field = *n;
    return "";
  };
}

// A size in bytes, with Redis's units ("1mb", "512MB", "1gb", plain bytes).
std::function<std::string(ServerConfig&, std::string_view)> MemorySetter(
    int64_t ServerConfig::*field, int64_t min) {
  return [field, min](ServerConfig& c, std::string_view v) -> std::string {
    auto bytes = ParseMemorySize(v);
    if (!bytes) return "argument must be a memory value";
    if (*bytes < min)
      return "argument must be between " + std::to_string(min) + " and 9223372036854775807 inclusive";
    c.*field = *bytes;
    return "";
  };
}

std::function<std::string(const ServerConfig&)> IntGetter(int64_t ServerConfig::*field) {
  return [field](const ServerConfig& c) { return std::to_string(c.*field); };
}

std::function<std::string(const ServerConfig&)> Fixed(const char* value) {
  return [value](const ServerConfig&) { return std::string(value); };
}

const std::vector<Param>& Params() {
  static const std::vector<Param> params = {
      {"port", [](const ServerConfig& c) { return std::to_string(c.port); }, nullptr},
      {"bind", [](const ServerConfig& c) { return c.host; }, nullptr},
      {"databases", Fixed("16"), nullptr},
      {"maxmemory", IntGetter(&ServerConfig::maxmemory), MemorySetter(&ServerConfig::maxmemory, 0)},
      {"maxmemory-policy", [](const ServerConfig& c) { return c.maxmemory_policy; },
       [](ServerConfig& c, std::string_view v) -> std::string {
         std::string lower(v);
         for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
         if (ParseEvictionPolicy(lower)) {
           c.maxmemory_policy = lower;
           // Records' access stamps switch meaning with the policy, as in Redis.
           g_access_tracking = IsLfuPolicy(lower) ? AccessTracking::kLfu : AccessTracking::kLru;
           return "";
         }
         return "argument(s) must be one of the following: volatile-lru, allkeys-lru, "
                "volatile-lfu, allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, noeviction";
       }},
      {"maxmemory-samples", IntGetter(&ServerConfig::maxmemory_samples), IntSetter(&ServerConfig::maxmemory_samples, 1)},
      {"maxclients", IntGetter(&ServerConfig::maxclients), IntSetter(&ServerConfig::maxclients, 1)},
      {"timeout", IntGetter(&ServerConfig::timeout), IntSetter(&ServerConfig::timeout, 0)},
      {"hz", IntGetter(&ServerConfig::hz), IntSetter(&ServerConfig::hz, 1)},
      {"client-query-buffer-limit", IntGetter(&ServerConfig::client_query_buffer_limit), MemorySetter(&ServerConfig::client_query_buffer_limit, 1024 * 1024)},
      {"proto-max-bulk-len", IntGetter(&ServerConfig::proto_max_bulk_len), MemorySetter(&ServerConfig::proto_max_bulk_len, 1024 * 1024)},
      {"slowlog-log-slower-than", IntGetter(&ServerConfig::slowlog_log_slower_than), IntSetter(&ServerConfig::slowlog_log_slower_than, -1)},
      {"slowlog-max-len", IntGetter(&ServerConfig::slowlog_max_len), IntSetter(&ServerConfig::slowlog_max_len, 0)},
      {"requirepass", [](const ServerConfig& c) { return c.requirepass; },
       [](ServerConfig& c, std::string_view v) -> std::string {
         c.requirepass = std::string(v);
         return "";
       }},
      {"list-max-listpack-size", IntGetter(&ServerConfig::list_max_listpack_size),
       [](ServerConfig& c, std::string_view v) -> std::string {
         auto n = ParseInt64(v);
         if (!n || *n < -5 || *n == 0) return "argument must be between -5 and -1, or positive";
         c.list_max_listpack_size = *n;
         return "";
       }},
      {"hash-max-listpack-entries", IntGetter(&ServerConfig::hash_max_listpack_entries), IntSetter(&ServerConfig::hash_max_listpack_entries, 0)},
      {"hash-max-listpack-value", IntGetter(&ServerConfig::hash_max_listpack_value), IntSetter(&ServerConfig::hash_max_listpack_value, 0)},
      {"set-max-intset-entries", IntGetter(&ServerConfig::set_max_intset_entries), IntSetter(&ServerConfig::set_max_intset_entries, 0)},
      {"set-max-listpack-entries", IntGetter(&ServerConfig::set_max_listpack_entries), IntSetter(&ServerConfig::set_max_listpack_entries, 0)},
      {"set-max-listpack-value", IntGetter(&ServerConfig::set_max_listpack_value), IntSetter(&ServerConfig::set_max_listpack_value, 0)},
      {"zset-max-listpack-entries", IntGetter(&ServerConfig::zset_max_listpack_entries), IntSetter(&ServerConfig::zset_max_listpack_entries, 0)},
      {"zset-max-listpack-value", IntGetter(&ServerConfig::zset_max_listpack_value), IntSetter(&ServerConfig::zset_max_listpack_value, 0)},
      {"appendonly", Fixed("no"), nullptr},
      {"save", Fixed(""), nullptr},
      {"io-threads", Fixed("1"), nullptr},
      {"protected-mode", Fixed("no"), nullptr},
  };
  return params;
}

void ConfigGet(CommandContext& ctx) {
  std::vector<const Param*> matched;
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    for (const Param& p : Params()) {
      if (GlobMatch(ctx.args[i], p.name, true) &&
          std::find(matched.begin(), matched.end(), &p) == matched.end()) {
        matched.push_back(&p);
      }
    }
  }
  ctx.reply.MapHeader(matched.size());
  for (const Param* p : matched) {
    ctx.reply.Bulk(p->name);
    ctx.reply.Bulk(p->get(ctx.engine.config()));
  }
}

void ConfigSet(CommandContext& ctx) {
  if (ctx.args.size() < 4 || ctx.args.size() % 2 != 0) {
    return ctx.reply.Error("ERR wrong number of arguments for 'config|set' command");
  }
  // Validate everything first so a failing pair changes nothing.
  ServerConfig updated = ctx.engine.config();
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    const Param* param = nullptr;
    for (const Param& p : Params()) {
      if (EqualsIgnoreCase(ctx.args[i], p.name)) param = &p;
    }
    if (param == nullptr || !param->set) {
      std::string what = param == nullptr ? "Unknown option or number of arguments for CONFIG SET - '"
                                          : "Unsupported CONFIG parameter: '";
      return ctx.reply.Error("ERR " + what + std::string(err::AsCString(ctx.args[i])) + "'");
    }
    std::string error = param->set(updated, ctx.args[i + 1]);
    if (!error.empty()) {
      return ctx.reply.Error(std::string("ERR CONFIG SET failed (possibly related to argument '") +
                             param->name + "') - " + error);
    }
  }
  ctx.engine.config() = updated;
  ctx.engine.set_password_required(!updated.requirepass.empty());
  ctx.reply.Ok();
}

void ResetStat(CommandContext& ctx) {
  for (uint32_t s = 0; s < ctx.num_shards(); ++s) {
    Shard& shard = ctx.engine.shard(s);
    shard.stats() = KeyspaceStats{};
    shard.commands_processed.store(0, std::memory_order_relaxed);
  }
  ServerStats& stats = ctx.engine.stats();
  stats.total_connections_received = 0;
  stats.rejected_connections = 0;
  stats.total_net_input_bytes = 0;
  stats.total_net_output_bytes = 0;
  ctx.reply.Ok();
}

void Config(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  static constexpr std::pair<const char*, int> kArity[] = {
      {"GET", -3}, {"SET", -4}, {"RESETSTAT", 2}, {"REWRITE", 2}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    std::string error;
    if (EqualsIgnoreCase(sub, name) && !err::CheckSubcommandArity("config", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "GET")) {
    if (ctx.args.size() < 3) return ctx.reply.Error("ERR wrong number of arguments for 'config|get' command");
    return ConfigGet(ctx);
  }
  if (EqualsIgnoreCase(sub, "SET")) return ConfigSet(ctx);
  if (EqualsIgnoreCase(sub, "RESETSTAT") && ctx.args.size() == 2) return ResetStat(ctx);
  if (EqualsIgnoreCase(sub, "REWRITE") && ctx.args.size() == 2) {
    return ctx.reply.Error("ERR The server is running without a config file");
  }
  if (EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.ArrayHeader(4);
    for (const char* line : {"CONFIG <subcommand> [<arg> ...]. Subcommands are:",
                             "GET <pattern>", "SET <directive> <value>", "RESETSTAT"}) {
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
            .Subcommand(Command("get").Arity(-3).Flags(kAdminFlags).Since("2.0.0").Summary(
                "Returns the values of parameters matching patterns."))
            .Subcommand(Command("set").Arity(-4).Flags(kAdminFlags).Since("2.0.0").Summary(
                "Changes parameters at run time."))
            .Subcommand(Command("resetstat").Arity(2).Flags(kAdminFlags).Since("2.0.0").Summary(
                "Resets the server's statistics."))
            .Subcommand(Command("rewrite").Arity(2).Flags(kAdminFlags).Since("2.8.0").Summary(
                "Writes the running parameters to the config file."))
            .Subcommand(Command("help").Arity(2).Flags(kCmdLoading | kCmdStale).Since("5.0.0").Summary(
                "Lists the CONFIG subcommands.")));
}

}  // namespace ember
