#pragma once
// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO (client-side caching's settings).
#include <string>
#include <string_view>

#include "commands/command.h"

namespace ember {

// Runs CLIENT `sub` if it is one of TRACKING, CACHING, GETREDIR, TRACKINGINFO; false when not.
bool RunClientTracking(CommandContext& ctx, std::string_view sub);
// CLIENT LIST's tracking flags: t (tracking), R (broken redirect), B (BCAST).
std::string TrackingClientFlags(const ClientState& c);

}  // namespace ember
