#include "persistence/persistence.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/clock.h"
#include "engine/all_shards_task.h"
#include "engine/engine.h"
#include "persistence/aof_manifest.h"
#include "persistence/aof_writer.h"
#include "persistence/background_snapshot.h"
#include "persistence/persistence_files.h"
#include "persistence/snapshot.h"
#include "scripting/function_registry.h"

namespace ember {

using persistence_files::Exists;
using persistence_files::FileSize;
using persistence_files::Log;

namespace {

constexpr int64_t kBgsaveRetryDelayS = 5;  // after a failed save point, as Redis

// Save points "3600 1 300 100": pairs of seconds and changes.
std::vector<std::pair<int64_t, int64_t>> SavePoints(const std::string& save) {
  std::vector<std::pair<int64_t, int64_t>> points;
  int64_t values[2];
  size_t n = 0, pos = 0;
  while (pos < save.size()) {
    size_t end = save.find(' ', pos);
    if (end == std::string::npos) end = save.size();
    values[n++ % 2] = std::stoll(save.substr(pos, end - pos));
    if (n % 2 == 0) points.emplace_back(values[0], values[1]);
    pos = end + 1;
  }
  return points;
}

}  // namespace

// The AOF as the journals' durable log (engine/turn_commit.h).
class Persistence::AofLog final : public DurableLog {
 public:
  explicit AofLog(AofWriter& writer) : writer_(writer) {}
  uint64_t Append(std::string_view records) override { return writer_.Append(records); }
  void SyncUpTo(uint64_t offset) override {
    // As Redis: with appendfsync always a write that cannot be made durable must not be
    // acknowledged, and there is no way to take it back.
    if (!writer_.SyncUpTo(offset)) {
      Log("Can't persist AOF when the AOF fsync policy is 'always' (write or fsync failed). "
          "Exiting...");
      _exit(1);
    }
  }
  bool sync_always() const override { return writer_.NeedsSyncBeforeReply(); }

