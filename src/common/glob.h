#pragma once
// Redis-style glob matching for KEYS, SCAN MATCH and CONFIG GET: * ? [abc] [^a-z] \x.
#include <string_view>

namespace ember {

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace ember
