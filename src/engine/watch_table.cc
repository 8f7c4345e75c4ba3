#include "engine/watch_table.h"

#include <algorithm>

#include "keyspace/database.h"

namespace ember {

void WatchTable::Add(int db, std::string_view key, uint64_t hash, std::shared_ptr<WatchFlag> flag) {
  // Clients that watch and unwatch without the keys ever changing leave cancelled entries:
  // sweep whenever the table has doubled since the last sweep (amortised O(1) per Add).
  if (count_ >= sweep_at_) Sweep();
  entries_[Slot(db, hash)].push_back({db, std::string(key), std::move(flag)});
  ++count_;
}

void WatchTable::Touch(int db, uint64_t hash) {
  auto it = entries_.find(Slot(db, hash));
  if (it == entries_.end()) return;
  std::vector<Entry>& list = it->second;
  size_t before = list.size();
  std::erase_if(list, [db](const Entry& e) {
    if (e.db != db) return false;
    e.flag->dirty.store(true, std::memory_order_relaxed);
    return true;
  });
  count_ -= before - list.size();
  if (list.empty()) entries_.erase(it);
}

void WatchTable::RaiseIf(int db, Database& contents, Database* also) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    std::vector<Entry>& list = it->second;
    size_t before = list.size();
    std::erase_if(list, [&](const Entry& e) {
      if (e.db != db) return false;
      bool exists = contents.Holds(e.key) || (also != nullptr && also->Holds(e.key));
      if (exists) e.flag->dirty.store(true, std::memory_order_relaxed);
      return exists;
    });
    count_ -= before - list.size();
    it = list.empty() ? entries_.erase(it) : std::next(it);
  }
}

void WatchTable::TouchExisting(int db, Database& contents) {
  RaiseIf(db, contents, nullptr);
}

void WatchTable::TouchSwapped(int a, Database& db_a, int b, Database& db_b) {
  RaiseIf(a, db_a, &db_b);
  RaiseIf(b, db_b, &db_a);
}

void WatchTable::Sweep() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    std::vector<Entry>& list = it->second;
    size_t before = list.size();
    std::erase_if(list,
                  [](const Entry& e) { return e.flag->cancelled.load(std::memory_order_relaxed); });
    count_ -= before - list.size();
    it = list.empty() ? entries_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max<size_t>(64, 2 * count_);
}

}  // namespace ember