 private:
  AofWriter& writer_;
};

Persistence::Persistence(Engine& engine) : engine_(engine) {
  lastsave_s_.store(WallClockMs() / 1000, std::memory_order_relaxed);
}

Persistence::~Persistence() {
  engine_.set_durable_log(nullptr);
}

std::string Persistence::AofDir() const {
  const ServerConfig c = engine_.ConfigCopy();
  return c.data_dir + "/" + c.appenddirname;
}

uint64_t Persistence::Changes(bool live) const {
  uint64_t sum = 0;
  for (uint32_t s = 0; s < engine_.num_shards(); ++s) {
    Shard& shard = engine_.shard(s);
    sum += live ? shard.stats().changes : shard.published_changes.load(std::memory_order_relaxed);
  }
  return sum;
}

bool Persistence::OpenAof(std::string* error) {
  const ServerConfig c = engine_.ConfigCopy();
  AofWriterOptions options;
  options.dir = AofDir();
  options.appendfilename = c.appendfilename;
  ParseAofFsyncPolicy(c.appendfsync, &options.fsync);
  AofManifest manifest = loaded_manifest_ ? *loaded_manifest_ : StaleAofAsHistory();
  loaded_manifest_.reset();
  aof_ = AofWriter::Open(options, manifest, error);
  if (!aof_) return false;
  if (manifest.empty() && (HasKeys() || !manifest.history.empty() ||
                           !FunctionRegistry::Instance().Snapshot()->libraries.empty())) {
    // A dataset without an AOF (loaded from the snapshot, or CONFIG SET appendonly yes): its
    // first base is a snapshot of it, taken while every shard is ours (before the workers run,
    // or inside CONFIG SET's all-shards step).
    std::string tmp = AofDir() + "/temp-rewriteaof-" + std::to_string(getpid()) + ".rdb";
    if (!WriteSnapshotFile(engine_, tmp, error) ||
        !aof_->CommitRewrite(tmp, AofBaseFormat::kRdb, error)) {
      ::unlink(tmp.c_str());
      aof_.reset();
      return false;
    }
  }
  aof_log_ = std::make_unique<AofLog>(*aof_);
  engine_.set_durable_log(aof_log_.get());
  return true;
}

AofManifest Persistence::StaleAofAsHistory() const {
  // The AOF of an earlier run with appendonly on (the data set came from elsewhere since, or
  // was changed without it): none of it may be loaded again. The new AOF continues its file
  // numbers, so no listed file is overwritten before the new manifest is in place, and lists
  // its files as history, which the first base's commit deletes.
  AofManifest old, fresh;
  bool exists = false;
  std::string error;
  if (!ReadAofManifest(AofDir(), engine_.ConfigCopy().appendfilename, &old, &exists, &error) ||
      !exists) {
    return fresh;
  }
  fresh.base_seq = old.base_seq;
  fresh.incr_seq = old.incr_seq;
  fresh.history = old.history;
  if (old.base) fresh.history.push_back({old.base->name, old.base->seq, AofFileType::kHistory});
  for (const AofFileInfo& info : old.increments)
    fresh.history.push_back({info.name, info.seq, AofFileType::kHistory});
  return fresh;
}

bool Persistence::HasKeys() const {
  for (uint32_t s = 0; s < engine_.num_shards(); ++s) {
    for (int db = 0; db < kNumDatabases; ++db) {
      if (engine_.shard(s).db(db).size() > 0) return true;
    }
  }
  return false;
}

std::string Persistence::SnapshotTempPath(Purpose purpose) const {
  const ServerConfig c = engine_.ConfigCopy();
  std::string pid = std::to_string(getpid());
  if (purpose == Purpose::kReplication) return replica_path_;
  return purpose == Purpose::kRewrite ? AofDir() + "/temp-rewriteaof-bg-" + pid + ".rdb"
                                      : c.data_dir + "/temp-" + pid + ".rdb";
}

Persistence::Started Persistence::StartSnapshot(Purpose purpose, std::string* error) {
  // Every shard is held: what each journaled so far belongs before the snapshot.
  for (uint32_t s = 0; s < engine_.num_shards(); ++s)
    turn_commit::HandOver(engine_, engine_.shard(s).journal());
  if (purpose == Purpose::kRewrite) {
    // The records from here on go to a new increment; the snapshot replaces everything before.
    if (!aof_->RotateIncrement(error)) {
      last_rewrite_ok_.store(false);
      return Started::kFailed;
    }
  }
  int64_t now = WallClockMs();
  if (purpose == Purpose::kBgsave) last_bgsave_try_s_.store(now / 1000);
  if (purpose == Purpose::kReplication) {
    std::string path = SnapshotTempPath(purpose);
    auto snapshot =
        BackgroundSnapshot::Begin(engine_, path, engine_.config().rdbcompression, error);
    if (!snapshot) return Started::kFailed;
    snapshot_ = std::move(snapshot);
    purpose_ = purpose;
    snapshot_start_ms_.store(now);
    Log("Starting BGSAVE for SYNC with target: disk");
    return Started::kStarted;
  }
  auto snapshot = BackgroundSnapshot::Begin(engine_, SnapshotTempPath(purpose),
                                            engine_.ConfigCopy().rdbcompression, error);
  if (!snapshot) {
    (purpose == Purpose::kBgsave ? last_bgsave_ok_ : last_rewrite_ok_).store(false);
    UpdateWriteRefusal();
    if (purpose == Purpose::kRewrite) return Started::kFailed;
    // As Redis, whose forked child is what finds the directory unusable: BGSAVE started, and
    // then failed (rdb_last_bgsave_status:err, -MISCONF, the reason in the log).
    Log(*error);
    Log("Background saving error");
    last_bgsave_secs_.store(0);
    error->clear();
    return Started::kStarted;
  }
  snapshot_ = std::move(snapshot);
  purpose_ = purpose;
  snapshot_start_ms_.store(now);
  changes_at_start_.store(Changes(true));
  Log(purpose == Purpose::kBgsave ? "Background saving started"
                                  : "Background append only file rewriting started");
  return Started::kStarted;
}

Persistence::Started Persistence::Bgsave(bool schedule, std::string* error) {
  std::lock_guard lock(mu_);
  if (snapshot_) {
    if (purpose_ == Purpose::kRewrite && schedule) {
      bgsave_scheduled_.store(true);
      return Started::kScheduled;
    }
    *error = purpose_ == Purpose::kBgsave
                 ? "Background save already in progress"
                 : "An AOF log rewriting in progress: can't BGSAVE right now. Use BGSAVE SCHEDULE "
                   "in order to schedule a BGSAVE whenever possible.";
    return Started::kAlreadyRunning;
  }
  return StartSnapshot(Purpose::kBgsave, error);
}

Persistence::Started Persistence::Rewrite(std::string* error) {
  std::lock_guard lock(mu_);
  if (!aof_) {
    *error = "Background append only file rewriting needs appendonly yes";
    return Started::kFailed;
  }
  if (snapshot_) {
    if (purpose_ == Purpose::kRewrite) {
      *error = "Background append only file rewriting already in progress";
      return Started::kAlreadyRunning;
    }
    rewrite_scheduled_.store(true);
    return Started::kScheduled;
  }
  return StartSnapshot(Purpose::kRewrite, error);
}

bool Persistence::Save(std::string* error) {
  std::lock_guard lock(mu_);
  if (snapshot_) {
    *error = "Background save already in progress";
    return false;
  }
  const ServerConfig c = engine_.ConfigCopy();
  uint64_t changes = Changes(true);
  int64_t start = WallClockMs();
  bool ok = WriteSnapshotFile(engine_, SnapshotPath(c.data_dir, c.dbfilename), error);
  last_bgsave_ok_.store(ok);
  if (ok) {
    lastsave_s_.store(WallClockMs() / 1000);
    changes_mark_.store(changes);
    rdb_saves_.fetch_add(1);
    Log(fmt::format("DB saved on disk in {} ms", WallClockMs() - start));
  }
  UpdateWriteRefusal();
  return ok;
}

bool Persistence::StartReplicaSnapshot(const std::string& path, SnapshotDone done,
                                       std::string* error) {
  std::lock_guard lock(mu_);
  if (snapshot_ || loading_.load()) return false;
  replica_path_ = path;
  if (StartSnapshot(Purpose::kReplication, error) != Started::kStarted || !snapshot_) return false;
  replica_done_ = std::move(done);
  return true;
}

bool Persistence::SetAppendOnly(bool on, std::string* error) {
  std::lock_guard lock(mu_);
  if (loading_.load()) {  // the load at start decided from the setting it began with
    *error = "the dataset is still loading";
    return false;
  }
  if (on == (aof_ != nullptr)) return true;
  if (!on) {
    engine_.set_durable_log(nullptr);
    for (uint32_t s = 0; s < engine_.num_shards(); ++s) engine_.shard(s).journal().Discard();
    aof_->Close(error);
    aof_.reset();
    aof_log_.reset();
    UpdateWriteRefusal();
    return true;
  }
  if (snapshot_) {
    *error = "Background save in progress: try again when it is done";
    return false;
  }
  // The AOF starts from a snapshot of the data (Redis rewrites it the same way).
  bool ok = OpenAof(error);
  UpdateWriteRefusal();
  return ok;
}

void Persistence::SetAppendFsync(const std::string& policy) {
  std::lock_guard lock(mu_);
  AofFsyncPolicy parsed;
  if (aof_ && ParseAofFsyncPolicy(policy, &parsed) && !aof_->SetPolicy(parsed)) {
    Log("Can't persist AOF when switching appendfsync to always (fsync failed)");
  }
}

void Persistence::OnTurn(uint32_t shard) {
  if (BackgroundSnapshot* snapshot = engine_.shard(shard).snapshot()) snapshot->Step(shard);
}

void Persistence::FinishSnapshot() {
  BackgroundSnapshot& snap = *snapshot_;
  const ServerConfig c = engine_.ConfigCopy();
  std::string error = snap.failed() ? snap.error() : "";  // written and synced by its writer
  bool ok = error.empty();
  int64_t secs = (WallClockMs() - snapshot_start_ms_.load()) / 1000;
  if (purpose_ == Purpose::kReplication) {
    // The replicas' file: handed over, fsync and rename are not needed.
    if (!ok) Log("Background saving for replication error: " + error);
    std::string path = snap.tmp_path();
    snapshot_.reset();
    // Told after the lock is released (Cron): the callback takes the replicas' lock.
    if (replica_done_)
      finished_replica_ = [done = std::move(replica_done_), path, ok] { done(path, ok); };
    replica_done_ = nullptr;
    return;
  }
  if (purpose_ == Purpose::kBgsave) {
    std::string path = SnapshotPath(c.data_dir, c.dbfilename);
    // The file it replaces is held open until after the lock is released, so that freeing its
    // pages (hundreds of MB for a big dataset) happens then, not while INFO and BGSAVE wait.
    int old_file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (old_file >= 0) replaced_file_ = old_file;
    if (ok && ::rename(snap.tmp_path().c_str(), path.c_str()) != 0) {
      ok = false;
      error = std::string("rename of the snapshot failed: ") + strerror(errno);
    }
    if (ok) FsyncDirectory(c.data_dir);
    last_bgsave_ok_.store(ok);
    last_bgsave_secs_.store(secs);
    if (ok) {
      lastsave_s_.store(WallClockMs() / 1000);
      changes_mark_.store(changes_at_start_.load());
      rdb_saves_.fetch_add(1);
      Log("Background saving terminated with success");
    }
  } else {
    if (ok && !aof_->CommitRewrite(snap.tmp_path(), AofBaseFormat::kRdb, &error)) ok = false;
    last_rewrite_ok_.store(ok);
    last_rewrite_secs_.store(secs);
    if (ok) {
      aof_rewrites_.fetch_add(1);
      Log("Background AOF rewrite finished successfully");
    }
  }
  if (!ok) {
    Log((purpose_ == Purpose::kBgsave ? "Background saving error: " : "AOF rewrite error: ") +
        error);
    ::unlink(snap.tmp_path().c_str());
  }
  snapshot_.reset();
  UpdateWriteRefusal();
}

void Persistence::Cron(int64_t now_ms) {
  bool busy;
  int replaced;
  {
    std::lock_guard lock(mu_);
    if (snapshot_ && snapshot_->complete()) FinishSnapshot();
    replaced = std::exchange(replaced_file_, -1);
    busy = snapshot_ || starting_.load();
  }
  if (replaced >= 0) ::close(replaced);  // the replaced dump's pages are freed here, unlocked
  if (finished_replica_) std::exchange(finished_replica_, nullptr)();
  if (busy) return;
  const ServerConfig c = engine_.ConfigCopy();
  auto start = [this](Purpose purpose) {
    starting_.store(true);
    RunOnAllShards(engine_, [this, purpose] {
      std::string error;
      {
        std::lock_guard lock(mu_);
        if (!snapshot_ && (purpose == Purpose::kBgsave || aof_)) StartSnapshot(purpose, &error);
      }
      starting_.store(false);
    });
  };
  if (rewrite_scheduled_.exchange(false) && aof_) return start(Purpose::kRewrite);
  if (bgsave_scheduled_.exchange(false)) return start(Purpose::kBgsave);
  int64_t now_s = now_ms / 1000;
  uint64_t published = Changes(false), mark = changes_mark_.load();
  uint64_t changes = published > mark ? published - mark : 0;
  bool retry_ok = last_bgsave_ok_.load() || now_s - last_bgsave_try_s_.load() > kBgsaveRetryDelayS;
  for (auto [secs, min_changes] : SavePoints(c.save)) {
    if (changes >= static_cast<uint64_t>(min_changes) && now_s - lastsave_s_.load() >= secs &&
        retry_ok) {
      Log(fmt::format("{} changes in {} seconds. Saving...", min_changes, secs));
      return start(Purpose::kBgsave);
    }
  }
  if (aof_ && c.auto_aof_rewrite_percentage > 0) {
    AofWriterStatus st = aof_->Status();
    uint64_t base = std::max<uint64_t>(st.base_size, 1);
    if (st.current_size >= static_cast<uint64_t>(c.auto_aof_rewrite_min_size) &&
        (st.current_size - std::min(st.current_size, base)) * 100 / base >=
            static_cast<uint64_t>(c.auto_aof_rewrite_percentage)) {
      Log("Starting automatic rewriting of AOF on growth");
      return start(Purpose::kRewrite);
    }
  }
  UpdateWriteRefusal();
}

void Persistence::UpdateWriteRefusal() {
  engine_.set_writes_refused(!MisconfError().empty());
}

std::string Persistence::MisconfError() const {
  const ServerConfig c = engine_.ConfigCopy();
  if (aof_ && !aof_->Status().write_ok) {
    return fmt::format("MISCONF Errors writing to the AOF file: {}",
                       strerror(aof_->Status().write_errno));
  }
  if (c.stop_writes_on_bgsave_error && !c.save.empty() && !last_bgsave_ok_.load()) {
    return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.";
  }
  return "";
}

void Persistence::AbandonSnapshot() {
  if (!snapshot_) return;
  ::unlink(snapshot_->tmp_path().c_str());
  for (uint32_t s = 0; s < engine_.num_shards(); ++s) engine_.shard(s).set_snapshot(nullptr);
  snapshot_.reset();
  Log("Background snapshot abandoned for the shutdown");
}

bool Persistence::PrepareShutdown(bool force, std::string* error) {
  if (loading_.load()) return true;  // as Redis: a shutdown while loading does not save
  {
    std::lock_guard lock(mu_);
    AbandonSnapshot();
  }
  Log("Saving the final RDB snapshot before exiting.");
  if (Save(error)) {
    Log("DB saved on disk");
    saved_for_shutdown_ = true;
    return true;
  }
  Log("Error trying to save the DB, can't exit.");
  if (force) {
    Log("Errors trying to shut down the server: FORCE, exiting anyway.");
    final_save_forgone_ = true;  // do not try again after the workers stop
    return true;
  }
  Log("Errors trying to shut down the server. Check the logs for more information.");
  return false;
}

bool Persistence::Shutdown(bool save, std::string* error) {
  bool ok = true;
  {
    std::lock_guard lock(mu_);
    AbandonSnapshot();  // the workers that would finish it have stopped
  }
  // Writes that ran while the workers drained after PrepareShutdown's snapshot need another.
  if (save && (final_save_forgone_ || (saved_for_shutdown_ && Changes(true) == changes_mark_)))
    save = false;
  if (save) {
    Log("Saving the final RDB snapshot before exiting.");
    ok = Save(error);
    if (ok) Log("DB saved on disk");
  }
  if (aof_) {
    std::string aof_error;
    engine_.set_durable_log(nullptr);
    if (!aof_->Close(&aof_error)) {
      Log("Error closing the AOF: " + aof_error);
      ok = false;
      if (error->empty()) *error = aof_error;
    }
  }
  return ok;
}

void Persistence::AppendInfo(std::string& out, int64_t now_ms) const {
  auto line = [&out](std::string_view name, auto value) {
    out += fmt::format("{}:{}\r\n", name, value);
  };
  std::lock_guard lock(mu_);
  bool bgsave = snapshot_ && purpose_ == Purpose::kBgsave;
  bool rewrite = snapshot_ && purpose_ == Purpose::kRewrite;
  int64_t current = snapshot_ ? (now_ms - snapshot_start_ms_.load()) / 1000 : -1;
  out += "# Persistence\r\n";
  line("loading", loading_.load() ? 1 : 0);
  line("async_loading", 0);
  line("current_cow_peak", 0);
  line("current_cow_size", 0);
  line("current_cow_size_age", 0);
  line("current_fork_perc", "0.00");
  line("current_save_keys_processed", snapshot_ ? snapshot_->keys_written() : 0);
  line("current_save_keys_total", 0);
  line("rdb_changes_since_last_save", Changes(true) - changes_mark_.load());
  line("rdb_bgsave_in_progress", bgsave ? 1 : 0);
  line("rdb_last_save_time", lastsave_s_.load());
  line("rdb_last_bgsave_status", last_bgsave_ok_.load() ? "ok" : "err");
  line("rdb_last_bgsave_time_sec", last_bgsave_secs_.load());
  line("rdb_current_bgsave_time_sec", bgsave ? current : -1);
  line("rdb_saves", rdb_saves_.load());
  line("rdb_last_cow_size", 0);
  line("rdb_last_load_keys_expired", 0);
  line("rdb_last_load_keys_loaded", 0);
  line("aof_enabled", aof_ ? 1 : 0);
  line("aof_rewrite_in_progress", rewrite ? 1 : 0);
  line("aof_rewrite_scheduled", rewrite_scheduled_.load() ? 1 : 0);
  line("aof_last_rewrite_time_sec", last_rewrite_secs_.load());
  line("aof_current_rewrite_time_sec", rewrite ? current : -1);
  line("aof_last_bgrewrite_status", last_rewrite_ok_.load() ? "ok" : "err");
  line("aof_rewrites", aof_rewrites_.load());
  line("aof_rewrites_consecutive_failures", last_rewrite_ok_.load() ? 0 : 1);
  if (aof_) {
    AofWriterStatus st = aof_->Status();
    line("aof_last_write_status", st.write_ok ? "ok" : "err");
    line("aof_last_cow_size", 0);
    line("module_fork_in_progress", 0);
    line("module_fork_last_cow_size", 0);
    line("aof_current_size", st.current_size);
    line("aof_base_size", st.base_size);
    line("aof_pending_rewrite", 0);
    line("aof_buffer_length", st.backlog_bytes);
    line("aof_pending_bio_fsync", st.pending_bytes > 0 ? 1 : 0);
    line("aof_delayed_fsync", st.delayed_fsyncs);
  } else {
    line("aof_last_write_status", "ok");
    line("aof_last_cow_size", 0);
    line("module_fork_in_progress", 0);
    line("module_fork_last_cow_size", 0);
  }
  if (!loading_.load()) return;
  // Redis's progress lines (loading_rdb_used_mem: ember does not read that aux field).
  int64_t start_s = loading_start_s_.load();
  uint64_t total = loading_total_bytes_.load();
  uint64_t loaded = std::min(loading_loaded_bytes_.load(), total);
  double perc = total > 0 ? static_cast<double>(loaded) * 100 / static_cast<double>(total) : 0;
  int64_t elapsed_s = now_ms / 1000 - start_s;
  int64_t eta_s =
      loaded > 0 && elapsed_s > 0
          ? static_cast<int64_t>(static_cast<double>(total - loaded) *
                                 static_cast<double>(elapsed_s) / static_cast<double>(loaded))
          : 1;
  line("loading_start_time", start_s);
  line("loading_total_bytes", total);
  line("loading_rdb_used_mem", 0);
  line("loading_loaded_bytes", loaded);
  line("loading_loaded_perc", fmt::format("{:.2f}", perc));
  line("loading_eta_seconds", eta_s);
}

}  // namespace ember
