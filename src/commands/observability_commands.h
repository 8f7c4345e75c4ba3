#pragma once
// SLOWLOG (commands/slowlog_command.cc) and LATENCY (commands/latency_command.cc), registered
// together by RegisterObservabilityCommands.
#include "commands/command.h"

namespace ember {

void SlowLogCommand(CommandContext& ctx);
void LatencyCommand(CommandContext& ctx);

}  // namespace ember
