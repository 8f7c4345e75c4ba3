#include "types/stream_value.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/memory.h"
#include "common/varint.h"

namespace ember {
namespace {

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;
// A map node: the tree's 32-byte header, the key and the StreamNode.
constexpr size_t kMapNodeBytes = 32 + sizeof(StreamId) + sizeof(StreamNode);
constexpr size_t kGroupNodeBytes = 32 + sizeof(std::string) + sizeof(StreamGroup);

size_t GroupBytes(std::string_view name, const StreamGroup& group) {
  return kGroupNodeBytes + (name.size() > 15 ? name.size() + 1 : 0) + group.AllocatedBytes();
}

// A string in a node: a varint header, then the bytes. The header's low bit says which form:
// 0: the length follows shifted up one, then the bytes; 1: the string is a canonical integer
// (as Redis's listpacks store one), its zigzag value shifted up one, and no bytes. A value of
// "42" takes 1 byte instead of 3, a counter of 7 digits 4 instead of 8.
bool CanonicalInt(std::string_view s, uint64_t* zigzag) {
  if (s.empty() || s.size() > 20) return false;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return false;
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  if (std::string_view(buf, static_cast<size_t>(end - buf)) != s) return false;  // "+1", "01"
  *zigzag = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  return *zigzag < (uint64_t{1} << 63);
}

size_t StringSize(std::string_view s) {
  uint64_t z = 0;
  if (CanonicalInt(s, &z)) return VarintSize(z << 1 | 1);
  return VarintSize(static_cast<uint64_t>(s.size()) << 1) + s.size();
}

size_t PutString(uint8_t* p, std::string_view s) {
  uint64_t z = 0;
  if (CanonicalInt(s, &z)) return PutVarint(p, z << 1 | 1);
  size_t n = PutVarint(p, static_cast<uint64_t>(s.size()) << 1);
  if (!s.empty()) std::memcpy(p + n, s.data(), s.size());
  return n + s.size();
}

// Reads the string at `p`: a view of its bytes, or of its digits written at *digits (which
// then moves past them; the caller keeps room for 21 bytes a string). Returns its size.
size_t GetString(const uint8_t* p, std::string_view* out, char** digits) {
  uint64_t h = 0;
  size_t n = GetVarint(p, &h);
  if (h & 1) {
    uint64_t z = h >> 1;
    int64_t v = static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
    char* end = std::to_chars(*digits, *digits + 21, v).ptr;
    *out = std::string_view(*digits, static_cast<size_t>(end - *digits));
    *digits = end;
    return n;
  }
  *out = std::string_view(reinterpret_cast<const char*>(p + n), h >> 1);
  return n + (h >> 1);
}

// Reads one node: its master fields once, then entry after entry.
class NodeReader {
 public:
  NodeReader(const uint8_t* data, uint32_t size, StreamId master)
      : p_(data), end_(data + size), master_(master) {
    uint64_t count = 0;
    size_t off = GetVarint(p_, &count);
    master_digits_.resize(count * 21);
    char* digits = master_digits_.data();
    for (uint64_t i = 0; i < count; ++i)
      off += GetString(p_ + off, &master_fields_.emplace_back(), &digits);
    first_ = off;
  }
  size_t first() const { return first_; }
  size_t end() const { return static_cast<size_t>(end_ - p_); }

