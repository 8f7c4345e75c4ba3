// Listpack: the packed array behind small collections, checked against std::deque.
#include "types/listpack.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

namespace ember {
namespace {

std::deque<std::string> Contents(const Listpack& lp) {
  std::deque<std::string> out;
  for (size_t pos = lp.Front(); pos != lp.End(); pos = lp.Next(pos)) out.emplace_back(lp.Get(pos));
  return out;
}

std::deque<std::string> ContentsBackwards(const Listpack& lp) {
  std::deque<std::string> out;
  for (size_t pos = lp.End(); pos != lp.Front();) {
    pos = lp.Prev(pos);
    out.emplace_front(lp.Get(pos));
  }
  return out;
}

TEST(Listpack, PushSeekEraseReplace) {
  Listpack lp;
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.Seek(0), lp.End());
  lp.PushBack("b");
  lp.PushFront("a");
  lp.PushBack(std::string(300, 'x'));  // a two-byte length
  lp.PushBack("");
  ASSERT_EQ(lp.size(), 4u);
  EXPECT_EQ(lp.Get(lp.Seek(0)), "a");
  EXPECT_EQ(lp.Get(lp.Seek(-2)), std::string(300, 'x'));
  EXPECT_EQ(lp.Get(lp.Back()), "");
  EXPECT_EQ(lp.Seek(4), lp.End());
  EXPECT_EQ(lp.Seek(-5), lp.End());
  lp.Replace(lp.Seek(2), "short");
  lp.Replace(lp.Seek(0), std::string(200, 'y'));
  EXPECT_EQ(Contents(lp), (std::deque<std::string>{std::string(200, 'y'), "b", "short", ""}));
  EXPECT_EQ(ContentsBackwards(lp), Contents(lp));
  size_t next = lp.Erase(lp.Seek(1), 2);
  EXPECT_EQ(lp.Get(next), "");
  EXPECT_EQ(lp.size(), 2u);
  lp.Erase(lp.Front(), 10);  // more than there is
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.AllocatedBytes(), 0u);
}

TEST(Listpack, RandomOperationsMatchADeque) {
  std::mt19937 rng(7);
  Listpack lp;
  std::deque<std::string> model;
  for (int step = 0; step < 5000; ++step) {
    std::string value(rng() % 3 == 0 ? rng() % 200 : rng() % 8,
                      static_cast<char>('a' + rng() % 26));
    int64_t n = static_cast<int64_t>(model.size());
    switch (rng() % 4) {
      case 0: {
        int64_t at = n == 0 ? 0 : static_cast<int64_t>(rng() % (n + 1));
        lp.Insert(at == n ? lp.End() : lp.Seek(at), value);
        model.insert(model.begin() + at, value);
        break;
      }
      case 1:
        if (n > 0) {
          int64_t at = static_cast<int64_t>(rng() % n);
          lp.Erase(lp.Seek(at));
          model.erase(model.begin() + at);
        }
        break;
      case 2:
        if (n > 0) {
          int64_t at = static_cast<int64_t>(rng() % n);
          lp.Replace(lp.Seek(-n + at), value);
          model[static_cast<size_t>(at)] = value;
        }
        break;
      default:
        lp.PushBack(value);
        model.push_back(value);
    }
    ASSERT_EQ(lp.size(), model.size());
  }
  EXPECT_EQ(Contents(lp), model);
  EXPECT_EQ(ContentsBackwards(lp), model);
  Listpack copy(lp);
  EXPECT_EQ(Contents(copy), model);
}

// Pushes and pops at both ends (LPUSH/RPUSH/LPOP/RPOP on a list node) go through the front gap.
TEST(Listpack, BothEndsMatchADequeAndTheGapStaysBounded) {
  std::mt19937 rng(11);
  Listpack lp;
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    std::string value(rng() % 40, static_cast<char>('a' + rng() % 26));
    switch (rng() % 5) {
      case 0:
      case 1:
        lp.PushFront(value);
        model.push_front(value);
        break;
      case 2:
        lp.PushBack(value);
        model.push_back(value);
        break;
      case 3:
        if (!model.empty()) {
          lp.Erase(lp.Front());
          model.pop_front();
        }
        break;
      default:
        if (!model.empty()) {
          lp.Erase(lp.Back());
          model.pop_back();
        }
    }
    ASSERT_EQ(lp.size(), model.size());
    if (!model.empty()) {
      ASSERT_EQ(lp.Get(lp.Front()), model.front());
      ASSERT_EQ(lp.Get(lp.Back()), model.back());
    }
    if (step % 500 == 0) {
      ASSERT_EQ(Contents(lp), model);
      ASSERT_EQ(ContentsBackwards(lp), model);
    }
    // Slack: the gap (at most 1 KiB or a quarter of the entries) and tail growth by half.
    ASSERT_LE(lp.AllocatedBytes(), 2 * lp.used_bytes() + 2048);
  }
  EXPECT_EQ(Contents(lp), model);
  Listpack copy(lp);
  EXPECT_EQ(copy.front_gap(), 0u);
  EXPECT_EQ(Contents(copy), model);
}

TEST(Listpack, AQueueReusesItsFrontGapInsteadOfGrowing) {
  Listpack lp;
  for (int i = 0; i < 100; ++i) lp.PushBack("value-" + std::to_string(i));
  size_t allocated = lp.AllocatedBytes();
  for (int i = 100; i < 100000; ++i) {  // RPUSH one, LPOP one
    lp.PushBack("value-" + std::to_string(i));
    ASSERT_EQ(lp.Get(lp.Front()), "value-" + std::to_string(i - 100));
    lp.Erase(lp.Front());
  }
  EXPECT_EQ(lp.size(), 100u);
  EXPECT_LE(lp.AllocatedBytes(), 2 * allocated);
}

}  // namespace
}  // namespace ember
