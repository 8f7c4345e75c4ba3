// LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP: the latency monitor's
// events (engine/latency_monitor) and the per-command histograms of INFO latencystats
// (engine/command_stats), in Redis 7's reply shapes.
#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "commands/observability_commands.h"
#include "common/clock.h"
#include "common/cycle_clock.h"
#include "engine/command_stats.h"
#include "engine/engine.h"
#include "engine/latency_monitor.h"

namespace ember {
namespace {

void Latest(CommandContext& ctx) {
  std::vector<LatencyEvent> events = LatencyMonitor::Instance().Events();
  ctx.reply.ArrayHeader(events.size());
  for (const LatencyEvent& e : events) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(e.name);
    ctx.reply.Integer(e.samples.back().unix_time);
    ctx.reply.Integer(e.samples.back().latency_ms);
    ctx.reply.Integer(e.max_ms);
  }
}

void History(CommandContext& ctx) {
  LatencyEvent e = LatencyMonitor::Instance().Event(ctx.args[2]);
  ctx.reply.ArrayHeader(e.samples.size());
  for (const LatencySample& s : e.samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(s.unix_time);
    ctx.reply.Integer(s.latency_ms);
  }
}

// "12s", "3m", "2h", "5d": how long ago a sample was, in at most a few characters.
std::string Age(int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 86400) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

// One column per sample, oldest on the left: a bar of up to kRows marks scaled between the
// lowest and highest sample, the sample's age written downwards under it.
void Graph(CommandContext& ctx) {
  LatencyEvent e = LatencyMonitor::Instance().Event(ctx.args[2]);
  if (e.samples.empty()) {
    return ctx.reply.Error("ERR No samples available for event '" +
                           std::string(err::AsCString(ctx.args[2])) + "'");
  }
  constexpr int kRows = 4;
  constexpr size_t kColumns = 80;
  if (e.samples.size() > kColumns) e.samples.erase(e.samples.begin(), e.samples.end() - kColumns);
  int64_t high = 0, low = INT64_MAX;
  for (const LatencySample& s : e.samples) {
    high = std::max(high, s.latency_ms);
    low = std::min(low, s.latency_ms);
  }
  std::string out = fmt::format("{} - high {} ms, low {} ms (all time high {} ms)\n", e.name, high,
                                low, e.max_ms);
  out += std::string(kColumns, '-') + "\n";
  std::vector<int> level;
  for (const LatencySample& s : e.samples) {
    level.push_back(high == low
                        ? kRows
                        : 1 + static_cast<int>((s.latency_ms - low) * (kRows - 1) / (high - low)));
  }
  for (int row = kRows; row >= 1; --row) {
    for (int l : level) out += l >= row ? '#' : ' ';
    out += '\n';
  }
  int64_t now = WallClockMs() / 1000;
  std::vector<std::string> ages;
  size_t longest = 0;
  for (const LatencySample& s : e.samples) {
    ages.push_back(Age(std::max<int64_t>(0, now - s.unix_time)));
    longest = std::max(longest, ages.back().size());
  }
  for (size_t line = 0; line < longest; ++line) {
    for (const std::string& age : ages) out += line < age.size() ? age[line] : ' ';
    out += '\n';
  }
  ctx.reply.Verbatim(out);
}

void Doctor(CommandContext& ctx) {
  std::vector<LatencyEvent> events = LatencyMonitor::Instance().Events();
  const ServerConfig& config = ctx.engine.config();
  std::string out;
  if (events.empty()) {
    out = config.latency_monitor_threshold > 0
              ? fmt::format(
                    "No latency spike of {} ms or more was recorded since the monitor "
                    "started or was last reset.\n",
                    config.latency_monitor_threshold)
              : "The latency monitor is off: CONFIG SET latency-monitor-threshold <milliseconds> "
                "turns it on.\n";
    return ctx.reply.Verbatim(out);
  }
  out = "Latency spikes were recorded for these events:\n\n";
  bool command_events = false, persistence_events = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const LatencyEvent& e = events[i];
    double sum = 0;
    for (const LatencySample& s : e.samples) sum += static_cast<double>(s.latency_ms);
    double mean = sum / static_cast<double>(e.samples.size()), deviation = 0;
    for (const LatencySample& s : e.samples)
      deviation += std::fabs(static_cast<double>(s.latency_ms) - mean);
    deviation /= static_cast<double>(e.samples.size());
    double period =
        e.samples.size() > 1
            ? static_cast<double>(e.samples.back().unix_time - e.samples.front().unix_time) /
                  static_cast<double>(e.samples.size() - 1)
            : 0;
    out += fmt::format(
        "{}. {}: {} samples, mean {:.0f} ms (mean deviation {:.0f} ms), one every {:.1f} s on "
        "average; worst ever {} ms.\n",
        i + 1, e.name, e.samples.size(), mean, deviation, period, e.max_ms);
    command_events = command_events || e.name == "command" || e.name == "fast-command";
    persistence_events =
        persistence_events || e.name.starts_with("aof") || e.name.starts_with("rdb");
  }
  out += "\nWhat may help:\n";
  if (command_events) {
    out +=
        "- SLOWLOG GET names the slow commands and their arguments; O(N) commands on large "
        "values (KEYS, SMEMBERS, LRANGE 0 -1, SORT, DEL of big collections) are the usual "
        "cause.\n";
    if (config.slowlog_log_slower_than < 0 ||
        config.slowlog_log_slower_than > config.latency_monitor_threshold * 1000) {
      out += fmt::format(
          "- The slow log misses some of these commands: CONFIG SET slowlog-log-slower-than {} "
          "logs everything the monitor sees.\n",
          config.latency_monitor_threshold * 1000);
    }
  }
  if (persistence_events) {
    out +=
        "- Disk writes and fsyncs were slow: a faster disk, appendfsync everysec instead of "
        "always, or less I/O from other processes on the same disk.\n";
  }
  out += "- A busy or oversubscribed host (CPU steal, swapping) slows every event.\n";
  ctx.reply.Verbatim(out);
}

