#pragma once
// A stream's consumer group: the last id it delivered, its entries-read counter, its pending
// entries list (PEL: delivered, not yet acknowledged) and its consumers, each with its own
// share of the PEL. As in Redis, a pending entry names its consumer and the consumer lists its
// pending ids, so XPENDING by consumer and XACK are both O(log n).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "types/stream_id.h"

namespace ember {

inline constexpr int64_t kInvalidEntriesRead = -1;

struct StreamConsumer;

struct PendingEntry {
  int64_t delivery_ms = 0;
  uint64_t delivery_count = 1;
  StreamConsumer* consumer = nullptr;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_ms = 0;
  std::set<StreamId> pending;
};

class StreamGroup {
 public:
  StreamGroup(StreamId last_id, int64_t entries_read)
      : last_id(last_id), entries_read(entries_read) {}
  StreamGroup(const StreamGroup& other);
  StreamGroup& operator=(const StreamGroup&) = delete;

  StreamId last_id;
  int64_t entries_read;

  const std::map<StreamId, PendingEntry>& pel() const { return pel_; }
  const std::map<std::string, StreamConsumer, std::less<>>& consumers() const { return consumers_; }
  StreamConsumer* FindConsumer(std::string_view name);
  // Finds or creates; *created says which when not null.
  StreamConsumer* GetConsumer(std::string_view name, int64_t now_ms, bool* created = nullptr);
  // Deletes the consumer and its pending entries; returns how many were pending.
  size_t DeleteConsumer(std::string_view name);

  PendingEntry* FindPending(StreamId id);
  // Adds (or re-assigns to `consumer`) a pending entry: delivered now, count as given.
  void SetPending(StreamId id, StreamConsumer* consumer, int64_t delivery_ms, uint64_t count);
  // Moves an existing pending entry to `consumer`.
  void Reassign(PendingEntry* pending, StreamId id, StreamConsumer* consumer);
  bool Ack(StreamId id);

  // Heap bytes, estimated per node (the maps' nodes and names): kept as the group changes.
  size_t AllocatedBytes() const { return bytes_; }
  size_t RecountAllocatedBytes() const;

 private:
  std::map<StreamId, PendingEntry> pel_;
  std::map<std::string, StreamConsumer, std::less<>> consumers_;
  size_t bytes_ = 0;
};

}  // namespace ember
