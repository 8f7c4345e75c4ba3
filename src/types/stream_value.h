#pragma once
// A stream: entries (an id and field/value pairs) in id order, plus its consumer groups.
//
// Entries live in nodes, as Redis's radix tree of listpacks: an ordered map keyed by each
// node's master id (its first entry's id) whose values are packed byte blocks.
//
//   node    varint master field count, the master fields (varint length + bytes), entries
//   entry   flags byte (kDeleted, kSameFields), varint ms delta from the master id, varint
//           seq (the delta from the master's seq when the ms delta is 0, else the seq),
//           then kSameFields: one value per master field (varint length + bytes);
//           otherwise a varint field count and field, value pairs
//
// An entry whose fields equal the node's first entry's stores only its values. XDEL marks
// entries deleted in place (one byte) and frees a node once none is left, as Redis does;
// trimming drops whole nodes from the front and, when exact, marks entries in the first one.
// A node takes new entries until it holds node_max_entries (deleted ones included) or its
// bytes reach node_max_bytes, Redis's rule, so `~` trims cut where Redis's would.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keyspace/record.h"
#include "types/object.h"
#include "types/stream_group.h"
#include "types/stream_id.h"

namespace ember {

// One node's packed bytes and counts.
class StreamNode {
 public:
  StreamNode() = default;
  StreamNode(const StreamNode& other);
  StreamNode& operator=(const StreamNode&) = delete;
  StreamNode(StreamNode&& other) noexcept;
  ~StreamNode();

  uint32_t live() const { return live_; }
  uint32_t total() const { return total_; }
  uint32_t bytes() const { return size_; }
  StreamId last_id() const { return last_id_; }
  size_t AllocatedBytes() const;

 private:
  friend class StreamValue;
  friend class StreamNodeCursor;
  uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t live_ = 0;
  uint32_t total_ = 0;
  StreamId last_id_;  // of the last entry, deleted or not (MINID trims read it, as Redis)
};

enum class TrimStrategy : uint8_t { kNone, kMaxLen, kMinId };

struct StreamTrim {
  TrimStrategy strategy = TrimStrategy::kNone;
  bool approx = false;
  uint64_t maxlen = 0;
  StreamId minid;
  int64_t limit = 0;  // entries removed at most (0: no bound)
};

class StreamValue : public Object {
 public:
  static constexpr ValueType kType = ValueType::kStream;
  // stream-node-max-bytes and stream-node-max-entries (CONFIG SET on any thread; 0: no bound).
  static inline std::atomic<size_t> node_max_bytes{4096};
  static inline std::atomic<size_t> node_max_entries{100};

  StreamValue() = default;
  StreamValue(const StreamValue& other);

  Object* Clone() const override { return new StreamValue(*this); }
  size_t AllocatedBytes() const override;
  size_t RecountAllocatedBytes() const override;
  const char* EncodingName() const override { return "stream"; }

  uint64_t length() const { return length_; }
  bool empty() const { return length_ == 0; }
  StreamId last_id() const { return last_id_; }
  StreamId first_id() const { return first_id_; }
  StreamId max_deleted_id() const { return max_deleted_; }
  uint64_t entries_added() const { return entries_added_; }
  size_t node_count() const { return nodes_.size(); }
  void set_last_id(StreamId id) { last_id_ = id; }
  void set_max_deleted_id(StreamId id) { max_deleted_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }

  // Appends an entry; `id` must be greater than last_id(). `fields_values` alternates.
  void Append(StreamId id, std::span<const std::string_view> fields_values);
  // Marks the entry deleted; false when there is none with that id.
  bool Delete(StreamId id);
  // Removes entries from the front per `trim`; returns how many.
  int64_t Trim(const StreamTrim& trim);

  // The visitor gets an entry's id and its field/value pairs (views valid during the call);
  // it returns false to stop.
  using Visitor = std::function<bool(StreamId, std::span<const std::string_view>)>;
  // Visits the live entries in [start, end] (both inclusive) upwards, or downwards.
  void Range(StreamId start, StreamId end, bool reverse, const Visitor& visit) const;
  // Visits the entry with this id; false when there is none.
  bool Lookup(StreamId id, const Visitor& visit) const;
  // The first (or last) live entry's id; false when empty.
  bool EdgeId(bool first, StreamId* out) const;

  // Consumer groups, by name (XINFO GROUPS lists them in this order, as Redis's radix tree).
  using Groups = std::map<std::string, StreamGroup, std::less<>>;
  const Groups& groups() const { return groups_; }
  StreamGroup* FindGroup(std::string_view name);
  // Creates a group; nullptr when the name is taken.
  StreamGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);

  // Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read counter of `id`, or
  // kInvalidEntriesRead when it cannot be known.
  int64_t EstimateEntriesRead(StreamId id) const;
  // Whether a deleted entry may lie in [start, end] (streamRangeHasTombstones).
  bool RangeHasTombstones(StreamId start, StreamId end) const;
  // XINFO GROUPS' lag of `group`; false when it cannot be known (a null reply).
  bool GroupLag(const StreamGroup& group, int64_t* lag) const;

 private:
  using NodeMap = std::map<StreamId, StreamNode>;
  void EraseNode(NodeMap::iterator it);
  // Marks entries of the first node deleted while `stop` says no; returns how many.
  int64_t TrimWithinNode(NodeMap::iterator it, const StreamTrim& trim);
  void RefreshFirstId();

  NodeMap nodes_;
  Groups groups_;
  uint64_t length_ = 0;
  uint64_t entries_added_ = 0;
  StreamId last_id_;
  StreamId first_id_;
  StreamId max_deleted_;
  size_t node_bytes_ = 0;  // the nodes' blocks and map nodes, kept as they change
};

}  // namespace ember
