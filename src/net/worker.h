#pragma once
// A worker thread: one shard, one event loop, the connections it accepted, and its mailbox.
// The I/O mechanics live in the backends (epoll_worker.cc, uring_worker.cc); this class holds
// what both share: running mailbox tasks, active expiry, flushing, closing and shutdown.
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "net/connection.h"

namespace ember {

class Worker {
 public:
  // listen_fd: the plain listener, tls_listen_fd: the TLS one (-1: none).
  Worker(Engine& engine, uint32_t shard, int listen_fd, int tls_listen_fd);
  virtual ~Worker();

  // The event loop; returns after a graceful shutdown.
  virtual void Run() = 0;

  // Called by connections.
  void MarkDirty(Connection* conn);
  virtual void OnResumed(Connection* conn) { MarkDirty(conn); }
  // A pub/sub frame was appended to this connection's output.
  void OnPushed(Connection* conn);
  // client-output-buffer-limit: the connection's pending output is past its class's hard
  // limit, or has been past the soft one for longer than allowed (then it must close).
  bool OutputOverLimit(Connection* conn);
  // Closes a client past its output limit (counted in INFO stats).
  void CloseOverLimit(Connection* conn);
  // A command of this connection waits for CLIENT PAUSE to end.
  void HoldWhilePaused(Connection* conn);
  // Counts the event loop's iterations: each connection's share of input is per turn.
  uint64_t turn() const { return turn_; }

  static std::unique_ptr<Worker> Create(const std::string& backend, Engine& engine, uint32_t shard,
                                        int listen_fd, int tls_listen_fd);
  // Whether io_uring can be used in this process (kernel support, not blocked by seccomp).
  static bool UringAvailable();

 protected:
  // A connection for an accepted socket (TLS: accepted on the TLS listener); null when it was
  // refused at once (maxclients, protected mode) and closed.
  Connection* Accept(int fd, bool tls);
  // accept() failed with EMFILE/ENFILE: the clients waiting would hang in the backlog (and a
  // level-triggered loop spin on them). The spare descriptor given up lets each one in to be
  // told "max number of clients reached" and closed, as for maxclients.
  void RefuseWhileOutOfDescriptors(int listen_fd, bool tls);
  // Another worker took the descriptor the spare gave up: clients may still wait in the
  // backlog with no new readiness to come (edge-triggered), so the timer tick accepts again
  // once the spare is back.
  virtual void RetryAccepts() {}
  bool accept_stalled_ = false;
  // The event loop's first step on its thread: pub/sub deliveries to this thread's clients
  // then need no message, and commands journal to this shard.
  void BindThread();
  void RunMailbox();
  // Active expiry: a bounded slice of work per tick. Returns ms until the next tick.
  int RunTimers();
  // Commits the turn's journal to the durable log before replies leave (engine/turn_commit).
  void CommitTurn();
  // Closes a connection (backend hook, then delete).
  void Destroy(Connection* conn);
  virtual void OnDestroy(Connection* conn) { (void)conn; }
  void CheckKills();
  // maxmemory-clients: after a turn that changed clients' buffers, closes the biggest clients
  // while all of them together are over the limit (one branch while no limit is set).
  void CheckClientMemory();
  void CheckUnblocks();
  // Resumes the connections held by CLIENT PAUSE once it is over.
  void CheckPaused();
  // Times out blocked clients whose deadline passed; returns the nearest deadline left (0: none).
  int64_t CheckBlockedClients(int64_t now);
  // Shutdown: true once this worker and all others have drained and may exit.
  bool ShutdownStep();
  virtual void StopAccepting() = 0;

  Engine& engine_;
  uint32_t shard_;
  int listen_fd_;
  int tls_listen_fd_;
  int spare_fd_ = -1;  // /dev/null, kept to be closed when descriptors run out
  std::unordered_map<int, Connection*> connections_;
  std::vector<Connection*> dirty_;
  std::vector<Connection*> flushing_;  // dirty_ as it was when FlushDirty began
  std::vector<Connection*> blocked_;   // clients parked by a blocking command
  std::vector<Connection*> paused_;    // clients whose next command waits for CLIENT PAUSE
  int64_t next_tick_ms_ = 0;
  int64_t loop_now_ms_ = 0;         // wall clock at the last timer check
  int64_t client_eviction_ms_ = 0;  // when CheckClientMemory() last looked at every client
  uint64_t turn_ = 1;
  bool draining_ = false;
  bool reported_quiescent_ = false;
  int64_t drain_deadline_ms_ = 0;

  static std::atomic<uint32_t> quiescent_workers_;
};

}  // namespace ember
