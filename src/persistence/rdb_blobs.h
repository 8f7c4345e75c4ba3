#pragma once
// The packed blobs that RDB files carry as strings: Redis's listpack (lists, hashes, sorted
// sets, sets since 7.0), intset, and the older ziplist and zipmap that files from Redis < 7
// hold. These are Redis's byte layouts, not ember's in-memory ones (types/listpack.h differs).
//
// Readers validate every length against the blob before touching it: a bad blob gives false
// and an error, never a read past its end.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// Builds a Redis listpack entry by entry; canonical integers get the integer encodings.
class RedisListpackBuilder {
 public:
  RedisListpackBuilder();
  void Add(std::string_view value);
  void AddInt(int64_t value);
  size_t size() const { return count_; }
  // The finished listpack (header and terminator); the builder is empty afterwards.
  std::string Finish();

 private:
  void AddString(std::string_view value);
  void AppendBacklen(size_t entry_len);

  std::string buf_;
  size_t count_ = 0;
};

// Visits each entry's bytes (integers formatted in base 10); a visitor returning false stops.
using BlobVisitor = std::function<bool(std::string_view)>;
bool ForEachListpackEntry(std::string_view blob, const BlobVisitor& visit, std::string* error);
bool ForEachZiplistEntry(std::string_view blob, const BlobVisitor& visit, std::string* error);
bool ForEachIntsetEntry(std::string_view blob, const BlobVisitor& visit, std::string* error);
// A zipmap's entries alternate field, value.
bool ForEachZipmapEntry(std::string_view blob, const BlobVisitor& visit, std::string* error);

// A Redis intset of `sorted` (ascending, distinct) at the narrowest width that fits them all.
std::string BuildRedisIntset(const std::vector<int64_t>& sorted);

}  // namespace ember
