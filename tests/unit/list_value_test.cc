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
