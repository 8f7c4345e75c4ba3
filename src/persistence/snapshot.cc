#include "persistence/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/clock.h"
#include "engine/engine.h"
#include "keyspace/access_stamp.h"
#include "persistence/crc64.h"
#include "persistence/rdb_writer.h"
#include "scripting/function_load.h"

namespace ember {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The file body through one fd, with the running CRC (0 throughout when checksums are off).
class SnapshotFileWriter {
 public:
  SnapshotFileWriter(int fd, bool checksum) : fd_(fd), checksum_(checksum) {}
  bool Write(std::string* chunk) {
    if (checksum_) crc_ = Crc64(crc_, chunk->data(), chunk->size());
    bool ok = WriteAll(fd_, chunk->data(), chunk->size());
    chunk->clear();
    return ok;
  }
  uint64_t crc() const { return crc_; }

 private:
  int fd_;
  bool checksum_;
  uint64_t crc_ = 0;
};

bool WriteBody(Engine& engine, int fd, std::string* error, const std::string& tmp) {
  const ServerConfig config = engine.ConfigCopy();
  SnapshotFileWriter writer(fd, config.rdbchecksum);
  ChunkSink flush = [&](std::string* chunk) { return writer.Write(chunk); };
  std::string buf;
  buf.reserve(kChunkBytes + kChunkBytes / 4);
  size_t used = 0;
  for (uint32_t s = 0; s < engine.num_shards(); ++s) used += engine.shard(s).used_bytes();
  AppendRdbHeader(&buf, used);
  AppendFunctionEntries(&buf, *FunctionRegistry::Instance().Snapshot(), config.rdbcompression);
  int64_t now_ms = WallClockMs();
  for (uint32_t s = 0; s < engine.num_shards(); ++s) {
    if (!SerializeShard(engine.shard(s), now_ms, config.rdbcompression, &buf, flush)) {
      *error = ErrnoText("write", tmp);
      return false;
    }
  }
  if (!flush(&buf)) {
    *error = ErrnoText("write", tmp);
    return false;
  }
  AppendRdbEof(&buf, writer.crc());
  if (!config.rdbchecksum) std::memset(buf.data() + 1, 0, 8);  // "no checksum"
  if (!WriteAll(fd, buf.data(), buf.size())) {
    *error = ErrnoText("write", tmp);
    return false;
  }
  if (::fsync(fd) != 0) {
    *error = ErrnoText("fsync", tmp);
    return false;
  }
  return true;
}

}  // namespace

bool WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool FsyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string SnapshotPath(const std::string& data_dir, const std::string& dbfilename) {
  if (dbfilename.empty() || dbfilename[0] == '/') return dbfilename;
  if (data_dir.empty()) return dbfilename;
  return data_dir.back() == '/' ? data_dir + dbfilename : data_dir + "/" + dbfilename;
}

bool SerializeShard(Shard& shard, int64_t now_ms, bool compress, std::string* out,
                    const ChunkSink& flush) {
  bool ok = true;
  for (int index = 0; index < kNumDatabases && ok; ++index) {
    Database& db = shard.db(index);
    if (db.size() == 0) continue;
    AppendSelectDb(out, static_cast<uint32_t>(index), db.size(), db.expires());
    uint32_t cursor = 0;
    do {
      cursor = db.Scan(cursor, SIZE_MAX, [&](Record* r) {
        if (!ok || (r->has_expire() && r->expire_ms() <= now_ms)) return;
        AppendRdbEntry(out, *r, compress);
        if (out->size() >= kChunkBytes) ok = flush(out);
      });
    } while (cursor != 0 && ok);
  }
  return ok;
}

bool WriteSnapshotFile(Engine& engine, const std::string& path, std::string* error) {
  std::string dir = DirectoryOf(path);
  std::string tmp = dir + "/temp-" + std::to_string(getpid()) + ".rdb";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = ErrnoText("cannot open", tmp);
    return false;
  }
  bool ok = WriteBody(engine, fd, error, tmp);
  if (::close(fd) != 0 && ok) {
    *error = ErrnoText("close", tmp);
    ok = false;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = ErrnoText("rename to " + path + " from", tmp);
    ok = false;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (!FsyncDirectory(dir)) {
    *error = ErrnoText("fsync of directory", dir);
    return false;
  }
  return true;
}

bool LoadSnapshotFile(Engine& engine, const std::string& path, int64_t now_ms, RdbLoadStats* stats,
                      std::string* error, const LoadProgress& progress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = ErrnoText("cannot open", path);
    return false;
  }
  std::string refused;  // why the handler refused a key
  uint64_t keys = 0;
  auto on_key = [&](RdbKey& key) {
    // The read position runs ahead of the key by at most the reader's buffer.
    if (progress && ++keys % 4096 == 0 &&
        !progress(static_cast<uint64_t>(::lseek(fd, 0, SEEK_CUR)))) {
      refused = "loading was interrupted";
      Record::Free(key.record);
      return false;
    }
    if (key.db >= static_cast<uint32_t>(kNumDatabases)) {
      refused = "database " + std::to_string(key.db) + " out of range";
      Record::Free(key.record);
      return false;
    }
    Database& db = engine.shard(engine.ShardOfKey(key.record->key())).db(static_cast<int>(key.db));
    auto entry = db.Find(key.record->key(), now_ms);
    if (entry) {
      refused = "duplicate key '" + std::string(key.record->key()) + "' in database " +
                std::to_string(key.db);
      Record::Free(key.record);
      return false;
    }
    db.Insert(key.record);
    key.record->set_lru(RestoredAccessStamp(key.record->lru(), key.idle_s, key.freq, now_ms));
    return true;
  };
  std::string reason;
  bool ok = LoadRdb(fd, engine.ConfigCopy(), now_ms, on_key, stats, &reason);
  ::close(fd);
  // The function libraries, as Redis loads them: a library already there is replaced.
  if (ok && !stats->function_libraries.empty() &&
      !LoadLibraries(stats->function_libraries, JoinPolicy::kReplace, &reason)) {
    ok = false;
  }
  if (!ok) {
    if (!refused.empty()) reason = refused + " (" + reason + ")";
    *error = path + ": " + reason;
  }
  return ok;
}

}  // namespace ember
