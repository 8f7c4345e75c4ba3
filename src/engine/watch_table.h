#pragma once
// WATCH: the keys a shard's clients watch, and the flags a change of one of them raises. One per
// shard, used only by whoever runs that shard's commands. A watching client's flag is shared
// with every shard it watches on; a write, expiry, eviction or flush of a watched key raises it,
// and EXEC then aborts. Entries are one-shot: once raised they are dropped. A client that stops
// watching (UNWATCH, EXEC, DISCARD, disconnect) only cancels its flag; its entries go on the
// next touch of the key or the next sweep.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

class Database;

struct WatchFlag {
  std::atomic<bool> dirty{false};
  std::atomic<bool> cancelled{false};
};

class WatchTable {
 public:
  void Add(int db, std::string_view key, uint64_t hash, std::shared_ptr<WatchFlag> flag);
  // The key with `hash` in database `db` changed.
  void Touch(int db, uint64_t hash);
  // Every key of database `db` is about to go (FLUSHDB, FLUSHALL): raises the flags of
  // watched keys that exist in it, as Redis does.
  void TouchExisting(int db, Database& contents);
  // SWAPDB a b: a watched key in either database is touched if it exists in either.
  void TouchSwapped(int a, Database& db_a, int b, Database& db_b);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return count_; }

 private:
  struct Entry {
    int db;
    std::string key;
    std::shared_ptr<WatchFlag> flag;
  };
  static uint64_t Slot(int db, uint64_t hash) {
    return hash ^ (static_cast<uint64_t>(db) * 0x9e3779b97f4a7c15ULL);
  }
  void RaiseIf(int db, Database& contents, Database* also);
  void Sweep();

  std::unordered_map<uint64_t, std::vector<Entry>> entries_;
  size_t count_ = 0;
  size_t sweep_at_ = 64;
};

}  // namespace ember
