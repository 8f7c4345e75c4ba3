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
#include <memory>
#include <mutex>
#include <string>

#include "engine/turn_commit.h"

namespace ember {

class AofWriter;
struct AofManifest;
class BackgroundSnapshot;
class Engine;

class Persistence {
 public:
  explicit Persistence(Engine& engine);
  ~Persistence();

  bool Start(std::string* error);
  void Cron(int64_t now_ms);
  // After the workers stopped: a final snapshot when `save` (SHUTDOWN SAVE, or save points set
  // and not NOSAVE), then the AOF's last fsync.
  bool Shutdown(bool save, std::string* error);

  enum class Started { kStarted, kScheduled, kAlreadyRunning, kFailed };
  Started Bgsave(bool schedule, std::string* error);
  Started Rewrite(std::string* error);
  bool Save(std::string* error);
  // CONFIG SET appendonly yes|no at run time (yes: the AOF starts with a rewrite, as Redis).
  bool SetAppendOnly(bool on, std::string* error);

  void OnTurn(uint32_t shard);
  int64_t lastsave_s() const { return lastsave_s_.load(std::memory_order_relaxed); }
  void AppendInfo(std::string& out, int64_t now_ms) const;
  // Redis's -MISCONF text while writes must be refused.
  std::string MisconfError() const;

 private:
  enum class Purpose { kBgsave, kRewrite };
  class AofLog;

  bool LoadAtStart(std::string* error);
  bool HasKeys() const;
  std::string SnapshotTempPath(Purpose purpose) const;
  bool OpenAof(std::string* error);
  Started StartSnapshot(Purpose purpose, std::string* error);
  void FinishSnapshot();  // main thread: fsync, rename or commit the rewrite, status
  void UpdateWriteRefusal();
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
  Purpose purpose_ = Purpose::kBgsave;
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
};

}  // namespace ember