  // Decodes the entry at `off`: its flags and id, and into *fv (when not null) its pairs
  // (views valid until the next Decode). Returns the next entry's offset.
  size_t Decode(size_t off, uint8_t* flags, StreamId* id, std::vector<std::string_view>* fv) {
    *flags = p_[off++];
    uint64_t ms_delta = 0, seq = 0;
    off += GetVarint(p_ + off, &ms_delta);
    off += GetVarint(p_ + off, &seq);
    id->ms = master_.ms + ms_delta;
    id->seq = ms_delta == 0 ? master_.seq + seq : seq;
    if (fv != nullptr) fv->clear();
    std::string_view s;
    if (*flags & kSameFields) {
      digits_.resize(master_fields_.size() * 21);
      char* digits = digits_.data();
      for (std::string_view field : master_fields_) {
        off += GetString(p_ + off, &s, &digits);
        if (fv != nullptr) {
          fv->push_back(field);
          fv->push_back(s);
        }
      }
      return off;
    }
    uint64_t count = 0;
    off += GetVarint(p_ + off, &count);
    digits_.resize(2 * count * 21);
    char* digits = digits_.data();
    for (uint64_t i = 0; i < 2 * count; ++i) {
      off += GetString(p_ + off, &s, &digits);
      if (fv != nullptr) fv->push_back(s);
    }
    return off;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  StreamId master_;
  std::vector<std::string_view> master_fields_;
  std::string master_digits_, digits_;
  size_t first_ = 0;
};

// Whether the node's master fields are the fields of `fv`, read straight off its bytes (the
// XADD path builds no vector).
bool SameFields(const uint8_t* node, std::span<const std::string_view> fv) {
  uint64_t count = 0;
  size_t off = GetVarint(node, &count);
  if (count * 2 != fv.size()) return false;
  char buf[24];
  for (size_t i = 0; i < fv.size(); i += 2) {
    std::string_view field;
    char* digits = buf;
    off += GetString(node + off, &field, &digits);
    if (field != fv[i]) return false;
  }
  return true;
}

}  // namespace

StreamNode::StreamNode(const StreamNode& other)
    : size_(other.size_), live_(other.live_), total_(other.total_), last_id_(other.last_id_) {
  data_ = static_cast<uint8_t*>(memory::Allocate(size_));
  std::memcpy(data_, other.data_, size_);
}

StreamNode::StreamNode(StreamNode&& other) noexcept
    : data_(other.data_),
      size_(other.size_),
      live_(other.live_),
      total_(other.total_),
      last_id_(other.last_id_) {
  other.data_ = nullptr;
}

StreamNode::~StreamNode() {
  if (data_ != nullptr) memory::Free(data_);
}

size_t StreamNode::AllocatedBytes() const {
  return data_ == nullptr ? 0 : memory::UsableSize(data_);
}

StreamValue::StreamValue(const StreamValue& other)
    : nodes_(other.nodes_),
      groups_(other.groups_),
      length_(other.length_),
      entries_added_(other.entries_added_),
      last_id_(other.last_id_),
      first_id_(other.first_id_),
      max_deleted_(other.max_deleted_) {
  for (const auto& [id, node] : nodes_) node_bytes_ += kMapNodeBytes + node.AllocatedBytes();
}

size_t StreamValue::AllocatedBytes() const {
  size_t bytes = sizeof(*this) + node_bytes_;
  for (const auto& [name, group] : groups_) bytes += GroupBytes(name, group);
  return bytes;
}

size_t StreamValue::RecountAllocatedBytes() const {
  size_t bytes = sizeof(*this);
  for (const auto& [id, node] : nodes_) bytes += kMapNodeBytes + node.AllocatedBytes();
  for (const auto& [name, group] : groups_) {
    bytes +=
        kGroupNodeBytes + (name.size() > 15 ? name.size() + 1 : 0) + group.RecountAllocatedBytes();
  }
  return bytes;
}

void StreamValue::Append(StreamId id, std::span<const std::string_view> fv) {
  size_t payload = 0;
  for (std::string_view s : fv) payload += s.size();
  StreamNode* node = nullptr;
  StreamId master;
  if (!nodes_.empty()) {
    auto last = std::prev(nodes_.end());
    StreamNode& tail = last->second;
    size_t max_bytes = node_max_bytes.load(std::memory_order_relaxed);
    size_t max_entries = node_max_entries.load(std::memory_order_relaxed);
    if ((max_bytes == 0 || tail.size_ + payload < max_bytes) &&
        (max_entries == 0 || tail.total_ < max_entries)) {
      node = &tail;
      master = last->first;
    } else if (memory::UsableSize(tail.data_) > tail.size_) {
      // The node is full: give back its growth slack.
      int64_t grown = 0;
      tail.data_ = static_cast<uint8_t*>(memory::Reallocate(tail.data_, tail.size_, &grown));
      node_bytes_ += static_cast<size_t>(grown);
    }
  }
  if (node == nullptr) {
    node = &nodes_.try_emplace(id).first->second;
    master = id;
    node_bytes_ += kMapNodeBytes;
    size_t header = VarintSize(fv.size() / 2);
    for (size_t i = 0; i < fv.size(); i += 2) header += StringSize(fv[i]);
    int64_t grown = 0;
    node->data_ = static_cast<uint8_t*>(memory::Reallocate(nullptr, header, &grown));
    node_bytes_ += static_cast<size_t>(grown);
    size_t off = PutVarint(node->data_, fv.size() / 2);
    for (size_t i = 0; i < fv.size(); i += 2) off += PutString(node->data_ + off, fv[i]);
    node->size_ = static_cast<uint32_t>(off);
  }
  bool same = SameFields(node->data_, fv);
  uint64_t ms_delta = id.ms - master.ms;
  uint64_t seq = ms_delta == 0 ? id.seq - master.seq : id.seq;
  size_t need = 1 + VarintSize(ms_delta) + VarintSize(seq);
  if (same) {
    for (size_t i = 1; i < fv.size(); i += 2) need += StringSize(fv[i]);
  } else {
    need += VarintSize(fv.size() / 2);
    for (std::string_view s : fv) need += StringSize(s);
  }
  size_t new_size = node->size_ + need;
  if (memory::UsableSize(node->data_) < new_size) {
    int64_t grown = 0;
    size_t cap = std::max(new_size, static_cast<size_t>(node->size_) * 3 / 2);
    node->data_ = static_cast<uint8_t*>(memory::Reallocate(node->data_, cap, &grown));
    node_bytes_ += static_cast<size_t>(grown);
  }
  uint8_t* p = node->data_ + node->size_;
  *p++ = same ? kSameFields : 0;
  p += PutVarint(p, ms_delta);
  p += PutVarint(p, seq);
  if (same) {
    for (size_t i = 1; i < fv.size(); i += 2) p += PutString(p, fv[i]);
  } else {
    p += PutVarint(p, fv.size() / 2);
    for (std::string_view s : fv) p += PutString(p, s);
  }
  node->size_ = static_cast<uint32_t>(new_size);
  ++node->live_;
  ++node->total_;
  node->last_id_ = id;
  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
}

void StreamValue::EraseNode(NodeMap::iterator it) {
  node_bytes_ -= kMapNodeBytes + it->second.AllocatedBytes();
  nodes_.erase(it);
}

bool StreamValue::Delete(StreamId id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  StreamNode& node = it->second;
  NodeReader reader(node.data_, node.size_, it->first);
  for (size_t off = reader.first(); off < reader.end();) {
    uint8_t flags = 0;
    StreamId entry;
    size_t next = reader.Decode(off, &flags, &entry, nullptr);
    if (entry > id) return false;
    if (entry == id) {
      if (flags & kDeleted) return false;
      node.data_[off] = flags | kDeleted;
      --node.live_;
      --length_;
      if (node.live_ == 0) EraseNode(it);
      if (id > max_deleted_) max_deleted_ = id;
      if (length_ == 0) {
        first_id_ = {};
      } else if (id == first_id_) {
        RefreshFirstId();
      }
      return true;
    }
    off = next;
  }
  return false;
}

void StreamValue::RefreshFirstId() {
  if (!EdgeId(true, &first_id_)) first_id_ = {};
}

int64_t StreamValue::Trim(const StreamTrim& trim) {
  if (trim.strategy == TrimStrategy::kNone) return 0;
  int64_t deleted = 0;
  while (!nodes_.empty()) {
    if (trim.strategy == TrimStrategy::kMaxLen && length_ <= trim.maxlen) break;
    auto it = nodes_.begin();
    int64_t entries = it->second.live_;
    if (trim.limit != 0 && deleted + entries > trim.limit) break;
    bool remove_node = trim.strategy == TrimStrategy::kMaxLen
                           ? length_ - static_cast<uint64_t>(entries) >= trim.maxlen
                           : it->second.last_id_ < trim.minid;
    if (remove_node) {
      EraseNode(it);
      length_ -= static_cast<uint64_t>(entries);
      deleted += entries;
      continue;
    }
    if (!trim.approx) deleted += TrimWithinNode(it, trim);
    break;
  }
  RefreshFirstId();
  return deleted;
}

int64_t StreamValue::TrimWithinNode(NodeMap::iterator it, const StreamTrim& trim) {
  StreamNode& node = it->second;
  NodeReader reader(node.data_, node.size_, it->first);
  int64_t deleted = 0;
  for (size_t off = reader.first(); off < reader.end();) {
    uint8_t flags = 0;
    StreamId id;
    size_t next = reader.Decode(off, &flags, &id, nullptr);
    bool stop = trim.strategy == TrimStrategy::kMaxLen ? length_ <= trim.maxlen : id >= trim.minid;
    if (stop) break;
    if (!(flags & kDeleted)) {
      node.data_[off] = flags | kDeleted;
      --node.live_;
      --length_;
      ++deleted;
    }
    off = next;
  }
  // A MINID trim may leave a node of deleted entries only: Redis keeps it (XINFO counts it),
  // and so does this; the next trim removes it whole.
  return deleted;
}

void StreamValue::Range(StreamId start, StreamId end, bool reverse, const Visitor& visit) const {
  if (start > end || nodes_.empty()) return;
  std::vector<std::string_view> fv;
  if (!reverse) {
    auto it = nodes_.upper_bound(start);
    if (it != nodes_.begin()) --it;
    for (; it != nodes_.end() && it->first <= end; ++it) {
      const StreamNode& node = it->second;
      if (node.last_id_ < start) continue;
      NodeReader reader(node.data_, node.size_, it->first);
      for (size_t off = reader.first(); off < reader.end();) {
        uint8_t flags = 0;
        StreamId id;
        off = reader.Decode(off, &flags, &id, &fv);
        if (id > end) return;
        if (id < start || (flags & kDeleted)) continue;
        if (!visit(id, fv)) return;
      }
    }
    return;
  }
  auto it = nodes_.upper_bound(end);
  std::vector<size_t> offsets;
  while (it != nodes_.begin()) {
    --it;
    const StreamNode& node = it->second;
    if (node.last_id_ < start) return;
    NodeReader reader(node.data_, node.size_, it->first);
    offsets.clear();
    for (size_t off = reader.first(); off < reader.end();) {
      offsets.push_back(off);
      uint8_t flags = 0;
      StreamId id;
      off = reader.Decode(off, &flags, &id, nullptr);
    }
    for (size_t i = offsets.size(); i-- > 0;) {
      uint8_t flags = 0;
      StreamId id;
      reader.Decode(offsets[i], &flags, &id, &fv);
      if (id < start) return;
      if (id > end || (flags & kDeleted)) continue;
      if (!visit(id, fv)) return;
    }
  }
}

bool StreamValue::Lookup(StreamId id, const Visitor& visit) const {
  bool found = false;
  Range(id, id, false, [&](StreamId entry, std::span<const std::string_view> fv) {
    found = true;
    return visit(entry, fv);
  });
  return found;
}

bool StreamValue::EdgeId(bool first, StreamId* out) const {
  bool found = false;
  Range({}, StreamId::Max(), !first, [&](StreamId id, std::span<const std::string_view>) {
    *out = id;
    found = true;
    return false;
  });
  return found;
}

StreamGroup* StreamValue::FindGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

StreamGroup* StreamValue::CreateGroup(std::string_view name, StreamId last_id,
                                      int64_t entries_read) {
  auto [it, inserted] = groups_.try_emplace(std::string(name), last_id, entries_read);
  return inserted ? &it->second : nullptr;
}

bool StreamValue::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

int64_t StreamValue::EstimateEntriesRead(StreamId id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return static_cast<int64_t>(entries_added_);
  if (id == last_id_) return static_cast<int64_t>(entries_added_);
  if (id > last_id_) return kInvalidEntriesRead;
  if (max_deleted_.zero() || max_deleted_ < first_id_) {
    if (id < first_id_) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalidEntriesRead;
}

bool StreamValue::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_.zero()) return false;
  if (first_id_ > max_deleted_) return false;
  return start <= max_deleted_ && max_deleted_ <= end;
}

bool StreamValue::GroupLag(const StreamGroup& group, int64_t* lag) const {
  if (entries_added_ == 0) {
    *lag = 0;
    return true;
  }
  if (group.entries_read != kInvalidEntriesRead &&
      !RangeHasTombstones(group.last_id, StreamId::Max())) {
    *lag = static_cast<int64_t>(entries_added_) - group.entries_read;
    return true;
  }
  int64_t read = EstimateEntriesRead(group.last_id);
  if (read == kInvalidEntriesRead) return false;
  *lag = static_cast<int64_t>(entries_added_) - read;
  return true;
}

}  // namespace ember
