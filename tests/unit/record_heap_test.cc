// record_heap: 4-byte size classes, page reuse, frees from other threads, pages given back.
#include "keyspace/record_heap.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "common/memory.h"

namespace ember {
namespace {

struct Block {
  char* p;
  size_t size;
  char fill;
};

void Check(const Block& b) {
  for (size_t i = 0; i < b.size; ++i) ASSERT_EQ(b.p[i], b.fill) << "block of " << b.size;
}

TEST(RecordHeap, SizesRoundToTwoBytes) {
  void* a = record_heap::Allocate(36);
  void* b = record_heap::Allocate(37);
  void* big = record_heap::Allocate(record_heap::kMaxSmallBlock + 1);
  EXPECT_EQ(record_heap::UsableSize(a), 36u);
  EXPECT_EQ(record_heap::UsableSize(b), 38u);
  EXPECT_GE(record_heap::UsableSize(big), record_heap::kMaxSmallBlock + 1);
  record_heap::Free(a);
  record_heap::Free(b);
  record_heap::Free(big);
}

TEST(RecordHeap, BigBlocksUseWholeUnitsAndComeBack) {
  size_t pages_before = record_heap::PageBytes();
  int64_t used_before = memory::Used();
  std::vector<Block> blocks;
  for (size_t size : {4097u, 5000u, 15000u, 65536u, 300000u, 5000u}) {
    auto* p = static_cast<char*>(record_heap::Allocate(size));
    size_t usable = record_heap::UsableSize(p);
    EXPECT_GE(usable, size);
    EXPECT_LT(usable, size + 512);  // at most one 512-byte unit of slack
    memset(p, 'b', size);
    blocks.push_back({p, size, 'b'});
  }
  // References name big blocks as well as small ones.
  EXPECT_EQ(record_heap::FromRef(record_heap::ToRef(blocks[3].p)), blocks[3].p);
  for (const Block& b : blocks) {
    Check(b);
    record_heap::Free(b.p);
  }
  EXPECT_EQ(record_heap::PageBytes(), pages_before);
  EXPECT_EQ(memory::Used(), used_before);
}

TEST(RecordHeap, RandomAllocFreeKeepsContentsAndReturnsPages) {
  std::mt19937 rng(11);
  int64_t used_before = memory::Used();
  size_t pages_before = record_heap::PageBytes();
  std::vector<Block> live;
  for (int step = 0; step < 200000; ++step) {
    if (live.empty() || rng() % 3 != 0) {
      size_t size = 8 + rng() % 300;
      auto* p = static_cast<char*>(record_heap::Allocate(size));
      char fill = static_cast<char>(rng());
      memset(p, fill, size);
      live.push_back({p, size, fill});
    } else {
      size_t i = rng() % live.size();
      Check(live[i]);
      record_heap::Free(live[i].p);
      live[i] = live.back();
      live.pop_back();
    }
  }
  for (const Block& b : live) {
    Check(b);
    record_heap::Free(b.p);
  }
  EXPECT_EQ(memory::Used(), used_before);
  EXPECT_EQ(record_heap::PageBytes(), pages_before);
}

TEST(RecordHeap, BlocksFreedByAnotherThreadComeBack) {
  size_t pages_before = record_heap::PageBytes();
  int64_t used_before = memory::Used();
  std::vector<Block> blocks;
  for (int i = 0; i < 50000; ++i) {
    auto* p = static_cast<char*>(record_heap::Allocate(40));
    memset(p, 'x', 40);
    blocks.push_back({p, 40, 'x'});
  }
  EXPECT_GT(record_heap::PageBytes(), pages_before);
  // Another thread frees every block (as FLUSHALL run by another shard's thread would).
  std::thread other([&] {
    for (const Block& b : blocks) record_heap::Free(b.p);
  });
  other.join();
  EXPECT_EQ(memory::Used(), used_before);
  record_heap::ReclaimRemoteFrees();  // what the owning worker's tick does
  EXPECT_EQ(record_heap::PageBytes(), pages_before);
  // The pages are reusable.
  void* again = record_heap::Allocate(40);
  EXPECT_EQ(record_heap::UsableSize(again), 40u);
  record_heap::Free(again);
}

}  // namespace
}  // namespace ember
