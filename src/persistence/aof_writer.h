#pragma once
// The writer of the shared AOF increment: one file that every shard thread appends its journal
// records to, with Redis's three fsync policies.
//
// Offsets are logical: bytes accepted by this writer since it was opened, across increment
// files (a rotation does not reset them). Append returns the offset just past its records;
// SyncUpTo(offset) makes everything up to there durable.
//
//   always:   the engine calls SyncUpTo(end) before replying. Group commit: when N shard threads
//             ask at once, one of them (the leader) runs ONE fdatasync covering every byte
//             written so far while the others wait, so N appends in the same instant cost one
//             fsync (two at most for a caller that arrives while one is running).
//   everysec: a background thread fdatasyncs about once a second when there is unsynced data;
//             no fsync ever runs on an event loop.
//   no:       never fsyncs, except on rotation and Close; the kernel decides.
//
// A failed or partial write is cut back (ftruncate to the last good size, as Redis does) and
// its records kept in a backlog that is retried before any later record (on the next Append,
// SyncUpTo or background tick), so the file never holds half a record and never reorders.
// Meanwhile Status().write_ok is false: the engine refuses writes with -MISCONF until a retry
// succeeds (recovery is automatic, as in Redis).
//
// Threads: Append, SyncUpTo, Status and RetryBacklog may be called from any thread at any time.
// RotateIncrement, CommitRewrite and Close are control operations (BGREWRITEAOF, shutdown):
// they serialise among themselves and may run while shard threads append.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "persistence/aof_manifest.h"

namespace ember {

class AofFile;
class AofFileSystem;

enum class AofFsyncPolicy { kAlways, kEverySec, kNo };
// "always" | "everysec" | "no" (case-insensitive, as CONFIG SET accepts them).
bool ParseAofFsyncPolicy(std::string_view text, AofFsyncPolicy* out);
const char* AofFsyncPolicyName(AofFsyncPolicy policy);

struct AofWriterOptions {
  std::string dir;  // data_dir + "/" + appenddirname
  std::string appendfilename = "appendonly.aof";
  AofFsyncPolicy fsync = AofFsyncPolicy::kEverySec;
  AofFileSystem* fs = nullptr;            // null: the real POSIX file system
  int64_t background_interval_ms = 1000;  // the everysec period (and backlog retries)
};

// What INFO persistence and the MISCONF check need.
struct AofWriterStatus {
  bool write_ok = true;  // aof_last_write_status; false: refuse writes (MISCONF)
  int write_errno = 0;   // aof_last_write_errno (kept after recovery, as Redis does)
  bool fsync_ok = true;  // the last fsync succeeded (Redis's aof_bio_fsync_status)
  int fsync_errno = 0;
  uint64_t current_size = 0;    // aof_current_size: base + increments
  uint64_t base_size = 0;       // aof_base_size: the base at open or the last rewrite
  uint64_t increment_size = 0;  // bytes in the current increment file
  uint64_t pending_bytes = 0;   // accepted but not yet covered by an fsync
  uint64_t backlog_bytes = 0;   // accepted but not yet written, after a failed write
  uint64_t appends = 0;
  uint64_t fsyncs = 0;  // successful fdatasyncs
  uint64_t fsync_failures = 0;
  uint64_t delayed_fsyncs = 0;  // aof_delayed_fsync: a due fsync found the previous one running
                                // or one took over 2 intervals
  int64_t last_fsync_unix_ms = 0;
  std::string increment_name;
};

class AofWriter {
 public:
  // Opens the AOF for appending, from the manifest the loader read (or an empty one): creates
  // the directory, an empty `.base.aof` when the manifest lists no file at all (an empty
  // dataset, as Redis does on a first start), an increment when it lists none, and persists
  // the manifest. Returns null with *error on failure.
  static std::unique_ptr<AofWriter> Open(AofWriterOptions options, AofManifest manifest,
                                         std::string* error);
  ~AofWriter();  // Close(), errors ignored
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  // Appends whole records (one or more RESP commands); returns the logical offset just past
  // them. Never splits or reorders: concurrent appends land one after the other. No allocation
  // unless a write fails (then the records go to the backlog).
  uint64_t Append(std::string_view records);
  // Makes every byte up to `offset` durable (group commit, see above). False if the data could
  // not be written or fsynced: the records it covers must not be acknowledged.
  bool SyncUpTo(uint64_t offset);
  // True under appendfsync always: the caller must SyncUpTo before replying.
  bool NeedsSyncBeforeReply() const { return policy() == AofFsyncPolicy::kAlways; }
  // Retries a backlog left by a failed write; true when none is left. The background thread
  // does this every interval; the engine may call it from its cron too.
  bool RetryBacklog();

