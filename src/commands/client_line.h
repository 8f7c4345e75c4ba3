#pragma once
// CLIENT LIST's line for one client ("id=7 addr=... resp=2\n"), also ACL LOG's client-info.
#include <cstdint>
#include <string>

#include "commands/client_state.h"

namespace ember {

std::string ClientLine(const ClientState& client, int64_t now_ms);

}  // namespace ember
