#pragma once
// The journal: every change of the keyspace as an effect record (a RESP command with absolute
// expiry times), in the order the changes were made. One per shard thread; its consumer (the
// AOF today, replicas and slot migration later) takes the pending records once per event-loop
// turn. While nothing consumes it, appending costs one branch.
//
// Records go to the journal of the thread that makes the change: a multi-shard step runs on one
// thread, so everything it does, the deletions of expired keys it meets included, lands in one
// journal in execution order.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace ember {

// Where a journal's records go. Append is called from any shard thread.
class JournalSink {
 public:
  virtual ~JournalSink() = default;
  // Takes a chunk of whole records; returns the sink's offset just past them.
  virtual uint64_t Append(std::string_view records) = 0;
};

class Journal {
 public:
  // The journal of the calling thread (null on threads that run no shard).
  static Journal* Current() { return current_; }
  static void set_current(Journal* journal) { current_ = journal; }
  // Whether changes are journaled at all (the process-wide switch; set before workers start
  // or inside a step that holds every shard).
  static bool enabled() { return enabled_; }
  static void set_enabled(bool on) { enabled_ = on; }

  // One command in database `db`, preceded by a SELECT when the chunk is in another one.
  void Append(int db, std::span<const std::string_view> argv);
  void Append(int db, std::initializer_list<std::string_view> argv) {
    Append(db, std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  // Records already in RESP (a handler's Propagate), as one unit in database `db`.
  void AppendEncoded(int db, std::string_view records);

  bool empty() const { return pending_.empty(); }
  // A point in the pending records to come back to (EXEC drops its MULTI when nothing followed).
  struct Mark {
    size_t bytes;
    int db;
  };
  Mark mark() const { return {pending_.size(), chunk_db_}; }
  void Rewind(Mark mark) {
    pending_.resize(mark.bytes);
    chunk_db_ = mark.db;
  }
  // The database the last record ran in (-1: none in this chunk).
  int chunk_db() const { return chunk_db_; }
  // Drops the pending records (the log they were for is gone: CONFIG SET appendonly no).
  void Discard() {
    pending_.clear();
    chunk_db_ = -1;
  }
  size_t pending_bytes() const { return pending_.size(); }
  // Hands the pending records to `sink` and starts a new chunk, which names its database again
  // (another thread's chunk may come between). Returns the sink's offset (0 when nothing).
  uint64_t Flush(JournalSink& sink);

 private:
  void SelectDb(int db);

  std::string pending_;
  int chunk_db_ = -1;  // the database the chunk's last record ran in; -1: none yet
  static inline thread_local Journal* current_ = nullptr;
  static inline bool enabled_ = false;
};

// A handler's effect when its arguments would not replay to the same result (relative
// expiry times, random choices, blocking forms). Collected while the handler runs; the
// executor journals these instead of the arguments.
class Propagation {
 public:
  // Starts a command: nothing recorded.
  static void Reset() {
    if (!records_.empty()) records_.clear();
    count_ = 0;
  }
  // Records one command of the effect (several calls: several commands, in order).
  static void Add(std::span<const std::string_view> argv);
  // The handler changed nothing worth journaling (its only effect was a no-op).
  static void Suppress() { count_ = -1; }
  // -1: suppressed; 0: journal the arguments; > 0: journal records().
  static int count() { return count_; }
  static std::string_view records() { return records_; }

 private:
  static inline thread_local std::string records_;
  static inline thread_local int count_ = 0;
};

// Journals what runs in its scope as MULTI ... EXEC, so that recovery applies all of it or
// none (EXEC, a script's effects); a unit that changed nothing leaves no trace. A unit inside
// another (a script run by EXEC) is part of the outer one.
class JournaledUnit {
 public:
  explicit JournaledUnit(int db) : outermost_(depth_++ == 0) {
    journal_ = outermost_ && Journal::enabled() ? Journal::Current() : nullptr;
    if (journal_ == nullptr) return;
    start_ = journal_->mark();
    journal_->Append(db, {std::string_view("MULTI")});
    body_ = journal_->mark();
  }
  ~JournaledUnit() {
    --depth_;
    if (journal_ == nullptr) return;
    if (journal_->mark().bytes == body_.bytes) {
      journal_->Rewind(start_);
    } else {
      journal_->Append(journal_->chunk_db(), {std::string_view("EXEC")});
    }
  }
  JournaledUnit(const JournaledUnit&) = delete;
  JournaledUnit& operator=(const JournaledUnit&) = delete;

 private:
  bool outermost_;
  Journal* journal_ = nullptr;
  Journal::Mark start_{}, body_{};
  static inline thread_local int depth_ = 0;
};

// Appends `argv` to `out` as a RESP array of bulk strings (a command, a pub/sub frame's tail, an
// invalidation's keys).
void AppendRespCommand(std::string* out, std::span<const std::string_view> argv);
// Appends one RESP bulk string.
void AppendRespBulk(std::string* out, std::string_view bulk);

}  // namespace ember
