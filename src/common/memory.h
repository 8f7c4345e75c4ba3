#pragma once
// Counted allocation: every byte ember holds goes through here (directly, or through the
// replaced operator new/delete in counting_new_delete.h), so used_memory is exact: the sum of
// the allocator's usable block sizes. Each thread adds to its own counter slot (no shared
// cache line on the hot path); Used() sums the slots, so frees on another thread still net out.
#include <cstddef>
#include <cstdint>

namespace ember::memory {

void* Allocate(size_t size);
void* Reallocate(void* p, size_t size);
// The same, and adds how much the usable block size changed to *grown (when not null): what
// an owner keeping a running byte count needs, without asking for the sizes again.
void* Reallocate(void* p, size_t size, int64_t* grown);
void Free(void* p);
size_t UsableSize(const void* p);

// Adds a signed byte count to this thread's slot (the operator new/delete replacement uses it).
void Count(int64_t delta);
// Bytes currently allocated by the whole process through this module.
int64_t Used();
// The largest Used() seen by UpdatePeak().
int64_t Peak();
int64_t UpdatePeak();
// Called from each worker's timer: when the process holds much less than at this thread's
// last call, lets the allocator hand this thread's emptied pages back to the OS (an idle
// thread would otherwise keep them after a FLUSHALL or a wave of expiries).
void ReturnFreedPages();
// Resident set size from /proc/self/statm.
int64_t ResidentBytes();

}  // namespace ember::memory