  AofWriterStatus Status() const;
  AofManifest manifest() const;
  AofFsyncPolicy policy() const { return policy_.load(std::memory_order_relaxed); }
  // CONFIG SET appendfsync: applies from the next record on. Switching to always first syncs
  // what is already written, so every write acknowledged from here on is durable with all
  // that came before it.
  bool SetPolicy(AofFsyncPolicy policy);

  // BGREWRITEAOF, step 1: a new increment file, listed in the manifest (written atomically)
  // before any record goes to it; the old one is fsynced and closed. On failure nothing
  // changes. The rewrite's snapshot must start after this returns.
  bool RotateIncrement(std::string* error);
  // BGREWRITEAOF, step 2: the snapshot written to `temp_base_path` (in the AOF directory)
  // becomes the new base; the old base and every increment but the current one become history,
  // the manifest is written, then the history files are deleted. On failure the old AOF stays.
  bool CommitRewrite(const std::string& temp_base_path, AofBaseFormat format, std::string* error);

  // Writes the backlog, fsyncs (whatever the policy), stops the background thread.
  bool Close(std::string* error);

 private:
  explicit AofWriter(AofWriterOptions options);
  bool WriteLocked(std::string_view data);  // append_mu_ held
  bool FlushBacklogLocked();                // append_mu_ held
  // With sync_mu_ held via `lock` and no sync in progress: runs one fdatasync for everything
  // written so far. Returns whether it succeeded.
  bool LeadSync(std::unique_lock<std::mutex>& lock);
  void BackgroundLoop();

  AofWriterOptions options_;
  std::atomic<AofFsyncPolicy> policy_;
  AofFileSystem* fs_;

  std::mutex control_mu_;  // RotateIncrement / CommitRewrite / Close; guards manifest_ writes
  mutable std::mutex manifest_mu_;
  AofManifest manifest_;
  bool closed_ = false;

  // Append side.
  mutable std::mutex append_mu_;
  std::unique_ptr<AofFile> file_;
  uint64_t file_size_ = 0;     // good bytes in the current increment file
  uint64_t written_end_ = 0;   // logical offset written to files
  uint64_t accepted_end_ = 0;  // logical offset accepted (written + backlog)
  std::string backlog_;
  bool write_ok_ = true;
  int write_errno_ = 0;
  uint64_t current_size_ = 0;
  uint64_t base_size_ = 0;
  uint64_t appends_ = 0;

  // Sync side. Lock order: sync_mu_ before append_mu_, never the other way.
  mutable std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool sync_in_progress_ = false;  // also held by a rotation while it swaps files
  uint64_t synced_end_ = 0;
  std::unique_ptr<AofFile> retired_;  // a rotated-out file whose final fsync failed
  bool fsync_ok_ = true;
  int fsync_errno_ = 0;
  uint64_t fsyncs_ = 0;
  uint64_t fsync_failures_ = 0;
  uint64_t delayed_fsyncs_ = 0;
  int64_t last_fsync_unix_ms_ = 0;
  bool stopping_ = false;
  bool sync_closed_ = false;
  std::thread background_;
};

}  // namespace ember
