#include "persistence/aof_writer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/clock.h"
#include "engine/latency_monitor.h"
#include "persistence/aof_file.h"

namespace ember {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
  });
}

std::string ErrnoText(int error) {
  return std::strerror(error);
}

}  // namespace

bool ParseAofFsyncPolicy(std::string_view text, AofFsyncPolicy* out) {
  if (EqualsIgnoreCase(text, "always")) {
    *out = AofFsyncPolicy::kAlways;
  } else if (EqualsIgnoreCase(text, "everysec")) {
    *out = AofFsyncPolicy::kEverySec;
  } else if (EqualsIgnoreCase(text, "no")) {
    *out = AofFsyncPolicy::kNo;
  } else {
    return false;
  }
  return true;
}

const char* AofFsyncPolicyName(AofFsyncPolicy policy) {
  switch (policy) {
    case AofFsyncPolicy::kAlways:
      return "always";
    case AofFsyncPolicy::kEverySec:
      return "everysec";
    case AofFsyncPolicy::kNo:
      return "no";
  }
  return "everysec";
}

AofWriter::AofWriter(AofWriterOptions options)
    : options_(std::move(options)),
      policy_(options_.fsync),
      fs_(options_.fs ? options_.fs : &PosixAofFileSystem()) {}

std::unique_ptr<AofWriter> AofWriter::Open(AofWriterOptions options, AofManifest manifest,
                                           std::string* error) {
  std::unique_ptr<AofWriter> writer(new AofWriter(std::move(options)));
  AofFileSystem& fs = *writer->fs_;
  const std::string& dir = writer->options_.dir;
  const std::string& basename = writer->options_.appendfilename;
  if (int rc = fs.CreateDirectory(dir); rc != 0) {
    *error = "Can't open or create append-only dir " + dir + ": " + ErrnoText(rc);
    return nullptr;
  }
  if (manifest.empty()) {
    // A first start: an empty dataset is an empty RESP base.
    std::string base_path = AofPath(dir, manifest.StartNewBase(basename, AofBaseFormat::kAof));
    std::unique_ptr<AofFile> base;
    int rc = fs.OpenForAppend(base_path, /*truncate=*/true, &base);
    if (rc == 0) rc = base->DataSync();
    if (rc != 0) {
      *error = "Can't create the AOF base file " + base_path + ": " + ErrnoText(rc);
      return nullptr;
    }
  }
  // A new increment starts empty: a file by that name that no manifest lists is a leftover.
  bool new_increment = manifest.increments.empty();
  if (new_increment) manifest.AddIncrement(basename);
  std::string incr_path = AofPath(dir, manifest.increments.back().name);
  if (int rc = fs.OpenForAppend(incr_path, new_increment, &writer->file_); rc != 0) {
    *error = "Can't open the append-only file " + incr_path + ": " + ErrnoText(rc);
    return nullptr;
  }
  if (!WriteAofManifest(fs, dir, basename, manifest, error)) return nullptr;
  uint64_t size = 0;
  if (manifest.base && fs.FileSize(AofPath(dir, manifest.base->name), &size) == 0) {
    writer->base_size_ = size;
  }
  writer->current_size_ = writer->base_size_;
  for (const auto& info : manifest.increments) {
    if (fs.FileSize(AofPath(dir, info.name), &size) == 0) writer->current_size_ += size;
  }
  if (int rc = writer->file_->Size(&writer->file_size_); rc != 0) {
    *error = "Can't stat the append-only file " + incr_path + ": " + ErrnoText(rc);
    return nullptr;
  }
  writer->manifest_ = std::move(manifest);
  writer->background_ = std::thread([w = writer.get()] { w->BackgroundLoop(); });
  return writer;
}

bool AofWriter::SetPolicy(AofFsyncPolicy policy) {
  if (policy == AofFsyncPolicy::kAlways && this->policy() != policy) {
    uint64_t accepted;
    {
      std::lock_guard lock(append_mu_);
      accepted = accepted_end_;
    }
    policy_.store(policy, std::memory_order_relaxed);
    return SyncUpTo(accepted);
  }
  policy_.store(policy, std::memory_order_relaxed);
  return true;
}

AofWriter::~AofWriter() {
  std::string ignored;
  Close(&ignored);
}

uint64_t AofWriter::Append(std::string_view records) {
  std::lock_guard lock(append_mu_);
  accepted_end_ += records.size();
  ++appends_;
  if (!backlog_.empty()) {
    // Order matters: earlier records that failed go first.
    backlog_.append(records);
    FlushBacklogLocked();
  } else {
    WriteLocked(records);
  }
  return accepted_end_;
}

