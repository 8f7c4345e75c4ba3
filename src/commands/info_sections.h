#pragma once
// INFO's sections that report counters kept outside the engine's shards: CPU time, per-command
// stats, error replies, latency percentiles (commands/info_stats.cc).
#include <string>

#include "commands/command.h"

namespace ember {

// Each appends "# Title\r\n" and its lines.
void CpuSection(CommandContext& ctx, std::string& out);
void CommandStatsSection(CommandContext& ctx, std::string& out);
void ErrorStatsSection(CommandContext& ctx, std::string& out);
void LatencyStatsSection(CommandContext& ctx, std::string& out);
// Redis's rdb_changes_since_last_save: write commands that succeeded (nothing is saved yet).
uint64_t SuccessfulWrites();
// total_error_replies.
uint64_t TotalErrorReplies();

}  // namespace ember
