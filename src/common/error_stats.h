#pragma once
// Error replies by their first word ("ERR", "WRONGTYPE", "NOAUTH" ...), for INFO errorstats and
// total_error_replies. Each thread counts in its own table (no shared cache line); INFO sums.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// msg: the full error text ("WRONGTYPE Operation against ..."). Called by ReplyBuilder::Error.
void CountErrorReply(std::string_view msg);

struct ErrorCount {
  std::string prefix;
  uint64_t count = 0;
};
// Sorted by prefix; *total gets every error reply counted (also those past the prefix limit).
std::vector<ErrorCount> SnapshotErrorCounts(uint64_t* total);
// CONFIG RESETSTAT. A count a thread is adding to at that instant may survive the reset.
void ResetErrorCounts();

}  // namespace ember
