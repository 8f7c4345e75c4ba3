#include "types/hash_ref.h"

#include "server/config.h"
#include "types/packed_pairs.h"

namespace ember {
namespace {

std::optional<std::string> PackedGet(std::string_view packed, std::string_view field) {
  auto value = PackedPairs(packed).Find(field);
  if (!value) return std::nullopt;
  return std::string(*value);
}

}  // namespace

HashRef::HashRef(Database& db, Database::Entry& entry, std::string_view key,
                 const ServerConfig& config)
    : db_(db), entry_(entry), key_(key), config_(config) {
  if (entry_ && entry_.record->encoding() == Encoding::kObject) {
    table_ = static_cast<HashValue*>(entry_.record->object());
  }
}

HashRef::~HashRef() {
  if (table_ != nullptr) {
    if (!entry_) return;
    if (table_->empty()) {
      db_.Erase(entry_);
    } else if (table_changed_) {
      db_.PostUpdate(entry_);
    }
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

std::string* HashRef::Working() {
  if (!dirty_) working_.assign(Packed());
  dirty_ = true;
  return &working_;
}

size_t HashRef::size() const {
  return table_ ? table_->size() : PackedPairs(Packed()).size();
}

std::optional<std::string> HashRef::Get(std::string_view field) const {
  if (table_) return table_->Get(field);
  return PackedGet(Packed(), field);
}

bool HashRef::Contains(std::string_view field) const {
  if (table_) return table_->Contains(field);
  return PackedPairs(Packed()).Find(field).has_value();
}

bool HashRef::Set(std::string_view field, std::string_view value) {
  auto limit = static_cast<size_t>(config_.hash_max_listpack_value);
  if (table_ == nullptr && (field.size() > limit || value.size() > limit)) ConvertToTable();
  if (table_) {
    table_changed_ = true;
    return table_->Set(field, value);
  }
  bool added = PackedPairs::Set(Working(), field, value);
  // One field past hash-max-listpack-entries: the table takes them all, the new one included.
  if (added &&
      PackedPairs(working_).size() > static_cast<size_t>(config_.hash_max_listpack_entries))
    ConvertToTable();
  return added;
}

bool HashRef::Erase(std::string_view field) {
  if (table_) {
    bool erased = table_->Erase(field);
    table_changed_ |= erased;
    return erased;
  }
  if (!dirty_ && !Contains(field)) return false;  // a miss copies nothing
  return PackedPairs::Erase(Working(), field);
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
  entry_.object_bytes = table->AllocatedBytes();  // Put counted it; later changes add to it
  table_ = table;
  working_.clear();
  dirty_ = false;
}

std::optional<std::string> HashRecordGet(const Record* r, std::string_view field) {
  if (r->encoding() == Encoding::kObject) return static_cast<HashValue*>(r->object())->Get(field);
  return PackedGet(r->packed_value(), field);
}

}  // namespace ember
