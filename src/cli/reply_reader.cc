// RESP2/RESP3 reply parsing for ember-cli: a recursive descent over a complete buffer. The
// connection reads more and retries when the reply is incomplete: replies are small next to the
// cost of a terminal, and a rescan of a partial reply happens once per read.
#include <charconv>
#include <cstring>

#include "cli/reply.h"

namespace ember::cli {
namespace {

constexpr long kIncomplete = 0;
constexpr long kBad = -1;

// Finds the line at pos; returns its length (without CRLF) or -1 when no CRLF yet.
long LineLength(std::string_view buf, size_t pos) {
  size_t end = buf.find("\r\n", pos);
  if (end == std::string_view::npos) return -1;
  return static_cast<long>(end - pos);
}

bool ToInt(std::string_view text, int64_t& value) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

long ParseAt(std::string_view buf, size_t pos, Reply& out, std::string& error, int depth) {
  if (depth > 64) {
    error = "Protocol error: nesting too deep";
    return kBad;
  }
  if (pos >= buf.size()) return kIncomplete;
  char kind = buf[pos];
  long len = LineLength(buf, pos + 1);
  if (len < 0) return kIncomplete;
  std::string_view line = buf.substr(pos + 1, len);
  size_t after = pos + 1 + len + 2;
  out = Reply{};
  auto bulk = [&](ReplyType type) -> long {
    int64_t n = 0;
    if (!ToInt(line, n) || n < -1) {
      error = "Protocol error: bad bulk length";
      return kBad;
    }
    if (n == -1) {
      out.type = ReplyType::kNil;
      return static_cast<long>(after);
    }
    if (buf.size() < after + n + 2) return kIncomplete;
    out.type = type;
    out.str.assign(buf.substr(after, n));
    if (type == ReplyType::kVerbatim && out.str.size() >= 4 && out.str[3] == ':') {
      out.vtype = out.str.substr(0, 3);
      out.str.erase(0, 4);
    }
    return static_cast<long>(after + n + 2);
  };
  auto aggregate = [&](ReplyType type, int per_entry) -> long {
    int64_t n = 0;
    if (!ToInt(line, n) || n < -1) {
      error = "Protocol error: bad aggregate length";
      return kBad;
    }
    if (n == -1) {
      out.type = ReplyType::kNil;
      return static_cast<long>(after);
    }
    out.type = type;
    out.elements.resize(static_cast<size_t>(n) * per_entry);
    size_t at = after;
    for (auto& element : out.elements) {
      long used = ParseAt(buf, at, element, error, depth + 1);
      if (used <= 0) return used;
      at = static_cast<size_t>(used);
    }
    return static_cast<long>(at);
  };
  switch (kind) {
    case '+':
      out.type = ReplyType::kStatus;
      out.str.assign(line);
      return static_cast<long>(after);
    case '-':
      out.type = ReplyType::kError;
      out.str.assign(line);
      return static_cast<long>(after);
    case ':':
      out.type = ReplyType::kInteger;
      if (!ToInt(line, out.integer)) {
        error = "Protocol error: bad integer";
        return kBad;
      }
      return static_cast<long>(after);
    case ',':
      out.type = ReplyType::kDouble;
      out.str.assign(line);
      return static_cast<long>(after);
    case '(':
      out.type = ReplyType::kBigNumber;
      out.str.assign(line);
      return static_cast<long>(after);
    case '#':
      out.type = ReplyType::kBool;
      out.integer = line == "t";
      return static_cast<long>(after);
    case '_':
      out.type = ReplyType::kNil;
      return static_cast<long>(after);
    case '$':
      return bulk(ReplyType::kString);
    case '=':
      return bulk(ReplyType::kVerbatim);
    case '!':
      return bulk(ReplyType::kError);
    case '*':
      return aggregate(ReplyType::kArray, 1);
    case '~':
      return aggregate(ReplyType::kSet, 1);
    case '>':
      return aggregate(ReplyType::kPush, 1);
    case '%':
      return aggregate(ReplyType::kMap, 2);
    case '|': {
      // An attribute precedes the real reply: parse and drop it.
      Reply attribute;
      long used = aggregate(ReplyType::kAttribute, 2);
      if (used <= 0) return used;
      return ParseAt(buf, static_cast<size_t>(used), out, error, depth + 1);
    }
    default:
      error = std::string("Protocol error, got \"") + kind + "\" as reply type byte";
      return kBad;
  }
}

}  // namespace

long ParseReply(std::string_view buf, Reply& out, std::string& error) {
  return ParseAt(buf, 0, out, error, 0);
}

}  // namespace ember::cli
