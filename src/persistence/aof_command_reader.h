#pragma once
// Streams the RESP commands of one AOF file (arrays of bulk strings, '#' annotation lines
// between them) through a moving buffer: memory is bounded by the buffer size or the largest
// single command (or pinned MULTI block), never by the file, so multi-GB files load in O(1)
// memory.
//
// It tells a torn tail from corruption: running out of file inside a command is kTruncated
// (the process died mid-write); anything that is not the format (no '*', no '$', a non-number,
// a bulk not followed by CRLF, a zero count) is kCorrupt, with the byte offset.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {

class AofCommandReader {
 public:
  enum class Result { kCommand, kEnd, kTruncated, kCorrupt, kIoError };

  // Reads `fd` (not owned) from `start` to `file_size`, `buffer_bytes` at a time.
  AofCommandReader(int fd, uint64_t file_size, uint64_t start, size_t buffer_bytes = 1 << 20);

  Result Next();
  // The command Next() returned: views valid until the next Next() (or Unpin()).
  std::span<const std::string_view> argv() const { return argv_; }
  // Its arguments as (file offset, length), for keeping across calls while pinned.
  std::span<const std::pair<uint64_t, uint64_t>> arg_ranges() const { return ranges_; }
  // File offset where the last command (complete or not) began, and just past the last
  // complete one.
  uint64_t command_start() const { return command_start_; }
  uint64_t position() const { return pos_; }
  // For kCorrupt / kIoError: what and where.
  const std::string& error() const { return error_; }
  uint64_t error_offset() const { return error_offset_; }

  // Keeps every byte from `offset` (a command start at or before the current position) in
  // memory until Unpin(), so Slice() of the commands read since stays valid: a MULTI block is
  // delivered whole once its EXEC arrives.
  void Pin(uint64_t offset) {
    pinned_ = true;
    pin_ = offset;
  }
  void Unpin() { pinned_ = false; }
  std::string_view Slice(uint64_t offset, uint64_t length) const {
    return {buffer_.get() + (offset - buffer_start_), static_cast<size_t>(length)};
  }

  size_t peak_buffer_bytes() const { return peak_capacity_; }

 private:
  enum class Fill { kOk, kEof, kError };
  // Makes [keep point, end) resident, reading (and compacting or growing) as needed.
  Fill Ensure(uint64_t end) { return end <= buffer_start_ + filled_ ? Fill::kOk : Refill(end); }
  Fill Refill(uint64_t end);
  char At(uint64_t offset) const { return buffer_[offset - buffer_start_]; }
  // Reads a decimal number ended by CRLF at `offset`; *after is past the CRLF.
  Result ReadNumber(uint64_t offset, const char* what, uint64_t* value, uint64_t* after);
  Result FillResult(Fill fill, uint64_t offset);
  Result Corrupt(uint64_t offset, std::string what);
  Result SkipAnnotation();

  int fd_;
  uint64_t file_size_;
  size_t chunk_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t peak_capacity_ = 0;
  uint64_t buffer_start_;  // file offset of buffer_[0]
  size_t filled_ = 0;
  uint64_t pos_;
  uint64_t command_start_;
  bool pinned_ = false;
  uint64_t pin_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;
  std::vector<std::string_view> argv_;
  std::string error_;
  uint64_t error_offset_ = 0;
};

}  // namespace ember
