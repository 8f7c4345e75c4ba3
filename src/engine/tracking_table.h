#pragma once
// Client-side caching (CLIENT TRACKING), one shard's books: which clients read which keys (the
// default mode), and which clients want every change under which prefixes (BCAST), with the
// changes under those prefixes gathered since the last flush. Used only by whoever runs the
// shard's commands (its thread, or a multi-shard step holding it). Pure data: who gets told
// what, and how, is engine/client_tracking.h's business.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

// A tracking client as a shard knows it: its id and the worker thread its connection is on.
struct TrackedClient {
  uint64_t id = 0;
  uint32_t worker = 0;
  bool operator==(const TrackedClient& other) const { return id == other.id; }
};

// Default mode: key -> the clients that read it since it last changed. A key's entry goes as
// soon as the key changes (one invalidation each) or the table is over its limit. Keys are
// found by their hash (the write hooks know only that); keys whose hashes collide are
// invalidated together, which costs a spurious invalidation and nothing else.
class TrackingTable {
 public:
  struct Entry {
    std::string key;
    std::vector<TrackedClient> readers;
  };
  // `reader` read `key` (HashKey(key) == hash). Returns the keys and items the table grew by
  // (0 or 1 each).
  std::pair<int, int> Remember(std::string_view key, uint64_t hash, TrackedClient reader);
  // The key(s) with `hash` changed: hands each entry to `fn` and forgets it.
  template <typename Fn>
  void Take(uint64_t hash, Fn&& fn) {
    auto it = entries_.find(hash);
    if (it == entries_.end()) return;
    std::vector<Entry> taken = std::move(it->second);
    entries_.erase(it);
    for (Entry& entry : taken) Forget(entry), fn(entry);
  }
  // Over the limit: forgets some key, handed to `fn`; false when the table is empty.
  template <typename Fn>
  bool TakeAny(Fn&& fn) {
    if (entries_.empty()) return false;
    auto it = entries_.begin();
    Entry entry = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty()) entries_.erase(it);
    Forget(entry);
    fn(entry);
    return true;
  }
  // FLUSHDB / FLUSHALL: forgets everything (the clients get one null invalidation instead).
  void Clear();
  bool empty() const { return entries_.empty(); }
  size_t keys() const { return keys_; }
  size_t items() const { return items_; }

 private:
  void Forget(const Entry& entry) {
    --keys_;
    items_ -= entry.readers.size();
  }
  std::unordered_map<uint64_t, std::vector<Entry>> entries_;
  size_t keys_ = 0;
  size_t items_ = 0;
};

// BCAST mode: prefix -> subscribed clients, and the keys under the prefix that changed since
// the last flush (each with the last client that changed it, for NOLOOP). Prefixes are kept
// sorted and keys sorted within a prefix: one invalidation per prefix and client lists them in
// Redis's order.
class BroadcastTable {
 public:
  struct Subscriber {
    TrackedClient client;
    bool noloop = false;
  };
  struct Prefix {
    std::string prefix;
    std::vector<Subscriber> subscribers;                   // by client id
    std::map<std::string, uint64_t, std::less<>> changed;  // key -> writer id (0: none)
  };
  void Subscribe(std::string_view prefix, TrackedClient client, bool noloop);
  // Every prefix of the client (CLIENT TRACKING OFF, RESET, disconnect).
  void Unsubscribe(uint64_t client_id);
  // `key` changed (by client `writer`, 0 for none): noted under every prefix it starts with.
  void KeyChanged(std::string_view key, uint64_t writer);
  bool empty() const { return prefixes_.empty(); }
  bool has_changes() const { return has_changes_; }
  // Hands every prefix with changes to `fn`, then forgets the changes.
  template <typename Fn>
  void Flush(Fn&& fn) {
    for (Prefix& p : prefixes_) {
      if (p.changed.empty()) continue;
      fn(p);
      p.changed.clear();
    }
    has_changes_ = false;
  }

 private:
  std::vector<Prefix> prefixes_;  // by prefix
  bool has_changes_ = false;
};

}  // namespace ember

namespace ember {

class ClientTracking;

// One shard's tracking state, and the invalidations gathered for other threads until the end
// of the owner thread's turn.
struct ShardTracking {
  struct Pending {
    uint64_t client_id;
    uint64_t seq;  // when the key changed (ClientTracking's sequence)
    std::string payload;
  };
  ClientTracking* service = nullptr;
  uint32_t shard = 0;
  TrackingTable table;
  BroadcastTable broadcast;
  std::vector<std::vector<Pending>> pending;  // by worker
  bool has_pending = false;
  // Whether the write hooks have anything to do for tracking.
  bool active() const { return !table.empty() || !broadcast.empty(); }
};

}  // namespace ember
