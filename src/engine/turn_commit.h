#pragma once
// What a shard thread's event-loop turn owes the durable log before its replies leave: its
// journal's records appended (one write per turn for all of them), and with appendfsync
// always, synced (group commit: one fdatasync covers every thread that appended meanwhile).
// Replies to this thread's own clients go out after the commit (FlushDirty follows it);
// results for other threads (remote batches, multi-shard steps) are held here until then.
#include <cstdint>

#include "engine/journal.h"

namespace ember {

class Engine;
struct Task;

// The durable consumer of the journals (the AOF). Append and SyncUpTo are called from any
// shard thread.
class DurableLog : public JournalSink {
 public:
  // appendfsync always: returns once everything up to `offset` is on stable storage.
  virtual void SyncUpTo(uint64_t offset) = 0;
  virtual bool sync_always() const = 0;
};

namespace turn_commit {

// Posts `task` to `shard`'s mailbox now, or at the end of this turn once this turn's records
// (and `offset` of the log, when synced writes are owed past it) are committed.
void PostAfterCommit(Engine& engine, uint32_t shard, Task* task, uint64_t offset = 0);
// A multi-shard step over parked shards: appends `journal`'s pending records to the log now
// (each participant's before the step runs, the step's own before anyone resumes), so the log
// keeps execution order. Returns the log offset past them (0 when nothing was pending).
uint64_t HandOver(Engine& engine, Journal& journal);
// End of the turn: commits this thread's journal and releases what waited for it.
void Finish(Engine& engine, Journal& journal);

}  // namespace turn_commit
}  // namespace ember
