#pragma once
// A sorted array of distinct int64 values in one allocation, stored at the narrowest width
// (2, 4 or 8 bytes) that fits every value: the compact encoding of small all-integer sets.
// Lookups are binary searches; inserts and erases shift the tail (the set stays small).
#include <cstddef>
#include <cstdint>

namespace ember {

class Intset {
 public:
  Intset() = default;
  Intset(const Intset& other);
  Intset& operator=(const Intset&) = delete;
  Intset(Intset&& other) noexcept : buf_(other.buf_) { other.buf_ = nullptr; }
  Intset& operator=(Intset&& other) noexcept;
  ~Intset();

  size_t size() const;
  bool empty() const { return size() == 0; }
  // Bytes per value: 2, 4 or 8 (2 when empty).
  size_t width() const;
  size_t AllocatedBytes() const;

  bool Contains(int64_t v) const;
  // False when already present.
  bool Insert(int64_t v);
  // False when absent.
  bool Erase(int64_t v);
  // The value at `index` (0 <= index < size()), in ascending order.
  int64_t At(size_t index) const;
  void EraseAt(size_t index);

 private:
  struct Header {
    uint32_t count;
    uint32_t width;
  };
  Header* header() const { return reinterpret_cast<Header*>(buf_); }
  uint8_t* data() const { return buf_ + sizeof(Header); }
  // Index of the first value >= v; *found when equal.
  size_t LowerBound(int64_t v, bool* found) const;
  void Store(size_t index, int64_t v);
  // Reallocates for `count` values of `width` bytes, re-encoding when the width grows.
  void Resize(size_t count, size_t width);

  uint8_t* buf_ = nullptr;
};

}  // namespace ember
