#pragma once
// Replication with Redis's wire protocol (PSYNC, REPLCONF, an RDB then the command stream).
//
// Master side (replica_sender.cc): PSYNC hands the replica's socket to the sender thread. A full
// sync starts in a step that holds every shard: the journals go to the replication stream from
// that instant (replication_stream.h), the fork-less snapshot (persistence.h) begins at the same
// one, so the RDB plus the stream after its offset is the dataset. A known replid with an offset
// still in the backlog gets +CONTINUE and the missing bytes.
//
// Replica side (master_link.cc): one thread connects, handshakes, loads the RDB with every shard
// held, then applies the stream a batch at a time (every shard held, so each command lands on the
// shard owning its keys whatever the master's shard count), ACKs every second and reconnects with
// PSYNC after a dropped link.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replication/replication_stream.h"

namespace ember {

class Engine;
class ReplyBuilder;
class ReplicaSender;
class MasterLink;

class Replication {
 public:
  explicit Replication(Engine& engine);
  ~Replication();
  // After the dataset is loaded: --replicaof starts the link.
  void Start();
  // Before the workers stop (the link thread may be holding the shards).
  void Stop();
  // Main thread, every ~100 ms: the gates follow CONFIG SET.
  void Cron();

  // ---- master side
  // PSYNC/SYNC on a client's own thread: the sender takes a dup of its socket. `offset` is
  // PSYNC's (the next byte wanted), -1 for `?`/SYNC. False with *error when refused.
  bool AcceptReplica(int fd, const std::string& ip, int listening_port, const std::string& replid,
                     int64_t offset, bool psync, std::string* error);
  ReplicationStream& stream() { return stream_; }
  // WAIT: the replicas whose ACK reached `offset`, after asking them (REPLCONF GETACK).
  size_t AckedReplicas(uint64_t offset);
  void RequestAcks();
  size_t KillReplicas();
  // The snapshot for a full sync is written (main thread, from persistence's cron).
  void OnSnapshotDone(const std::string& path, bool ok);
  // Runs in a step that holds every shard: starts the stream and the snapshot.
  void StartFullSync();

  // ---- replica side
  // REPLICAOF host port; an empty host: NO ONE.
  void SetMaster(const std::string& host, int port);
  bool is_replica() const { return is_replica_.load(std::memory_order_acquire); }
  // The stream applied from the master (its offset), and the gates of replica-read-only and
  // replica-serve-stale-data, from CONFIG SET.
  void UpdateGates();

  void AppendInfo(std::string& out);
  void Role(ReplyBuilder& reply);

 private:
  friend class MasterLink;
  void LinkLoop();
  void RunLink(const std::string& host, int port, uint64_t generation);
  bool LinkWanted(uint64_t generation);
  // Called with every shard held by the link: replaces the dataset with the RDB at `path`.
  bool LoadRdb(const std::string& path, std::string* error);
  void ApplyStream(MasterLink& link, uint64_t generation);
  bool sink_attached_ = false;  // the stream gets the journals (set in an all-shards step)

  Engine& engine_;
  ReplicationStream stream_;
  std::unique_ptr<ReplicaSender> sender_;
  std::atomic<bool> stopping_{false};

  // Replica side: the master wanted (generation counts REPLICAOF changes), the link's state.
  std::mutex link_mu_;
  std::condition_variable link_cv_;
  std::string master_host_;
  int master_port_ = 0;
  uint64_t generation_ = 0;
  std::atomic<bool> is_replica_{false};
  std::thread link_thread_;
  enum class LinkState { kNone, kConnect, kConnecting, kSync, kConnected };
  std::atomic<LinkState> link_state_{LinkState::kNone};
  std::atomic<int64_t> last_io_ms_{0};
  std::atomic<uint64_t> applied_offset_{0};  // the master's offset we applied up to
  std::atomic<bool> have_history_{false};    // applied_offset_ and master_replid_ mean something
  std::string master_replid_;                // link_mu_
};

}  // namespace ember
