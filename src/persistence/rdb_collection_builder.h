#pragma once
// Builds one collection from loaded elements with the encodings the server's thresholds
// choose (as a Redis loading the file would), then wraps it in a Record. Duplicate members
// or fields are reported: Redis treats them as corruption.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "keyspace/record.h"
#include "server/config.h"
#include "types/hash_value.h"
#include "types/list_value.h"
#include "types/set_value.h"
#include "types/zset_value.h"

namespace ember {

class ListBuilder {
 public:
  explicit ListBuilder(const ServerConfig& config) : fill_(config.list_max_listpack_size) {}
  void Add(std::string_view value);
  // The list's record, or nullptr when it is empty.
  Record* Finish(std::string_view key, int64_t expire_ms);

 private:
  int64_t fill_;
  std::unique_ptr<ListValue> list_;
};

class SetBuilder {
 public:
  SetBuilder(const ServerConfig& config, uint64_t size_hint);
  // False on a duplicate.
  bool Add(std::string_view member);
  Record* Finish(std::string_view key, int64_t expire_ms);

 private:
  SetLimits limits_;
  uint64_t size_hint_;
  std::unique_ptr<SetValue> set_;
};

class HashBuilder {
 public:
  HashBuilder(const ServerConfig& config, uint64_t size_hint);
  bool Add(std::string_view field, std::string_view value);
  Record* Finish(std::string_view key, int64_t expire_ms);

 private:
  void ConvertToTable();

  const ServerConfig& config_;
  std::string packed_;
  size_t packed_count_ = 0;
  std::unique_ptr<HashValue> table_;
};

class ZSetBuilder {
 public:
  ZSetBuilder(const ServerConfig& config, uint64_t size_hint);
  bool Add(std::string_view member, double score);
  Record* Finish(std::string_view key, int64_t expire_ms);

 private:
  ZSetLimits limits_;
  std::unique_ptr<ZSetValue> zset_;
};

}  // namespace ember
