#pragma once
// A shard: one slice of the keyspace (all 16 databases of it), owned by exactly one thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/blocking.h"
#include "engine/journal.h"
#include "engine/tracking_table.h"
#include "engine/watch_table.h"
#include "keyspace/database.h"

namespace ember {

class BackgroundSnapshot;

inline constexpr int kNumDatabases = 16;

class Shard {
 public:
  explicit Shard(uint32_t id) : id_(id) {
    hooks_.shard = id;
    hooks_.watches = &watches_;
    hooks_.tracking = &tracking_;
    tracking_.shard = id;
    for (int i = 0; i < kNumDatabases; ++i) {
      dbs_.push_back(std::make_unique<Database>(&stats_));
      dbs_.back()->set_observer(&blocking_, i);
      dbs_.back()->set_write_observer(&hooks_);
    }
  }

  uint32_t id() const { return id_; }
  Database& db(int index) { return *dbs_[static_cast<size_t>(index)]; }
  KeyspaceStats& stats() { return stats_; }
  // SWAPDB: exchange two databases' contents in this shard.
  // Clients blocked in either database may now find their keys.
  void SwapDbs(int a, int b) {
    if (hooks_.snapshot != nullptr) {
      hooks_.BeforeClear(db(a));
      hooks_.BeforeClear(db(b));
    }
    if (!watches_.empty()) {
      watches_.TouchSwapped(a, db(a), b, db(b));
      hooks_.Update();
    }
    Database::CountThreadChange();
    dbs_[static_cast<size_t>(a)].swap(dbs_[static_cast<size_t>(b)]);
    dbs_[static_cast<size_t>(a)]->set_observer(&blocking_, a);
    dbs_[static_cast<size_t>(b)]->set_observer(&blocking_, b);
    blocking_.MarkDbReady(a);
    blocking_.MarkDbReady(b);
  }

  size_t used_bytes() const {
    size_t total = 0;
    for (const auto& db : dbs_) total += db->used_bytes();
    return total;
  }

  // The best eviction candidates seen so far (engine/eviction.cc), kept between evictions
  // so each one chooses among many samples, not only its own.
  struct EvictionCandidate {
    int64_t score;  // higher: a better victim
    int db;
    std::string key;
  };
  std::vector<EvictionCandidate>& eviction_pool() { return eviction_pool_; }
  // Clients blocked on this shard's keys.
  BlockingRegistry& blocking() { return blocking_; }
  // The effect records of changes made by this shard's thread.
  Journal& journal() { return journal_; }
  // Journals deletions no command names (expiry, eviction) while journaling is on.
  void set_journaling(bool on) {
    hooks_.journaling = on;
    hooks_.Update();
  }
  // The snapshot this shard is serialising for (persistence/background_snapshot.h), or null.
  void set_snapshot(BackgroundSnapshot* snapshot) {
    hooks_.snapshot = snapshot;
    hooks_.Update();
  }
  BackgroundSnapshot* snapshot() const { return hooks_.snapshot; }
  // WATCH: registers `key` (in database `db`) for the client owning `flag`.
  void Watch(int db, std::string_view key, std::shared_ptr<WatchFlag> flag) {
    watches_.Add(db, key, HashKey(key), std::move(flag));
    hooks_.Update();
  }
  const WatchTable& watches() const { return watches_; }
  // CLIENT TRACKING's books for this shard (engine/client_tracking.h).
  ShardTracking& tracking() { return tracking_; }
  // The tracking books changed between empty and not: the write hooks follow.
  void UpdateHooks() { hooks_.Update(); }

  // used_bytes() as last published by the thread working on this shard, for other threads
  // (eviction compares shards). Refreshed every timer tick and after evictions.
  std::atomic<int64_t> published_bytes{0};
  // Key changes (KeyspaceStats::changes) as last published, for save points.
  std::atomic<uint64_t> published_changes{0};
  void PublishBytes() {
    published_bytes.store(static_cast<int64_t>(used_bytes()), std::memory_order_relaxed);
    published_changes.store(stats_.changes, std::memory_order_relaxed);
  }

  // CLIENT KILL marked one of this thread's clients: close it on the next loop turn.
  std::atomic<bool> kills_pending{false};
  // CLIENT UNBLOCK asked one of this thread's parked clients to stop waiting.
  std::atomic<bool> unblocks_pending{false};

  // Commands executed on this shard (read by INFO from any thread).
  std::atomic<uint64_t> commands_processed{0};

 private:
  uint32_t id_;
  KeyspaceStats stats_;
  std::vector<std::unique_ptr<Database>> dbs_;
  std::vector<EvictionCandidate> eviction_pool_;
  BlockingRegistry blocking_;
  Journal journal_;
  WatchTable watches_;
  ShardTracking tracking_;

  class WriteHooks final : public WriteObserver {
   public:
    void OnDeleted(int db, std::string_view key, DeleteCause) override {
      // The thread making the change journals it (a multi-shard step's thread, too).
      if (Journal* journal = Journal::Current(); journal != nullptr && Journal::enabled())
        journal->Append(db, {std::string_view("DEL"), key});
    }
    void BeforeWrite(Database& db, uint64_t hash, std::string_view key, bool certain) override;
    void AfterUpdate(Database& db, uint64_t hash, std::string_view key) override;
    void BeforeClear(Database& db) override;
    void Update() {
      active = journaling || snapshot != nullptr || !watches->empty() || tracking->active();
    }

    uint32_t shard = 0;
    WatchTable* watches = nullptr;
    ShardTracking* tracking = nullptr;
    bool journaling = false;
    BackgroundSnapshot* snapshot = nullptr;
  };
  WriteHooks hooks_;
};

}  // namespace ember
