#include "protocol/reply_builder.h"

#include <cmath>

#include "common/error_stats.h"
#include "common/numbers.h"

namespace ember {

void ReplyBuilder::Header(char type, int64_t n) {
  char buf[24];
  buf[0] = type;
  size_t len = 1 + FormatInt64(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view msg) {
  ++errors_written_;
  CountErrorReply(msg);  // INFO errorstats
  out_->push_back('-');
  // Error lines cannot carry newlines: like Redis, drop those that end the message and replace
  // the others with spaces.
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n", 2);
}

void ReplyBuilder::Integer(int64_t v) { Header(':', v); }

void ReplyBuilder::Bulk(std::string_view s) {
  Header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::BulkInt(int64_t v) {
  char buf[24];
  Bulk(std::string_view(buf, FormatInt64(v, buf)));
}

void ReplyBuilder::Null() {
  if (resp3_) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyBuilder::NullArray() {
  if (resp3_) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyBuilder::ArrayHeader(size_t n) { Header('*', static_cast<int64_t>(n)); }

void ReplyBuilder::MapHeader(size_t n) {
  if (resp3_) {
    Header('%', static_cast<int64_t>(n));
  } else {
    Header('*', static_cast<int64_t>(2 * n));
  }
}

void ReplyBuilder::SetHeader(size_t n) { Header(resp3_ ? '~' : '*', static_cast<int64_t>(n)); }

void ReplyBuilder::PushHeader(size_t n) { Header(resp3_ ? '>' : '*', static_cast<int64_t>(n)); }

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (!resp3_) return Bulk(digits);
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Double(double v) {
  std::string text = FormatDouble(v);
  if (resp3_) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::DoubleText(std::string_view text) {
  if (!resp3_) return Bulk(text);
  out_->push_back(',');
  out_->append(text);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Bool(bool v) {
  if (resp3_) {
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  } else {
    Integer(v ? 1 : 0);
  }
}

void ReplyBuilder::Verbatim(std::string_view text) {
  if (!resp3_) {
    Bulk(text);
    return;
  }
  Header('=', static_cast<int64_t>(text.size() + 4));
  out_->append("txt:", 4);
  out_->append(text);
  out_->append("\r\n", 2);
}

void ReplyBuilder::BulkArray(std::initializer_list<std::string_view> items) {
  ArrayHeader(items.size());
  for (auto item : items) Bulk(item);
}

}  // namespace ember
