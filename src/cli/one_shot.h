#pragma once
#include "cli/session.h"

namespace ember::cli {

// Runs the command given on the command line (-r/-i repeat, -x stdin as the last argument).
// Returns the process exit code.
int RunOneShot(Session& session);

}  // namespace ember::cli
