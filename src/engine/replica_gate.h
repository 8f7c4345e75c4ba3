#pragma once
// What a replica refuses to normal clients (replication/replication.h): writes while
// replica-read-only, everything without the stale flag while the link is down and
// replica-serve-stale-data is no. Zero on a master: the session's check is one relaxed load.
#include <atomic>
#include <cstdint>

namespace ember {

inline constexpr uint8_t kGateReadOnly = 1, kGateStale = 2;
inline std::atomic<uint8_t> g_replica_gate{0};

inline uint8_t ReplicaGate() {
  return g_replica_gate.load(std::memory_order_relaxed);
}

}  // namespace ember