bool AofWriter::WriteLocked(std::string_view data) {
  size_t written = 0;
  // LATENCY's aof-write event: timed only while the monitor is on.
  int64_t started_us = LatencyMonitorEnabled() ? MonotonicUs() : 0;
  int rc = file_ ? file_->Append(data, &written) : EBADF;
  if (started_us != 0) [[unlikely]]
    ReportLatency("aof-write", (MonotonicUs() - started_us) / 1000);
  if (rc == 0) {
    file_size_ += written;
    written_end_ += written;
    current_size_ += written;
    write_ok_ = true;
    return true;
  }
  // Cut a partial write back so the file never ends in half a record; if even that fails,
  // keep what landed and write only the rest later (the file stays a valid prefix then).
  if (written > 0 && file_->Truncate(file_size_) == 0) written = 0;
  file_size_ += written;
  written_end_ += written;
  current_size_ += written;
  write_ok_ = false;
  write_errno_ = rc;
  backlog_.append(data.substr(written));
  return false;
}

bool AofWriter::FlushBacklogLocked() {
  if (backlog_.empty()) return true;
  std::string pending;
  pending.swap(backlog_);
  bool ok = WriteLocked(pending);  // on failure the unwritten rest is back in backlog_
  if (ok && pending.capacity() <= (1u << 20)) {
    // Keep a modest buffer for the next failure; give a big one back.
    pending.clear();
    backlog_.swap(pending);
  }
  return ok;
}

bool AofWriter::RetryBacklog() {
  std::lock_guard lock(append_mu_);
  return FlushBacklogLocked();
}

bool AofWriter::SyncUpTo(uint64_t offset) {
  std::unique_lock lock(sync_mu_);
  while (true) {
    if (synced_end_ >= offset) return true;
    if (sync_closed_) return false;
    if (!sync_in_progress_) break;
    // Another caller's fsync is running; it may cover us. If not, we lead the next one.
    sync_cv_.wait(lock);
  }
  return LeadSync(lock) && synced_end_ >= offset;
}

bool AofWriter::LeadSync(std::unique_lock<std::mutex>& lock) {
  sync_in_progress_ = true;
  std::unique_ptr<AofFile> retired = std::move(retired_);
  lock.unlock();
  // The callers the last fsync released are about to append again; letting them run first
  // puts their records into this fsync instead of the next (without it, groups alternate
  // between one record and all the others).
  std::this_thread::yield();

  int rc = 0;
  if (retired) rc = retired->DataSync();
  uint64_t target;
  AofFile* file;
  {
    std::lock_guard append_lock(append_mu_);
    FlushBacklogLocked();
    target = written_end_;
    file = file_.get();
  }
  // The file cannot change under us: a rotation waits for sync_in_progress_ to clear.
  int64_t started_us = MonotonicUs();
  if (rc == 0) rc = file ? file->DataSync() : EBADF;
  int64_t took_us = MonotonicUs() - started_us;

  lock.lock();
  sync_in_progress_ = false;
  if (rc == 0) {
    synced_end_ = std::max(synced_end_, target);
    fsync_ok_ = true;
    ++fsyncs_;
    last_fsync_unix_ms_ = WallClockMs();
  } else {
    if (retired && !retired_) retired_ = std::move(retired);  // try it again next time
    fsync_ok_ = false;
    fsync_errno_ = rc;
    ++fsync_failures_;
  }
  if (took_us > 2 * 1000 * options_.background_interval_ms) ++delayed_fsyncs_;
  // As Redis: an fsync a command waits for (always) is a latency event; everysec's are not.
  if (policy() == AofFsyncPolicy::kAlways) ReportLatency("aof-fsync-always", took_us / 1000);
  sync_cv_.notify_all();
  return rc == 0;
}

void AofWriter::BackgroundLoop() {
  std::unique_lock lock(sync_mu_);
  auto interval = std::chrono::milliseconds(std::max<int64_t>(1, options_.background_interval_ms));
  while (!stopping_) {
    sync_cv_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) break;
    bool backlog;
    uint64_t written;
    {
      std::lock_guard append_lock(append_mu_);
      backlog = !FlushBacklogLocked();
      written = written_end_;
    }
    (void)backlog;
    if (policy() != AofFsyncPolicy::kEverySec) continue;
    if (sync_in_progress_) {
      ++delayed_fsyncs_;  // due, but the previous fsync is still running
      continue;
    }
    if (written > synced_end_ || retired_) LeadSync(lock);
  }
}

AofWriterStatus AofWriter::Status() const {
  AofWriterStatus status;
  {
    std::lock_guard lock(sync_mu_);
    status.fsync_ok = fsync_ok_;
    status.fsync_errno = fsync_errno_;
    status.fsyncs = fsyncs_;
    status.fsync_failures = fsync_failures_;
    status.delayed_fsyncs = delayed_fsyncs_;
    status.last_fsync_unix_ms = last_fsync_unix_ms_;
    std::lock_guard append_lock(append_mu_);
    status.write_ok = write_ok_;
    status.write_errno = write_errno_;
    status.current_size = current_size_;
    status.base_size = base_size_;
    status.increment_size = file_size_;
    status.pending_bytes = accepted_end_ - std::min(accepted_end_, synced_end_);
    status.backlog_bytes = backlog_.size();
    status.appends = appends_;
  }
  std::lock_guard lock(manifest_mu_);
  if (!manifest_.increments.empty()) status.increment_name = manifest_.increments.back().name;
  return status;
}

