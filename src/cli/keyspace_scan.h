#pragma once
// A SCAN loop over the whole keyspace, shared by --scan, --bigkeys, --memkeys and --hotkeys.
#include <functional>
#include <string>
#include <vector>

#include "cli/session.h"

namespace ember::cli {

// Calls batch() with each SCAN reply's keys until the cursor returns to 0 or batch() returns
// false. Sleeps options.interval seconds every 100 SCANs (redis-cli's -i for these modes).
// false + message on stderr when a SCAN fails.
bool ScanKeyspace(Session& session, const std::function<bool(const std::vector<Reply>&)>& batch);

}  // namespace ember::cli
