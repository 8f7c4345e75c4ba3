#include "commands/arg_parser.h"

#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ember {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

// A NUL-terminated copy of an argument for strtod/strtold (on the stack when short).
class CText {
 public:
  explicit CText(std::string_view s) : size_(s.size()) {
    if (s.size() < sizeof(small_)) {
      memcpy(small_, s.data(), s.size());
      small_[s.size()] = '\0';
    } else {
      large_.assign(s);
      text_ = large_.data();
    }
  }
  CText(const CText&) = delete;
  CText& operator=(const CText&) = delete;
  const char* c_str() const { return text_; }
  // Whether strtod's end pointer consumed every byte.
  bool AtEnd(const char* end) const { return end == text_ + size_; }

 private:
  char small_[128];
  std::string large_;
  char* text_ = small_;
  size_t size_;
};

}  // namespace

std::optional<double> ParseStrictDouble(std::string_view s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  CText text(s);
  char* end = nullptr;
  errno = 0;
  double v = strtod(text.c_str(), &end);
  if (!text.AtEnd(end) || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  return v;
}

std::optional<long double> ParseStrictLongDouble(std::string_view s) {
  constexpr size_t kMaxChars = 5 * 1024;  // Redis's MAX_LONG_DOUBLE_CHARS
  if (s.empty() || s.size() >= kMaxChars) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  CText text(s);
  char* end = nullptr;
  errno = 0;
  long double v = strtold(text.c_str(), &end);
  if (!text.AtEnd(end) || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  return v;
}

std::optional<double> ParseRangeDouble(std::string_view s) {
  CText text(s);
  char* end = nullptr;
  double v = strtod(text.c_str(), &end);
  if (*end != '\0' || std::isnan(v)) return std::nullopt;
  return v;
}

}  // namespace ember
