#pragma once
// Field/value pairs packed into one byte string: the small-hash ("listpack") encoding, stored
// inside the hash's record so that a small hash is a single allocation.
//
//   varint   number of pairs
//   entries  varint length + bytes, alternating field, value, field, value ...
//
// Unlike Listpack there are no back-lengths: a small hash is only ever walked from the front,
// and they would cost 2 bytes a pair (about 15% of a typical 10-field hash).
// An empty string reads as an empty hash.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/varint.h"

namespace ember {

class PackedPairs {
 public:
  explicit PackedPairs(std::string_view bytes) : bytes_(bytes) {}

  size_t size() const;
  bool empty() const { return size() == 0; }
  // The value of `field`, viewing the packed bytes.
  std::optional<std::string_view> Find(std::string_view field) const;
  // The pair at `index` (< size()), in insertion order.
  std::pair<std::string_view, std::string_view> At(size_t index) const;
  // Calls fn(field, value) for each pair in order until it returns false.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    Reader in = Entries();
    for (size_t n = size(); n > 0; --n) {
      std::string_view field = in.Next();
      if (!fn(field, in.Next())) return;
    }
  }

  // Edits a packed string in place. Set returns true when the field is new.
  static bool Set(std::string* packed, std::string_view field, std::string_view value);
  static bool Erase(std::string* packed, std::string_view field);

 private:
  struct Reader {
    const uint8_t* at;
    std::string_view Next() {
      uint64_t len;
      at += GetVarint(at, &len);
      std::string_view s(reinterpret_cast<const char*>(at), len);
      at += len;
      return s;
    }
  };
  Reader Entries() const;

  std::string_view bytes_;
};

}  // namespace ember
