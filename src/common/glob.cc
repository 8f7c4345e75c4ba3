#include "common/glob.h"

#include <utility>

namespace ember {
namespace {

// Redis compares bytes as (signed) char promoted to int and folds case with tolower() in the C
// locale, so only 'A'..'Z' fold and bytes >= 0x80 sort below '\0' inside [a-z] ranges.
inline int Byte(char c) {
  return static_cast<signed char>(c);
}
inline int Lower(int c) {
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

// The pattern byte at i, or '\0' past the end: Redis reads the terminator of its sds pattern
// there, and some of its edge cases ("[" at the end, "[^" at the end) depend on that.
inline char At(std::string_view pattern, size_t i) {
  return i < pattern.size() ? pattern[i] : '\0';
}

// Matches the class that starts after the '[' at pattern[p] against c and returns the index just
// past it. Mirrors Redis's quirks: an escape inside a class compares case-sensitively, "a-]" is a
// range up to ']', reversed ranges are swapped before case folding, and an unterminated class runs
// to the end of the pattern.
size_t MatchClass(std::string_view pattern, size_t p, char c, bool nocase, bool* matched) {
  const size_t n = pattern.size();
  ++p;  // past '['
  bool negate = At(pattern, p) == '^';
  if (negate) ++p;
  bool match = false;
  while (true) {
    if (At(pattern, p) == '\\' && n - p >= 2) {
      ++p;
      if (pattern[p] == c) match = true;
    } else if (At(pattern, p) == ']') {
      break;
    } else if (p >= n) {
      p = n - 1;  // Redis steps back so that the common "past this token" step lands on the end
      break;
    } else if (n - p >= 3 && pattern[p + 1] == '-') {
      int start = Byte(pattern[p]), end = Byte(pattern[p + 2]), x = Byte(c);
      if (start > end) std::swap(start, end);
      if (nocase) start = Lower(start), end = Lower(end), x = Lower(x);
      p += 2;
      if (x >= start && x <= end) match = true;
    } else if (nocase ? Lower(Byte(pattern[p])) == Lower(Byte(c)) : pattern[p] == c) {
      match = true;
    }
    ++p;
  }
  *matched = negate ? !match : match;
  return p + 1;
}

// Matches the single non-'*' token at pattern[p] against c; returns the index past the token, or
// npos when c does not match it.
size_t MatchToken(std::string_view pattern, size_t p, char c, bool nocase) {
  char pc = pattern[p];
  if (pc == '?') return p + 1;
  if (pc == '[') {
    bool matched = false;
    size_t next = MatchClass(pattern, p, c, nocase, &matched);
    return matched ? next : std::string_view::npos;
  }
  if (pc == '\\' && pattern.size() - p >= 2) pc = pattern[++p];  // a trailing '\' is literal
  bool same = nocase ? Lower(Byte(pc)) == Lower(Byte(c)) : pc == c;
  return same ? p + 1 : std::string_view::npos;
}

// Redis gives up (no match) on a pattern that needs more than this many nested '*' runs: each
// run it passes with text left recurses once. A trailing run never recurses.
constexpr int kMaxStarRuns = 1000;

}  // namespace

// Iterative matching that backtracks only to the most recent '*': when a later token fails, that
// '*' swallows one more byte and matching resumes after it. Earlier stars never need to grow,
// because anything a longer earlier match could reach, the latest star reaches too. So the work is
// at most O(len(pattern) * len(text)), where Redis's recursion (before its own fix) was
// exponential.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  constexpr size_t npos = std::string_view::npos;
  const size_t m = pattern.size();
  size_t p = 0, t = 0;
  size_t star_p = npos, star_t = 0;  // the token after the last '*' run, and where it resumed
  int star_runs = 0;
  while (t < text.size()) {
    if (p < m && pattern[p] == '*') {
      while (p + 1 < m && pattern[p + 1] == '*') ++p;
      if (p + 1 == m) return true;  // a trailing '*' takes the rest
      if (++star_runs > kMaxStarRuns) return false;
      star_p = ++p;
      star_t = t;
      continue;
    }
    size_t next = p < m ? MatchToken(pattern, p, text[t], nocase) : npos;
    if (next != npos) {
      p = next;
      ++t;
    } else if (star_p != npos) {
      p = star_p;
      t = ++star_t;
    } else {
      return false;
    }
  }
  // The text is used up: only a run of '*' may remain. An empty text never enters the loop, and
  // Redis then matches only the empty pattern ("*" against "" is no match in stringmatchlen).
  if (text.empty()) return m == 0;
  while (p < m && pattern[p] == '*') ++p;
  return p == m;
}

}  // namespace ember
