// libFuzzer target: the RESP request parser. A byte stream parsed whole and parsed as it would
// arrive in reads of random sizes (each complete command taken before the next read) must give
// the same commands and end the same way (need more, or the same protocol error).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"

namespace {

using ember::RespParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string end;
  bool operator==(const Outcome&) const = default;
};

// Chunk sizes from a small xorshift generator seeded by the input's first bytes.
class Chunks {
 public:
  Chunks(uint32_t seed, size_t max) : state_(seed | 1), max_(max) {}
  size_t Next() {
    if (max_ == 0) return SIZE_MAX;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return 1 + state_ % max_;
  }

 private:
  uint32_t state_;
  size_t max_;
};

Outcome Parse(std::string_view stream, Chunks chunks, const ember::ParserLimits& limits) {
  RespParser parser(limits);
  Outcome outcome;
  size_t start = 0, available = 0;
  while (true) {
    size_t step = chunks.Next();
    available = step >= stream.size() - available ? stream.size() : available + step;
    RespParser::Status status = RespParser::Status::kComplete;
    while (start < available) {
      size_t consumed = 0;
      status = parser.Parse(stream.substr(start, available - start), &consumed);
      if (status != RespParser::Status::kComplete) break;
      // A complete command always consumes bytes, and only bytes that arrived.
      if (consumed == 0 || consumed > available - start) abort();
      outcome.commands.emplace_back(parser.Args().begin(), parser.Args().end());
      start += consumed;
    }
    if (status == RespParser::Status::kError) {
      outcome.end = parser.Error();
      if (outcome.end.empty()) abort();
      return outcome;
    }
    if (available == stream.size()) {
      outcome.end = start == stream.size() ? "" : "need more";
      return outcome;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0: the limits (small ones reach the length checks); byte 1: the chunking seed.
  ember::ParserLimits limits;
  if (data[0] & 1) limits.unauthenticated = true;
  if (data[0] & 2) limits.max_bulk_len = 64;
  if (data[0] & 4) limits.max_inline_len = 128;
  if (data[0] & 8) limits.max_multibulk_len = 16;
  uint32_t seed = data[1];
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  Outcome whole = Parse(stream, Chunks(seed, 0), limits);
  if (Parse(stream, Chunks(seed, 1), limits) != whole) abort();
  if (Parse(stream, Chunks(seed, 7), limits) != whole) abort();
  if (Parse(stream, Chunks(seed, 64), limits) != whole) abort();
  return 0;
}
