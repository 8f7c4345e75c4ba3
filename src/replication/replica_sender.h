#pragma once
// The master's side of replication: one thread that owns every replica's socket (non-blocking,
// poll), sends +FULLRESYNC, the snapshot as `$<len>\r\n<bytes>`, then the stream, and reads
// REPLCONF ACK. Commands (INFO, ROLE, WAIT, CLIENT KILL) read its table under its lock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/resp_parser.h"

namespace ember {

class Engine;
class Replication;
class ReplicationStream;

struct ReplicaView {
  std::string ip;
  int port = 0;
  std::string state;  // wait_bgsave | send_bulk | online
  uint64_t ack_offset = 0;
  int64_t lag_s = 0;
};

class ReplicaSender {
 public:
  ReplicaSender(Engine& engine, Replication& owner, ReplicationStream& stream);
  ~ReplicaSender();

  // A replica's socket; `partial_from` >= 0: it asked to continue from that offset, which
  // it gets if the backlog still holds it (else a full sync).
  void Add(int fd, const std::string& ip, int port, bool psync, int64_t partial_from);
  // In the all-shards step: the replicas waiting for a snapshot are attached at the stream's
  // offset now; false when the snapshot could not start (they wait for the next try).
  void StartFullSync();
  void OnSnapshotDone(const std::string& path, bool ok);
  std::vector<ReplicaView> Replicas();
  size_t Acked(uint64_t offset);
  size_t Kill();
  uint64_t partial_ok() const { return partial_ok_.load(); }
  uint64_t partial_err() const { return partial_err_.load(); }
  uint64_t full_syncs() const { return full_syncs_.load(); }

 private:
  enum class State { kNeedSnapshot, kWaitSnapshot, kSendRdb, kOnline };
  struct Replica {
    uint64_t id = 0;
    int fd = -1;
    std::string ip;
    int port = 0;
    bool psync = true;
    State state = State::kNeedSnapshot;
    std::string out;
    size_t out_sent = 0;
    int rdb_fd = -1;
    int64_t rdb_sent = 0, rdb_size = 0;
    uint64_t ack = 0;
    int64_t ack_ms = 0;
    std::string in;
    RespParser parser;
    bool dead = false;
  };

  void Loop();
  void Wake();
  static void WakeThunk(void* self) { static_cast<ReplicaSender*>(self)->Wake(); }
  bool Flush(Replica& r);  // false: the link broke
  bool ReadAcks(Replica& r);
  void Drop(Replica& r);

  Engine& engine_;
  Replication& owner_;
  ReplicationStream& stream_;
  int wake_fd_ = -1;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  uint64_t next_id_ = 0;
  bool snapshot_running_ = false;  // mu_
  int64_t next_snapshot_try_ms_ = 0;
  std::atomic<uint64_t> partial_ok_{0}, partial_err_{0}, full_syncs_{0};
  std::thread thread_;
};

}  // namespace ember
