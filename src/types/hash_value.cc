#include "types/hash_value.h"

#include "server/config.h"

namespace ember {

std::string RecordValueString(const Record* r) {
  if (r->encoding() == Encoding::kInt) return std::to_string(r->int_value());
  return std::string(r->raw_value());
}

Object* HashValue::Clone() const {
  auto* copy = new HashValue();
  if (table_) copy->table_ = std::make_unique<SegmentedTable>();
  ForEach([&](std::string_view f, std::string_view v) {
    if (copy->table_) {
      copy->table_->Insert(Record::NewString(f, v, 0), HashKey(f));
    } else {
      copy->pairs_.PushBack(f);
      copy->pairs_.PushBack(v);
    }
    return true;
  });
  return copy;
}

size_t HashValue::AllocatedBytes() const {
  size_t bytes = sizeof(*this) + pairs_.AllocatedBytes();
  if (table_) {
    bytes += table_->TableBytes();
    table_->Scan(0, SIZE_MAX, [&](Record* r) { bytes += r->AllocatedBytes(); });
  }
  return bytes;
}

size_t HashValue::FindPacked(std::string_view field) const {
  for (size_t pos = pairs_.Front(); pos != pairs_.End(); pos = pairs_.Next(pairs_.Next(pos))) {
    if (pairs_.Get(pos) == field) return pos;
  }
  return pairs_.End();
}

std::optional<std::string> HashValue::Get(std::string_view field) const {
  if (table_) {
    auto slot = table_->Find(field, HashKey(field));
    if (!slot) return std::nullopt;
    return RecordValueString(table_->Get(slot));
  }
  size_t pos = FindPacked(field);
  if (pos == pairs_.End()) return std::nullopt;
  return std::string(pairs_.Get(pairs_.Next(pos)));
}

bool HashValue::Contains(std::string_view field) const {
  if (table_) return static_cast<bool>(table_->Find(field, HashKey(field)));
  return FindPacked(field) != pairs_.End();
}

bool HashValue::Set(std::string_view field, std::string_view value, const ServerConfig& config) {
  if (!table_) {
    size_t pos = FindPacked(field);
    auto limit = static_cast<size_t>(config.hash_max_listpack_value);
    bool fits = field.size() <= limit && value.size() <= limit;
    if (pos != pairs_.End() && fits) {
      pairs_.Replace(pairs_.Next(pos), value);
      return false;
    }
    bool grows_past =
        pos == pairs_.End() && size() + 1 > static_cast<size_t>(config.hash_max_listpack_entries);
    if (fits && !grows_past) {
      pairs_.PushBack(field);
      pairs_.PushBack(value);
      return true;
    }
    ConvertToTable();
  }
  uint64_t hash = HashKey(field);
  auto slot = table_->Find(field, hash);
  Record* record = Record::NewString(field, value, 0);
  if (slot) {
    Record::Free(table_->Get(slot));
    table_->Replace(slot, record);
    return false;
  }
  table_->Insert(record, hash);
  return true;
}

bool HashValue::Erase(std::string_view field) {
  if (table_) {
    auto slot = table_->Find(field, HashKey(field));
    if (!slot) return false;
    Record::Free(table_->Erase(slot));
    return true;
  }
  size_t pos = FindPacked(field);
  if (pos == pairs_.End()) return false;
  pairs_.Erase(pos, 2);
  return true;
}

void HashValue::ForEach(const std::function<bool(std::string_view, std::string_view)>& fn) const {
  if (table_) {
    bool go = true;
    table_->Scan(0, SIZE_MAX, [&](Record* r) {
      if (!go) return;
      std::string value = RecordValueString(r);
      go = fn(r->key(), value);
    });
    return;
  }
  for (size_t pos = pairs_.Front(); pos != pairs_.End();) {
    size_t value_pos = pairs_.Next(pos);
    if (!fn(pairs_.Get(pos), pairs_.Get(value_pos))) return;
    pos = pairs_.Next(value_pos);
  }
}

uint64_t HashValue::Scan(uint64_t cursor, size_t count,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (!table_) {
    ForEach([&](std::string_view f, std::string_view v) {
      fn(f, v);
      return true;
    });
    return 0;
  }
  return table_->Scan(static_cast<uint32_t>(cursor), count, [&](Record* r) {
    std::string value = RecordValueString(r);
    fn(r->key(), value);
  });
}

std::pair<std::string, std::string> HashValue::RandomPair(uint64_t random) const {
  if (table_) {
    Record* r = table_->Random(random);
    return {std::string(r->key()), RecordValueString(r)};
  }
  size_t pos = pairs_.Seek(static_cast<int64_t>(random % size()) * 2);
  return {std::string(pairs_.Get(pos)), std::string(pairs_.Get(pairs_.Next(pos)))};
}

void HashValue::ConvertToTable() {
  table_ = std::make_unique<SegmentedTable>();
  for (size_t pos = pairs_.Front(); pos != pairs_.End();) {
    size_t value_pos = pairs_.Next(pos);
    std::string_view field = pairs_.Get(pos);
    table_->Insert(Record::NewString(field, pairs_.Get(value_pos), 0), HashKey(field));
    pos = pairs_.Next(value_pos);
  }
  pairs_.Clear();
}

}  // namespace ember
