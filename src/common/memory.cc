#include "common/memory.h"

#include <malloc.h>
#include <mimalloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace ember::memory {
namespace {

// Sanitized builds allocate with libc, whose allocator the sanitizer replaces: ASan then
// checks these buffers too and TSan sees the hand-over of memory between threads (mimalloc,
// uninstrumented, reuses freed blocks behind its back and would make it report false races).
#if defined(EMBER_SANITIZED)
void* RawMalloc(size_t size) {
  return std::malloc(size);
}
void* RawRealloc(void* p, size_t size) {
  return std::realloc(p, size);
}
void RawFree(void* p) {
  std::free(p);
}
size_t RawUsableSize(const void* p) {
  return malloc_usable_size(const_cast<void*>(p));
}
void RawCollect() {}
#else
void* RawMalloc(size_t size) {
  return mi_malloc(size);
}
void* RawRealloc(void* p, size_t size) {
  return mi_realloc(p, size);
}
void RawFree(void* p) {
  mi_free(p);
}
size_t RawUsableSize(const void* p) {
  return mi_usable_size(p);
}
void RawCollect() {
  mi_collect(true);
}
#endif

constexpr int kSlots = 64;

struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};

Slot g_slots[kSlots];
std::atomic<int> g_next_slot{0};
std::atomic<int64_t> g_peak{0};

Slot& MySlot() {
  // Threads beyond kSlots share slots; fetch_add keeps shared slots exact.
  thread_local Slot* slot = &g_slots[g_next_slot.fetch_add(1) % kSlots];
  return *slot;
}

}  // namespace

void Count(int64_t delta) {
  MySlot().bytes.fetch_add(delta, std::memory_order_relaxed);
}

void* Allocate(size_t size) {
  void* p = RawMalloc(size);
  if (p != nullptr) Count(static_cast<int64_t>(RawUsableSize(p)));
  return p;
}

void* Reallocate(void* p, size_t size) {
  return Reallocate(p, size, nullptr);
}

void* Reallocate(void* p, size_t size, int64_t* grown) {
  int64_t before = p == nullptr ? 0 : static_cast<int64_t>(RawUsableSize(p));
  void* q = RawRealloc(p, size);
  if (q == nullptr) return q;
  int64_t delta = static_cast<int64_t>(RawUsableSize(q)) - before;
  Count(delta);
  if (grown != nullptr) *grown += delta;
  return q;
}

void Free(void* p) {
  if (p == nullptr) return;
  Count(-static_cast<int64_t>(RawUsableSize(p)));
  RawFree(p);
}

size_t UsableSize(const void* p) {
  return p == nullptr ? 0 : RawUsableSize(p);
}

int64_t Used() {
  int64_t sum = 0;
  for (const Slot& s : g_slots) sum += s.bytes.load(std::memory_order_relaxed);
  return sum;
}

int64_t Peak() {
  return g_peak.load(std::memory_order_relaxed);
}

int64_t UpdatePeak() {
  int64_t used = Used(), peak = g_peak.load(std::memory_order_relaxed);
  while (used > peak && !g_peak.compare_exchange_weak(peak, used)) {
  }
  return used;
}

void ReturnFreedPages() {
  constexpr int64_t kShrinkToCollect = 1 << 20;
  // mimalloc decommits emptied pages only after a short delay, so collect on a few more
  // ticks after a drop.
  constexpr int kFollowUpTicks = 3;
  thread_local int64_t last_used = 0;
  thread_local int follow_ups = 0;
  int64_t used = Used();
  if (used + kShrinkToCollect < last_used) follow_ups = kFollowUpTicks + 1;
  last_used = used;
  if (follow_ups > 0) {
    --follow_ups;
    RawCollect();
  }
}

int64_t ResidentBytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long pages_total = 0, pages_resident = 0;
  int n = fscanf(f, "%ld %ld", &pages_total, &pages_resident);
  fclose(f);
  return n == 2 ? pages_resident * sysconf(_SC_PAGESIZE) : 0;
}

}  // namespace ember::memory
