#pragma once
// A set, in Redis 7.2's three encodings. "intset" (a sorted int array) while every member is a
// canonical int64 and there are at most set-max-intset-entries; "listpack" (packed strings,
// linear search) while small; "hashtable" otherwise: a SegmentedTable holding one compact
// Record per member (the keyspace's own table, about 24 bytes a member). Conversions only go
// upward, as in Redis: removing members never brings a set back to a smaller encoding.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "keyspace/record.h"
#include "types/intset.h"
#include "types/listpack.h"
#include "types/object.h"

namespace ember {

class SegmentedTable;

// The encoding thresholds (CONFIG set-max-*), read at every change.
struct SetLimits {
  int64_t intset_entries = 512;
  int64_t listpack_entries = 128;
  int64_t listpack_value = 64;
};

class SetValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kSet;
  enum class Kind : uint8_t { kIntset, kListpack, kHashtable };

  // An empty intset (the start of a set built by adding members one by one).
  SetValue();
  // The encoding Redis picks for a new set whose first member is `first` and which is about
  // to receive `size_hint` members (SADD's argument count).
  SetValue(std::string_view first, size_t size_hint, const SetLimits& limits);
  ~SetValue() override;

  Object* Clone() const override;
  size_t AllocatedBytes() const override;
  size_t RecountAllocatedBytes() const override;
  const char* EncodingName() const override;

  Kind kind() const { return kind_; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  bool Contains(std::string_view member) const;
  // Adds a member (converting the encoding when a limit would be crossed); false if present.
  bool Add(std::string_view member, const SetLimits& limits);
  // False when absent.
  bool Remove(std::string_view member);

  // Visits every member (order is the encoding's); stops when `fn` returns false. The view is
  // only valid during the call.
  void ForEach(const std::function<bool(std::string_view)>& fn) const;
  // A uniformly chosen member (requires !empty()); `random` is a fresh 64-bit random number.
  std::string RandomMember(uint64_t random) const;
  // Removes and returns a random member (requires !empty()).
  std::string PopRandom(uint64_t random);
  // Hashtable SSCAN step: visits members from `cursor` until at least `count` were visited;
  // returns the next cursor (0 when done). Small encodings visit everything and return 0.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view)>& fn) const;

 private:
  void ConvertToListpack();
  void ConvertToHashtable();
  bool AddToHashtable(std::string_view member);
  // Rebuilds a hashtable that removals left mostly empty.
  void MaybeShrink();
  // Position of `member` in the listpack, or End().
  size_t ListpackFind(std::string_view member) const;

  Kind kind_ = Kind::kIntset;
  Intset ints_;
  Listpack packed_;
  std::unique_ptr<SegmentedTable> table_;
  size_t record_bytes_ = 0;  // the hashtable's member records
};

}  // namespace ember
