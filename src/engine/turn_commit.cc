#include "engine/turn_commit.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace ember::turn_commit {
namespace {

struct Deferred {
  uint32_t shard;
  Task* task;
};

thread_local std::vector<Deferred> deferred;
thread_local uint64_t owed_offset = 0;  // synced writes this turn's results depend on

}  // namespace

void PostAfterCommit(Engine& engine, uint32_t shard, Task* task, uint64_t offset) {
  if (engine.durable_log() == nullptr) {
    engine.pubsub().FlushThread();  // messages published before this result go first
    return engine.mailbox(shard).Post(task);
  }
  owed_offset = std::max(owed_offset, offset);
  deferred.push_back({shard, task});
}

uint64_t HandOver(Engine& engine, Journal& journal) {
  DurableLog* log = engine.durable_log();
  if (log == nullptr) return 0;
  uint64_t offset = journal.Flush(*log);
  owed_offset = std::max(owed_offset, offset);
  return offset;
}

void Finish(Engine& engine, Journal& journal) {
  DurableLog* log = engine.durable_log();
  if (log == nullptr) return engine.pubsub().FlushThread();
  owed_offset = std::max(owed_offset, journal.Flush(*log));
  if (owed_offset > 0 && log->sync_always()) log->SyncUpTo(owed_offset);
  owed_offset = 0;
  // Subscribers hear of this turn's writes once they are durable, before its results leave.
  engine.pubsub().FlushThread();
  if (deferred.empty()) return;
  for (const Deferred& d : deferred) engine.mailbox(d.shard).Post(d.task);
  deferred.clear();
}

}  // namespace ember::turn_commit
