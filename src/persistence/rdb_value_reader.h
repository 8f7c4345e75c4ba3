#pragma once
// Reads RDB's primitives (lengths, strings in every encoding, scores) and whole values from
// an RdbInput, building ember Records with the server's encoding thresholds.
#include <cstdint>
#include <string>
#include <string_view>

#include "keyspace/record.h"
#include "persistence/rdb_input.h"

namespace ember {

struct ServerConfig;

class RdbValueReader {
 public:
  RdbValueReader(RdbInput& in, const ServerConfig& config) : in_(in), config_(config) {}

  // A length; *encoded (when given) says it was a special string encoding instead.
  bool ReadLength(uint64_t* len, bool* encoded = nullptr);
  // A string in any encoding (raw, 8/16/32-bit integer, LZF), replacing *out.
  bool ReadString(std::string* out);
  bool SkipString();

  // Reads the value of RDB `type` for `key` into *record (nullptr when it is an empty
  // collection, which the caller skips). Unsupported types fail naming the key.
  bool ReadValue(uint8_t type, std::string_view key, int64_t expire_ms, Record** record);

  RdbInput& input() { return in_; }

 private:
  bool ReadLzf(std::string* out);
  bool ReadBinaryDouble(double* out);
  bool ReadTextDouble(double* out);  // RDB < 8 ZSET scores
  // Reads one string holding a blob and hands it to a ForEach*Entry walker.
  template <class Walker, class Visit>
  bool ReadBlob(Walker walk, Visit visit);

  bool ReadList(uint8_t type, std::string_view key, int64_t expire_ms, Record** record);
  bool ReadSet(uint8_t type, std::string_view key, int64_t expire_ms, Record** record);
  bool ReadHash(uint8_t type, std::string_view key, int64_t expire_ms, Record** record);
  bool ReadZSet(uint8_t type, std::string_view key, int64_t expire_ms, Record** record);
  // Types 15, 19 and 21 (rdb_stream_reader.cc).
  bool ReadStream(uint8_t type, std::string_view key, int64_t expire_ms, Record** record);

  RdbInput& in_;
  const ServerConfig& config_;
  std::string scratch_, scratch2_;
  std::string compressed_;  // LZF input, apart from the strings it decompresses into
};

}  // namespace ember
