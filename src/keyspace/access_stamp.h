#pragma once
// The 23 bits every record keeps for eviction, read per the eviction policy like Redis's lru
// field: under LRU policies the last access in 100 ms units (wrapping every ~9.7 days); under
// LFU policies a logarithmic access counter (top 8 bits) and the minute it last decayed (low
// 15 bits, wrapping every ~22 days).
#include <atomic>
#include <cstdint>

namespace ember {

enum class AccessTracking : uint8_t { kLru, kLfu };

// Process-wide, switched when the eviction policy changes (CONFIG SET maxmemory-policy).
inline std::atomic<AccessTracking> g_access_tracking{AccessTracking::kLru};

// The stamp for a record created now.
uint32_t NewAccessStamp(int64_t now_ms);
// The stamp after one more access.
uint32_t TouchAccessStamp(uint32_t stamp, int64_t now_ms);

// The stamp of a key loaded or restored with Redis's IDLE / FREQ hints (-1: none), under the
// current policy; `current` when the policy has no use for the hint given.
uint32_t RestoredAccessStamp(uint32_t current, int64_t idle_s, int freq, int64_t now_ms);

// LRU reading: milliseconds since the last access (100 ms resolution).
int64_t IdleMs(uint32_t stamp, int64_t now_ms);
// LFU reading: the access counter after decay (0..255).
uint8_t LfuCounter(uint32_t stamp, int64_t now_ms);

}  // namespace ember
