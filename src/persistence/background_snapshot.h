#pragma once
// A fork-less, point-in-time snapshot (BGSAVE, the base of BGREWRITEAOF): every shard
// serialises its own tables into one RDB file, a slice per event-loop turn, while it goes on
// serving. A segment of a table about to change is serialised first (the pre-update hook,
// Database::PreUpdate), so the file holds every key exactly as it was when the snapshot
// began, without fork's copy-on-write pages: the memory it costs is one buffer per shard.
//
// Begin runs where every shard is held (an all-shards command); Step, BeforeWrite and
// BeforeClear run on whichever thread holds that shard. The shards hand their serialised
// chunks to the snapshot's writer thread, which checksums and writes them: a write() that the
// kernel throttles (a big file's dirty pages) never stalls an event loop. The last shard to
// finish asks it for the end of the file; the owner (persistence.h) then fsyncs and renames it
// off the event loops.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ember {

class Database;
class Engine;
class Record;

class BackgroundSnapshot {
 public:
  // Opens `tmp_path` and marks every table of every shard: from here on they serialise the
  // state they have now. Null with *error when the file cannot be created.
  static std::unique_ptr<BackgroundSnapshot> Begin(Engine& engine, const std::string& tmp_path,
                                                   bool compress, std::string* error);
  ~BackgroundSnapshot();

  // A slice of `shard`'s work (a bounded number of segments); the shard's last slice
  // detaches it, the last shard's completes the file. Returns true once `shard` is done.
  bool Step(uint32_t shard);
  // The pre-update hook: serialises the segment of `hash` in `db` if it is still pending.
  void BeforeWrite(uint32_t shard, Database& db, uint64_t hash);
  // Every pending segment of `db` at once (FLUSHDB, FLUSHALL, SWAPDB are about to change all).
  void BeforeClear(uint32_t shard, Database& db);

  // Every shard has finished and the file has its EOF and checksum (not yet fsynced).
  bool complete() const { return complete_.load(std::memory_order_acquire); }
  // A write failed: the file is useless (error() says why).
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string error() const;
  int fd() const { return fd_; }
  const std::string& tmp_path() const { return tmp_path_; }
  uint64_t keys_written() const { return keys_.load(std::memory_order_relaxed); }
  uint64_t bytes_written() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  struct ShardState {
    std::string buffer;
    int buffer_db = -1;  // the database the buffer's last SELECTDB named
    int db = 0;          // the database Step is serialising
    uint32_t cursor = 0;
    bool done = false;
  };

  BackgroundSnapshot(Engine& engine, bool compress) : engine_(engine), compress_(compress) {}
  void Serialize(ShardState& state, int db, const Record* record);
  // Queues the buffer for the writer when it is big, or always with `force`.
  void Drain(ShardState& state, bool force);
  void Write(const std::string& bytes);     // the writer thread (or Begin): adds to the checksum
  void WriteRaw(const std::string& bytes);  // the writer thread
  void Fail(const std::string& why);
  void Finish();  // the last shard: the writer adds the EOF and checksum after what is queued
  void WriterLoop();

  Engine& engine_;
  bool compress_;
  std::string tmp_path_;
  int fd_ = -1;
  std::vector<ShardState> shards_;
  std::atomic<uint32_t> shards_left_{0};
  mutable std::mutex mu_;  // queue_, queued_bytes_, finishing_, abandoned_, error_
  std::condition_variable wake_writer_;
  std::deque<std::string> queue_;
  std::atomic<size_t> queued_bytes_{0};
  bool finishing_ = false;
  bool abandoned_ = false;  // destroyed before completion: the writer stops at once
  std::thread writer_;
  uint64_t crc_ = 0;  // the writer thread's
  std::string error_;
  std::atomic<uint64_t> keys_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<bool> complete_{false};
  std::atomic<bool> failed_{false};
};

}  // namespace ember
