#include "common/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ember {

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'))) return std::nullopt;
  if (s[0] == '-' && s.size() == 1) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  if (s.empty() || s.size() > 20 || s[0] == '-') return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

namespace {
// strtod needs a NUL-terminated string; numbers longer than this are not numbers we accept.
constexpr size_t kMaxNumberText = 256;

bool CopyNumberText(std::string_view s, char* buf) {
  if (s.empty() || s.size() >= kMaxNumberText) return false;
  if (std::isspace(static_cast<unsigned char>(s.front()))) return false;
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return true;
}
}  // namespace

std::optional<double> ParseDouble(std::string_view s) {
  char buf[kMaxNumberText];
  if (!CopyNumberText(s, buf)) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = strtod(buf, &end);
  if (end != buf + s.size() || std::isnan(v)) return std::nullopt;
  // As Redis's string2ld: overflow to +-inf and underflow to 0 are errors; a subnormal result
  // (also ERANGE) is a number.
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return std::nullopt;
  return v;
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  char buf[kMaxNumberText];
  if (!CopyNumberText(s, buf)) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long double v = strtold(buf, &end);
  if (end != buf + s.size() || std::isnan(v) || errno == ERANGE) return std::nullopt;
  return v;
}

size_t FormatInt64(int64_t v, char* buf) {
  auto [ptr, ec] = std::to_chars(buf, buf + 21, v);
  (void)ec;
  return static_cast<size_t>(ptr - buf);
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5 * 1024];
  int len = snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  // Trim trailing zeros and a trailing dot, as Redis's humanfriendly mode does.
  if (memchr(buf, '.', static_cast<size_t>(len)) != nullptr) {
    while (len > 0 && buf[len - 1] == '0') --len;
    if (len > 0 && buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, static_cast<size_t>(len));
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int len = snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(len));
}

}  // namespace ember