AofManifest AofWriter::manifest() const {
  std::lock_guard lock(manifest_mu_);
  return manifest_;
}

bool AofWriter::RotateIncrement(std::string* error) {
  std::lock_guard control(control_mu_);
  if (closed_) {
    *error = "the AOF is closed";
    return false;
  }
  AofManifest next = manifest();
  std::string path = AofPath(options_.dir, next.AddIncrement(options_.appendfilename));
  std::unique_ptr<AofFile> fresh;
  if (int rc = fs_->OpenForAppend(path, /*truncate=*/true, &fresh); rc != 0) {
    *error = "Can't open the append-only file " + path + ": " + ErrnoText(rc);
    return false;
  }
  if (!WriteAofManifest(*fs_, options_.dir, options_.appendfilename, next, error)) {
    fresh.reset();
    fs_->Remove(path);
    return false;
  }
  // Hold off syncs while the file changes hands.
  std::unique_lock lock(sync_mu_);
  sync_cv_.wait(lock, [this] { return !sync_in_progress_; });
  sync_in_progress_ = true;
  lock.unlock();

  std::unique_ptr<AofFile> old;
  uint64_t switched_at;
  bool switched = false;
  {
    std::lock_guard append_lock(append_mu_);
    // A backlog belongs to the old file (it may finish a record cut in half there).
    if (FlushBacklogLocked()) {
      old = std::move(file_);
      file_ = std::move(fresh);
      file_size_ = 0;
      switched = true;
    }
    switched_at = written_end_;
  }
  int rc = switched ? old->DataSync() : 0;

  lock.lock();
  sync_in_progress_ = false;
  if (switched && rc == 0) {
    synced_end_ = std::max(synced_end_, switched_at);
    ++fsyncs_;
    last_fsync_unix_ms_ = WallClockMs();
  } else if (switched) {
    retired_ = std::move(old);  // the next sync retries it before anything counts as durable
    fsync_ok_ = false;
    fsync_errno_ = rc;
    ++fsync_failures_;
  }
  sync_cv_.notify_all();
  lock.unlock();

  if (!switched) {
    // The manifest already lists the new (empty) increment: roll it back.
    std::string ignored;
    WriteAofManifest(*fs_, options_.dir, options_.appendfilename, manifest(), &ignored);
    fs_->Remove(path);
    *error = "Can't rotate the AOF: earlier records could not be written (" +
             ErrnoText(Status().write_errno) + ")";
    return false;
  }
  std::lock_guard manifest_lock(manifest_mu_);
  manifest_ = std::move(next);
  return true;
}

bool AofWriter::CommitRewrite(const std::string& temp_base_path, AofBaseFormat format,
                              std::string* error) {
  std::lock_guard control(control_mu_);
  AofManifest next = manifest();
  std::string base_path = AofPath(options_.dir, next.StartNewBase(options_.appendfilename, format));
  next.MarkIncrementsAsHistory(/*keep_last=*/1);
  uint64_t base_size = 0;
  if (int rc = fs_->FileSize(temp_base_path, &base_size); rc != 0) {
    *error = "Can't stat the rewritten base " + temp_base_path + ": " + ErrnoText(rc);
    return false;
  }
  if (int rc = fs_->Rename(temp_base_path, base_path); rc != 0) {
    *error = "Error trying to rename the temporary AOF base file " + temp_base_path + " into " +
             base_path + ": " + ErrnoText(rc);
    return false;
  }
  if (!WriteAofManifest(*fs_, options_.dir, options_.appendfilename, next, error)) {
    fs_->Remove(base_path);
    return false;
  }
  {
    std::lock_guard append_lock(append_mu_);
    base_size_ = base_size;
    current_size_ = base_size + file_size_;
  }
  // The history is no longer needed: delete it and drop it from the manifest (a failure here
  // only leaves files to delete next time).
  for (const auto& info : next.history) fs_->Remove(AofPath(options_.dir, info.name));
  next.history.clear();
  std::string ignored;
  WriteAofManifest(*fs_, options_.dir, options_.appendfilename, next, &ignored);
  std::lock_guard manifest_lock(manifest_mu_);
  manifest_ = std::move(next);
  return true;
}

bool AofWriter::Close(std::string* error) {
  std::lock_guard control(control_mu_);
  if (closed_) return true;
  closed_ = true;
  {
    std::lock_guard lock(sync_mu_);
    stopping_ = true;
  }
  sync_cv_.notify_all();
  if (background_.joinable()) background_.join();
  bool ok;
  {
    std::unique_lock lock(sync_mu_);
    sync_cv_.wait(lock, [this] { return !sync_in_progress_; });
    ok = LeadSync(lock);
    sync_closed_ = true;  // no fsync may start on a file we are about to close
  }
  std::lock_guard append_lock(append_mu_);
  if (!backlog_.empty()) {
    *error = "AOF records could not be written: " + ErrnoText(write_errno_);
    return false;
  }
  if (!ok) *error = "Fail to fsync the AOF file: " + ErrnoText(fsync_errno_);
  file_.reset();
  return ok;
}

}  // namespace ember
