// SetValue and Intset: each encoding, every conversion at its threshold, Clone, random picks
// and scans, checked against std::set.
#include "types/set_value.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace ember {
namespace {

std::set<std::string> Members(const SetValue& s) {
  std::set<std::string> out;
  s.ForEach([&](std::string_view m) {
    EXPECT_TRUE(out.emplace(m).second) << "member visited twice: " << m;
    return true;
  });
  return out;
}

TEST(Intset, WidensAndStaysSorted) {
  Intset s;
  EXPECT_EQ(s.width(), 2u);
  EXPECT_TRUE(s.Insert(5));
  EXPECT_TRUE(s.Insert(-3));
  EXPECT_FALSE(s.Insert(5));
  EXPECT_EQ(s.width(), 2u);
  EXPECT_TRUE(s.Insert(70000));
  EXPECT_EQ(s.width(), 4u);
  EXPECT_TRUE(s.Insert(INT64_MIN));
  EXPECT_EQ(s.width(), 8u);
  EXPECT_TRUE(s.Insert(INT64_MAX));
  ASSERT_EQ(s.size(), 5u);
  int64_t expect[] = {INT64_MIN, -3, 5, 70000, INT64_MAX};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(s.At(i), expect[i]);
  EXPECT_TRUE(s.Contains(70000));
  EXPECT_FALSE(s.Contains(6));
  EXPECT_TRUE(s.Erase(-3));
  EXPECT_FALSE(s.Erase(-3));
  EXPECT_EQ(s.size(), 4u);
  Intset copy(s);
  EXPECT_EQ(copy.size(), 4u);
  EXPECT_EQ(copy.At(3), INT64_MAX);
  while (!s.empty()) s.EraseAt(0);
  EXPECT_EQ(s.AllocatedBytes(), 0u);
  EXPECT_EQ(copy.size(), 4u);
}

TEST(Intset, RandomAgainstStdSet) {
  std::mt19937_64 rng(7);
  Intset s;
  std::set<int64_t> model;
  for (int i = 0; i < 5000; ++i) {
    int shift = static_cast<int>(rng() % 64);
    auto v = static_cast<int64_t>(rng()) >> shift;
    if (rng() % 3 == 0 && !model.empty()) v = *model.begin();
    if (rng() % 2) {
      EXPECT_EQ(s.Insert(v), model.insert(v).second);
    } else {
      EXPECT_EQ(s.Erase(v), model.erase(v) == 1);
    }
    ASSERT_EQ(s.size(), model.size());
  }
  size_t i = 0;
  for (int64_t v : model) EXPECT_EQ(s.At(i++), v);
}

TEST(SetValue, IntsetToHashtableWhenTooMany) {
  SetLimits limits{4, 8, 64};
  SetValue s;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(s.Add(std::to_string(i * 1000), limits));
  EXPECT_STREQ(s.EncodingName(), "intset");
  EXPECT_FALSE(s.Add("0", limits));
  EXPECT_TRUE(s.Contains("3000"));
  EXPECT_FALSE(s.Contains("03000"));  // not canonical: a different member
  EXPECT_TRUE(s.Add("5", limits));
  EXPECT_STREQ(s.EncodingName(), "hashtable");  // intset overflow skips listpack, as Redis
  EXPECT_EQ(Members(s), (std::set<std::string>{"0", "1000", "2000", "3000", "5"}));
  // No way back down.
  for (const char* m : {"0", "1000", "2000", "3000"}) EXPECT_TRUE(s.Remove(m));
  EXPECT_STREQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(s.size(), 1u);
}

TEST(SetValue, IntsetToListpackOnString) {
  SetLimits limits{16, 4, 10};
  SetValue s;
  EXPECT_TRUE(s.Add("1", limits));
  EXPECT_TRUE(s.Add("-2", limits));
  EXPECT_TRUE(s.Add("x", limits));
  EXPECT_STREQ(s.EncodingName(), "listpack");
  EXPECT_TRUE(s.Contains("1"));
  EXPECT_TRUE(s.Contains("-2"));
  EXPECT_TRUE(s.Add("3", limits));  // integers stay in the listpack now
  EXPECT_STREQ(s.EncodingName(), "listpack");
  EXPECT_TRUE(s.Add("4", limits));  // the fifth member crosses listpack-entries 4
  EXPECT_STREQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(Members(s), (std::set<std::string>{"1", "-2", "x", "3", "4"}));
}

TEST(SetValue, IntsetToHashtableWhenStringDoesNotFitListpack) {
  SetLimits limits{16, 4, 3};
  SetValue a;
  a.Add("1", limits);
  EXPECT_TRUE(a.Add("long", limits));  // 4 bytes > listpack-value 3
  EXPECT_STREQ(a.EncodingName(), "hashtable");
  SetValue b;
  b.Add("12345", limits);  // the intset's own members would be too long for the listpack
  EXPECT_TRUE(b.Add("x", limits));
  EXPECT_STREQ(b.EncodingName(), "hashtable");
  SetValue c;
  for (int i = 0; i < 4; ++i) c.Add(std::to_string(i), limits);
  EXPECT_TRUE(c.Add("x", limits));  // four members already: a fifth would not fit
  EXPECT_STREQ(c.EncodingName(), "hashtable");
  EXPECT_EQ(c.size(), 5u);
}

TEST(SetValue, ListpackToHashtableOnLongValue) {
  SetLimits limits{16, 8, 5};
  SetValue s;
  s.Add("a", limits);
  EXPECT_TRUE(s.Add("abcde", limits));
  EXPECT_STREQ(s.EncodingName(), "listpack");
  EXPECT_TRUE(s.Add("abcdef", limits));
  EXPECT_STREQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(Members(s), (std::set<std::string>{"a", "abcde", "abcdef"}));
}

TEST(SetValue, InitialEncodingFollowsSizeHint) {
  SetLimits limits{4, 8, 64};
  EXPECT_STREQ(SetValue("1", 4, limits).EncodingName(), "intset");
  EXPECT_STREQ(SetValue("1", 5, limits).EncodingName(), "listpack");
  EXPECT_STREQ(SetValue("a", 8, limits).EncodingName(), "listpack");
  EXPECT_STREQ(SetValue("a", 9, limits).EncodingName(), "hashtable");
}

TEST(SetValue, BinarySafeMembers) {
  SetLimits limits;
  for (int big : {0, 1}) {
    SetValue s;
    if (big) {
      for (int i = 0; i < 200; ++i) s.Add("filler" + std::to_string(i), limits);
    }
    std::string odd("a\0b\r\n", 5);
    EXPECT_TRUE(s.Add(odd, limits));
    EXPECT_TRUE(s.Add("", limits));
    EXPECT_FALSE(s.Add(std::string("a\0b\r\n", 5), limits));
    EXPECT_TRUE(s.Contains(odd));
    EXPECT_FALSE(s.Contains("a"));
    EXPECT_TRUE(s.Contains(""));
    EXPECT_TRUE(s.Remove(odd));
    EXPECT_FALSE(s.Contains(odd));
  }
}

TEST(SetValue, CloneIsDeepInEveryEncoding) {
  SetLimits limits{4, 4, 64};
  for (int n : {3, 4, 50}) {
    for (bool strings : {false, true}) {
      SetValue s;
      for (int i = 0; i < n; ++i) s.Add((strings ? "m" : "") + std::to_string(i), limits);
      std::unique_ptr<Object> copy(s.Clone());
      auto* c = static_cast<SetValue*>(copy.get());
      EXPECT_STREQ(c->EncodingName(), s.EncodingName());
      EXPECT_EQ(Members(*c), Members(s));
      EXPECT_GT(c->AllocatedBytes(), sizeof(SetValue) - 1);
      s.Remove(strings ? "m0" : "0");
      EXPECT_TRUE(c->Contains(strings ? "m0" : "0"));
      EXPECT_EQ(c->size(), static_cast<size_t>(n));
    }
  }
}

TEST(SetValue, RandomAndPopCoverEveryMember) {
  SetLimits limits{4, 8, 64};
  std::mt19937_64 rng(3);
  for (int n : {4, 8, 300}) {
    SetValue s;
    std::set<std::string> model;
    for (int i = 0; i < n; ++i) {
      std::string m = (n == 4 ? "" : "k") + std::to_string(i);
      s.Add(m, limits);
      model.insert(m);
    }
    std::set<std::string> seen;
    for (int i = 0; i < n * 60; ++i) {
      std::string m = s.RandomMember(rng());
      ASSERT_TRUE(model.count(m)) << m;
      seen.insert(m);
    }
    EXPECT_EQ(seen, model) << s.EncodingName();
    while (!s.empty()) {
      std::string m = s.PopRandom(rng());
      ASSERT_EQ(model.erase(m), 1u) << m;
    }
    EXPECT_TRUE(model.empty());
  }
}

TEST(SetValue, ScanVisitsEveryMemberOfAHashtable) {
  SetLimits limits;
  SetValue s;
  std::set<std::string> model;
  for (int i = 0; i < 5000; ++i) {
    s.Add("member:" + std::to_string(i), limits);
    model.insert("member:" + std::to_string(i));
  }
  ASSERT_STREQ(s.EncodingName(), "hashtable");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = s.Scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
    ++calls;
  } while (cursor != 0);
  EXPECT_EQ(seen, model);
  EXPECT_GT(calls, 1);
}

