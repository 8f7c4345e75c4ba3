#include "persistence/aof_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace ember {
namespace {

class PosixAofFile : public AofFile {
 public:
  explicit PosixAofFile(int fd) : fd_(fd) {}
  ~PosixAofFile() override { ::close(fd_); }

  int Append(std::string_view data, size_t* written) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        *written = done;
        return errno;
      }
      // A short write is retried: the next call reports the real error (ENOSPC) if there is one.
      done += static_cast<size_t>(n);
    }
    *written = done;
    return 0;
  }

  int DataSync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return errno;
    }
    return 0;
  }

  int Truncate(uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return errno;
    }
    return 0;
  }

  int Size(uint64_t* size) override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return errno;
    *size = static_cast<uint64_t>(st.st_size);
    return 0;
  }

 private:
  int fd_;
};

class PosixFileSystem : public AofFileSystem {
 public:
  int OpenForAppend(const std::string& path, bool truncate,
                    std::unique_ptr<AofFile>* out) override {
    int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return errno;
    *out = std::make_unique<PosixAofFile>(fd);
    return 0;
  }

  int Rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
  }

  int Remove(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }

  int SyncDirectory(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int error = 0;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        error = errno;
        break;
      }
    }
    ::close(fd);
    return error;
  }

  int FileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno;
    *size = static_cast<uint64_t>(st.st_size);
    return 0;
  }

  int CreateDirectory(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return 0;
    if (errno != EEXIST) return errno;
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  }
};

}  // namespace

AofFileSystem& PosixAofFileSystem() {
  static PosixFileSystem fs;
  return fs;
}

class FaultInjectingFile : public AofFile {
 public:
  FaultInjectingFile(FaultInjectingFileSystem& fs, std::unique_ptr<AofFile> file,
                     std::shared_ptr<FaultInjectingFileSystem::Tracked> tracked)
      : fs_(fs), file_(std::move(file)), tracked_(std::move(tracked)) {}

  int Append(std::string_view data, size_t* written) override {
    size_t allowed = data.size();
    int error = 0;
    {
      std::lock_guard lock(fs_.mu_);
      if (fs_.write_fault_ && fs_.write_budget_ < allowed) {
        allowed = static_cast<size_t>(fs_.write_budget_);
        error = fs_.write_error_;
      }
      if (fs_.write_fault_) fs_.write_budget_ -= allowed;
    }
    int rc = allowed > 0 ? file_->Append(data.substr(0, allowed), written) : (*written = 0, 0);
    return rc != 0 ? rc : error;
  }

  int DataSync() override {
    // fdatasync covers what was written before it started; appends racing with it may not be.
    uint64_t covered = 0;
    if (int rc = file_->Size(&covered); rc != 0) return rc;
    int64_t delay_us;
    int error;
    {
      std::lock_guard lock(fs_.mu_);
      delay_us = fs_.sync_delay_us_;
      error = fs_.sync_error_;
    }
    if (delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    if (error != 0) return error;
    if (int rc = file_->DataSync(); rc != 0) return rc;
    std::lock_guard lock(fs_.mu_);
    if (covered > tracked_->durable) tracked_->durable = covered;
    ++fs_.syncs_;
    return 0;
  }

  int Truncate(uint64_t size) override {
    if (int rc = file_->Truncate(size); rc != 0) return rc;
    std::lock_guard lock(fs_.mu_);
    if (size < tracked_->durable) tracked_->durable = size;
    return 0;
  }

  int Size(uint64_t* size) override { return file_->Size(size); }

 private:
  FaultInjectingFileSystem& fs_;
  std::unique_ptr<AofFile> file_;
  std::shared_ptr<FaultInjectingFileSystem::Tracked> tracked_;
};

std::shared_ptr<FaultInjectingFileSystem::Tracked> FaultInjectingFileSystem::Track(
    const std::string& path, bool truncate) {
  std::lock_guard lock(mu_);
  auto& entry = files_[path];
  if (!entry) {
    entry = std::make_shared<Tracked>();
    // A file that existed before we saw it counts as durable as it is.
    uint64_t size = 0;
    if (!truncate && base_.FileSize(path, &size) == 0) entry->durable = size;
  }
  if (truncate) entry->durable = 0;
  return entry;
}

int FaultInjectingFileSystem::OpenForAppend(const std::string& path, bool truncate,
                                            std::unique_ptr<AofFile>* out) {
  std::unique_ptr<AofFile> file;
  auto tracked = Track(path, truncate);
  if (int rc = base_.OpenForAppend(path, truncate, &file); rc != 0) return rc;
  *out = std::make_unique<FaultInjectingFile>(*this, std::move(file), std::move(tracked));
  return 0;
}

int FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  if (int rc = base_.Rename(from, to); rc != 0) return rc;
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = std::move(it->second);
    files_.erase(it);
  } else {
    files_.erase(to);
  }
  return 0;
}

int FaultInjectingFileSystem::Remove(const std::string& path) {
  if (int rc = base_.Remove(path); rc != 0) return rc;
  std::lock_guard lock(mu_);
  files_.erase(path);
  return 0;
}

void FaultInjectingFileSystem::FailWritesAfter(uint64_t bytes, int error) {
  std::lock_guard lock(mu_);
  write_fault_ = true;
  write_budget_ = bytes;
  write_error_ = error;
}

void FaultInjectingFileSystem::ClearWriteFault() {
  std::lock_guard lock(mu_);
  write_fault_ = false;
}

void FaultInjectingFileSystem::FailSyncs(int error) {
  std::lock_guard lock(mu_);
  sync_error_ = error;
}

void FaultInjectingFileSystem::ClearSyncFault() {
  std::lock_guard lock(mu_);
  sync_error_ = 0;
}

void FaultInjectingFileSystem::SetSyncDelayUs(int64_t micros) {
  std::lock_guard lock(mu_);
  sync_delay_us_ = micros;
}

void FaultInjectingFileSystem::Crash() {
  std::lock_guard lock(mu_);
  for (auto& [path, tracked] : files_) {
    // O_APPEND descriptors keep writing at the new end after the cut. A file removed meanwhile
    // has nothing to cut (truncate fails with ENOENT).
    int rc = ::truncate(path.c_str(), static_cast<off_t>(tracked->durable));
    (void)rc;
  }
}

uint64_t FaultInjectingFileSystem::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

uint64_t FaultInjectingFileSystem::DurableSize(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second->durable;
}

}  // namespace ember
