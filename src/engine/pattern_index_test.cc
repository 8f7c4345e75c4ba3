#include "engine/pattern_index.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/glob.h"

namespace ember {
namespace {

std::vector<std::string> Candidates(const PatternIndex<std::string>& index, std::string_view ch) {
  std::vector<std::string> out;
  index.ForCandidates(ch, [&](const std::string& p) { out.push_back(p); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PatternIndexTest, LiteralPrefixStopsAtTheFirstSpecialByte) {
  EXPECT_EQ(PatternIndex<int>::LiteralPrefix("news.*"), "news.");
  EXPECT_EQ(PatternIndex<int>::LiteralPrefix("a?c"), "a");
  EXPECT_EQ(PatternIndex<int>::LiteralPrefix("[ab]x"), "");
  EXPECT_EQ(PatternIndex<int>::LiteralPrefix("a\\*b"), "a");
  EXPECT_EQ(PatternIndex<int>::LiteralPrefix("plain"), "plain");
}

TEST(PatternIndexTest, CandidatesAreThePatternsWhosePrefixTheChannelStartsWith) {
  std::vector<std::string> patterns = {"*",    "news.*",  "news.sport.*",
                                       "new?", "other.*", "h[ae]llo"};
  PatternIndex<std::string> index;
  for (const auto& p : patterns) index.Add(p, &p);
  EXPECT_EQ(Candidates(index, "news.sport.x"),
            (std::vector<std::string>{"*", "new?", "news.*", "news.sport.*"}));
  EXPECT_EQ(Candidates(index, "x"), (std::vector<std::string>{"*"}));
  EXPECT_EQ(Candidates(index, "hello"), (std::vector<std::string>{"*", "h[ae]llo"}));
  index.Remove("news.*", &patterns[1]);
  index.Remove("*", &patterns[0]);
  EXPECT_EQ(Candidates(index, "news.sport.x"), (std::vector<std::string>{"new?", "news.sport.*"}));
}

TEST(PatternIndexTest, NeverMissesAMatchThatTryingEveryPatternFinds) {
  std::vector<std::string> patterns = {"a*", "ab*", "abc", "a?c", "*c", "[a-c]*", "a\\*", "", "b*"};
  PatternIndex<std::string> index;
  for (const auto& p : patterns) index.Add(p, &p);
  for (std::string ch : {"", "a", "ab", "abc", "a*", "bc", "cab", "abd"}) {
    std::vector<std::string> all, indexed;
    for (const auto& p : patterns)
      if (GlobMatch(p, ch)) all.push_back(p);
    for (const auto& p : Candidates(index, ch))
      if (GlobMatch(p, ch)) indexed.push_back(p);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(indexed, all) << ch;
  }
}

}  // namespace
}  // namespace ember
