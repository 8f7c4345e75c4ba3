#pragma once
// Redis-style glob matching for KEYS, SCAN MATCH and CONFIG GET: * ? [abc] [^a-z] \x, with the
// results of Redis's stringmatchlen() in every odd case (unterminated '[', trailing '\', reversed
// ranges, more than 1000 '*' runs), in O(len(pattern) * len(text)) time at worst.
#include <string_view>

namespace ember {

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace ember
