#pragma once
// What SCAN, HSCAN, SSCAN and ZSCAN share: the [MATCH pattern] [COUNT count] options (and
// SCAN's [TYPE type]) with Redis's errors, and the [cursor, [items]] reply.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "common/glob.h"

namespace ember {

struct ScanOptions {
  std::string_view pattern;  // empty matches everything ("*" is folded into it)
  std::string_view type;     // SCAN only; empty: every type
  size_t count = 10;         // how much to visit, not how much to return

  bool Matches(std::string_view s) const { return pattern.empty() || GlobMatch(pattern, s); }
};

// Parses the options from ctx.args[first] on. On a bad option it replies with Redis's error and
// returns false. TYPE is accepted only with allow_type.
bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out);

// [cursor, [item, ...]], the cursor as a bulk string.
void ReplyScan(CommandContext& ctx, uint64_t cursor, const std::vector<std::string>& items);

}  // namespace ember
