// Seeded random streams through the RESP parser: how the bytes are split across reads must never
// change what it parses, for valid streams and for streams with corrupted bytes (run under
// ASan/UBSan by `make check`, this is also the parser's fuzz test).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol/resp_parser.h"

namespace ember {
namespace {

using Args = std::vector<std::string>;

class StreamGenerator {
 public:
  explicit StreamGenerator(uint32_t seed) : rng_(seed) {}

  // Appends one random command to `stream` and returns its arguments as the parser should.
  Args AppendCommand(std::string& stream) {
    int kind = Uniform(0, 19);
    if (kind == 0) {
      stream += Uniform(0, 1) ? "*0\r\n" : "*-1\r\n";
      return {};
    }
    if (kind == 1) {
      stream += "\r\n";  // an empty inline line
      return {};
    }
    if (kind <= 5) return AppendInline(stream);
    return AppendMultibulk(stream);
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

 private:
  Args AppendMultibulk(std::string& stream) {
    Args args(Uniform(1, 5));
    stream += "*" + std::to_string(args.size()) + "\r\n";
    for (std::string& arg : args) {
      size_t len = Uniform(0, 9) == 0 ? Uniform(100, 3000) : Uniform(0, 40);
      for (size_t i = 0; i < len; ++i) arg.push_back(static_cast<char>(Uniform(0, 255)));
      stream += "$" + std::to_string(len) + "\r\n" + arg + "\r\n";
    }
    return args;
  }

  Args AppendInline(std::string& stream) {
    static constexpr char kChars[] = "abcXYZ019_-:";
    Args args(Uniform(1, 4));
    for (size_t i = 0; i < args.size(); ++i) {
      for (int n = Uniform(1, 8); n > 0; --n) args[i].push_back(kChars[Uniform(0, 11)]);
      stream += std::string(Uniform(i == 0 ? 0 : 1, 2), ' ') + args[i];
    }
    stream += Uniform(0, 1) ? "\r\n" : "\n";
    return args;
  }

  std::mt19937 rng_;
};

// What a parse of a whole stream produced: the commands, then how it ended.
struct Outcome {
  std::vector<Args> commands;
  std::string end;  // "need more" or the protocol error
  bool operator==(const Outcome&) const = default;
};

// Feeds `stream` as a connection would: the bytes arrive in chunks of the sizes `next_chunk`
// picks, and every complete command is taken before the next chunk arrives.
template <typename ChunkFn>
Outcome ParseInChunks(const std::string& stream, ChunkFn next_chunk) {
  RespParser parser;
  Outcome outcome;
  size_t start = 0, available = 0;
  while (true) {
    available = std::min(stream.size(), available + next_chunk());
    RespParser::Status status = RespParser::Status::kComplete;
    while (start < available) {
      size_t consumed = 0;
      status = parser.Parse(std::string_view(stream).substr(start, available - start), &consumed);
      if (status != RespParser::Status::kComplete) break;
      EXPECT_GT(consumed, 0u);
      EXPECT_LE(start + consumed, available);
      if (consumed == 0 || start + consumed > available) return outcome;
      outcome.commands.emplace_back(parser.Args().begin(), parser.Args().end());
      start += consumed;
    }
    if (status == RespParser::Status::kError) {
      outcome.end = parser.Error();
      return outcome;
    }
    if (available == stream.size()) {
      outcome.end = start == stream.size() ? "" : "need more";
      return outcome;
    }
  }
}

TEST(RespParserRandom, ValidStreamsParseTheSameWhateverTheSplit) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    StreamGenerator gen(seed);
    std::string stream;
    std::vector<Args> expected;
    for (int i = gen.Uniform(1, 40); i > 0; --i) expected.push_back(gen.AppendCommand(stream));
    Outcome whole = ParseInChunks(stream, [&] { return stream.size(); });
    ASSERT_EQ(whole.commands, expected) << "seed " << seed;
    ASSERT_EQ(whole.end, "") << "seed " << seed;
    Outcome bytewise = ParseInChunks(stream, [] { return size_t{1}; });
    ASSERT_EQ(bytewise, whole) << "seed " << seed;
    Outcome chunked = ParseInChunks(stream, [&] { return size_t(gen.Uniform(1, 300)); });
    ASSERT_EQ(chunked, whole) << "seed " << seed;
  }
}

TEST(RespParserRandom, CorruptedStreamsParseTheSameWhateverTheSplit) {
  static constexpr char kSpecial[] = "*$\r\n-0123456789 \"'\\";
  int errors = 0;
  for (uint32_t seed = 1; seed <= 2000; ++seed) {
    StreamGenerator gen(seed);
    std::string stream;
    for (int i = gen.Uniform(1, 8); i > 0; --i) gen.AppendCommand(stream);
    // Corrupt a few bytes, mostly with the characters the grammar cares about.
    for (int i = gen.Uniform(1, 3); i > 0; --i) {
      char c = gen.Uniform(0, 1) ? kSpecial[gen.Uniform(0, sizeof(kSpecial) - 2)]
                                 : static_cast<char>(gen.Uniform(0, 255));
      stream[gen.Uniform(0, static_cast<int>(stream.size()) - 1)] = c;
    }
    Outcome whole = ParseInChunks(stream, [&] { return stream.size(); });
    Outcome bytewise = ParseInChunks(stream, [] { return size_t{1}; });
    ASSERT_EQ(bytewise, whole) << "seed " << seed;
    Outcome chunked = ParseInChunks(stream, [&] { return size_t(gen.Uniform(1, 64)); });
    ASSERT_EQ(chunked, whole) << "seed " << seed;
    if (whole.end.starts_with("Protocol error")) ++errors;
  }
  EXPECT_GT(errors, 200);  // the corruption does reach the error paths
}

}  // namespace
}  // namespace ember
