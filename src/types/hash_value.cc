#include "types/hash_value.h"

namespace ember {

std::string RecordValueString(const Record* r) {
  if (r->encoding() == Encoding::kInt) return std::to_string(r->int_value());
  return std::string(r->raw_value());
}

Object* HashValue::Clone() const {
  auto* copy = new HashValue();
  ForEach([&](std::string_view f, std::string_view v) {
    copy->Set(f, v);
    return true;
  });
  return copy;
}

size_t HashValue::RecountAllocatedBytes() const {
  size_t bytes = sizeof(*this) + table_.TableBytes();
  table_.Scan(0, SIZE_MAX, [&](Record* r) { bytes += r->AllocatedBytes(); });
  return bytes;
}

std::optional<std::string> HashValue::Get(std::string_view field) const {
  auto slot = table_.Find(field, HashKey(field));
  if (!slot) return std::nullopt;
  return RecordValueString(table_.Get(slot));
}

bool HashValue::Contains(std::string_view field) const {
  return static_cast<bool>(table_.Find(field, HashKey(field)));
}

bool HashValue::Set(std::string_view field, std::string_view value) {
  uint64_t hash = HashKey(field);
  auto slot = table_.Find(field, hash);
  Record* record = Record::NewString(field, value, 0);
  record_bytes_ += record->AllocatedBytes();
  if (slot) {
    Record* old = table_.Get(slot);
    record_bytes_ -= old->AllocatedBytes();
    Record::Free(old);
    table_.Replace(slot, record);
    return false;
  }
  table_.Insert(record, hash);
  return true;
}

bool HashValue::Erase(std::string_view field) {
  auto slot = table_.Find(field, HashKey(field));
  if (!slot) return false;
  Record* r = table_.Erase(slot);
  record_bytes_ -= r->AllocatedBytes();
  Record::Free(r);
  return true;
}

void HashValue::ForEach(const std::function<bool(std::string_view, std::string_view)>& fn) const {
  bool go = true;
  table_.Scan(0, SIZE_MAX, [&](Record* r) {
    if (!go) return;
    std::string value = RecordValueString(r);
    go = fn(r->key(), value);
  });
}

uint64_t HashValue::Scan(uint64_t cursor, size_t count,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  return table_.Scan(static_cast<uint32_t>(cursor), count, [&](Record* r) {
    std::string value = RecordValueString(r);
    fn(r->key(), value);
  });
}

std::pair<std::string, std::string> HashValue::RandomPair(uint64_t random) const {
  Record* r = table_.Random(random);
  return {std::string(r->key()), RecordValueString(r)};
}

}  // namespace ember
