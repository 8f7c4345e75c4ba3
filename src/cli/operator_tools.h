#pragma once
// The operator modes of ember-cli; each returns the process exit code.
#include "cli/session.h"

namespace ember::cli {

int RunPipe(Session& session);                      // pipe_mode.cc
int RunScan(Session& session);                      // keyspace_scan.cc
int RunKeySizes(Session& session, bool by_memory);  // key_survey.cc (--bigkeys, --memkeys)
int RunHotKeys(Session& session);                   // key_survey.cc
int RunStat(Session& session);                      // stat_mode.cc
int RunLatency(Session& session, ToolMode mode);    // latency_modes.cc
int RunBench(const CliOptions& options);            // bench_mode.cc (`ember-cli bench ...`)

}  // namespace ember::cli
