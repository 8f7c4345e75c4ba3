// Every collection value's running byte count (AllocatedBytes, O(1)) against a full recount
// (RecountAllocatedBytes, the O(n) walk) after every step of long random operation
// sequences: node splits and merges, in-place growth, conversions between encodings, mass
// removals that rebuild tables, clones. For lists the count is also checked against the
// allocator's own total (memory::Used), since every list byte goes through memory::Allocate.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/memory.h"
#include "types/hash_value.h"
#include "types/list_value.h"
#include "types/listpack.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ember {
namespace {

// A value length that is mostly short, sometimes a few hundred bytes, and now and then
// bigger than any node may hold (a node of its own).
size_t RandomLength(std::mt19937& rng) {
  switch (rng() % 16) {
    case 0:
      return 300 + rng() % 300;
    case 1:
      return rng() % 40 == 0 ? 9000 + rng() % 3000 : 100 + rng() % 100;
    default:
      return rng() % 24;
  }
}

std::string RandomValue(std::mt19937& rng, size_t alphabet) {
  std::string v = std::to_string(rng() % alphabet);
  v.resize(std::max(v.size(), RandomLength(rng)), 'v');
  return v;
}

// Every Listpack mutator reports its block's growth: the sum of the reports is the block.
TEST(ListpackGrowth, ReportsAddUpToTheBlock) {
  std::mt19937 rng(5);
  Listpack lp;
  int64_t total = 0;
  for (int step = 0; step < 20000; ++step) {
    size_t n = lp.size();
    bool grow = (step / 2000) % 2 == 0;
    int64_t* grown = &total;
    switch (rng() % 6) {
      case 0:
        lp.PushFront(RandomValue(rng, 100), grown);  // opens and fills the front gap
        break;
      case 1:
        lp.PushBack(RandomValue(rng, 100), grown);
        break;
      case 2:
        if (n) lp.Replace(lp.Seek(rng() % n), RandomValue(rng, 100), grown);
        break;
      case 3:
        if (n) lp.Insert(lp.Seek(rng() % n), RandomValue(rng, 100), grown);
        break;
      default:
        if (n && !grow) lp.Erase(rng() % 2 ? lp.Front() : lp.Seek(rng() % n), 1 + rng() % 3, grown);
        break;
    }
    if (rng() % 3000 == 0) lp.Clear(grown);
    ASSERT_EQ(total, static_cast<int64_t>(lp.AllocatedBytes())) << "step " << step;
  }
}

// Fills that bound nodes by count and by bytes (list-max-listpack-size).
class ListBytes : public ::testing::TestWithParam<int64_t> {};

TEST_P(ListBytes, RunningCountMatchesARecountAfterEveryStep) {
  const int64_t fill = GetParam();
  std::mt19937 rng(static_cast<uint32_t>(fill + 1000));
  const int64_t base = memory::Used();
  size_t max_nodes = 0, max_size = 0;
  {
    ListValue list(fill);
    for (int step = 0; step < 12000; ++step) {
      // Waves of growth and shrinking, so nodes are created, split, merged and dropped.
      bool grow = (step / 1500) % 2 == 0;
      size_t n = list.size();
      size_t i = n == 0 ? 0 : rng() % n;
      unsigned op = rng() % 12;
      if (step % 2000 == 1999) list.set_fill(rng() % 2 ? -1 - rng() % 5 : 1 + rng() % 200);
      switch (op) {
        case 0:
        case 1:
          if (grow || n == 0) {
            list.PushFront(RandomValue(rng, 50));
          } else {
            list.PopFront();
          }
          break;
        case 2:
        case 3:
          if (grow || n == 0) {
            list.PushBack(RandomValue(rng, 50));
          } else {
            list.PopBack();
          }
          break;
        case 4:  // LSET, to a longer or shorter value
          if (n) list.Set(i, RandomValue(rng, 50));
          break;
        case 5:  // LINSERT
          list.InsertAt(n == 0 ? 0 : rng() % (n + 1), RandomValue(rng, 50));
          break;
        case 6:
          if (n && !grow) list.EraseAt(i);
          break;
        case 7:  // LREM from either end
          list.Remove(RandomValue(rng, 50), rng() % 2 ? SIZE_MAX : 1 + rng() % 3, rng() % 2);
          break;
        case 8:  // LTRIM, sometimes emptying the list
          if (n && rng() % 8 == 0) {
            size_t first = rng() % (n / 4 + 1), last = n - 1 - rng() % (n / 4 + 1);
            if (rng() % 10 == 0) first = last + 1;
            list.Trim(first, last);
          }
          break;
        default:
          list.PushBack(RandomValue(rng, 50));
          break;
      }
      ASSERT_EQ(list.AllocatedBytes(), list.RecountAllocatedBytes())
          << "step " << step << " op " << op << " size " << list.size();
      max_nodes = std::max(max_nodes, list.node_count());
      max_size = std::max(max_size, list.size());
      // The ListValue itself is on the stack: the allocator holds exactly the rest.
      ASSERT_EQ(static_cast<size_t>(memory::Used() - base),
                list.AllocatedBytes() - sizeof(ListValue))
          << "step " << step;
      if (step % 1000 == 0) {
        std::unique_ptr<Object> copy(list.Clone());
        ASSERT_EQ(copy->AllocatedBytes(), copy->RecountAllocatedBytes());
      }
    }
  }
  EXPECT_EQ(memory::Used(), base);  // everything it counted was given back
  // The run did build lists of many nodes (splits, merges and drops happened).
  EXPECT_GE(max_nodes, 10u);
  EXPECT_GE(max_size, 300u);
}

INSTANTIATE_TEST_SUITE_P(Fills, ListBytes, ::testing::Values(-2, -1, -5, 4, 128, 1, 0));

TEST(ListBytes, EmptyListIsItsObjectOnly) {
  ListValue list(-2);
  EXPECT_EQ(list.AllocatedBytes(), sizeof(ListValue));
  list.PushBack("a");
  list.PopBack();
  EXPECT_EQ(list.AllocatedBytes(), list.RecountAllocatedBytes());
}

TEST(HashBytes, RunningCountMatchesARecountAfterEveryStep) {
  std::mt19937 rng(11);
  HashValue hash;
  for (int step = 0; step < 30000; ++step) {
    // Grow to a few thousand fields, then shrink, twice.
    bool grow = (step / 7500) % 2 == 0;
    std::string field = "f" + std::to_string(rng() % 4000);
    switch (rng() % 4) {
      case 0: {  // HINCRBY / HINCRBYFLOAT: an int record, then text that grows
        auto old = hash.Get(field);
        std::string value = old && old->size() < 200 ? *old + "5" : std::to_string(rng() % 100);
        hash.Set(field, value);
        break;
      }
      case 1:
        if (!grow) {
          hash.Erase(field);
          break;
        }
        [[fallthrough]];
      default:
        if (grow) {
          hash.Set(field, RandomValue(rng, 1000));
        } else {
          hash.Erase(field);
        }
        break;
    }
    ASSERT_EQ(hash.AllocatedBytes(), hash.RecountAllocatedBytes())
        << "step " << step << " size " << hash.size();
    if (step % 5000 == 0) {
      std::unique_ptr<Object> copy(hash.Clone());
      ASSERT_EQ(copy->AllocatedBytes(), copy->RecountAllocatedBytes());
    }
  }
}

std::string SetMember(std::mt19937& rng, size_t range) {
  size_t n = rng() % range;
  switch (rng() % 8) {
    case 0:
      return "m" + std::to_string(n);
    case 1:
      return "member-" + std::to_string(n) + std::string(rng() % 80, 'x');
    default:
      return std::to_string(n);  // intset material
  }
}

// A seed per run: each run builds many sets through every encoding and the table's rebuild.
class SetBytes : public ::testing::TestWithParam<uint32_t> {};

TEST_P(SetBytes, RunningCountMatchesARecountAcrossEncodings) {
  std::mt19937 rng(GetParam());
  SetLimits limits{static_cast<int64_t>(8 + rng() % 600), static_cast<int64_t>(4 + rng() % 200),
                   static_cast<int64_t>(10 + rng() % 60)};
  for (int life = 0; life < 6; ++life) {
    // Some sets start as they grow (intset), some as SADD's argument count makes them.
    std::unique_ptr<SetValue> set;
    if (life % 2 == 0) {
      set = std::make_unique<SetValue>();
    } else {
      set = std::make_unique<SetValue>(SetMember(rng, 100), rng() % 300, limits);
    }
    // Mostly-integer lives stay longer in the intset; large ones reach the table's rebuild.
    size_t range = life % 3 == 2 ? 6000 : 700;
    for (int step = 0; step < 4000 + static_cast<int>(range); ++step) {
      bool grow = step < static_cast<int>(range) * 2 / 3 + 1000;
      std::string member =
          life % 3 == 0 && rng() % 4 ? std::to_string(rng() % range) : SetMember(rng, range);
      if (grow) {
        set->Add(member, limits);
      } else if (set->empty()) {
        break;
      } else if (rng() % 3 == 0) {
        set->PopRandom(rng());
      } else {
        set->Remove(rng() % 2 ? member : set->RandomMember(rng()));  // SREM, a miss or a hit
      }
      ASSERT_EQ(set->AllocatedBytes(), set->RecountAllocatedBytes())
          << "life " << life << " step " << step << " " << set->EncodingName();
    }
    std::unique_ptr<Object> copy(set->Clone());
    ASSERT_EQ(copy->AllocatedBytes(), copy->RecountAllocatedBytes());
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, SetBytes, ::testing::Values(1u, 2u, 3u));

class ZSetBytes : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ZSetBytes, RunningCountMatchesARecountAcrossEncodings) {
  std::mt19937 rng(GetParam());
  ZSetLimits limits{static_cast<int64_t>(4 + rng() % 200), static_cast<int64_t>(10 + rng() % 60)};
  for (int life = 0; life < 4; ++life) {
    size_t range = life == 3 ? 6000 : 600;
    ZSetValue z(life == 1 ? range : 0, 0, limits);
    for (int step = 0; step < 3000 + static_cast<int>(range); ++step) {
      bool grow = step < static_cast<int>(range) + 500;
      std::string member = "m" + std::to_string(rng() % range);
      if (rng() % 10 == 0) member += std::string(rng() % 100, 'x');
      double score = static_cast<double>(rng() % 100) / 2;
      switch (rng() % 4) {
        case 0:
        case 1:
          if (grow) {
            z.Set(member, score, limits);  // adds, or moves within the order (ZINCRBY)
          } else {
            z.Remove(member);
          }
          break;
        case 2:
          if (!grow && !z.empty()) {
            z.EraseRange(rng() % z.size(), 1 + rng() % 8);  // ZREMRANGEBYRANK
          } else {
            z.Set(member, score, limits);
          }
          break;
        default:
          if (!z.empty()) z.Set(member, score + 0.5, limits);
          break;
      }
      ASSERT_EQ(z.AllocatedBytes(), z.RecountAllocatedBytes())
          << "life " << life << " step " << step << " " << z.EncodingName();
    }
    std::unique_ptr<Object> copy(z.Clone());
    ASSERT_EQ(copy->AllocatedBytes(), copy->RecountAllocatedBytes());
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ZSetBytes, ::testing::Values(1u, 2u));

}  // namespace
}  // namespace ember
