#pragma once
// The file operations the AOF needs, behind an interface so tests can inject the faults a disk
// really produces: ENOSPC part-way through a write, EIO from fdatasync, and power loss (every
// byte not yet fdatasync'ed is gone; kill -9 cannot test that, the page cache survives it).
//
// Every call returns 0 or an errno value. Nothing here allocates per call beyond the OS.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace ember {

// An open file that is only ever appended to (O_APPEND).
class AofFile {
 public:
  virtual ~AofFile() = default;
  // Writes all of `data`, retrying partial writes and EINTR. On error returns the errno and sets
  // *written to the bytes that did land (a disk that fills up takes part of a write first).
  virtual int Append(std::string_view data, size_t* written) = 0;
  virtual int DataSync() = 0;  // fdatasync(2)
  virtual int Truncate(uint64_t size) = 0;
  virtual int Size(uint64_t* size) = 0;
};

class AofFileSystem {
 public:
  virtual ~AofFileSystem() = default;
  // Opens `path` for appending, creating it (mode 0644); `truncate` empties an existing file.
  virtual int OpenForAppend(const std::string& path, bool truncate,
                            std::unique_ptr<AofFile>* out) = 0;
  virtual int Rename(const std::string& from, const std::string& to) = 0;
  virtual int Remove(const std::string& path) = 0;
  // fsync of a directory, so a rename or a new file in it survives power loss.
  virtual int SyncDirectory(const std::string& dir) = 0;
  virtual int FileSize(const std::string& path, uint64_t* size) = 0;  // ENOENT if missing
  virtual int CreateDirectory(const std::string& dir) = 0;            // 0 if it exists
};

// The real thing: POSIX calls. Thread-safe (stateless); an AofFile is used by one thread at a
// time, except that DataSync may run concurrently with Append (the writer relies on that).
AofFileSystem& PosixAofFileSystem();

// A file system for tests: the real files under the hood, plus faults on demand and a record of
// how much of each file is durable. Thread-safe.
class FaultInjectingFileSystem : public AofFileSystem {
 public:
  explicit FaultInjectingFileSystem(AofFileSystem& base = PosixAofFileSystem()) : base_(base) {}

  // The disk fills up after `bytes` more bytes (over all files): the write that crosses the line
  // lands partly, later ones fail with `error`. ClearWriteFault() frees the space again.
  void FailWritesAfter(uint64_t bytes, int error = 28 /* ENOSPC */);
  void ClearWriteFault();
  // Every DataSync fails with `error` (nothing becomes durable) until ClearSyncFault().
  void FailSyncs(int error = 5 /* EIO */);
  void ClearSyncFault();
  // Makes every DataSync take this long (a slow disk), so group commit has something to save.
  void SetSyncDelayUs(int64_t micros);
  // Power loss: every file opened through this file system is cut back to the bytes a
  // DataSync has covered. Files stay open; later appends go on from the cut.
  void Crash();

  uint64_t syncs() const;  // successful DataSync calls
  uint64_t DurableSize(const std::string& path) const;

  int OpenForAppend(const std::string& path, bool truncate, std::unique_ptr<AofFile>* out) override;
  int Rename(const std::string& from, const std::string& to) override;
  int Remove(const std::string& path) override;
  int SyncDirectory(const std::string& dir) override { return base_.SyncDirectory(dir); }
  int FileSize(const std::string& path, uint64_t* size) override {
    return base_.FileSize(path, size);
  }
  int CreateDirectory(const std::string& dir) override { return base_.CreateDirectory(dir); }

 private:
  friend class FaultInjectingFile;
  struct Tracked {
    uint64_t durable = 0;  // bytes a completed DataSync covered
  };
  std::shared_ptr<Tracked> Track(const std::string& path, bool truncate);

  AofFileSystem& base_;
  mutable std::mutex mu_;
  // By current path; an open file holds its entry, so a rename keeps its durability record.
  std::map<std::string, std::shared_ptr<Tracked>> files_;
  bool write_fault_ = false;
  uint64_t write_budget_ = 0;
  int write_error_ = 0;
  int sync_error_ = 0;
  int64_t sync_delay_us_ = 0;
  uint64_t syncs_ = 0;
};

}  // namespace ember
