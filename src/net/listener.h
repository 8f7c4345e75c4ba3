#pragma once
#include <cstdint>
#include <string>

namespace ember {

// Opens a non-blocking TCP listening socket with SO_REUSEPORT, so each worker thread can have
// its own and the kernel spreads new connections over them. `first` (the first of a server's
// listeners) also fails when another process already listens there. Returns -1 and sets *error
// on failure.
int OpenListener(const std::string& host, uint16_t port, bool first, std::string* error);

}  // namespace ember
