#include "persistence/rdb_collection_builder.h"

#include "types/packed_pairs.h"

namespace ember {

void ListBuilder::Add(std::string_view value) {
  if (!list_) list_ = std::make_unique<ListValue>(fill_);
  list_->PushBack(value);
}

Record* ListBuilder::Finish(std::string_view key, int64_t expire_ms) {
  if (!list_ || list_->empty()) return nullptr;
  return Record::NewObject(key, ValueType::kList, list_.release(), expire_ms);
}

SetBuilder::SetBuilder(const ServerConfig& config, uint64_t size_hint)
    : limits_{config.set_max_intset_entries, config.set_max_listpack_entries,
              config.set_max_listpack_value},
      size_hint_(size_hint) {}

bool SetBuilder::Add(std::string_view member) {
  if (!set_) set_ = std::make_unique<SetValue>(member, size_hint_, limits_);
  return set_->Add(member, limits_);
}

Record* SetBuilder::Finish(std::string_view key, int64_t expire_ms) {
  if (!set_ || set_->empty()) return nullptr;
  return Record::NewObject(key, ValueType::kSet, set_.release(), expire_ms);
}

HashBuilder::HashBuilder(const ServerConfig& config, uint64_t size_hint) : config_(config) {
  if (size_hint > static_cast<uint64_t>(config.hash_max_listpack_entries)) {
    table_ = std::make_unique<HashValue>();
  }
}

bool HashBuilder::Add(std::string_view field, std::string_view value) {
  if (table_) return table_->Set(field, value);
  auto limit = static_cast<size_t>(config_.hash_max_listpack_value);
  if (field.size() > limit || value.size() > limit ||
      packed_count_ + 1 > static_cast<size_t>(config_.hash_max_listpack_entries)) {
    ConvertToTable();
    return table_->Set(field, value);
  }
  if (!PackedPairs::Set(&packed_, field, value)) return false;
  ++packed_count_;
  return true;
}

void HashBuilder::ConvertToTable() {
  table_ = std::make_unique<HashValue>();
  PackedPairs(packed_).ForEach([&](std::string_view f, std::string_view v) {
    table_->Set(f, v);
    return true;
  });
  packed_.clear();
}

Record* HashBuilder::Finish(std::string_view key, int64_t expire_ms) {
  if (table_) {
    if (table_->empty()) return nullptr;
    return Record::NewObject(key, ValueType::kHash, table_.release(), expire_ms);
  }
  if (packed_count_ == 0) return nullptr;
  return Record::NewPacked(key, ValueType::kHash, packed_, expire_ms);
}

ZSetBuilder::ZSetBuilder(const ServerConfig& config, uint64_t size_hint)
    : limits_{config.zset_max_listpack_entries, config.zset_max_listpack_value},
      zset_(std::make_unique<ZSetValue>(size_hint, 0, limits_)) {}

bool ZSetBuilder::Add(std::string_view member, double score) {
  if (zset_->Score(member)) return false;
  zset_->Set(member, score, limits_);
  return true;
}

Record* ZSetBuilder::Finish(std::string_view key, int64_t expire_ms) {
  if (zset_->empty()) return nullptr;
  return Record::NewObject(key, ValueType::kZSet, zset_.release(), expire_ms);
}

}  // namespace ember
