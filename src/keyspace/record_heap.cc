#include "keyspace/record_heap.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "common/memory.h"

namespace ember::record_heap {
namespace {

constexpr size_t kPageSize = 64 * 1024;
constexpr size_t kReserve = size_t{256} << 30;  // address space only; untouched pages cost nothing
constexpr size_t kGranularity = 2;
constexpr size_t kClasses = kMaxSmallBlock / kGranularity + 1;

struct Heap;

// A free block holds the link to the next one. Blocks are only 4-byte aligned, so the link
// is read and written with memcpy.
struct FreeBlock;
FreeBlock* NextOf(const FreeBlock* block) {
  FreeBlock* next;
  memcpy(&next, block, sizeof(next));
  return next;
}
void SetNext(FreeBlock* block, FreeBlock* next) {
  memcpy(static_cast<void*>(block), &next, sizeof(FreeBlock*));
}

// Lives at the start of its page; the blocks follow it.
struct Page {
  uint32_t block_size;
  uint32_t capacity;  // blocks in the page
  uint32_t bump;      // blocks never handed out start here
  uint32_t used;
  Heap* owner;
  FreeBlock* local_free;
  std::atomic<FreeBlock*> remote_free;
  std::atomic<bool> queued_for_owner;  // on the owner's remote-work stack
  std::atomic<int> remote_in_flight;   // other threads inside FreeRemote on this page
  Page* remote_next;                   // that stack's link
  Page* prev;                          // the owner's list of pages with room
  Page* next;
  bool has_room_listed;
};

constexpr size_t kHeaderSize = (sizeof(Page) + 63) / 64 * 64;

// One reserved range: small-block pages in the first half, big blocks in the second.
constexpr size_t kSmallRange = kReserve / 2;
constexpr size_t kBigUnit = 512;   // a big block wastes less than this
constexpr size_t kBigHeader = 16;  // before each big block: its length in units

struct Region {
  char* base = nullptr;
  std::mutex mutex;
  size_t small_bump = 0;  // pages handed out so far, reused or not
  std::vector<size_t> free_pages;
  size_t big_bump = 0;                                       // units
  std::unordered_map<size_t, std::vector<size_t>> free_big;  // unit offsets by length
  std::atomic<size_t> bytes_out{0};
};

Region& TheRegion() {
  static Region* region = [] {
    auto* r = new Region();
    void* p = mmap(nullptr, kReserve + kPageSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) abort();
    // Align the first page to kPageSize so a block finds its page by masking.
    auto addr = reinterpret_cast<uintptr_t>(p);
    r->base = reinterpret_cast<char*>((addr + kPageSize - 1) & ~(kPageSize - 1));
    g_region_base = r->base;
    return r;
  }();
  return *region;
}

bool InSmallRange(const void* p) {
  auto* c = static_cast<const char*>(p);
  char* base = TheRegion().base;
  return c >= base && c < base + kSmallRange;
}

bool InBigRange(const void* p) {
  auto* c = static_cast<const char*>(p);
  char* base = TheRegion().base;
  return c >= base + kSmallRange && c < base + kReserve;
}

Page* PageOf(const void* p) {
  return reinterpret_cast<Page*>(reinterpret_cast<uintptr_t>(p) & ~(kPageSize - 1));
}

Page* TakePage() {
  Region& r = TheRegion();
  size_t index;
  {
    std::lock_guard lock(r.mutex);
    if (!r.free_pages.empty()) {
      index = r.free_pages.back();
      r.free_pages.pop_back();
    } else {
      if ((r.small_bump + 1) * kPageSize > kSmallRange) abort();  // 128 GiB of small blocks
      index = r.small_bump++;
    }
  }
  r.bytes_out.fetch_add(kPageSize, std::memory_order_relaxed);
  return reinterpret_cast<Page*>(r.base + index * kPageSize);
}

void ReturnPage(Page* page) {
  Region& r = TheRegion();
  // The kernel takes the memory back; the address stays ours for reuse.
  madvise(page, kPageSize, MADV_DONTNEED);
  size_t index = static_cast<size_t>(reinterpret_cast<char*>(page) - r.base) / kPageSize;
  r.bytes_out.fetch_sub(kPageSize, std::memory_order_relaxed);
  std::lock_guard lock(r.mutex);
  r.free_pages.push_back(index);
}

// A big block takes whole 512-byte units; a freed run is reused for a block of the same length.
void* AllocateBig(size_t size) {
  Region& r = TheRegion();
  size_t units = (kBigHeader + size + kBigUnit - 1) / kBigUnit;
  size_t offset;
  {
    std::lock_guard lock(r.mutex);
    auto it = r.free_big.find(units);
    if (it != r.free_big.end() && !it->second.empty()) {
      offset = it->second.back();
      it->second.pop_back();
    } else {
      if ((r.big_bump + units) * kBigUnit > kReserve - kSmallRange) abort();
      offset = r.big_bump;
      r.big_bump += units;
    }
  }
  r.bytes_out.fetch_add(units * kBigUnit, std::memory_order_relaxed);
  char* start = r.base + kSmallRange + offset * kBigUnit;
  memcpy(start, &units, sizeof(units));
  memory::Count(static_cast<int64_t>(units * kBigUnit - kBigHeader));
  return start + kBigHeader;
}

size_t BigUnits(const void* p) {
  size_t units;
  memcpy(&units, static_cast<const char*>(p) - kBigHeader, sizeof(units));
  return units;
}

void FreeBig(void* p) {
  Region& r = TheRegion();
  char* start = static_cast<char*>(p) - kBigHeader;
  size_t units = BigUnits(p);
  memory::Count(-static_cast<int64_t>(units * kBigUnit - kBigHeader));
  // Give back the whole OS pages inside the block; its edges may share pages with neighbours.
  constexpr uintptr_t kOsPage = 4096;
  uintptr_t first = (reinterpret_cast<uintptr_t>(start) + kOsPage - 1) & ~(kOsPage - 1);
  uintptr_t last = (reinterpret_cast<uintptr_t>(start) + units * kBigUnit) & ~(kOsPage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  r.bytes_out.fetch_sub(units * kBigUnit, std::memory_order_relaxed);
  std::lock_guard lock(r.mutex);
  r.free_big[units].push_back(static_cast<size_t>(start - (r.base + kSmallRange)) / kBigUnit);
}

struct Heap {
  Page* with_room[kClasses] = {};  // per class: pages with free or never-used blocks
  std::atomic<Page*> remote_work{nullptr};

  void List(Page* page) {
    if (page->has_room_listed) return;
    size_t cls = page->block_size / kGranularity;
    page->prev = nullptr;
    page->next = with_room[cls];
    if (page->next != nullptr) page->next->prev = page;
    with_room[cls] = page;
    page->has_room_listed = true;
  }

  void Unlist(Page* page) {
    if (!page->has_room_listed) return;
    size_t cls = page->block_size / kGranularity;
    if (page->prev != nullptr)
      page->prev->next = page->next;
    else
      with_room[cls] = page->next;
    if (page->next != nullptr) page->next->prev = page->prev;
    page->has_room_listed = false;
  }

  // Blocks freed by other threads come back to their pages.
  void TakeRemoteWork() {
    Page* page = remote_work.exchange(nullptr, std::memory_order_acquire);
    while (page != nullptr) {
      Page* next = page->remote_next;
      // Cleared first: a free arriving after this queues the page again.
      page->queued_for_owner.store(false, std::memory_order_seq_cst);
      Reclaim(page);
      page = next;
    }
  }

  // An empty page goes back to the OS only when no other thread can still touch it: every
  // remote free holds a block of the page (so `used` > 0) until it has left FreeRemote.
  void ReleaseIfEmpty(Page* page) {
    if (page->used != 0 || page->remote_in_flight.load(std::memory_order_seq_cst) != 0 ||
        page->queued_for_owner.load(std::memory_order_seq_cst)) {
      List(page);
      return;
    }
    Unlist(page);
    ReturnPage(page);
  }

  void Reclaim(Page* page) {
    FreeBlock* block = page->remote_free.exchange(nullptr, std::memory_order_acquire);
    while (block != nullptr) {
      FreeBlock* next = NextOf(block);
      SetNext(block, page->local_free);
      page->local_free = block;
      --page->used;
      block = next;
    }
    ReleaseIfEmpty(page);
  }

  void* Allocate(size_t block_size) {
    size_t cls = block_size / kGranularity;
    for (int round = 0; round < 2; ++round) {
      for (Page* page = with_room[cls]; page != nullptr;) {
        if (page->local_free != nullptr) {
          FreeBlock* block = page->local_free;
          page->local_free = NextOf(block);
          ++page->used;
          return block;
        }
        if (page->bump < page->capacity) {
          char* block = reinterpret_cast<char*>(page) + kHeaderSize + page->bump * block_size;
          ++page->bump;
          ++page->used;
          return block;
        }
        Page* full = page;
        page = page->next;
        Unlist(full);
      }
      if (round == 0 && remote_work.load(std::memory_order_relaxed) != nullptr) {
        TakeRemoteWork();
      } else {
        break;
      }
    }
    Page* page = TakePage();
    page->block_size = static_cast<uint32_t>(block_size);
    page->capacity = static_cast<uint32_t>((kPageSize - kHeaderSize) / block_size);
    page->bump = 1;
    page->used = 1;
    page->owner = this;
    page->local_free = nullptr;
    new (&page->remote_free) std::atomic<FreeBlock*>(nullptr);
    new (&page->queued_for_owner) std::atomic<bool>(false);
    new (&page->remote_in_flight) std::atomic<int>(0);
    page->remote_next = nullptr;
    page->has_room_listed = false;
    List(page);
    return reinterpret_cast<char*>(page) + kHeaderSize;
  }

  void FreeLocal(Page* page, void* p) {
    auto* block = static_cast<FreeBlock*>(p);
    SetNext(block, page->local_free);
    page->local_free = block;
    --page->used;
    ReleaseIfEmpty(page);
  }
};

// Heaps are never destroyed (another thread may still free into a heap's pages after its
// thread exits); the list keeps them reachable.
std::vector<Heap*>& AllHeaps() {
  static auto* heaps = new std::vector<Heap*>();
  return *heaps;
}

Heap* NewHeap() {
  static std::mutex mutex;
  auto* heap = new Heap();
  std::lock_guard lock(mutex);
  AllHeaps().push_back(heap);
  return heap;
}

Heap& MyHeap() {
  thread_local Heap* heap = NewHeap();
  return *heap;
}

void FreeRemote(Page* page, void* p) {
  page->remote_in_flight.fetch_add(1, std::memory_order_seq_cst);
  auto* block = static_cast<FreeBlock*>(p);
  FreeBlock* head = page->remote_free.load(std::memory_order_relaxed);
  do {
    SetNext(block, head);
  } while (!page->remote_free.compare_exchange_weak(head, block, std::memory_order_release,
                                                    std::memory_order_relaxed));
  if (!page->queued_for_owner.exchange(true, std::memory_order_seq_cst)) {
    Heap* owner = page->owner;
    Page* top = owner->remote_work.load(std::memory_order_relaxed);
    do {
      page->remote_next = top;
    } while (!owner->remote_work.compare_exchange_weak(top, page, std::memory_order_release,
                                                       std::memory_order_relaxed));
  }
  page->remote_in_flight.fetch_sub(1, std::memory_order_seq_cst);
}

size_t BlockSize(size_t size) {
  size_t rounded = (size + kGranularity - 1) / kGranularity * kGranularity;
  return rounded < sizeof(FreeBlock*) ? sizeof(FreeBlock*) : rounded;
}

}  // namespace

void* Allocate(size_t size) {
  if (size > kMaxSmallBlock) return AllocateBig(size);
  size_t block_size = BlockSize(size);
  void* p = MyHeap().Allocate(block_size);
  memory::Count(static_cast<int64_t>(block_size));
  return p;
}

void Free(void* p) {
  if (p == nullptr) return;
  if (InBigRange(p)) return FreeBig(p);
  if (!InSmallRange(p)) return memory::Free(p);
  Page* page = PageOf(p);
  memory::Count(-static_cast<int64_t>(page->block_size));
  Heap& heap = MyHeap();
  if (page->owner == &heap) {
    heap.FreeLocal(page, p);
  } else {
    FreeRemote(page, p);
  }
}

size_t UsableSize(const void* p) {
  if (p == nullptr) return 0;
  if (InBigRange(p)) return BigUnits(p) * kBigUnit - kBigHeader;
  if (!InSmallRange(p)) return memory::UsableSize(p);
  return PageOf(p)->block_size;
}

void ReclaimRemoteFrees() {
  Heap& heap = MyHeap();
  if (heap.remote_work.load(std::memory_order_relaxed) != nullptr) heap.TakeRemoteWork();
}

size_t PageBytes() {
  return TheRegion().bytes_out.load(std::memory_order_relaxed);
}

}  // namespace ember::record_heap
