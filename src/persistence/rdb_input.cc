#include "persistence/rdb_input.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "persistence/crc64.h"

namespace ember {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

RdbInput::RdbInput(int fd) : fd_(fd), storage_(kBufferBytes, '\0') {
  data_ = storage_.data();
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) source_size_ = static_cast<uint64_t>(st.st_size);
}

RdbInput::RdbInput(std::string_view bytes)
    : data_(bytes.data()), end_(bytes.size()), source_size_(bytes.size()) {}

void RdbInput::FoldCrc() {
  crc_ = Crc64(crc_, data_ + crc_pos_, pos_ - crc_pos_);
  crc_pos_ = pos_;
}

uint64_t RdbInput::Crc() {
  FoldCrc();
  return crc_;
}

bool RdbInput::Refill() {
  if (fd_ < 0) return false;
  FoldCrc();
  size_t keep = available();
  std::memmove(storage_.data(), storage_.data() + pos_, keep);
  consumed_before_ += pos_;
  pos_ = crc_pos_ = 0;
  end_ = keep;
  while (true) {
    ssize_t n = ::read(fd_, storage_.data() + end_, storage_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n == 0) return false;
    if (errno != EINTR) {
      Fail(std::string("read error: ") + std::strerror(errno));
      return false;
    }
  }
}

bool RdbInput::Read(void* dst, size_t n) {
  auto* out = static_cast<char*>(dst);
  while (n > 0) {
    if (available() == 0 && !Refill()) return Fail("unexpected end of file");
    size_t take = std::min(n, available());
    std::memcpy(out, data_ + pos_, take);
    pos_ += take;
    out += take;
    n -= take;
  }
  return true;
}

bool RdbInput::ReadInto(std::string* dst, size_t n) {
  if (!MayHave(n)) return Fail("length past the end of file");
  while (n > 0) {
    if (available() == 0 && !Refill()) return Fail("unexpected end of file");
    size_t take = std::min(n, available());
    dst->append(data_ + pos_, take);
    pos_ += take;
    n -= take;
  }
  return true;
}

bool RdbInput::Skip(size_t n) {
  if (!MayHave(n)) return Fail("length past the end of file");
  while (n > 0) {
    if (available() == 0 && !Refill()) return Fail("unexpected end of file");
    size_t take = std::min(n, available());
    pos_ += take;
    n -= take;
  }
  return true;
}

bool RdbInput::MayHave(uint64_t n) const {
  return source_size_ == UINT64_MAX || n <= source_size_ - std::min(source_size_, offset());
}

bool RdbInput::Fail(std::string_view what) {
  if (error_.empty()) error_ = std::string(what) + " at offset " + std::to_string(offset());
  return false;
}

}  // namespace ember
