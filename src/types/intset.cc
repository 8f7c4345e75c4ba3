#include "types/intset.h"

#include <cstring>

#include "common/memory.h"

namespace ember {
namespace {

size_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t Load(const uint8_t* p, size_t width) {
  switch (width) {
    case 2: {
      int16_t v;
      memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      memcpy(&v, p, 8);
      return v;
    }
  }
}

}  // namespace

Intset::Intset(const Intset& other) {
  if (other.buf_ == nullptr) return;
  size_t bytes = sizeof(Header) + other.size() * other.width();
  buf_ = static_cast<uint8_t*>(memory::Allocate(bytes));
  memcpy(buf_, other.buf_, bytes);
}

Intset& Intset::operator=(Intset&& other) noexcept {
  if (this != &other) {
    memory::Free(buf_);
    buf_ = other.buf_;
    other.buf_ = nullptr;
  }
  return *this;
}

Intset::~Intset() {
  memory::Free(buf_);
}

size_t Intset::size() const {
  return buf_ == nullptr ? 0 : header()->count;
}

size_t Intset::width() const {
  return buf_ == nullptr ? 2 : header()->width;
}

size_t Intset::AllocatedBytes() const {
  return buf_ == nullptr ? 0 : memory::UsableSize(buf_);
}

int64_t Intset::At(size_t index) const {
  return Load(data() + index * width(), width());
}

void Intset::Store(size_t index, int64_t v) {
  size_t w = width();
  uint8_t* p = data() + index * w;
  if (w == 2) {
    auto x = static_cast<int16_t>(v);
    memcpy(p, &x, 2);
  } else if (w == 4) {
    auto x = static_cast<int32_t>(v);
    memcpy(p, &x, 4);
  } else {
    memcpy(p, &v, 8);
  }
}

size_t Intset::LowerBound(int64_t v, bool* found) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (At(mid) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *found = lo < size() && At(lo) == v;
  return lo;
}

bool Intset::Contains(int64_t v) const {
  if (WidthFor(v) > width()) return false;  // cannot be stored at this width
  bool found;
  LowerBound(v, &found);
  return found;
}

void Intset::Resize(size_t count, size_t new_width) {
  size_t old_width = width(), old_count = size();
  if (new_width == old_width || buf_ == nullptr) {
    buf_ = static_cast<uint8_t*>(memory::Reallocate(buf_, sizeof(Header) + count * new_width));
    header()->width = static_cast<uint32_t>(new_width);
    return;
  }
  // Widening: re-encode every value into a fresh buffer.
  auto* fresh = static_cast<uint8_t*>(memory::Allocate(sizeof(Header) + count * new_width));
  for (size_t i = 0; i < old_count; ++i) {
    int64_t v = Load(data() + i * old_width, old_width);
    if (new_width == 4) {
      auto x = static_cast<int32_t>(v);
      memcpy(fresh + sizeof(Header) + i * 4, &x, 4);
    } else {
      memcpy(fresh + sizeof(Header) + i * 8, &v, 8);
    }
  }
  memory::Free(buf_);
  buf_ = fresh;
  header()->count = static_cast<uint32_t>(old_count);
  header()->width = static_cast<uint32_t>(new_width);
}

bool Intset::Insert(int64_t v) {
  size_t n = size();
  size_t w = WidthFor(v);
  size_t pos;
  if (w > width()) {
    // A value that needs a wider width is below or above every stored value.
    pos = v < 0 ? 0 : n;
    Resize(n + 1, w);
  } else {
    bool found;
    pos = LowerBound(v, &found);
    if (found) return false;
    Resize(n + 1, width());
  }
  if (n == 0) header()->count = 0;
  size_t cw = width();
  memmove(data() + (pos + 1) * cw, data() + pos * cw, (n - pos) * cw);
  header()->count = static_cast<uint32_t>(n + 1);
  Store(pos, v);
  return true;
}

void Intset::EraseAt(size_t index) {
  size_t n = size(), w = width();
  memmove(data() + index * w, data() + (index + 1) * w, (n - index - 1) * w);
  header()->count = static_cast<uint32_t>(n - 1);
  if (n == 1) {
    memory::Free(buf_);
    buf_ = nullptr;
    return;
  }
  buf_ = static_cast<uint8_t*>(memory::Reallocate(buf_, sizeof(Header) + (n - 1) * w));
}

bool Intset::Erase(int64_t v) {
  if (WidthFor(v) > width()) return false;
  bool found;
  size_t pos = LowerBound(v, &found);
  if (!found) return false;
  EraseAt(pos);
  return true;
}

}  // namespace ember
