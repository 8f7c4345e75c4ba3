#include "commands/string_bytes.h"

#include <algorithm>
#include <cstring>

#include "common/numbers.h"

namespace ember {
namespace {

// Growth past this size gets +50% slack instead of +100%, bounding the waste.
constexpr size_t kDoublingLimit = size_t{1} << 20;

// Geometric growth, so SETBIT at increasing offsets costs amortized O(1) per byte.
size_t GrowCapacity(size_t old_len, size_t needed) {
  if (old_len == 0) return needed;  // a new value gets exactly what it needs, as in Redis
  size_t grown = old_len < kDoublingLimit ? old_len * 2 : old_len + old_len / 2;
  return std::max(needed, grown);
}

}  // namespace

std::string_view StringBytes(const Record* r, char (&buf)[kStringIntBufSize]) {
  if (r->encoding() == Encoding::kInt)
    return std::string_view(buf, FormatInt64(r->int_value(), buf));
  return r->raw_value();
}

uint8_t* WritableStringBytes(Database& db, Database::Entry& entry, std::string_view key,
                             size_t min_len, size_t* len) {
  Record* r = entry.record;
  char buf[kStringIntBufSize];
  std::string_view old = r != nullptr ? StringBytes(r, buf) : std::string_view("", 0);
  size_t new_len = std::max(old.size(), min_len);
  if (r == nullptr || r->encoding() != Encoding::kRaw || new_len > r->raw_value_capacity()) {
    size_t capacity = new_len > old.size() ? GrowCapacity(old.size(), new_len) : new_len;
    int64_t expire = r != nullptr ? r->expire_ms() : 0;
    Record* fresh = Record::NewStringWithCapacity(key, old, capacity, expire);
    db.Put(entry, fresh);  // frees the old record; `old` is not used past this point
    r = fresh;
  }
  auto* bytes = reinterpret_cast<uint8_t*>(r->raw_value_data());
  size_t cur = r->raw_value().size();
  if (new_len > cur) {
    memset(bytes + cur, 0, new_len - cur);
    r->TrySetRawLength(new_len);
  }
  *len = new_len;
  return bytes;
}

}  // namespace ember
