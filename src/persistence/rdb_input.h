#pragma once
// The byte source an RDB reader pulls from: a file descriptor read through a fixed buffer
// (a multi-GB file is never held in memory), or bytes already in memory (RESTORE). It keeps
// the offset for error messages and the CRC-64 of everything consumed.
//
// Reads never allocate more than the bytes that actually arrived: a corrupt length cannot
// make the reader reserve gigabytes up front.
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

class RdbInput {
 public:
  explicit RdbInput(int fd);
  explicit RdbInput(std::string_view bytes);
  RdbInput(const RdbInput&) = delete;
  RdbInput& operator=(const RdbInput&) = delete;

  bool Read(void* dst, size_t n);
  bool ReadByte(uint8_t* b) { return Read(b, 1); }
  // Appends n bytes to *dst (growing it as the bytes arrive, not before).
  bool ReadInto(std::string* dst, size_t n);
  bool Skip(size_t n);
  // Whether n more bytes could still be there (false when the source's size is known and
  // smaller): lets a reader reject an absurd length before it starts.
  bool MayHave(uint64_t n) const;

  // Bytes consumed so far.
  uint64_t offset() const { return consumed_before_ + pos_; }
  // The CRC-64 of all bytes consumed so far.
  uint64_t Crc();

  // Records the first failure as "<what> at offset N" and returns false.
  bool Fail(std::string_view what);
  const std::string& error() const { return error_; }
  bool failed() const { return !error_.empty(); }

 private:
  // Brings more bytes into the buffer; false at the end of the source.
  bool Refill();
  size_t available() const { return end_ - pos_; }
  void FoldCrc();

  int fd_ = -1;
  std::string storage_;  // the buffer in fd mode
  const char* data_ = nullptr;
  size_t pos_ = 0, end_ = 0;
  size_t crc_pos_ = 0;  // bytes of the buffer before this are already in crc_
  uint64_t crc_ = 0;
  uint64_t consumed_before_ = 0;  // bytes of the source before the buffer's start
  uint64_t source_size_ = UINT64_MAX;
  std::string error_;
};

}  // namespace ember
