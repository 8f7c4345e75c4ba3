#include "types/stream_group.h"

namespace ember {
namespace {

// Estimated allocator blocks per node: a red-black tree node's 32-byte header plus its value.
constexpr size_t kPendingNodeBytes = 32 + sizeof(StreamId) + sizeof(PendingEntry);
constexpr size_t kConsumerSetNodeBytes = 32 + sizeof(StreamId);
size_t ConsumerBytes(std::string_view name) {
  size_t heap_name = name.size() > 15 ? name.size() + 1 : 0;  // past the SSO buffer
  return 32 + sizeof(std::string) + sizeof(StreamConsumer) + 2 * heap_name;
}

}  // namespace

StreamGroup::StreamGroup(const StreamGroup& other)
    : last_id(other.last_id), entries_read(other.entries_read), bytes_(other.bytes_) {
  for (const auto& [name, consumer] : other.consumers_) {
    StreamConsumer& copy = consumers_[name];
    copy.name = consumer.name;
    copy.seen_ms = consumer.seen_ms;
    copy.pending = consumer.pending;
  }
  for (const auto& [id, pending] : other.pel_) {
    PendingEntry copy = pending;
    copy.consumer = &consumers_.find(pending.consumer->name)->second;
    pel_.emplace(id, copy);
  }
}

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) {
  auto it = consumers_.find(name);
  return it == consumers_.end() ? nullptr : &it->second;
}

StreamConsumer* StreamGroup::GetConsumer(std::string_view name, int64_t now_ms, bool* created) {
  auto it = consumers_.find(name);
  if (created != nullptr) *created = it == consumers_.end();
  if (it != consumers_.end()) {
    it->second.seen_ms = now_ms;  // a consumer is seen whenever a command names it
    return &it->second;
  }
  StreamConsumer& consumer = consumers_[std::string(name)];
  consumer.name = std::string(name);
  consumer.seen_ms = now_ms;
  bytes_ += ConsumerBytes(name);
  return &consumer;
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return 0;
  size_t pending = it->second.pending.size();
  for (StreamId id : it->second.pending) pel_.erase(id);
  bytes_ -= pending * (kPendingNodeBytes + kConsumerSetNodeBytes) + ConsumerBytes(name);
  consumers_.erase(it);
  return pending;
}

PendingEntry* StreamGroup::FindPending(StreamId id) {
  auto it = pel_.find(id);
  return it == pel_.end() ? nullptr : &it->second;
}

void StreamGroup::SetPending(StreamId id, StreamConsumer* consumer, int64_t delivery_ms,
                             uint64_t count) {
  auto [it, inserted] = pel_.try_emplace(id);
  PendingEntry& pending = it->second;
  if (inserted) {
    bytes_ += kPendingNodeBytes + kConsumerSetNodeBytes;
  } else if (pending.consumer != consumer) {
    pending.consumer->pending.erase(id);
  }
  pending.consumer = consumer;
  pending.delivery_ms = delivery_ms;
  pending.delivery_count = count;
  consumer->pending.insert(id);
}

void StreamGroup::Reassign(PendingEntry* pending, StreamId id, StreamConsumer* consumer) {
  if (pending->consumer == consumer) return;
  pending->consumer->pending.erase(id);
  pending->consumer = consumer;
  consumer->pending.insert(id);
}

bool StreamGroup::Ack(StreamId id) {
  auto it = pel_.find(id);
  if (it == pel_.end()) return false;
  it->second.consumer->pending.erase(id);
  pel_.erase(it);
  bytes_ -= kPendingNodeBytes + kConsumerSetNodeBytes;
  return true;
}

size_t StreamGroup::RecountAllocatedBytes() const {
  size_t bytes = pel_.size() * (kPendingNodeBytes + kConsumerSetNodeBytes);
  for (const auto& [name, consumer] : consumers_) bytes += ConsumerBytes(name);
  return bytes;
}

}  // namespace ember
