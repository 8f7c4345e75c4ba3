#pragma once
// Reads Redis RDB files, versions 1 to 11 (Redis 2.x to 7.2), into ember Records built with
// the server's encoding thresholds. Types ember lacks (streams, module values) and malformed
// input end the load with an error naming the key or the byte offset; nothing is skipped
// silently. Keys already expired at load time are dropped, as a Redis master does.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "keyspace/record.h"

namespace ember {

struct ServerConfig;

// One loaded key. The callback owns `record` from then on.
struct RdbKey {
  uint32_t db;
  Record* record;
  int64_t idle_s = -1;  // IDLE opcode: seconds since last access
  int freq = -1;        // FREQ opcode: the LFU counter
};
// Returns false to stop the load (with *error set by the callee, or a generic message).
using RdbKeyHandler = std::function<bool(RdbKey&)>;

struct RdbLoadStats {
  int version = 0;
  uint64_t keys_loaded = 0;
  uint64_t expired_skipped = 0;  // already expired at load time
  uint64_t empty_skipped = 0;    // empty collections (Redis skips them too)
  // FUNCTION2 entries: each function library's source, for the caller to load.
  std::vector<std::string> function_libraries;
  bool checksum_verified = false;
  // Bytes of the stream the RDB took, through its checksum: an old-style AOF's RESP tail
  // starts there.
  uint64_t bytes_read = 0;
};

// Reads a whole RDB stream from `fd` (positioned at its start). `now_ms` decides which keys
// are already expired. False with *error ("... at offset N") on any problem.
bool LoadRdb(int fd, const ServerConfig& config, int64_t now_ms, const RdbKeyHandler& on_key,
             RdbLoadStats* stats, std::string* error);

// RESTORE: builds the record for `key` from a type byte and value (a DUMP payload without
// its 10-byte footer). nullptr with *error when the bytes are not one well-formed value or
// the value is an empty collection.
Record* DecodeRdbValue(std::string_view key, std::string_view type_and_value, int64_t expire_ms,
                       const ServerConfig& config, std::string* error);

}  // namespace ember
