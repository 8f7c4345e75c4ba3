#include "common/glob.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>

namespace ember {
namespace {

// A reference that follows Redis's recursive stringmatchlen() step by step (exponential, so only
// for short inputs): the fast matcher must agree with it on every pattern and text.
int RefLower(int c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}
int RefByte(std::string_view s, size_t i) {
  return i < s.size() ? static_cast<signed char>(s[i]) : 0;
}

bool RefMatch(std::string_view pat, std::string_view str, bool nocase, int nesting) {
  if (nesting > 1000) return false;
  size_t p = 0, s = 0;
  auto left = [&] { return pat.size() - p; };
  while (p < pat.size() && s < str.size()) {
    int c = static_cast<signed char>(str[s]);
    switch (pat[p]) {
      case '*':
        while (RefByte(pat, p + 1) == '*') ++p;
        if (left() == 1) return true;
        for (size_t i = s; i < str.size(); ++i) {
          if (RefMatch(pat.substr(p + 1), str.substr(i), nocase, nesting + 1)) return true;
        }
        return false;
      case '?':
        ++s;
        break;
      case '[': {
        ++p;
        bool negate = RefByte(pat, p) == '^';
        if (negate) ++p;
        bool match = false;
        while (true) {
          if (RefByte(pat, p) == '\\' && left() >= 2) {
            ++p;
            if (RefByte(pat, p) == c) match = true;
          } else if (RefByte(pat, p) == ']') {
            break;
          } else if (left() == 0) {
            --p;
            break;
          } else if (left() >= 3 && pat[p + 1] == '-') {
            int lo = RefByte(pat, p), hi = RefByte(pat, p + 2), x = c;
            if (lo > hi) std::swap(lo, hi);
            if (nocase) lo = RefLower(lo), hi = RefLower(hi), x = RefLower(x);
            p += 2;
            if (x >= lo && x <= hi) match = true;
          } else if (nocase ? RefLower(RefByte(pat, p)) == RefLower(c) : RefByte(pat, p) == c) {
            match = true;
          }
          ++p;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++s;
        break;
      }
      default:
        if (pat[p] == '\\' && left() >= 2) ++p;
        if (nocase ? RefLower(RefByte(pat, p)) != RefLower(c) : RefByte(pat, p) != c) return false;
        ++s;
    }
    ++p;
    if (s == str.size()) {
      while (RefByte(pat, p) == '*') ++p;
      break;
    }
  }
  return p == pat.size() && s == str.size();
}

TEST(GlobMatch, MatchesTheBasicForms) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("h*llo", "hllo"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(GlobMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(GlobMatch("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(GlobMatch("h\\*llo", "h*llo"));
  EXPECT_FALSE(GlobMatch("h\\*llo", "hello"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "axxbyy"));
  EXPECT_TRUE(GlobMatch("*ab", "aab"));
  EXPECT_FALSE(GlobMatch("abc", "ab"));
  EXPECT_FALSE(GlobMatch("ab", "abc"));
}

TEST(GlobMatch, FoldsCaseOnlyWhenAsked) {
  EXPECT_FALSE(GlobMatch("HELLO", "hello"));
  EXPECT_TRUE(GlobMatch("HELLO", "hello", true));
  EXPECT_TRUE(GlobMatch("[A-C]x", "bx", true));
  EXPECT_TRUE(GlobMatch("max*", "MAXMEMORY", true));
}

TEST(GlobMatch, KeepsRedisResultsInOddCases) {
  EXPECT_FALSE(GlobMatch("*", ""));  // stringmatchlen never enters its loop on an empty text
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_TRUE(GlobMatch("a\\", "a\\"));   // a trailing backslash is literal
  EXPECT_TRUE(GlobMatch("[z-a]", "m"));   // reversed range: swapped
  EXPECT_TRUE(GlobMatch("[abc", "b"));    // unterminated class runs to the end
  EXPECT_FALSE(GlobMatch("[abc", "bc"));  // ... and swallows the rest of the pattern
  EXPECT_FALSE(GlobMatch("[", "["));      // '[' at the end matches nothing
  EXPECT_TRUE(GlobMatch("[^", "x"));      // "[^" at the end matches any byte
  EXPECT_TRUE(GlobMatch("[a-]", "^"));    // "a-]" is the range ']'..'a' and stays open
  EXPECT_FALSE(GlobMatch("[a-]", "-"));
  EXPECT_TRUE(GlobMatch("[a-]x", "x"));         // the open class then also holds 'x'
  EXPECT_FALSE(GlobMatch("[]a]", "]"));         // "[]" is an empty class: it matches nothing
  EXPECT_TRUE(GlobMatch("[^]a]", "xa]"));       // and negated, any byte
  EXPECT_TRUE(GlobMatch("[\\]]", "]"));         // an escaped ']' is a member
  EXPECT_FALSE(GlobMatch("[\\A]", "a", true));  // escapes in a class ignore nocase
  EXPECT_FALSE(GlobMatch("[Z-a]", "_", true));  // swapped, then folded: 'z'..'a' is empty
  EXPECT_TRUE(GlobMatch("[Z-a]", "_"));
  EXPECT_TRUE(GlobMatch("[a-\xff]", "0"));  // bytes >= 0x80 compare as negative: -1..'a'
  EXPECT_TRUE(GlobMatch("[a-\xff]", "\xff"));
  EXPECT_FALSE(GlobMatch("[a-\xff]", "\x80"));
  EXPECT_FALSE(GlobMatch("[a-\xff]", "z"));
  EXPECT_TRUE(GlobMatch("a**", "abc"));
  EXPECT_TRUE(GlobMatch("a**", "a"));
}

std::string StarPattern(int runs, std::string_view between, std::string_view last) {
  std::string p;
  for (int i = 0; i < runs; ++i) p.append("*").append(between);
  p.append(last);
  return p;
}

TEST(GlobMatch, GivesUpPastRedisNestingLimit) {
  std::string text(2000, 'a');
  EXPECT_TRUE(GlobMatch(StarPattern(1000, "a", ""), text));
  EXPECT_FALSE(GlobMatch(StarPattern(1001, "a", ""), text));
  EXPECT_TRUE(GlobMatch(StarPattern(1000, "a", "*"), text + "b"));  // a trailing run is free
}

TEST(GlobMatch, PathologicalPatternsDoNotExplode) {
  // The old recursion took minutes on this; with one backtrack point it is a few thousand steps.
  std::string text(40, 'a');
  EXPECT_FALSE(GlobMatch(StarPattern(20, "a", "b"), text));
  EXPECT_TRUE(GlobMatch(StarPattern(20, "a", ""), text));
  std::string long_text(100000, 'a');
  EXPECT_FALSE(GlobMatch(StarPattern(50, "a", "b"), long_text));
  EXPECT_FALSE(GlobMatch(StarPattern(50, "?", "[b]"), long_text));
}

// Patterns drawn from a small alphabet that hits every special form, and texts from the bytes
// those forms talk about.
std::string RandomPattern(std::mt19937& rng) {
  static constexpr std::string_view kPieces[] = {
      "a", "b", "A", "*", "*", "?", "[", "]", "^", "-", "\\", "[a-c]", "[^a]", "[c-a]", "\xe9"};
  std::uniform_int_distribution<size_t> len(0, 7), piece(0, std::size(kPieces) - 1);
  std::string p;
  for (size_t n = len(rng); n > 0; --n) p += kPieces[piece(rng)];
  return p;
}

std::string RandomText(std::mt19937& rng) {
  static constexpr std::string_view kBytes = "aabbcA[]^-\\*?\xe9";
  std::uniform_int_distribution<size_t> len(0, 7), byte(0, kBytes.size() - 1);
  std::string t;
  for (size_t n = len(rng); n > 0; --n) t += kBytes[byte(rng)];
  return t;
}

TEST(GlobMatch, AgreesWithRedisRecursionOnRandomInputs) {
  std::mt19937 rng(20240611);
  int matches = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string pattern = RandomPattern(rng), text = RandomText(rng);
    bool nocase = i % 3 == 0;
    bool want = RefMatch(pattern, text, nocase, 0);
    ASSERT_EQ(GlobMatch(pattern, text, nocase), want)
        << "pattern '" << pattern << "' text '" << text << "' nocase " << nocase;
    matches += want;
  }
  EXPECT_GT(matches, 1000);  // the inputs exercise matches as well as failures
}

}  // namespace
}  // namespace ember
