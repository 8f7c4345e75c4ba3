#pragma once
// The allocator for records, table segments and other keyspace blocks. General allocators
// round a 36-byte record up to 48 bytes; here blocks come in 2-byte steps up to
// kMaxSmallBlock, carved from 64 KiB pages of one reserved address range, so a record wastes
// at most one byte. (Blocks are only 2-byte aligned: records are read with memcpy.)
//
// Each thread owns the pages it carves from (no locks on the fast path). A block freed by
// another thread (a cross-shard RENAME, FLUSHALL run on one thread) goes onto its page's
// atomic remote list, and the page is queued for its owner, which takes the blocks back the
// next time it runs short. Emptied pages go back to the OS. Blocks larger than kMaxSmallBlock
// get whole pages of the same range, so any block can be named by a 5-byte reference (its
// offset in the range, in 2-byte units): the table stores those instead of 8-byte pointers.
// Every block is counted in memory::Used().
#include <cstddef>
#include <cstdint>

namespace ember::record_heap {

inline constexpr size_t kMaxSmallBlock = 4096;

void* Allocate(size_t size);
void Free(void* p);
size_t UsableSize(const void* p);
// Takes back the blocks other threads freed into this thread's pages (and returns pages that
// became empty). Workers call it every tick, so memory freed by FLUSHALL on another thread
// leaves RSS even if this thread never allocates again.
void ReclaimRemoteFrees();
// The compact reference of a block from Allocate, and back. References fit in 40 bits.
inline char* g_region_base = nullptr;  // set before the first block is handed out
inline uint64_t ToRef(const void* p) {
  return static_cast<uint64_t>(static_cast<const char*>(p) - g_region_base) >> 1;
}
inline void* FromRef(uint64_t ref) {
  return g_region_base + (ref << 1);
}

// Bytes of address space in pages currently handed out (for tests and MEMORY STATS).
size_t PageBytes();

}  // namespace ember::record_heap
