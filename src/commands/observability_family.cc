// Registers SLOWLOG and LATENCY (handlers in slowlog_command.cc and latency_command.cc).
#include "commands/observability_commands.h"

namespace ember {

void RegisterObservabilityCommands(CommandTable& t) {
  CommandGroup g(t, "server");
  constexpr uint32_t kInspect = kCmdAdmin | kCmdLoading | kCmdStale;
  constexpr uint32_t kHelp = kCmdLoading | kCmdStale;
  g.Add(Command("slowlog", SlowLogCommand)
            .Arity(-2)
            .Exec(ExecKind::kLocal)
            .Since("2.2.12")
            .Summary("A container for slow log commands.")
            .Subcommand(Command("get").Arity(-2).Flags(kInspect).Since("2.2.12").Summary(
                "Returns the slow log's entries."))
            .Subcommand(Command("len").Arity(2).Flags(kInspect).Since("2.2.12").Summary(
                "Returns the number of entries in the slow log."))
            .Subcommand(Command("reset").Arity(2).Flags(kInspect).Since("2.2.12").Summary(
                "Clears all entries from the slow log."))
            .Subcommand(Command("help").Arity(2).Flags(kHelp).Since("6.2.0").Summary(
                "Show helpful text about the different subcommands")));
  constexpr uint32_t kMonitor = kInspect | kCmdNoScript;
  g.Add(Command("latency", LatencyCommand)
            .Arity(-2)
            .Exec(ExecKind::kLocal)
            .Since("2.8.13")
            .Summary("A container for latency diagnostics commands.")
            .Subcommand(Command("latest").Arity(2).Flags(kMonitor).Since("2.8.13").Summary(
                "Returns the latest latency samples for all events."))
            .Subcommand(Command("history").Arity(3).Flags(kMonitor).Since("2.8.13").Summary(
                "Returns timestamp-latency samples for an event."))
            .Subcommand(Command("reset").Arity(-2).Flags(kMonitor).Since("2.8.13").Summary(
                "Resets the latency data for one or more events."))
            .Subcommand(Command("graph").Arity(3).Flags(kMonitor).Since("2.8.13").Summary(
                "Returns a latency graph for an event."))
            .Subcommand(Command("doctor").Arity(2).Flags(kMonitor).Since("2.8.13").Summary(
                "Returns a human-readable latency analysis report."))
            .Subcommand(Command("histogram")
                            .Arity(-2)
                            .Flags(kMonitor)
                            .Since("7.0.0")
                            .Summary("Returns the cumulative distribution of latencies of a subset "
                                     "or all commands."))
            .Subcommand(Command("help").Arity(2).Flags(kHelp).Since("2.8.13").Summary(
                "Returns helpful text about the different subcommands.")));
}

}  // namespace ember
