// SLOWLOG GET [count] / LEN / RESET / HELP over engine/slow_log, in Redis 7's reply shapes.
#include <climits>

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "commands/observability_commands.h"
#include "common/numbers.h"
#include "engine/slow_log.h"

namespace ember {
namespace {

constexpr size_t kDefaultCount = 10;

void Get(CommandContext& ctx) {
  size_t count = kDefaultCount;
  if (ctx.args.size() == 3) {
    auto n = ParseInt64(ctx.args[2]);
    if (!n || *n < -1) return ctx.reply.Error("ERR count should be greater than or equal to -1");
    count = *n == -1 ? SIZE_MAX : static_cast<size_t>(*n);
  }
  std::vector<SlowLogEntry> entries = SlowLog::Instance().Newest(count);
  ctx.reply.ArrayHeader(entries.size());
  for (const SlowLogEntry& e : entries) {
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(static_cast<int64_t>(e.id));
    ctx.reply.Integer(e.unix_time);
    ctx.reply.Integer(e.duration_us);
    ctx.reply.ArrayHeader(e.argv.size());
    for (const std::string& arg : e.argv) ctx.reply.Bulk(arg);
    ctx.reply.Bulk(e.client_addr);
    ctx.reply.Bulk(e.client_name);
  }
}

void Help(CommandContext& ctx) {
  static constexpr const char* kHelp[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    The <count> newest entries (default 10, -1 for all), each: id, unix time,",
      "    duration in microseconds, arguments, client address, client name.",
      "LEN",
      "    How many entries the slow log holds.",
      "RESET",
      "    Empties the slow log.",
      "HELP",
      "    This text."};
  ctx.reply.ArrayHeader(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.SimpleString(line);
}

}  // namespace

void SlowLogCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  static constexpr std::pair<const char*, int> kArity[] = {
      {"GET", -2}, {"LEN", 2}, {"RESET", 2}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    std::string error;
    if (EqualsIgnoreCase(sub, name) &&
        !err::CheckSubcommandArity("slowlog", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "GET")) {
    if (ctx.args.size() > 3) {
      return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                             std::string(err::AsCString(sub)) + "'. Try SLOWLOG HELP.");
    }
    return Get(ctx);
  }
  if (EqualsIgnoreCase(sub, "LEN"))
    return ctx.reply.Integer(static_cast<int64_t>(SlowLog::Instance().Length()));
  if (EqualsIgnoreCase(sub, "RESET")) {
    SlowLog::Instance().Reset();
    return ctx.reply.Ok();
  }
  if (EqualsIgnoreCase(sub, "HELP")) return Help(ctx);
  ctx.reply.Error(err::UnknownSubcommand("slowlog", sub));
}

}  // namespace ember