void Reset(CommandContext& ctx) {
  std::span<const std::string_view> names = ctx.args.subspan(2);
  ctx.reply.Integer(static_cast<int64_t>(LatencyMonitor::Instance().Reset(names)));
}

// One command's histogram as Redis 7 shows it: buckets of powers of two microseconds, each
// with the calls at or below it (cumulative), only buckets that hold calls.
void HistogramOf(CommandContext& ctx, const CommandStatsRow& row, double ticks_per_us) {
  std::map<uint64_t, uint64_t> buckets;
  for (size_t i = 0; i < row.latency.size(); ++i) {
    if (row.latency[i] == 0) continue;
    double us = static_cast<double>(LatencyBuckets::UpperBound(i)) / ticks_per_us;
    uint64_t whole = us <= 1 ? 1 : static_cast<uint64_t>(std::ceil(us));
    buckets[std::bit_ceil(whole)] += row.latency[i];
  }
  ctx.reply.Bulk(row.name);
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Integer(static_cast<int64_t>(row.calls));
  ctx.reply.Bulk("histogram_usec");
  ctx.reply.MapHeader(buckets.size());
  uint64_t cumulative = 0;
  for (auto [bucket, count] : buckets) {
    cumulative += count;
    ctx.reply.Integer(static_cast<int64_t>(bucket));
    ctx.reply.Integer(static_cast<int64_t>(cumulative));
  }
}

// HISTOGRAM [command ...]: every command with samples, or the named ones (a container names
// its subcommands: CONFIG gives config|get, config|set ...); unknown names are left out.
void Histogram(CommandContext& ctx) {
  std::vector<CommandStatsRow> rows = SnapshotCommandStats();
  std::erase_if(rows, [](const CommandStatsRow& r) { return r.latency.empty(); });
  std::vector<const CommandStatsRow*> shown;
  if (ctx.args.size() == 2) {
    for (const CommandStatsRow& row : rows) shown.push_back(&row);
  }
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::string name(ctx.args[i]);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const CommandStatsRow& row : rows) {
      if (row.name == name || (row.name.starts_with(name + "|") && name.find('|') == name.npos))
        shown.push_back(&row);
    }
  }
  double ticks_per_us = TicksPerMicrosecond();
  ctx.reply.MapHeader(shown.size());
  for (const CommandStatsRow* row : shown) HistogramOf(ctx, *row, ticks_per_us);
}

void Help(CommandContext& ctx) {
  static constexpr const char* kHelp[] = {
      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    A report on the recorded latency spikes, with hints.",
      "GRAPH <event>",
      "    The <event>'s samples as an ASCII chart.",
      "HISTORY <event>",
      "    The <event>'s samples: [unix time, milliseconds] pairs, oldest first.",
      "LATEST",
      "    For every event: its name, its latest sample's time and milliseconds, its worst.",
      "RESET [<event> ...]",
      "    Forgets the named events' samples (all events without names).",
      "HISTOGRAM [COMMAND ...]",
      "    The named commands' (or all commands') latency distribution: calls and cumulative",
      "    counts by power-of-two microsecond bucket.",
      "HELP",
      "    This text."};
  ctx.reply.ArrayHeader(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.SimpleString(line);
}

}  // namespace

void LatencyCommand(CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  static constexpr std::pair<const char*, int> kArity[] = {
      {"LATEST", 2}, {"HISTORY", 3},    {"RESET", -2}, {"GRAPH", 3},
      {"DOCTOR", 2}, {"HISTOGRAM", -2}, {"HELP", 2}};
  for (auto [name, arity] : kArity) {
    std::string error;
    if (EqualsIgnoreCase(sub, name) &&
        !err::CheckSubcommandArity("latency", name, arity, ctx.args.size(), &error)) {
      return ctx.reply.Error(error);
    }
  }
  if (EqualsIgnoreCase(sub, "LATEST")) return Latest(ctx);
  if (EqualsIgnoreCase(sub, "HISTORY")) return History(ctx);
  if (EqualsIgnoreCase(sub, "RESET")) return Reset(ctx);
  if (EqualsIgnoreCase(sub, "GRAPH")) return Graph(ctx);
  if (EqualsIgnoreCase(sub, "DOCTOR")) return Doctor(ctx);
  if (EqualsIgnoreCase(sub, "HISTOGRAM")) return Histogram(ctx);
  if (EqualsIgnoreCase(sub, "HELP")) return Help(ctx);
  ctx.reply.Error(err::UnknownSubcommand("latency", sub));
}

}  // namespace ember
