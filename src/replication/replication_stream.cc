#include "replication/replication_stream.h"

#include <algorithm>
#include <cstring>
#include <random>

namespace ember {

std::string NewReplicationId() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (char& c : id) c = kHex[gen() & 15];
  return id;
}

ReplicationStream::ReplicationStream(size_t backlog_size)
    : ring_(std::max<size_t>(backlog_size, 16 * 1024), '\0'), replid_(NewReplicationId()) {}

uint64_t ReplicationStream::Append(std::string_view records) {
  uint64_t end;
  {
    std::lock_guard lock(mu_);
    size_t size = ring_.size();
    std::string_view tail = records.size() > size ? records.substr(records.size() - size) : records;
    size_t pos = (offset_ + (records.size() - tail.size())) % size;
    size_t first = std::min(tail.size(), size - pos);
    memcpy(ring_.data() + pos, tail.data(), first);
    memcpy(ring_.data(), tail.data() + first, tail.size() - first);
    offset_ += records.size();
    for (auto& [id, queue] : queues_) queue.append(records);
    end = offset_;
  }
  if (on_append_ != nullptr) on_append_(on_append_arg_);
  return end;
}

uint64_t ReplicationStream::offset() const {
  std::lock_guard lock(mu_);
  return offset_;
}

uint64_t ReplicationStream::Attach(uint64_t id) {
  std::lock_guard lock(mu_);
  queues_[id].clear();
  return offset_;
}

bool ReplicationStream::AttachFrom(uint64_t id, uint64_t from) {
  std::lock_guard lock(mu_);
  uint64_t held = std::min<uint64_t>(offset_ - history_start_, ring_.size());
  if (from > offset_ || from < offset_ - held) return false;
  std::string& queue = queues_[id];
  queue.clear();
  CopyOut(from, offset_, &queue);
  return true;
}

void ReplicationStream::CopyOut(uint64_t from, uint64_t to, std::string* out) const {
  size_t size = ring_.size();
  for (uint64_t at = from; at < to;) {
    size_t pos = at % size;
    size_t n = std::min<uint64_t>(to - at, size - pos);
    out->append(ring_.data() + pos, n);
    at += n;
  }
}

void ReplicationStream::Detach(uint64_t id) {
  std::lock_guard lock(mu_);
  queues_.erase(id);
}

bool ReplicationStream::Take(uint64_t id, std::string* out) {
  std::lock_guard lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end()) return false;
  if (out->empty()) {
    out->swap(it->second);
  } else {
    out->append(it->second);
  }
  it->second.clear();
  return true;
}

size_t ReplicationStream::Queued(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = queues_.find(id);
  return it == queues_.end() ? 0 : it->second.size();
}

void ReplicationStream::Reset(const std::string& replid, uint64_t offset) {
  std::lock_guard lock(mu_);
  replid_ = replid;
  offset_ = history_start_ = offset;
  for (auto& [id, queue] : queues_) queue.clear();
}

ReplicationStream::Info ReplicationStream::info() const {
  std::lock_guard lock(mu_);
  Info info;
  info.replid = replid_;
  info.offset = offset_;
  info.backlog_bytes = std::min<uint64_t>(offset_ - history_start_, ring_.size());
  info.backlog_first = offset_ - info.backlog_bytes + 1;  // Redis counts bytes from 1
  info.backlog_size = ring_.size();
  return info;
}

std::string ReplicationStream::replid() const {
  std::lock_guard lock(mu_);
  return replid_;
}

}  // namespace ember
