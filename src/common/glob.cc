#include "common/glob.h"

#include <cctype>

namespace ember {
namespace {

inline char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one [...] class starting after '['; advances p past the closing ']'.
bool MatchClass(std::string_view pattern, size_t& p, char c, bool nocase) {
  bool negate = p < pattern.size() && pattern[p] == '^';
  if (negate) ++p;
  bool matched = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (Fold(pattern[p], nocase) == Fold(c, nocase)) matched = true;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = Fold(pattern[p], nocase), hi = Fold(pattern[p + 2], nocase);
      if (lo > hi) std::swap(lo, hi);
      char fc = Fold(c, nocase);
      if (fc >= lo && fc <= hi) matched = true;
      p += 2;
    } else if (Fold(pattern[p], nocase) == Fold(c, nocase)) {
      matched = true;
    }
    ++p;
  }
  if (p < pattern.size()) ++p;  // skip ']'
  return negate ? !matched : matched;
}

bool Match(std::string_view pattern, std::string_view text, bool nocase, int depth) {
  if (depth > 1000) return false;  // pathological patterns: give up rather than recurse forever
  size_t p = 0, t = 0;
  while (p < pattern.size()) {
    char pc = pattern[p];
    if (pc == '*') {
      while (p + 1 < pattern.size() && pattern[p + 1] == '*') ++p;
      if (p + 1 == pattern.size()) return true;
      for (size_t i = t; i <= text.size(); ++i) {
        if (Match(pattern.substr(p + 1), text.substr(i), nocase, depth + 1)) return true;
      }
      return false;
    }
    if (t >= text.size()) return false;
    if (pc == '?') {
      ++p;
    } else if (pc == '[') {
      ++p;
      if (!MatchClass(pattern, p, text[t], nocase)) return false;
    } else {
      if (pc == '\\' && p + 1 < pattern.size()) pc = pattern[++p];
      if (Fold(pc, nocase) != Fold(text[t], nocase)) return false;
      ++p;
    }
    ++t;
  }
  return t == text.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  return Match(pattern, text, nocase, 0);
}

}  // namespace ember
