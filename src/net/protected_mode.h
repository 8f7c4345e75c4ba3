#pragma once
// Protected mode, as Redis 7: while it is on and no password is set, only clients connecting
// from a loopback address are served; any other gets Redis's -DENIED text and is closed.
#include <string_view>

#include "server/config.h"

namespace ember {

// Redis's refusal, byte for byte (clients show it to the user).
extern const std::string_view kProtectedModeDenied;
// Whether the client on `fd` (just accepted) is to be refused.
bool RefusedByProtectedMode(const ServerConfig& config, int fd);
// As Redis judges it from the peer's address text: 127.* or ::1.
bool IsLoopbackPeer(int fd);

}  // namespace ember
