#pragma once
// SHA-1 as hex, for script names (EVALSHA, SCRIPT LOAD, redis.sha1hex). Not for security.
#include <string>
#include <string_view>

namespace ember {

// The 40 lower-case hex digits of the SHA-1 of `data`.
std::string Sha1Hex(std::string_view data);

}  // namespace ember