TEST(SetValue, HashtableShrinksAfterMassRemoval) {
  SetLimits limits;
  SetValue s;
  for (int i = 0; i < 100000; ++i) s.Add("m" + std::to_string(i), limits);
  size_t full = s.AllocatedBytes();
  for (int i = 10; i < 100000; ++i) ASSERT_TRUE(s.Remove("m" + std::to_string(i)));
  EXPECT_STREQ(s.EncodingName(), "hashtable");
  EXPECT_LT(s.AllocatedBytes(), full / 50);
  std::set<std::string> expect;
  for (int i = 0; i < 10; ++i) expect.insert("m" + std::to_string(i));
  EXPECT_EQ(Members(s), expect);
  std::mt19937_64 rng(5);
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) seen.insert(s.RandomMember(rng()));
  EXPECT_EQ(seen, expect);
}

TEST(SetValue, MillionIntegersStayCompact) {
  SetLimits limits;
  SetValue s;
  for (int i = 0; i < 1'000'000; ++i) s.Add(std::to_string(i * 7), limits);
  ASSERT_STREQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(s.size(), 1'000'000u);
  EXPECT_TRUE(s.Contains("6999993"));
  // Redis 7.2 holds such a set in ~55 bytes a member (dictEntry + sds + bucket).
  EXPECT_LT(s.AllocatedBytes() / s.size(), 30u);
}

}  // namespace
}  // namespace ember
