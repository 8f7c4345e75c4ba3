#pragma once
// The master's replication stream: every journal record (engine/journal.h), in commit order,
// counted by the master replication offset, kept in a ring (the backlog, repl-backlog-size) for
// partial resyncs, and queued for each attached replica until its sender takes it.
//
// Append runs on any shard thread (the engine's journal sink); the rest on the replication
// threads and in commands. One mutex: a shard thread holds it for one copy per turn.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/journal.h"

namespace ember {

class ReplicationStream final : public JournalSink {
 public:
  explicit ReplicationStream(size_t backlog_size);

  uint64_t Append(std::string_view records) override;
  uint64_t offset() const;

  // Starts queuing for replica `id` from the current offset (a full sync); returns that offset.
  uint64_t Attach(uint64_t id);
  // Starts queuing for `id` from `from` (a partial resync); false when the backlog no longer
  // holds every byte from there.
  bool AttachFrom(uint64_t id, uint64_t from);
  void Detach(uint64_t id);
  // Moves what is queued for `id` to the end of *out; false when it is not attached.
  bool Take(uint64_t id, std::string* out);
  size_t Queued(uint64_t id) const;

  // A new history from `offset` on (a replica's full sync, a promotion): the backlog is empty.
  void Reset(const std::string& replid, uint64_t offset);
  // Called (without the lock) after each Append: wakes the sender.
  void set_on_append(void (*fn)(void*), void* arg) {
    on_append_ = fn;
    on_append_arg_ = arg;
  }

  struct Info {
    std::string replid;
    uint64_t offset = 0;
    uint64_t backlog_first = 0;  // offset of the first byte held
    uint64_t backlog_bytes = 0;
    uint64_t backlog_size = 0;
  };
  Info info() const;
  std::string replid() const;

 private:
  void CopyOut(uint64_t from, uint64_t to, std::string* out) const;  // mu_ held

  mutable std::mutex mu_;
  std::string ring_;
  uint64_t offset_ = 0;
  uint64_t history_start_ = 0;  // the offset the backlog began at (Reset)
  std::string replid_;
  std::unordered_map<uint64_t, std::string> queues_;
  void (*on_append_)(void*) = nullptr;
  void* on_append_arg_ = nullptr;
};

// 40 random hex digits (a replication id).
std::string NewReplicationId();

}  // namespace ember
