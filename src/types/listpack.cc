#include "types/listpack.h"

#include <algorithm>
#include <cstring>

#include "common/memory.h"
#include "common/varint.h"

namespace ember {
namespace {

// The back-length: the same varint stored in reverse, so it reads from its last byte.
void PutBackVarint(uint8_t* end, uint64_t v) {
  uint8_t tmp[10];
  size_t n = PutVarint(tmp, v);
  for (size_t i = 0; i < n; ++i) end[-1 - static_cast<ptrdiff_t>(i)] = tmp[i];
}

uint64_t GetBackVarint(const uint8_t* end, size_t* width) {
  uint64_t result = 0;
  size_t n = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = end[-1 - static_cast<ptrdiff_t>(n++)];
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  *width = n;
  return result;
}

// Writes `value` as an entry of `encoded` (= EncodedSize) bytes at `at`.
void WriteEntry(uint8_t* at, std::string_view value, size_t encoded) {
  size_t n = PutVarint(at, value.size());
  memcpy(at + n, value.data(), value.size());
  PutBackVarint(at + encoded, n + value.size());
}

size_t EncodedSize(size_t len) {
  size_t body = VarintSize(len) + len;
  return body + VarintSize(body);
}

}  // namespace

Listpack::Listpack(const Listpack& other) {
  if (other.buf_ == nullptr) return;
  buf_ = static_cast<uint8_t*>(memory::Allocate(kHeader + other.used_bytes()));
  memcpy(buf_, other.buf_, 2 * sizeof(uint32_t));  // bytes used and entry count
  Header()[2] = 0;                                 // the copy is compact: no front gap
  memcpy(Data(), other.Data(), other.used_bytes());
}

Listpack::~Listpack() {
  memory::Free(buf_);
}

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  if (this != &other) {
    memory::Free(buf_);
    buf_ = other.buf_;
    other.buf_ = nullptr;
  }
  return *this;
}

size_t Listpack::AllocatedBytes() const {
  return buf_ == nullptr ? 0 : memory::UsableSize(buf_);
}

size_t Listpack::EntrySize(size_t pos) const {
  uint64_t len;
  size_t n = GetVarint(Data() + pos, &len);
  return n + len + VarintSize(n + len);
}

size_t Listpack::Next(size_t pos) const {
  return pos + EntrySize(pos);
}

size_t Listpack::Prev(size_t pos) const {
  size_t width;
  uint64_t body = GetBackVarint(Data() + pos, &width);
  return pos - width - body;
}

std::string_view Listpack::Get(size_t pos) const {
  uint64_t len;
  size_t n = GetVarint(Data() + pos, &len);
  return std::string_view(reinterpret_cast<const char*>(Data() + pos + n), len);
}

size_t Listpack::Seek(int64_t index) const {
  int64_t count = static_cast<int64_t>(size());
  if (index < 0) index += count;
  if (index < 0 || index >= count) return End();
  if (index <= count / 2) {
    size_t pos = Front();
    for (int64_t i = 0; i < index; ++i) pos = Next(pos);
    return pos;
  }
  size_t pos = End();
  for (int64_t i = count; i > index; --i) pos = Prev(pos);
  return pos;
}

namespace {
constexpr size_t kExactGrowthBelow = 1024;
// Packs at least this big get a front gap on a push at the front; smaller ones stay exact.
constexpr size_t kGapFrom = 256;
constexpr size_t kMaxGap = 1024;
}  // namespace

void Listpack::Reserve(size_t extra, int64_t* grown) {
  size_t need = kHeader + front_gap() + used_bytes() + extra;
  if (buf_ != nullptr && memory::UsableSize(buf_) >= need) return;  // the common case
  Regrow(need, grown);
}

void Listpack::Regrow(size_t need, int64_t* grown) {
  if (front_gap() > 0) {  // take the front gap back before growing (a queue pops the front)
    uint8_t* old_data = Data();
    need -= front_gap();
    Header()[2] = 0;
    memmove(Data(), old_data, used_bytes());
    if (memory::UsableSize(buf_) >= need) return;
  }
  bool fresh = buf_ == nullptr;
  // Small packs grow to the exact size: the allocator's size classes (at most ~1/8 apart)
  // already leave room for the next few pushes, and a million small hashes would otherwise
  // carry up to half their size in slack. Large ones grow by half again, for O(1) pushes.
  size_t want = fresh || need < kExactGrowthBelow ? need : need + need / 2;
  buf_ = static_cast<uint8_t*>(memory::Reallocate(buf_, want, grown));
  if (fresh) Header()[0] = Header()[1] = Header()[2] = 0;
}

void Listpack::ReserveFront(size_t extra, int64_t* grown) {
  if (front_gap() >= extra) return;
  size_t used = used_bytes();
  size_t gap = used < kGapFrom ? extra : std::max(extra, std::min(used / 4, kMaxGap));
  size_t need = kHeader + gap + used;
  if (memory::UsableSize(buf_) < need) {  // the gap is the slack
    buf_ = static_cast<uint8_t*>(memory::Reallocate(buf_, need, grown));
  }
  uint8_t* old_data = Data();  // then slide the entries up behind the new gap
  Header()[2] = static_cast<uint32_t>(gap);
  memmove(Data(), old_data, used);
}

size_t Listpack::Insert(size_t pos, std::string_view value, int64_t* grown) {
  size_t add = EncodedSize(value.size());
  if (pos == 0 && buf_ != nullptr) {
    ReserveFront(add, grown);
    Header()[2] -= static_cast<uint32_t>(add);  // the new entry takes the gap's last bytes
  } else {
    Reserve(add, grown);
    memmove(Data() + pos + add, Data() + pos, used_bytes() - pos);
  }
  WriteEntry(Data() + pos, value, add);
  Header()[0] += static_cast<uint32_t>(add);
  Header()[1] += 1;
  return pos;
}

size_t Listpack::Erase(size_t pos, size_t count, int64_t* grown) {
  size_t end = pos, erased = 0;
  for (; erased < count && end < End(); ++erased) end = Next(end);
  if (erased == 0) return pos;
  if (pos == 0 && end < used_bytes()) {  // from the front: the gap grows, nothing moves
    Header()[2] += static_cast<uint32_t>(end);
    Header()[0] -= static_cast<uint32_t>(end);
    Header()[1] -= static_cast<uint32_t>(erased);
    return 0;
  }
  memmove(Data() + pos, Data() + end, used_bytes() - end);
  Header()[0] -= static_cast<uint32_t>(end - pos);
  Header()[1] -= static_cast<uint32_t>(erased);
  if (Header()[1] == 0) Clear(grown);
  return pos;
}

size_t Listpack::Replace(size_t pos, std::string_view value, int64_t* grown) {
  size_t old_size = EntrySize(pos), new_size = EncodedSize(value.size());
  if (new_size > old_size) Reserve(new_size - old_size, grown);
  uint8_t* at = Data() + pos;
  memmove(at + new_size, at + old_size, used_bytes() - pos - old_size);
  WriteEntry(at, value, new_size);
  Header()[0] = static_cast<uint32_t>(used_bytes() + new_size - old_size);
  return pos;
}

void Listpack::Clear(int64_t* grown) {
  if (grown != nullptr) *grown -= static_cast<int64_t>(memory::UsableSize(buf_));
  memory::Free(buf_);
  buf_ = nullptr;
}

}  // namespace ember
