// The top level of an RDB file: the magic and version, then opcodes (AUX, SELECTDB,
// RESIZEDB, expiry, IDLE, FREQ ...) and keys until EOF and the checksum.
#include "persistence/rdb_reader.h"

#include <cstring>

#include "persistence/rdb_format.h"
#include "persistence/rdb_input.h"
#include "persistence/rdb_value_reader.h"
#include "server/config.h"

namespace ember {
namespace {

bool ReadHeader(RdbInput& in, int* version) {
  char magic[9];
  if (!in.Read(magic, 9)) return false;
  if (std::memcmp(magic, "REDIS", 5) != 0) return in.Fail("not an RDB file (no REDIS magic)");
  int v = 0;
  for (int i = 5; i < 9; ++i) {
    if (magic[i] < '0' || magic[i] > '9') return in.Fail("bad RDB version");
    v = v * 10 + (magic[i] - '0');
  }
  if (v < 1 || v > rdb::kMaxVersion) {
    return in.Fail("unsupported RDB version " + std::to_string(v));
  }
  *version = v;
  return true;
}

bool ReadLe(RdbInput& in, int bytes, uint64_t* out) {
  uint8_t buf[8];
  if (!in.Read(buf, static_cast<size_t>(bytes))) return false;
  *out = 0;
  for (int i = 0; i < bytes; ++i) *out |= static_cast<uint64_t>(buf[i]) << (8 * i);
  return true;
}

class Loader {
 public:
  Loader(RdbInput& in, const ServerConfig& config, int64_t now_ms, const RdbKeyHandler& on_key,
         RdbLoadStats* stats)
      : in_(in),
        values_(in, config),
        config_(config),
        now_ms_(now_ms),
        on_key_(on_key),
        stats_(stats) {}

  bool Run() {
    if (!ReadHeader(in_, &stats_->version)) return false;
    while (true) {
      uint8_t op;
      if (!in_.ReadByte(&op)) return false;
      if (op == rdb::kOpEof) return ReadChecksum();
      if (!Step(op)) return false;
    }
  }

 private:
  bool Step(uint8_t op) {
    uint64_t a, b;
    switch (op) {
      case rdb::kOpAux:
        return values_.SkipString() && values_.SkipString();
      case rdb::kOpSelectDb:
        if (!values_.ReadLength(&a)) return false;
        if (a >= static_cast<uint64_t>(config_.databases)) {
          return in_.Fail("database " + std::to_string(a) + " out of range");
        }
        db_ = static_cast<uint32_t>(a);
        return true;
      case rdb::kOpResizeDb:
        return values_.ReadLength(&a) && values_.ReadLength(&b);
      case rdb::kOpExpireTimeMs:
        if (!ReadLe(in_, 8, &a)) return false;
        expire_ms_ = static_cast<int64_t>(a);
        has_expire_ = true;
        return true;
      case rdb::kOpExpireTime:
        if (!ReadLe(in_, 4, &a)) return false;
        expire_ms_ = static_cast<int64_t>(static_cast<int32_t>(a)) * 1000;
        has_expire_ = true;
        return true;
      case rdb::kOpIdle:
        if (!values_.ReadLength(&a)) return false;
        idle_s_ = static_cast<int64_t>(a & INT64_MAX);
        return true;
      case rdb::kOpFreq: {
        uint8_t f;
        if (!in_.ReadByte(&f)) return false;
        freq_ = f;
        return true;
      }
      case rdb::kOpFunction2:
        // A library's source: loaded by the caller once the keys are in.
        stats_->function_libraries.emplace_back();
        return values_.ReadString(&stats_->function_libraries.back());
      case rdb::kOpFunctionPreGa:
        return in_.Fail("functions in the Redis 7.0 release-candidate format are not supported");
      case rdb::kOpModuleAux:
        return in_.Fail("module auxiliary data is not supported (ember has no modules)");
    }
    return ReadKey(op);
  }

  bool ReadKey(uint8_t type) {
    if (!values_.ReadString(&key_)) return false;
    Record* record = nullptr;
    int64_t expire_ms = has_expire_ ? expire_ms_ : 0;
    bool expired = has_expire_ && expire_ms_ <= now_ms_;
    int64_t idle_s = idle_s_;
    int freq = freq_;
    has_expire_ = false;
    idle_s_ = -1;
    freq_ = -1;
    if (!values_.ReadValue(type, key_, expired ? 0 : expire_ms, &record)) return false;
    if (record == nullptr) {
      ++stats_->empty_skipped;
      return true;
    }
    if (expired) {
      Record::Free(record);
      ++stats_->expired_skipped;
      return true;
    }
    RdbKey loaded{db_, record, idle_s, freq};
    ++stats_->keys_loaded;
    if (!on_key_(loaded)) return in_.Fail("key '" + key_ + "' refused");
    return true;
  }

  bool ReadChecksum() {
    uint64_t computed = in_.Crc();
    if (stats_->version < 5) return true;  // no checksum before RDB 5
    uint64_t stored;
    if (!ReadLe(in_, 8, &stored)) return false;
    if (stored == 0) return true;  // written with rdbchecksum no
    if (stored != computed) return in_.Fail("RDB checksum mismatch");
    stats_->checksum_verified = true;
    return true;
  }

  RdbInput& in_;
  RdbValueReader values_;
  const ServerConfig& config_;
  int64_t now_ms_;
  const RdbKeyHandler& on_key_;
  RdbLoadStats* stats_;
  uint32_t db_ = 0;
  int64_t expire_ms_ = 0;
  bool has_expire_ = false;
  int64_t idle_s_ = -1;
  int freq_ = -1;
  std::string key_;
};

}  // namespace

bool LoadRdb(int fd, const ServerConfig& config, int64_t now_ms, const RdbKeyHandler& on_key,
             RdbLoadStats* stats, std::string* error) {
  RdbInput in(fd);
  RdbLoadStats ignored;
  RdbLoadStats* out = stats ? stats : &ignored;
  Loader loader(in, config, now_ms, on_key, out);
  if (loader.Run()) {
    out->bytes_read = in.offset();
    return true;
  }
  *error = in.error();
  return false;
}

Record* DecodeRdbValue(std::string_view key, std::string_view type_and_value, int64_t expire_ms,
                       const ServerConfig& config, std::string* error) {
  RdbInput in(type_and_value);
  RdbValueReader values(in, config);
  uint8_t type;
  Record* record = nullptr;
  if (!in.ReadByte(&type) || !values.ReadValue(type, key, expire_ms, &record)) {
    *error = in.error();
    return nullptr;
  }
  if (record == nullptr) {
    *error = "empty collection";
    return nullptr;
  }
  return record;
}

}  // namespace ember
