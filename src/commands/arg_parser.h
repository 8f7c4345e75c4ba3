#pragma once
// Reads command arguments the way the syntax reads: Eat("EX"), NextInt(), ... so option
// parsing stays short and errors stay uniform.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/numbers.h"

namespace ember {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A double as Redis's getDoubleFromObject reads it (ZADD/ZINCRBY scores, WEIGHTS): no leading
// space, no NaN, no overflow to +-inf nor underflow to 0, but subnormals such as 5e-324 are
// fine. "inf"/"-inf" spelled out are accepted.
std::optional<double> ParseStrictDouble(std::string_view s);
// A long double as Redis's string2ld reads it (INCRBYFLOAT, HINCRBYFLOAT: the increment and
// the stored value): the same rules, and up to 5 KB of text, since INCRBYFLOAT's own results
// (e.g. -1e308 written out in full) can be that long.
std::optional<long double> ParseStrictLongDouble(std::string_view s);
// A score-range bound's number as zslParseRange reads it: plain strtod up to the first NUL,
// so leading spaces, an empty string (0) and overflow (+-inf) pass; only NaN and trailing
// garbage fail.
std::optional<double> ParseRangeDouble(std::string_view s);

class ArgParser {
 public:
  ArgParser(std::span<const std::string_view> args, size_t start) : args_(args), pos_(start) {}

  bool HasNext() const { return pos_ < args_.size(); }
  size_t remaining() const { return args_.size() - pos_; }
  std::string_view Peek() const { return args_[pos_]; }
  std::string_view Next() { return args_[pos_++]; }
  // Consumes the next argument when it equals `word`, ignoring case.
  bool Eat(std::string_view word) {
    if (HasNext() && EqualsIgnoreCase(args_[pos_], word)) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::optional<int64_t> NextInt() {
    if (!HasNext()) return std::nullopt;
    return ParseInt64(Next());
  }

 private:
  std::span<const std::string_view> args_;
  size_t pos_;
};

}  // namespace ember
