// Streams from RDB: Redis's listpack nodes (master entry, then entries with deltas against
// it), the stream's counters, and its consumer groups with their PELs and consumers.
#include <map>
#include <memory>
#include <vector>

#include "common/numbers.h"
#include "persistence/rdb_blobs.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_value_reader.h"
#include "types/stream_value.h"

namespace ember {
namespace {

constexpr int64_t kDeleted = 1;
constexpr int64_t kSameFields = 2;

StreamId DecodeBigEndianId(const uint8_t* p) {
  StreamId id;
  for (int i = 0; i < 8; ++i) id.ms = (id.ms << 8) | p[i];
  for (int i = 8; i < 16; ++i) id.seq = (id.seq << 8) | p[i];
  return id;
}

// Appends the live entries of one node's listpack to `s`; false with *error on a bad node.
bool LoadNode(StreamValue* s, StreamId master, const std::vector<std::string>& lp,
              std::string* error) {
  size_t i = 0;
  auto next_int = [&](int64_t* out) {
    if (i >= lp.size()) return false;
    auto v = ParseInt64(lp[i++]);
    if (!v) return false;
    *out = *v;
    return true;
  };
  int64_t count = 0, deleted = 0, master_fields = 0, zero = 0;
  if (!next_int(&count) || !next_int(&deleted) || !next_int(&master_fields) || master_fields < 0 ||
      i + static_cast<size_t>(master_fields) > lp.size()) {
    *error = "bad stream node master entry";
    return false;
  }
  std::vector<std::string_view> fields;
  for (int64_t f = 0; f < master_fields; ++f) fields.push_back(lp[i++]);
  if (!next_int(&zero) || zero != 0) {
    *error = "bad stream node master entry terminator";
    return false;
  }
  std::vector<std::string_view> fv;
  int64_t seen = 0;
  while (i < lp.size()) {
    int64_t flags = 0, ms_delta = 0, seq_delta = 0, lp_count = 0;
    if (!next_int(&flags) || !next_int(&ms_delta) || !next_int(&seq_delta)) {
      *error = "bad stream entry";
      return false;
    }
    StreamId id{master.ms + static_cast<uint64_t>(ms_delta),
                master.seq + static_cast<uint64_t>(seq_delta)};
    fv.clear();
    if (flags & kSameFields) {
      if (i + fields.size() > lp.size()) break;
      for (std::string_view f : fields) {
        fv.push_back(f);
        fv.push_back(lp[i++]);
      }
    } else {
      int64_t n = 0;
      if (!next_int(&n) || n < 0 || i + 2 * static_cast<size_t>(n) > lp.size()) {
        *error = "bad stream entry field count";
        return false;
      }
      for (int64_t k = 0; k < 2 * n; ++k) fv.push_back(lp[i++]);
    }
    if (!next_int(&lp_count)) {
      *error = "bad stream entry lp-count";
      return false;
    }
    ++seen;
    if (flags & kDeleted) continue;
    if (s->entries_added() > 0 && !(id > s->last_id())) {
      *error = "stream entries out of order";
      return false;
    }
    s->Append(id, fv);
  }
  if (seen != count + deleted) {
    *error = "stream node entry count mismatch";
    return false;
  }
  return true;
}

}  // namespace

bool RdbValueReader::ReadStream(uint8_t type, std::string_view key, int64_t expire_ms,
                                Record** record) {
  auto stream = std::make_unique<StreamValue>();
  uint64_t nodes = 0;
  if (!ReadLength(&nodes)) return false;
  std::vector<std::string> entries;
  for (uint64_t n = 0; n < nodes; ++n) {
    if (!ReadString(&scratch_)) return false;
    if (scratch_.size() != 16) return in_.Fail("bad stream node key");
    StreamId master = DecodeBigEndianId(reinterpret_cast<const uint8_t*>(scratch_.data()));
    entries.clear();
    std::string error;
    if (!ReadString(&scratch2_)) return false;
    bool ok = ForEachListpackEntry(
        scratch2_,
        [&](std::string_view e) {
          entries.emplace_back(e);
          return true;
        },
        &error);
    if (!ok) return in_.Fail(error);
    if (entries.empty()) return in_.Fail("empty stream node listpack");
    if (!LoadNode(stream.get(), master, entries, &error)) return in_.Fail(error);
  }
  uint64_t length = 0;
  StreamId last, first, max_deleted;
  uint64_t entries_added = 0;
  if (!ReadLength(&length) || !ReadLength(&last.ms) || !ReadLength(&last.seq)) return false;
  if (type != rdb::kStreamListpacks) {
    if (!ReadLength(&first.ms) || !ReadLength(&first.seq) || !ReadLength(&max_deleted.ms) ||
        !ReadLength(&max_deleted.seq) || !ReadLength(&entries_added))
      return false;
  } else {
    entries_added = length;
  }
  if (length != stream->length()) return in_.Fail("stream length mismatch");
  // New entries get ids past last_id, and each node's entries are stored as deltas from its
  // first: a last id behind the newest entry would let XADD write one that goes backwards
  // (found by the RESTORE fuzzer).
  if (stream->length() > 0 && last < stream->last_id())
    return in_.Fail("stream last id smaller than its last entry");
  stream->set_last_id(last);
  stream->set_entries_added(entries_added);
  stream->set_max_deleted_id(max_deleted);
  uint64_t groups = 0;
  if (!ReadLength(&groups)) return false;
  for (uint64_t g = 0; g < groups; ++g) {
    std::string name;
    StreamId group_last;
    if (!ReadString(&name) || !ReadLength(&group_last.ms) || !ReadLength(&group_last.seq))
      return false;
    int64_t entries_read = kInvalidEntriesRead;
    if (type != rdb::kStreamListpacks) {
      uint64_t raw = 0;
      if (!ReadLength(&raw)) return false;
      entries_read = static_cast<int64_t>(raw);
    } else {
      entries_read = stream->EstimateEntriesRead(group_last);
    }
    StreamGroup* group = stream->CreateGroup(name, group_last, entries_read);
    if (group == nullptr) return in_.Fail("duplicate consumer group");
    struct Nack {
      int64_t time;
      uint64_t count;
      bool owned = false;
    };
    std::map<StreamId, Nack> pel;
    uint64_t pending = 0;
    if (!ReadLength(&pending)) return false;
    for (uint64_t p = 0; p < pending; ++p) {
      uint8_t raw[16], time[8];
      uint64_t count = 0;
      if (!in_.Read(raw, 16) || !in_.Read(time, 8) || !ReadLength(&count)) return false;
      uint64_t ms = 0;
      for (int b = 7; b >= 0; --b) ms = (ms << 8) | time[b];
      pel[DecodeBigEndianId(raw)] = {static_cast<int64_t>(ms), count};
    }
    uint64_t consumers = 0;
    if (!ReadLength(&consumers)) return false;
    for (uint64_t c = 0; c < consumers; ++c) {
      std::string cname;
      uint8_t time[8];
      if (!ReadString(&cname) || !in_.Read(time, 8)) return false;
      if (type == rdb::kStreamListpacks3 && !in_.Skip(8)) return false;  // 7.2's active-time
      uint64_t seen = 0;
      for (int b = 7; b >= 0; --b) seen = (seen << 8) | time[b];
      StreamConsumer* consumer = group->GetConsumer(cname, static_cast<int64_t>(seen));
      uint64_t owned = 0;
      if (!ReadLength(&owned)) return false;
      for (uint64_t o = 0; o < owned; ++o) {
        uint8_t raw[16];
        if (!in_.Read(raw, 16)) return false;
        StreamId id = DecodeBigEndianId(raw);
        auto it = pel.find(id);
        if (it == pel.end() || it->second.owned)
          return in_.Fail("consumer pending entry not in the group's PEL");
        it->second.owned = true;
        group->SetPending(id, consumer, it->second.time, it->second.count);
      }
    }
    for (const auto& [id, nack] : pel) {
      if (!nack.owned) return in_.Fail("group pending entry without a consumer");
    }
  }
  *record = Record::NewObject(key, ValueType::kStream, stream.release(), expire_ms);
  return true;
}

}  // namespace ember
