#include "types/hash_ref.h"

#include "server/config.h"
#include "types/packed_pairs.h"

namespace ember {

HashRef::HashRef(Database& db, Database::Entry& entry, std::string_view key,
                 const ServerConfig& config)
    : db_(db), entry_(entry), key_(key), config_(config) {
  if (entry_ && entry_.record->encoding() == Encoding::kObject) {
    table_ = static_cast<HashValue*>(entry_.record->object());
  }
}

HashRef::~HashRef() {
  if (table_ != nullptr) {
    if (table_->empty() && entry_) db_.Erase(entry_);
    return;
  }
  if (!dirty_) return;
  if (PackedPairs(working_).empty()) {
    if (entry_) db_.Erase(entry_);
    return;
  }
  db_.Put(entry_, Record::NewPacked(key_, ValueType::kHash, working_, ExpireMs()));
}

std::string_view HashRef::Packed() const {
  if (dirty_) return working_;
  return entry_ ? entry_.record->packed_value() : std::string_view();
}

size_t HashRef::size() const {
  return table_ ? table_->size() : PackedPairs(Packed()).size();
}

std::optional<std::string> HashRef::Get(std::string_view field) const {
  if (table_) return table_->Get(field);
  auto value = PackedPairs(Packed()).Find(field);
  if (!value) return std::nullopt;
  return std::string(*value);
}

bool HashRef::Contains(std::string_view field) const {
  if (table_) return table_->Contains(field);
  return PackedPairs(Packed()).Find(field).has_value();
}

bool HashRef::Set(std::string_view field, std::string_view value) {
  if (table_ == nullptr) {
    auto limit = static_cast<size_t>(config_.hash_max_listpack_value);
    bool fits = field.size() <= limit && value.size() <= limit;
    bool grows_past =
        !Contains(field) && size() + 1 > static_cast<size_t>(config_.hash_max_listpack_entries);
    if (fits && !grows_past) {
      if (!dirty_) working_.assign(Packed());
      dirty_ = true;
      return PackedPairs::Set(&working_, field, value);
    }
    ConvertToTable();
  }
  return table_->Set(field, value);
}

bool HashRef::Erase(std::string_view field) {
  if (table_) return table_->Erase(field);
  if (!Contains(field)) return false;
  if (!dirty_) working_.assign(Packed());
  dirty_ = true;
  return PackedPairs::Erase(&working_, field);
}

void HashRef::ForEach(const std::function<bool(std::string_view, std::string_view)>& fn) const {
  if (table_) return table_->ForEach(fn);
  PackedPairs(Packed()).ForEach(fn);
}

uint64_t HashRef::Scan(uint64_t cursor, size_t count,
                       const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (table_) return table_->Scan(cursor, count, fn);
  PackedPairs(Packed()).ForEach([&](std::string_view f, std::string_view v) {
    fn(f, v);
    return true;
  });
  return 0;
}

std::pair<std::string, std::string> HashRef::RandomPair(uint64_t random) const {
  if (table_) return table_->RandomPair(random);
  PackedPairs packed(Packed());
  auto [field, value] = packed.At(random % packed.size());
  return {std::string(field), std::string(value)};
}

void HashRef::ConvertToTable() {
  auto* table = new HashValue();
  PackedPairs(Packed()).ForEach([&](std::string_view f, std::string_view v) {
    table->Set(f, v);
    return true;
  });
  db_.Put(entry_, Record::NewObject(key_, ValueType::kHash, table, ExpireMs()));
  table_ = table;
  working_.clear();
  dirty_ = false;
}

std::optional<std::string> HashRecordGet(const Record* r, std::string_view field) {
  if (r->encoding() == Encoding::kObject) return static_cast<HashValue*>(r->object())->Get(field);
  auto value = PackedPairs(r->packed_value()).Find(field);
  if (!value) return std::nullopt;
  return std::string(*value);
}

}  // namespace ember
