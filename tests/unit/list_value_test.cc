// ListValue against a std::deque model, with node bounds small enough to split and drop
// nodes all the time; and the list commands' model test through the command table.
#include "types/list_value.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "command_runner.h"

namespace ember {
namespace {

std::deque<std::string> Contents(const ListValue& list) {
  std::deque<std::string> out;
  list.Scan(false, [&](size_t, std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

class ListModel : public ::testing::TestWithParam<int64_t> {};

TEST_P(ListModel, RandomOperationsMatchADeque) {
  std::mt19937 rng(static_cast<uint32_t>(GetParam() + 100));
  ListValue list(GetParam());
  std::deque<std::string> model;
  for (int step = 0; step < 20000; ++step) {
    std::string v = std::to_string(rng() % 1000) + std::string(rng() % 3 == 0 ? 200 : 0, 'x');
    size_t n = model.size();
    switch (rng() % 9) {
      case 0:
        list.PushFront(v);
        model.push_front(v);
        break;
      case 1:
        list.PushBack(v);
        model.push_back(v);
        break;
      case 2:
        if (n) {
          ASSERT_EQ(list.PopFront(), model.front());
          model.pop_front();
        }
        break;
      case 3:
        if (n) {
          ASSERT_EQ(list.PopBack(), model.back());
          model.pop_back();
        }
        break;
      case 4:
        if (n) {
          size_t i = rng() % n;
          ASSERT_EQ(list.At(i), model[i]);
        }
        break;
      case 5:
        if (n) {
          size_t i = rng() % n;
          list.Set(i, v);
          model[i] = v;
        }
        break;
      case 6: {
        size_t i = rng() % (n + 1);
        list.InsertAt(i, v);
        model.insert(model.begin() + static_cast<long>(i), v);
        break;
      }
      case 7:
        if (n) {
          size_t i = rng() % n;
          list.EraseAt(i);
          model.erase(model.begin() + static_cast<long>(i));
        }
        break;
      default:
        if (n > 50 && rng() % 10 == 0) {
          size_t first = rng() % n, last = first + rng() % (n - first);
          list.Trim(first, last);
          model = std::deque<std::string>(model.begin() + static_cast<long>(first),
                                          model.begin() + static_cast<long>(last) + 1);
        }
    }
    ASSERT_EQ(list.size(), model.size());
  }
  EXPECT_EQ(Contents(list), model);
  std::unique_ptr<Object> copy(list.Clone());
  EXPECT_EQ(Contents(*static_cast<ListValue*>(copy.get())), model);
  if (!model.empty()) {
    std::vector<std::string> range;
    list.ForRange(1, model.size() - 1, [&](std::string_view v) { range.emplace_back(v); });
    EXPECT_EQ(range, std::vector<std::string>(model.begin() + 1, model.end()));
  }
}

INSTANTIATE_TEST_SUITE_P(Fills, ListModel, ::testing::Values(3, 8, -1, -2));

TEST(ListValue, EncodingTurnsToQuicklistForGood) {
  ListValue list(4);
  list.PushBack("a");
  EXPECT_STREQ(list.EncodingName(), "listpack");
  for (int i = 0; i < 10; ++i) list.PushBack("b");
  EXPECT_STREQ(list.EncodingName(), "quicklist");
  while (list.size() > 1) list.PopBack();
  EXPECT_STREQ(list.EncodingName(), "quicklist");
}

// Every node respects the bound, none is empty, and the per-node counts add up.
void ExpectWellFormed(const ListValue& list, size_t max_entries) {
  size_t total = 0;
  for (size_t n = 0; n < list.node_count(); ++n) {
    EXPECT_GT(list.node_size(n), 0u) << "node " << n;
    EXPECT_LE(list.node_size(n), max_entries) << "node " << n;
    total += list.node_size(n);
  }
  EXPECT_EQ(total, list.size());
}

TEST(ListValue, NodesSplitAndMergeAcrossBoundaries) {
  ListValue list(3);
  for (int i = 0; i < 9; ++i) list.PushBack(std::to_string(i));
  EXPECT_EQ(list.node_count(), 3u);
  ExpectWellFormed(list, 3);
  list.InsertAt(3, "x");  // at a node boundary: goes into a node with room or splits one
  list.InsertAt(5, "y");  // inside a full node: splits it
  ExpectWellFormed(list, 3);
  std::deque<std::string> expected = {"0", "1", "2", "x", "3", "y", "4", "5", "6", "7", "8"};
  EXPECT_EQ(Contents(list), expected);
  // Erasing from the middle merges thin neighbours back together.
  for (int i = 0; i < 5; ++i) list.EraseAt(2);
  expected.erase(expected.begin() + 2, expected.begin() + 7);
  EXPECT_EQ(Contents(list), expected);
  ExpectWellFormed(list, 3);
  EXPECT_LE(list.node_count(), 3u);
  // Remove drops every match in one pass and leaves the nodes dense.
  ListValue many(3);
  for (int i = 0; i < 60; ++i) many.PushBack(i % 3 == 0 ? "hit" : std::to_string(i));
  EXPECT_EQ(many.Remove("hit", SIZE_MAX, false), 20u);
  EXPECT_EQ(many.size(), 40u);
  ExpectWellFormed(many, 3);
  EXPECT_LE(many.node_count(), 20u);
  EXPECT_EQ(many.Remove("1", 5, true), 1u);
  EXPECT_EQ(many.At(0), "2");
}

TEST(ListValue, ByteBoundedNodesAndBigValues) {
  ListValue list(-1);  // 4 KiB nodes
  std::string big(10000, 'b');
  list.PushBack("a");
  list.PushBack(big);  // bigger than a node: gets a node of its own
  list.PushBack("c");
  EXPECT_EQ(list.node_count(), 3u);
  EXPECT_EQ(list.At(1), big);
  list.Set(0, std::string(3000, 'x'));
  list.InsertAt(1, std::string(3000, 'y'));  // 6 KB in one node: split
  EXPECT_EQ(list.size(), 4u);
  EXPECT_EQ(list.At(1), std::string(3000, 'y'));
  for (size_t n = 0; n < list.node_count(); ++n) {
    EXPECT_TRUE(list.node_size(n) == 1 || n == list.node_count() - 1);
  }
}

TEST(ListValue, SmallListsStayCompact) {
  ListValue list(-2);
  list.PushBack("hello");
  // The value, one node slot and one small listpack: no per-element or 512-byte blocks.
  EXPECT_LT(list.AllocatedBytes(), sizeof(ListValue) + 64);
  for (int i = 0; i < 1000; ++i) list.PushFront("e" + std::to_string(i));
  EXPECT_LT(list.AllocatedBytes(), 1000u * 8 + 1024);
  while (!list.empty()) list.PopBack();
  EXPECT_EQ(list.node_count(), 0u);
}

TEST(ListValue, RingWrapsAroundAtBothEnds) {
  ListValue list(1);  // one element per node: every push and pop adds or drops a node
  std::deque<std::string> model;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 7; ++i) {
      list.PushFront("f" + std::to_string(round * 10 + i));
      model.push_front("f" + std::to_string(round * 10 + i));
    }
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(list.PopBack(), model.back());
      model.pop_back();
    }
    list.InsertAt(model.size() / 2, "mid");
    model.insert(model.begin() + static_cast<long>(model.size() / 2), "mid");
    list.EraseAt(1);
    model.erase(model.begin() + 1);
  }
  EXPECT_EQ(list.node_count(), model.size());
  EXPECT_EQ(Contents(list), model);
}

TEST(ListCommands, RandomCommandsMatchAModelAcrossShards) {
  for (uint32_t shards : {1u, 4u}) {
    testing::CommandRunner r(shards);
    r.engine().config().list_max_listpack_size = 3;
    std::mt19937 rng(shards);
    std::deque<std::string> model;
    for (int step = 0; step < 3000; ++step) {
      std::string v = "v" + std::to_string(rng() % 50);
      switch (rng() % 5) {
        case 0:
          r.Run({"lpush", "k", v});
          model.push_front(v);
          break;
        case 1:
          r.Run({"rpush", "k", v});
          model.push_back(v);
          break;
        case 2: {
          std::string reply = r.Run({"lpop", "k"});
          if (model.empty()) {
            ASSERT_EQ(reply, "$-1\r\n");
          } else {
            ASSERT_EQ(reply,
                      "$" + std::to_string(model.front().size()) + "\r\n" + model.front() + "\r\n");
            model.pop_front();
          }
          break;
        }
        case 3: {
          size_t before = model.size();
          std::erase(model, v);
          ASSERT_EQ(r.Run({"lrem", "k", "0", v}),
                    ":" + std::to_string(before - model.size()) + "\r\n");
          break;
        }
        default:
          ASSERT_EQ(r.Run({"llen", "k"}), ":" + std::to_string(model.size()) + "\r\n");
      }
    }
    ASSERT_EQ(r.Run({"exists", "k"}), model.empty() ? ":0\r\n" : ":1\r\n");
  }
}

}  // namespace
}  // namespace ember
