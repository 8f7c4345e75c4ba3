#pragma once
// Finds the patterns that may match a channel without trying every pattern: each pattern is
// filed under its literal prefix (the bytes before its first * ? [ or \), and a channel can
// only match patterns whose prefix it starts with. A PUBLISH then looks up one prefix per
// distinct prefix length instead of glob-matching all patterns (1000 patterns of a few shapes:
// a handful of lookups). The caller still glob-matches the candidates.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

template <class Entry>
class PatternIndex {
 public:
  static std::string_view LiteralPrefix(std::string_view pattern) {
    return pattern.substr(0, pattern.find_first_of("*?[\\"));
  }
  // `entry` (whose address must stay valid until Remove) is filed under `pattern`'s prefix.
  void Add(std::string_view pattern, const Entry* entry) {
    std::string_view prefix = LiteralPrefix(pattern);
    auto [it, inserted] = by_prefix_.try_emplace(std::string(prefix));
    if (inserted) ++lengths_[prefix.size()];
    it->second.push_back(entry);
  }
  void Remove(std::string_view pattern, const Entry* entry) {
    std::string_view prefix = LiteralPrefix(pattern);
    auto it = by_prefix_.find(prefix);
    if (it == by_prefix_.end()) return;
    std::erase(it->second, entry);
    if (!it->second.empty()) return;
    by_prefix_.erase(it);
    if (--lengths_[prefix.size()] == 0) lengths_.erase(prefix.size());
  }
  // Calls visit(entry) for every entry whose pattern's prefix `channel` starts with.
  template <class Visit>
  void ForCandidates(std::string_view channel, Visit&& visit) const {
    for (const auto& [length, count] : lengths_) {
      if (length > channel.size()) break;
      auto it = by_prefix_.find(channel.substr(0, length));
      if (it == by_prefix_.end()) continue;
      for (const Entry* entry : it->second) visit(*entry);
    }
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::vector<const Entry*>, Hash, std::equal_to<>> by_prefix_;
  std::map<size_t, size_t> lengths_;  // prefix length -> prefixes of that length
};

}  // namespace ember
