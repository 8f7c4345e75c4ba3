#pragma once
// The server's persistence: what is loaded at start (the AOF when appendonly is on, else the
// snapshot file), the AOF the shard journals commit to, background snapshots (BGSAVE, save
// points, the base of BGREWRITEAOF) and the state INFO persistence and -MISCONF report.
//
// Threads: Start and Shutdown run on the main thread while no worker runs; Cron on the main
// thread every ~100 ms; the command entry points (Bgsave, Rewrite, Save, SetAppendOnly) inside
// a step that holds every shard; OnTurn on each shard thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "engine/turn_commit.h"

namespace ember {

class AofWriter;
class ShardHold;
struct AofManifest;
class BackgroundSnapshot;
class Engine;

class Persistence {
 public:
  explicit Persistence(Engine& engine);
  ~Persistence();

  // Loads the data set and opens the AOF. Runs on the main thread once the workers serve
  // clients: it holds every shard, and every few milliseconds lets them go for a moment so
  // clients get -LOADING (and INFO) meanwhile; `between_slices` runs then (the main thread
  // looks at its signals). A shutdown requested meanwhile stops the loading (false, with
  // *error empty).
  bool Start(const std::function<void()>& between_slices, std::string* error);
  void Cron(int64_t now_ms);
  // Before a shutdown that saves (SHUTDOWN [SAVE], or SIGTERM/SIGINT with save points), with
  // every shard held and the workers still serving: abandons a background snapshot and writes
  // the final one. False when that failed (the server must keep serving, as Redis), unless
  // `force`. Not while loading: there is nothing whole to save (true, nothing written).
  bool PrepareShutdown(bool force, std::string* error);
  // After the workers stopped: a final snapshot when `save` (SHUTDOWN SAVE, or save points set
  // and not NOSAVE) unless PrepareShutdown wrote one and nothing changed since, then the AOF's
  // last fsync.
  bool Shutdown(bool save, std::string* error);

  enum class Started { kStarted, kScheduled, kAlreadyRunning, kFailed };
  Started Bgsave(bool schedule, std::string* error);
  Started Rewrite(std::string* error);
  bool Save(std::string* error);
  // A full sync's snapshot (replication/), in a step that holds every shard: written to `path`,
  // then `done(path, ok)` runs on the main thread (the file is then the caller's). False while
  // another snapshot runs (the caller tries again later).
  using SnapshotDone = std::function<void(const std::string& path, bool ok)>;
  bool StartReplicaSnapshot(const std::string& path, SnapshotDone done, std::string* error);
  // CONFIG SET appendonly yes|no at run time (yes: the AOF starts with a rewrite, as Redis).
  bool SetAppendOnly(bool on, std::string* error);
  // CONFIG SET appendfsync: the open AOF switches at once.
  void SetAppendFsync(const std::string& policy);

  void OnTurn(uint32_t shard);
  int64_t lastsave_s() const { return lastsave_s_.load(std::memory_order_relaxed); }
  void AppendInfo(std::string& out, int64_t now_ms) const;
  // Redis's -MISCONF text while writes must be refused.
  std::string MisconfError() const;

 private:
  enum class Purpose { kBgsave, kRewrite, kReplication };
  class AofLog;

  bool LoadAtStart(std::string* error);
  // After `items` keys or commands of `bytes` loaded: after a slice of holding every shard,
  // lets the workers run once. False when a shutdown was requested.
  bool LoadTick(uint64_t bytes, uint32_t items);
  uint64_t LoadTotalBytes() const;
  bool HasKeys() const;
  AofManifest StaleAofAsHistory() const;
  std::string SnapshotTempPath(Purpose purpose) const;
  bool OpenAof(std::string* error);
  Started StartSnapshot(Purpose purpose, std::string* error);
  void FinishSnapshot();  // main thread: fsync, rename or commit the rewrite, status
  void UpdateWriteRefusal();
  void AbandonSnapshot();  // mu_ held, every shard held or stopped
  // Key changes of every shard: `live` reads the shards' counters (only where every shard is
  // held), otherwise the values they last published.
  uint64_t Changes(bool live) const;
  std::string AofDir() const;

  Engine& engine_;
  std::unique_ptr<AofWriter> aof_;
  std::unique_ptr<AofLog> aof_log_;
  std::unique_ptr<AofManifest> loaded_manifest_;  // what the loader found, for OpenAof
  std::atomic<bool> starting_{false};             // a snapshot's start is posted to the shards

  mutable std::mutex mu_;  // the snapshot in progress
  std::unique_ptr<BackgroundSnapshot> snapshot_;
  int replaced_file_ = -1;  // the dump a BGSAVE replaced, closed by Cron outside the lock
  Purpose purpose_ = Purpose::kBgsave;
  std::string replica_path_;  // kReplication: where, and whom to tell
  SnapshotDone replica_done_;
  std::function<void()> finished_replica_;  // main thread: runs once mu_ is released
  std::atomic<bool> bgsave_scheduled_{false};
  std::atomic<bool> rewrite_scheduled_{false};

  std::atomic<int64_t> lastsave_s_{0};
  std::atomic<int64_t> last_bgsave_try_s_{0};
  std::atomic<bool> last_bgsave_ok_{true};
  std::atomic<bool> last_rewrite_ok_{true};
  std::atomic<int64_t> snapshot_start_ms_{0};
  std::atomic<int64_t> last_bgsave_secs_{-1};
  std::atomic<int64_t> last_rewrite_secs_{-1};
  std::atomic<uint64_t> rdb_saves_{0};
  std::atomic<uint64_t> aof_rewrites_{0};
  std::atomic<uint64_t> changes_mark_{0};      // Changes() when the last good snapshot began
  std::atomic<uint64_t> changes_at_start_{0};  // Changes() when the one in progress began
  std::atomic<bool> loading_{false};
  bool saved_for_shutdown_ = false;  // PrepareShutdown wrote the final snapshot
  bool final_save_forgone_ = false;  // ... or it failed and FORCE said exit anyway
  std::atomic<int64_t> loading_start_s_{0};
  std::atomic<uint64_t> loading_total_bytes_{0};
  std::atomic<uint64_t> loading_loaded_bytes_{0};
  ShardHold* load_hold_ = nullptr;  // while Start loads
  const std::function<void()>* between_slices_ = nullptr;
  int64_t slice_start_us_ = 0;
  uint32_t load_items_ = 0;
  int64_t key_load_delay_us_ = 0;  // key-load-delay, read once as loading starts
  bool load_interrupted_ = false;
};

}  // namespace ember
