#include "reply_framer.h"

namespace {

// Position just past the CRLF ending the line that starts at `from`, or 0 if none yet.
size_t LineEnd(std::string_view data, size_t from) {
  size_t cr = data.find("\r\n", from);
  return cr == std::string_view::npos ? 0 : cr + 2;
}

bool ParseLength(std::string_view digits, int64_t& out) {
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 18) return false;
  int64_t v = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + (ch - '0');
  }
  out = negative ? -v : v;
  return true;
}

// Frames the reply at `pos`; returns the position after it, 0 if incomplete, -1 if invalid.
int64_t FrameAt(std::string_view data, size_t pos, int depth) {
  if (pos >= data.size()) return 0;
  if (depth > 64) return -1;
  size_t end = LineEnd(data, pos);
  if (end == 0) return 0;
  std::string_view header = data.substr(pos + 1, end - pos - 3);
  switch (data[pos]) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '#':
    case '_':
    case '(':
      return static_cast<int64_t>(end);
    case '$':
    case '=':
    case '!': {  // blob: length, bytes, CRLF
      int64_t len = 0;
      if (!ParseLength(header, len)) return -1;
      if (len < 0) return static_cast<int64_t>(end);  // RESP2 null
      size_t after = end + static_cast<size_t>(len) + 2;
      return after <= data.size() ? static_cast<int64_t>(after) : 0;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {  // aggregates
      int64_t count = 0;
      if (!ParseLength(header, count)) return -1;
      if (data[pos] == '%' || data[pos] == '|') count *= 2;
      size_t at = end;
      for (int64_t i = 0; i < count; ++i) {
        int64_t next = FrameAt(data, at, depth + 1);
        if (next <= 0) return next;
        at = static_cast<size_t>(next);
      }
      return static_cast<int64_t>(at);
    }
    default:
      return -1;
  }
}

}  // namespace

int64_t FrameReply(std::string_view data) {
  int64_t end = FrameAt(data, 0, 0);
  return end;  // the position after the reply is its length, as it starts at 0
}
