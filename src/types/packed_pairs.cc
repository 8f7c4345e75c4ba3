#include "types/packed_pairs.h"

#include <cstring>

namespace ember {
namespace {

const uint8_t* Bytes(std::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

void AppendEntry(std::string* out, std::string_view s) {
  uint8_t len[10];
  out->append(reinterpret_cast<const char*>(len), PutVarint(len, s.size()));
  out->append(s);
}

// Rewrites the pair count at the front (its width may change).
void SetCount(std::string* packed, size_t old_count, size_t count) {
  uint8_t buf[10];
  size_t width = PutVarint(buf, count);
  size_t old_width = packed->empty() ? 0 : VarintSize(old_count);
  packed->replace(0, old_width, reinterpret_cast<const char*>(buf), width);
}

// Where a field's pair lies in the packed bytes: [field_at, value_at) is the field entry,
// [value_at, end) the value entry. found is false when the field is absent.
struct Location {
  bool found = false;
  size_t field_at = 0, value_at = 0, end = 0;
};

Location Locate(std::string_view packed, size_t count, std::string_view field) {
  if (packed.empty()) return {};
  const uint8_t* base = Bytes(packed);
  const uint8_t* at = base + VarintSize(count);
  for (size_t i = 0; i < count; ++i) {
    Location loc;
    loc.field_at = static_cast<size_t>(at - base);
    uint64_t len;
    at += GetVarint(at, &len);
    bool match = len == field.size() && memcmp(at, field.data(), len) == 0;
    at += len;
    loc.value_at = static_cast<size_t>(at - base);
    at += GetVarint(at, &len);
    at += len;
    loc.end = static_cast<size_t>(at - base);
    if (match) {
      loc.found = true;
      return loc;
    }
  }
  return {};
}

}  // namespace

PackedPairs::Reader PackedPairs::Entries() const {
  uint64_t count;
  return Reader{bytes_.empty() ? nullptr : Bytes(bytes_) + GetVarint(Bytes(bytes_), &count)};
}

size_t PackedPairs::size() const {
  if (bytes_.empty()) return 0;
  uint64_t count;
  GetVarint(Bytes(bytes_), &count);
  return count;
}

std::optional<std::string_view> PackedPairs::Find(std::string_view field) const {
  Location loc = Locate(bytes_, size(), field);
  if (!loc.found) return std::nullopt;
  Reader in{Bytes(bytes_) + loc.value_at};
  return in.Next();
}

std::pair<std::string_view, std::string_view> PackedPairs::At(size_t index) const {
  Reader in = Entries();
  for (size_t i = 0; i < index; ++i) {
    in.Next();
    in.Next();
  }
  std::string_view field = in.Next();
  return {field, in.Next()};
}

bool PackedPairs::Set(std::string* packed, std::string_view field, std::string_view value) {
  size_t count = PackedPairs(*packed).size();
  Location loc = Locate(*packed, count, field);
  if (loc.found) {  // resize the old value entry in place, then write the new one over it
    uint8_t len[10];
    size_t width = PutVarint(len, value.size());
    size_t old_size = loc.end - loc.value_at, new_size = width + value.size();
    if (new_size > old_size) packed->insert(loc.end, new_size - old_size, '\0');
    if (new_size < old_size) packed->erase(loc.value_at + new_size, old_size - new_size);
    char* at = packed->data() + loc.value_at;
    memcpy(at, len, width);
    memcpy(at + width, value.data(), value.size());
    return false;
  }
  if (packed->empty()) packed->push_back(0);  // a zero count, rewritten below
  AppendEntry(packed, field);
  AppendEntry(packed, value);
  SetCount(packed, count, count + 1);
  return true;
}

bool PackedPairs::Erase(std::string* packed, std::string_view field) {
  size_t count = PackedPairs(*packed).size();
  Location loc = Locate(*packed, count, field);
  if (!loc.found) return false;
  packed->erase(loc.field_at, loc.end - loc.field_at);
  SetCount(packed, count, count - 1);
  return true;
}

}  // namespace ember
