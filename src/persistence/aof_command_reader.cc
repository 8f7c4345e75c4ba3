#include "persistence/aof_command_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ember {
namespace {

// A '#' annotation (Redis writes "#TS:<unix time>" with aof-timestamp-enabled) is one short line;
// Redis reads it with a 1024-byte buffer.
constexpr uint64_t kMaxAnnotation = 1024;
constexpr int kMaxDigits = 18;  // keeps the value far from overflow

}  // namespace

AofCommandReader::AofCommandReader(int fd, uint64_t file_size, uint64_t start, size_t buffer_bytes)
    : fd_(fd),
      file_size_(file_size),
      chunk_(std::max<size_t>(buffer_bytes, 64)),
      buffer_start_(start),
      pos_(start),
      command_start_(start) {}

AofCommandReader::Fill AofCommandReader::Refill(uint64_t end) {
  if (end > file_size_) return Fill::kEof;
  // Bytes before the current command (or the pinned MULTI) are done with: drop them.
  uint64_t keep = pinned_ ? std::min(pin_, command_start_) : command_start_;
  if (keep > buffer_start_) {
    size_t drop = static_cast<size_t>(keep - buffer_start_);
    if (drop < filled_) std::memmove(buffer_.get(), buffer_.get() + drop, filled_ - drop);
    filled_ = drop < filled_ ? filled_ - drop : 0;
    buffer_start_ = keep;
  }
  size_t needed = static_cast<size_t>(end - buffer_start_);
  size_t wanted = std::max(needed, chunk_);
  // Grow for a big command; shrink back after one, so one huge value does not pin memory.
  if (wanted > capacity_ || (capacity_ > 4 * chunk_ && wanted <= chunk_)) {
    size_t capacity =
        wanted > capacity_ ? std::max(wanted, std::min(2 * capacity_, 2 * needed)) : chunk_;
    auto bigger = std::make_unique<char[]>(capacity);
    if (filled_ > 0) std::memcpy(bigger.get(), buffer_.get(), filled_);
    buffer_ = std::move(bigger);
    capacity_ = capacity;
    peak_capacity_ = std::max(peak_capacity_, capacity_);
  }
  while (buffer_start_ + filled_ < end) {
    uint64_t at = buffer_start_ + filled_;
    size_t room = std::min<uint64_t>(capacity_ - filled_, file_size_ - at);
    ssize_t n = ::pread(fd_, buffer_.get() + filled_, room, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = std::strerror(errno);
      return Fill::kError;
    }
    if (n == 0) return Fill::kEof;  // the file shrank under us: a torn tail all the same
    filled_ += static_cast<size_t>(n);
  }
  return Fill::kOk;
}

AofCommandReader::Result AofCommandReader::FillResult(Fill fill, uint64_t offset) {
  if (fill == Fill::kEof) return Result::kTruncated;
  error_offset_ = offset;
  error_ = "read error: " + error_;
  return Result::kIoError;
}

AofCommandReader::Result AofCommandReader::Corrupt(uint64_t offset, std::string what) {
  error_offset_ = offset;
  error_ = std::move(what);
  return Result::kCorrupt;
}

AofCommandReader::Result AofCommandReader::ReadNumber(uint64_t offset, const char* what,
                                                      uint64_t* value, uint64_t* after) {
  uint64_t number = 0;
  int digits = 0;
  for (uint64_t at = offset;; ++at) {
    if (Fill fill = Ensure(at + 1); fill != Fill::kOk) return FillResult(fill, at);
    char c = At(at);
    if (c >= '0' && c <= '9') {
      if (++digits > kMaxDigits) return Corrupt(offset, std::string(what) + " is too long");
      number = number * 10 + static_cast<uint64_t>(c - '0');
      continue;
    }
    if (c != '\r' || digits == 0) {
      return Corrupt(offset, std::string("invalid ") + what + " (not a decimal number)");
    }
    if (Fill fill = Ensure(at + 2); fill != Fill::kOk) return FillResult(fill, at);
    if (At(at + 1) != '\n') return Corrupt(at, std::string(what) + " not ended by CRLF");
    *value = number;
    *after = at + 2;
    return Result::kCommand;
  }
}

AofCommandReader::Result AofCommandReader::SkipAnnotation() {
  for (uint64_t at = pos_ + 1;; ++at) {
    if (at - pos_ > kMaxAnnotation) return Corrupt(pos_, "annotation line too long");
    if (Fill fill = Ensure(at + 1); fill != Fill::kOk) return FillResult(fill, at);
    if (At(at) == '\n') {
      pos_ = command_start_ = at + 1;
      return Result::kCommand;
    }
  }
}

AofCommandReader::Result AofCommandReader::Next() {
  ranges_.clear();
  argv_.clear();
  while (true) {
    command_start_ = pos_;
    if (pos_ >= file_size_) return Result::kEnd;
    if (Fill fill = Ensure(pos_ + 1); fill != Fill::kOk) return FillResult(fill, pos_);
    if (At(pos_) != '#') break;
    if (Result r = SkipAnnotation(); r != Result::kCommand) return r;
  }
  if (At(pos_) != '*') return Corrupt(pos_, "expected '*' at the start of a command");
  uint64_t count = 0, at = 0;
  if (Result r = ReadNumber(pos_ + 1, "argument count", &count, &at); r != Result::kCommand) {
    return r;
  }
  if (count == 0) return Corrupt(pos_, "command with no arguments");
  for (uint64_t i = 0; i < count; ++i) {
    if (Fill fill = Ensure(at + 1); fill != Fill::kOk) return FillResult(fill, at);
    if (At(at) != '$') return Corrupt(at, "expected '$' (a bulk string argument)");
    uint64_t length = 0, data = 0;
    if (Result r = ReadNumber(at + 1, "bulk length", &length, &data); r != Result::kCommand) {
      return r;
    }
    // Checked against the file size before reading, so a garbage length cannot make us
    // allocate: a bulk running past the end is a torn tail.
    if (length > file_size_ || data + length + 2 > file_size_) return Result::kTruncated;
    if (Fill fill = Ensure(data + length + 2); fill != Fill::kOk) return FillResult(fill, data);
    if (At(data + length) != '\r' || At(data + length + 1) != '\n') {
      return Corrupt(data + length, "bulk string not ended by CRLF");
    }
    ranges_.emplace_back(data, length);
    at = data + length + 2;
  }
  pos_ = at;
  argv_.reserve(ranges_.size());
  for (const auto& [offset, length] : ranges_) argv_.push_back(Slice(offset, length));
  return Result::kCommand;
}

}  // namespace ember
