#pragma once
// Keeping used memory under maxmemory. Before a command that may grow memory (kCmdDenyOom),
// the shard running it checks the process-wide byte count and, over the limit, evicts keys of
// its own shard per the policy: each eviction samples `maxmemory-samples` keys (O(1), never a
// walk of the keyspace) and drops the best candidate. With noeviction, or when nothing is
// evictable, the command gets Redis's OOM error.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ember {

class Engine;
class Shard;

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name);
bool IsLfuPolicy(std::string_view name);

// True when the write may run; false when it must be refused with err::kOom.
bool MakeRoomForWrite(Engine& engine, Shard& shard, int64_t now_ms);

}  // namespace ember
