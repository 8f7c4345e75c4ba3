#include "protocol/resp_parser.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/numbers.h"

namespace ember {
namespace {

// Where the header line starting at `pos` ends, read as Redis reads it: at its first '\r',
// whatever byte follows (Redis skips it unchecked), once that byte has arrived. Redis looks for
// the '\r' with strchr, so a NUL before it reads as no line yet. kNoLine: no '\r' yet (the
// caller enforces the line-length cap); kWaitByte: the byte after it is still to come.
constexpr size_t kNoLine = std::string_view::npos;
constexpr size_t kWaitByte = kNoLine - 1;

size_t FindLineEnd(std::string_view buf, size_t pos) {
  const char* begin = buf.data() + pos;
  const void* cr = memchr(begin, '\r', buf.size() - pos);
  if (cr == nullptr) return kNoLine;
  size_t idx = static_cast<size_t>(static_cast<const char*>(cr) - buf.data());
  if (memchr(begin, '\0', idx - pos) != nullptr) return kNoLine;
  return idx + 1 < buf.size() ? idx : kWaitByte;
}

// The common header line in one pass: a canonical non-negative number (no sign, no leading
// zero, at most 18 digits) starting at `pos`, ending at a '\r' with one more byte after it in
// `buf`. Sets *value and *cr (the index of '\r'); false for anything else, which the general
// path then handles (partial lines, negative counts, errors), so the two agree on every input.
bool ReadSimpleLength(std::string_view buf, size_t pos, int64_t* value, size_t* cr) {
  size_t i = pos, end = std::min(buf.size(), pos + 18);
  if (i >= end || buf[i] < '0' || buf[i] > '9' ||
      (buf[i] == '0' && i + 1 < buf.size() && buf[i + 1] != '\r'))
    return false;
  int64_t v = 0;
  for (; i < end && buf[i] >= '0' && buf[i] <= '9'; ++i) v = v * 10 + (buf[i] - '0');
  if (i + 1 >= buf.size() || buf[i] != '\r') return false;
  *value = v;
  *cr = i;
  return true;
}

// A "*N" or "$N" header line from `start` (its prefix): where it ends (kNoLine or kWaitByte
// while incomplete) and its number (empty when it is not one).
struct LengthLine {
  size_t cr = kNoLine;  // index of the line's '\r'
  std::optional<int64_t> value;
  bool found() const { return cr < kWaitByte; }
};

LengthLine ReadLengthLine(std::string_view buf, size_t start) {
  LengthLine line;
  int64_t simple;
  if (buf[start] != '\0' && ReadSimpleLength(buf, start + 1, &simple, &line.cr)) {
    line.value = simple;
    return line;
  }
  line.cr = FindLineEnd(buf, start);
  if (line.found() && line.cr > start)
    line.value = ParseInt64(buf.substr(start + 1, line.cr - start - 1));
  return line;
}

// Redis caps the length of a "*N" or "$N" header line.
constexpr size_t kMaxHeaderLine = 64 * 1024;

}  // namespace

void RespParser::ResetState() {
  in_multibulk_ = false;
  args_expected_ = 0;
  scan_pos_ = 0;
  arg_spans_.clear();
  needed_hint_ = 0;
}

RespParser::Status RespParser::Fail(const char* message) {
  error_ = std::string("Protocol error: ") + message;
  ResetState();
  return Status::kError;
}

RespParser::Status RespParser::Parse(std::string_view buf, size_t* consumed) {
  args_.clear();
  if (!in_multibulk_) {
    if (buf.empty()) return Status::kNeedMore;
    if (buf[0] != '*') return ParseInline(buf, consumed);
  }
  return ParseMultibulk(buf, consumed);
}

RespParser::Status RespParser::ParseMultibulk(std::string_view buf, size_t* consumed) {
  if (!in_multibulk_) {
    LengthLine line = ReadLengthLine(buf, 0);
    if (!line.found()) {
      if (line.cr == kNoLine && buf.size() > kMaxHeaderLine)
        return Fail("too big mbulk count string");
      return Status::kNeedMore;
    }
    const std::optional<int64_t>& count = line.value;
    if (!count || *count > limits_.max_multibulk_len) return Fail("invalid multibulk length");
    // Redis's guard against unauthenticated clients making it allocate.
    if (*count > 10 && limits_.unauthenticated) return Fail("unauthenticated multibulk length");
    if (*count <= 0) {  // "*0" and "*-1" are empty commands: skip them
      *consumed = line.cr + 2;
      return Status::kComplete;
    }
    in_multibulk_ = true;
    args_expected_ = *count;
    scan_pos_ = line.cr + 2;
    arg_spans_.clear();
    needed_hint_ = scan_pos_;
  }

  while (static_cast<int64_t>(arg_spans_.size()) < args_expected_) {
    if (scan_pos_ >= buf.size()) return Status::kNeedMore;
    // As in Redis, the line is found before its '$' is checked.
    LengthLine line = ReadLengthLine(buf, scan_pos_);
    if (!line.found()) {
      if (line.cr == kNoLine && buf.size() - scan_pos_ > kMaxHeaderLine)
        return Fail("too big bulk count string");
      return Status::kNeedMore;
    }
    if (buf[scan_pos_] != '$') {
      char got[32];
      snprintf(got, sizeof(got), "expected '$', got '%c'", buf[scan_pos_]);
      return Fail(got);
    }
    const std::optional<int64_t>& len = line.value;
    if (!len || *len < 0 || *len > limits_.max_bulk_len) return Fail("invalid bulk length");
    if (*len > 16384 && limits_.unauthenticated) return Fail("unauthenticated bulk length");
    size_t start = line.cr + 2;
    size_t end = start + static_cast<size_t>(*len);
    needed_hint_ = end + 2;
    // The two bytes after the bulk are its CRLF: Redis skips them unchecked, and so do we.
    if (end + 2 > buf.size()) return Status::kNeedMore;
    arg_spans_.emplace_back(start, static_cast<size_t>(*len));
    scan_pos_ = end + 2;
  }

  args_.reserve(arg_spans_.size());
  for (auto [offset, len] : arg_spans_) args_.emplace_back(buf.data() + offset, len);
  *consumed = scan_pos_;
  ResetState();
  return Status::kComplete;
}

RespParser::Status RespParser::ParseInline(std::string_view buf, size_t* consumed) {
  const void* nl = memchr(buf.data(), '\n', buf.size());
  // Redis finds the end of the line with strchr: a NUL before it reads as no line yet.
  if (nl != nullptr && memchr(buf.data(), '\0', static_cast<const char*>(nl) - buf.data()))
    nl = nullptr;
  if (nl == nullptr) {
    if (buf.size() > limits_.max_inline_len) return Fail("too big inline request");
    return Status::kNeedMore;
  }
  size_t line_end = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
  // The same bound for a line that arrived whole as for one still arriving, so how the bytes
  // were split never decides (Redis, reading 16 KiB at a time, refuses such lines as well).
  if (line_end > limits_.max_inline_len) return Fail("too big inline request");
  std::string_view line = buf.substr(0, line_end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  inline_storage_.clear();
  arg_spans_.clear();
  if (!SplitInlineArgs(line, inline_storage_, arg_spans_)) {
    return Fail("unbalanced quotes in request");
  }
  for (auto [offset, len] : arg_spans_) args_.emplace_back(inline_storage_.data() + offset, len);
  arg_spans_.clear();
  *consumed = line_end + 1;
  return Status::kComplete;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
// What ends an unquoted argument in redis-cli/Redis's splitting: fewer characters than IsSpace()
// (which skips the blanks between arguments), so "\v" and "\f" stay inside one.
bool EndsArgument(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
}  // namespace

bool SplitInlineArgs(std::string_view line, std::string& storage,
                     std::vector<std::pair<size_t, size_t>>& out) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) return true;
    size_t start = storage.size();
    bool in_double = false, in_single = false;
    while (true) {
      if (in_double) {
        if (i >= line.size()) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          storage.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < line.size()) {
          // \n \r \t \b \a are control characters; any other escaped character is itself.
          constexpr std::string_view kEscapes = "n\nr\rt\tb\ba\a";
          char e = line[++i];
          size_t at = kEscapes.find(e);
          storage.push_back(at != std::string_view::npos && at % 2 == 0 ? kEscapes[at + 1] : e);
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end of the line.
          if (i + 1 < line.size() && !IsSpace(line[i + 1])) return false;
          in_double = false;
          ++i;
          break;
        } else {
          storage.push_back(c);
        }
      } else if (in_single) {
        if (i >= line.size()) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          storage.push_back('\'');
          ++i;
        } else if (c == '\'') {
          if (i + 1 < line.size() && !IsSpace(line[i + 1])) return false;
          in_single = false;
          ++i;
          break;
        } else {
          storage.push_back(c);
        }
      } else {
        if (i >= line.size() || EndsArgument(line[i])) break;
        char c = line[i];
        if (c == '"') {
          in_double = true;
        } else if (c == '\'') {
          in_single = true;
        } else {
          storage.push_back(c);
        }
      }
      ++i;
    }
    out.emplace_back(start, storage.size() - start);
  }
}

}  // namespace ember
