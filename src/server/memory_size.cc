#include "server/memory_size.h"

#include <cctype>
#include <string>

#include "common/numbers.h"

namespace ember {

std::optional<int64_t> ParseMemorySize(std::string_view text) {
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  struct Unit {
    const char* suffix;
    int64_t multiplier;
  };
  static constexpr Unit kUnits[] = {{"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024ll * 1024 * 1024},
                                    {"k", 1000}, {"m", 1000 * 1000},  {"g", 1000ll * 1000 * 1000},
                                    {"b", 1}};
  int64_t multiplier = 1;
  std::string_view digits = lower;
  for (const Unit& unit : kUnits) {
    std::string_view suffix = unit.suffix;
    if (digits.size() > suffix.size() && digits.ends_with(suffix)) {
      digits.remove_suffix(suffix.size());
      multiplier = unit.multiplier;
      break;
    }
  }
  auto value = ParseInt64(digits);
  if (!value || *value < 0 || *value > INT64_MAX / multiplier) return std::nullopt;
  return *value * multiplier;
}

}  // namespace ember
