#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "server/config.h"

namespace ember {

// Opens a non-blocking TCP listening socket with SO_REUSEPORT, so each worker thread can have
// its own and the kernel spreads new connections over them. `first` (the first of a server's
// listeners) also fails when another process already listens there. Returns -1 and sets *error
// on failure.
int OpenListener(const std::string& host, uint16_t port, bool first, std::string* error);

// One plain listener per worker on config.port (none when it is 0) and one TLS listener per
// worker on config.tls_port (none when 0; its certificates are loaded first). False and
// *error when a port cannot be opened, the certificates do not load, or both ports are 0.
bool OpenServerListeners(const ServerConfig& config, uint32_t workers, std::vector<int>* plain,
                         std::vector<int>* tls, std::string* error);

}  // namespace ember
