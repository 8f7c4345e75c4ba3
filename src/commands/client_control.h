#pragma once
// CLIENT PAUSE / UNPAUSE / UNBLOCK / REPLY and RESET: the commands that change how the server
// treats a connection (or all of them) rather than reading or writing data.
#include <string_view>

#include "commands/command.h"

namespace ember {

// Runs CLIENT `sub` if it is one of PAUSE, UNPAUSE, UNBLOCK, REPLY; false when it is not.
bool RunClientControl(CommandContext& ctx, std::string_view sub);
// RESET: the connection as it was when it connected.
void Reset(CommandContext& ctx);

}  // namespace ember
