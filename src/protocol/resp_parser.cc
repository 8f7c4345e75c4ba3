#include "protocol/resp_parser.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/numbers.h"

namespace ember {
namespace {

// Finds "\r\n" at or after pos; returns the index of '\r' or npos.
size_t FindCrlf(std::string_view buf, size_t pos) {
  while (pos < buf.size()) {
    const void* cr = memchr(buf.data() + pos, '\r', buf.size() - pos);
    if (cr == nullptr) return std::string_view::npos;
    size_t idx = static_cast<size_t>(static_cast<const char*>(cr) - buf.data());
    if (idx + 1 >= buf.size()) return std::string_view::npos;
    if (buf[idx + 1] == '\n') return idx;
    pos = idx + 1;
  }
  return std::string_view::npos;
}

// The common header line in one pass: a canonical non-negative number (no sign, no leading
// zero, at most 18 digits) starting at `pos` and ending in "\r\n" within `buf`. Sets *value
// and *cr (the index of '\r'); false for anything else, which the general path then handles
// (partial lines, negative counts, errors), so the two agree on every input.
bool ReadSimpleLength(std::string_view buf, size_t pos, int64_t* value, size_t* cr) {
  size_t i = pos, end = std::min(buf.size(), pos + 18);
  if (i >= end || buf[i] < '0' || buf[i] > '9' ||
      (buf[i] == '0' && i + 1 < buf.size() && buf[i + 1] != '\r'))
    return false;
  int64_t v = 0;
  for (; i < end && buf[i] >= '0' && buf[i] <= '9'; ++i) v = v * 10 + (buf[i] - '0');
  if (i + 1 >= buf.size() || buf[i] != '\r' || buf[i + 1] != '\n') return false;
  *value = v;
  *cr = i;
  return true;
}

// A "*N" or "$N" header's number, read from `pos` (just past the prefix) up to its CRLF:
// found is false while the line is incomplete; value is empty when it is not a number.
struct LengthLine {
  bool found = false;
  size_t cr = 0;  // index of the line's '\r'
  std::optional<int64_t> value;
};

LengthLine ReadLengthLine(std::string_view buf, size_t pos) {
  LengthLine line;
  int64_t simple;
  if (ReadSimpleLength(buf, pos, &simple, &line.cr)) {
    line.found = true;
    line.value = simple;
    return line;
  }
  line.cr = FindCrlf(buf, pos);
  if (line.cr == std::string_view::npos) return line;
  line.found = true;
  line.value = ParseInt64(buf.substr(pos, line.cr - pos));
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
    LengthLine line = ReadLengthLine(buf, 1);
    if (!line.found) {
      if (buf.size() > kMaxHeaderLine) return Fail("too big mbulk count string");
      return Status::kNeedMore;
    }
    const std::optional<int64_t>& count = line.value;
    if (!count || *count > limits_.max_multibulk_len) return Fail("invalid multibulk length");
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
    if (buf[scan_pos_] != '$') {
      char got[32];
      snprintf(got, sizeof(got), "expected '$', got '%c'", buf[scan_pos_]);
      return Fail(got);
    }
    LengthLine line = ReadLengthLine(buf, scan_pos_ + 1);
    if (!line.found) {
      if (buf.size() - scan_pos_ > kMaxHeaderLine) return Fail("too big bulk count string");
      return Status::kNeedMore;
    }
    const std::optional<int64_t>& len = line.value;
    if (!len || *len < 0 || *len > limits_.max_bulk_len) return Fail("invalid bulk length");
    size_t start = line.cr + 2;
    size_t end = start + static_cast<size_t>(*len);
    needed_hint_ = end + 2;
    if (end + 2 > buf.size()) return Status::kNeedMore;
    if (buf[end] != '\r' || buf[end + 1] != '\n') return Fail("expected CRLF after bulk");
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
  if (nl == nullptr) {
    if (buf.size() > limits_.max_inline_len) return Fail("too big inline request");
    return Status::kNeedMore;
  }
  size_t line_end = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
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
        if (i >= line.size() || IsSpace(line[i])) break;
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
