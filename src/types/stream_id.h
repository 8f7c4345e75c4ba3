#pragma once
// A stream entry id: milliseconds and a sequence number, ordered as the pair.
#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ember {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  bool operator==(const StreamId&) const = default;

  bool zero() const { return ms == 0 && seq == 0; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next id in order; false (unchanged) at the maximum.
  bool Increment() {
    if (seq != UINT64_MAX) {
      ++seq;
      return true;
    }
    if (ms == UINT64_MAX) return false;
    ++ms;
    seq = 0;
    return true;
  }
  // The previous id; false at 0-0.
  bool Decrement() {
    if (seq != 0) {
      --seq;
      return true;
    }
    if (ms == 0) return false;
    --ms;
    seq = UINT64_MAX;
    return true;
  }
  std::string ToString() const {
    char buf[48];
    char* p = std::to_chars(buf, buf + 24, ms).ptr;
    *p++ = '-';
    p = std::to_chars(p, buf + sizeof(buf), seq).ptr;
    return std::string(buf, p);
  }
};

// Parses "ms" or "ms-seq" (Redis's streamParseID without the special forms): the sequence,
// when missing, is `missing_seq`. Sets *seq_given when not null.
inline std::optional<StreamId> ParseStreamId(std::string_view s, uint64_t missing_seq,
                                             bool* seq_given = nullptr) {
  if (s.empty() || s.size() > 127) return std::nullopt;
  auto parse = [](std::string_view part, uint64_t* out) {
    if (part.empty() || part[0] == '+' || part[0] == '-') return false;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), *out);
    return ec == std::errc() && ptr == part.data() + part.size();
  };
  StreamId id;
  size_t dash = s.find('-');
  if (seq_given != nullptr) *seq_given = dash != std::string_view::npos;
  if (dash == std::string_view::npos) {
    if (!parse(s, &id.ms)) return std::nullopt;
    id.seq = missing_seq;
    return id;
  }
  if (!parse(s.substr(0, dash), &id.ms) || !parse(s.substr(dash + 1), &id.seq)) return std::nullopt;
  return id;
}

}  // namespace ember
