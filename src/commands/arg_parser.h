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
