#pragma once
#include "cli/session.h"

namespace ember::cli {

// The interactive mode (libedit): returns the exit code.
int RunRepl(Session& session);

}  // namespace ember::cli
