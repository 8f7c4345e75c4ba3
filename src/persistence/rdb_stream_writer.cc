#include <vector>

#include "persistence/rdb_blobs.h"
#include "persistence/rdb_stream.h"
#include "persistence/rdb_writer.h"

namespace ember {
namespace {

constexpr int64_t kSameFields = 2;

void PutBigEndianId(std::string* out, StreamId id) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(id.ms >> shift));
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(id.seq >> shift));
}

void PutMilliseconds(std::string* out, int64_t ms) {
  for (int i = 0; i < 8; ++i)
    out->push_back(static_cast<char>(static_cast<uint64_t>(ms) >> (8 * i)));
}

// One Redis node: the master entry (live count, deleted count, the first entry's fields, a 0
// terminator), then each entry with its lp-count. Entries are held until the node is cut,
// since the master entry leads with their count.
struct NodeWriter {
  StreamId master;
  std::vector<std::string> master_fields;
  std::vector<std::pair<StreamId, std::vector<std::string>>> held;

  void Add(StreamId id, std::span<const std::string_view> fv) {
    if (held.empty()) {
      master = id;
      master_fields.clear();
      for (size_t i = 0; i < fv.size(); i += 2) master_fields.emplace_back(fv[i]);
    }
    held.emplace_back(id, std::vector<std::string>(fv.begin(), fv.end()));
  }
  bool Same(const std::vector<std::string>& fv) const {
    if (fv.size() != master_fields.size() * 2) return false;
    for (size_t i = 0; i < master_fields.size(); ++i) {
      if (fv[2 * i] != master_fields[i]) return false;
    }
    return true;
  }
  std::string Finish() {
    RedisListpackBuilder lp;
    lp.AddInt(static_cast<int64_t>(held.size()));
    lp.AddInt(0);
    lp.AddInt(static_cast<int64_t>(master_fields.size()));
    for (const std::string& f : master_fields) lp.Add(f);
    lp.AddInt(0);
    for (const auto& [id, fv] : held) {
      bool same = Same(fv);
      lp.AddInt(same ? kSameFields : 0);
      lp.AddInt(static_cast<int64_t>(id.ms - master.ms));
      lp.AddInt(static_cast<int64_t>(id.seq - master.seq));
      int64_t fields = static_cast<int64_t>(fv.size() / 2);
      if (same) {
        for (size_t i = 1; i < fv.size(); i += 2) lp.Add(fv[i]);
        lp.AddInt(fields + 3);
      } else {
        lp.AddInt(fields);
        for (const std::string& x : fv) lp.Add(x);
        lp.AddInt(2 * fields + 4);
      }
    }
    held.clear();
    return lp.Finish();
  }
};

}  // namespace

void AppendRdbStream(std::string* out, const StreamValue& s, bool compress) {
  // Nodes of node_max_entries live entries each, cut afresh (Redis reads any cut).
  std::vector<std::pair<StreamId, std::string>> nodes;
  NodeWriter writer;
  size_t per_node = StreamValue::node_max_entries.load(std::memory_order_relaxed);
  if (per_node == 0) per_node = 100;
  s.Range({}, StreamId::Max(), false, [&](StreamId id, std::span<const std::string_view> fv) {
    writer.Add(id, fv);
    if (writer.held.size() >= per_node) {
      StreamId master = writer.master;
      nodes.emplace_back(master, writer.Finish());
    }
    return true;
  });
  if (!writer.held.empty()) {
    StreamId master = writer.master;
    nodes.emplace_back(master, writer.Finish());
  }
  AppendRdbLength(out, nodes.size());
  for (const auto& [master, lp] : nodes) {
    std::string key;
    PutBigEndianId(&key, master);
    AppendRdbString(out, key, false);
    AppendRdbString(out, lp, compress);
  }
  AppendRdbLength(out, s.length());
  AppendRdbLength(out, s.last_id().ms);
  AppendRdbLength(out, s.last_id().seq);
  AppendRdbLength(out, s.first_id().ms);
  AppendRdbLength(out, s.first_id().seq);
  AppendRdbLength(out, s.max_deleted_id().ms);
  AppendRdbLength(out, s.max_deleted_id().seq);
  AppendRdbLength(out, s.entries_added());
  AppendRdbLength(out, s.groups().size());
  for (const auto& [name, group] : s.groups()) {
    AppendRdbString(out, name, false);
    AppendRdbLength(out, group.last_id.ms);
    AppendRdbLength(out, group.last_id.seq);
    AppendRdbLength(out, static_cast<uint64_t>(group.entries_read));
    AppendRdbLength(out, group.pel().size());
    for (const auto& [id, pending] : group.pel()) {
      PutBigEndianId(out, id);
      PutMilliseconds(out, pending.delivery_ms);
      AppendRdbLength(out, pending.delivery_count);
    }
    AppendRdbLength(out, group.consumers().size());
    for (const auto& [cname, consumer] : group.consumers()) {
      AppendRdbString(out, cname, false);
      PutMilliseconds(out, consumer.seen_ms);
      AppendRdbLength(out, consumer.pending.size());
      for (StreamId id : consumer.pending) PutBigEndianId(out, id);
    }
  }
}

}  // namespace ember
