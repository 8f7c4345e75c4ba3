#pragma once
// A packed array of byte strings in one allocation: the compact encoding for small lists,
// hashes (field, value, field, value ...), sets and sorted sets (member, score ...).
//
//   header   u32 bytes used by entries, u32 entry count, u32 free bytes before the first entry
//   entry    varint length, the bytes, then the entry's size (varint + bytes) written
//            backwards so the array can be walked from either end
//
// The free bytes at the front make pushes and pops at the head O(1) like those at the tail
// (LPUSH/LPOP on a list's 8 KiB head node would otherwise move the whole node each time): a
// push at the front of a pack larger than kGapFrom opens a gap of up to 1 KiB once, and the
// following pushes fill it.
//
// Positions are byte offsets into the entry area: Front() is 0, End() is one past the last.
// Inserting or erasing invalidates positions after the change point.
//
// The mutators take an optional `grown` counter, to which they add how many bytes their
// allocator block grew (negative: shrank or was freed). An owner of many packs (a list's
// nodes) keeps its running byte count with it: the block size is only asked for when the
// block changes, never on the common path that fits in place.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember {

class Listpack {
 public:
  Listpack() = default;
  Listpack(const Listpack& other);
  Listpack& operator=(const Listpack&) = delete;
  Listpack(Listpack&& other) noexcept : buf_(other.buf_) { other.buf_ = nullptr; }
  Listpack& operator=(Listpack&& other) noexcept;
  ~Listpack();

  size_t size() const { return buf_ == nullptr ? 0 : Header()[1]; }
  bool empty() const { return size() == 0; }
  size_t used_bytes() const { return buf_ == nullptr ? 0 : Header()[0]; }
  // Free bytes kept before the first entry (room for pushes at the front).
  size_t front_gap() const { return buf_ == nullptr ? 0 : Header()[2]; }
  size_t AllocatedBytes() const;

  size_t Front() const { return 0; }
  size_t End() const { return used_bytes(); }
  size_t Back() const { return Prev(End()); }  // requires !empty()
  size_t Next(size_t pos) const;
  size_t Prev(size_t pos) const;  // requires pos > Front()
  std::string_view Get(size_t pos) const;
  // The position of entry `index` (negative counts from the end), or End() when out of range.
  size_t Seek(int64_t index) const;

  // Inserts before `pos` (End() appends); returns the new entry's position (== pos).
  size_t Insert(size_t pos, std::string_view value, int64_t* grown = nullptr);
  void PushBack(std::string_view value, int64_t* grown = nullptr) { Insert(End(), value, grown); }
  void PushFront(std::string_view value, int64_t* grown = nullptr) {
    Insert(Front(), value, grown);
  }
  // Erases `count` entries starting at `pos`; returns the position of the entry after them.
  // Erasing the last entry frees the block.
  size_t Erase(size_t pos, size_t count = 1, int64_t* grown = nullptr);
  // Replaces the entry at `pos`; returns its position (unchanged).
  size_t Replace(size_t pos, std::string_view value, int64_t* grown = nullptr);
  void Clear(int64_t* grown = nullptr);

 private:
  uint32_t* Header() const { return reinterpret_cast<uint32_t*>(buf_); }
  static constexpr size_t kHeader = 12;
  uint8_t* Data() const { return buf_ + kHeader + Header()[2]; }
  size_t EntrySize(size_t pos) const;
  // Makes room for `extra` more bytes after the last entry (may move the buffer).
  void Reserve(size_t extra, int64_t* grown);
  // Reserve's slow path: `need` bytes in all, reclaiming the front gap or reallocating.
  void Regrow(size_t need, int64_t* grown);
  // Makes room for `extra` more bytes before the first entry (may move the entries).
  void ReserveFront(size_t extra, int64_t* grown);

  uint8_t* buf_ = nullptr;
};

}  // namespace ember
