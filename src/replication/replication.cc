#include "replication/replication.h"

#include <unistd.h>

#include <fmt/format.h>

#include "common/clock.h"
#include "engine/engine.h"
#include "engine/replica_gate.h"
#include "engine/turn_commit.h"
#include "protocol/reply_builder.h"
#include "replication/replica_sender.h"

namespace ember {

Replication::Replication(Engine& engine)
    : engine_(engine), stream_(static_cast<size_t>(engine.config().repl_backlog_size)) {}

Replication::~Replication() {
  Stop();
}

void Replication::Start() {
  const std::string& spec = engine_.config().replicaof;
  size_t space = spec.find(' ');
  if (!spec.empty() && space != std::string::npos)
    SetMaster(spec.substr(0, space), std::atoi(spec.c_str() + space + 1));
}

void Replication::Stop() {
  {
    std::lock_guard lock(link_mu_);
    stopping_.store(true);
    ++generation_;
  }
  link_cv_.notify_all();
  if (link_thread_.joinable()) link_thread_.join();
  sender_.reset();
}

void Replication::Cron() {
  UpdateGates();
}

void Replication::UpdateGates() {
  const ServerConfig c = engine_.ConfigCopy();  // the main thread's cron: CONFIG SET may run
  uint8_t gate = 0;
  if (is_replica()) {
    if (c.replica_read_only) gate |= kGateReadOnly;
    if (!c.replica_serve_stale_data && link_state_.load() != LinkState::kConnected)
      gate |= kGateStale;
  }
  g_replica_gate.store(gate, std::memory_order_relaxed);
}

bool Replication::AcceptReplica(int fd, const std::string& ip, int listening_port,
                                const std::string& replid, int64_t offset, bool psync,
                                std::string* error) {
  if (is_replica()) {
    *error = "ERR ember does not chain replicas: replicate from the master";
    return false;
  }
  int own = dup(fd);
  if (own < 0) {
    *error = "ERR cannot take over the connection";
    return false;
  }
  std::lock_guard lock(link_mu_);
  if (!sender_) sender_ = std::make_unique<ReplicaSender>(engine_, *this, stream_);
  // A replica that knows our history and is still inside the backlog continues from there.
  int64_t from = -1;
  if (psync && offset > 0 && sink_attached_ && replid == stream_.replid()) from = offset - 1;
  sender_->Add(own, ip, listening_port, psync, from);
  return true;
}

void Replication::StartFullSync() {
  // Every shard is held: what they journaled so far belongs to the AOF before this instant; from
  // here on every record goes to the stream too, and the snapshot is of this instant.
  for (uint32_t s = 0; s < engine_.num_shards(); ++s)
    turn_commit::HandOver(engine_, engine_.shard(s).journal());
  if (!sink_attached_) {
    engine_.set_replication_sink(&stream_);
    sink_attached_ = true;
  }
  if (sender_) sender_->StartFullSync();
}

void Replication::OnSnapshotDone(const std::string& path, bool ok) {
  std::lock_guard lock(link_mu_);
  if (sender_) {
    sender_->OnSnapshotDone(path, ok);
  } else {
    unlink(path.c_str());
  }
}

size_t Replication::AckedReplicas(uint64_t offset) {
  std::lock_guard lock(link_mu_);
  return sender_ ? sender_->Acked(offset) : 0;
}

void Replication::RequestAcks() {
  {
    std::lock_guard lock(link_mu_);
    if (!sender_ || sender_->Replicas().empty()) return;
  }
  stream_.Append("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n");
}

size_t Replication::KillReplicas() {
  std::lock_guard lock(link_mu_);
  return sender_ ? sender_->Kill() : 0;
}

void Replication::SetMaster(const std::string& host, int port) {
  {
    std::lock_guard lock(link_mu_);
    if (host.empty()) {
      if (is_replica()) {
        // A promotion: a new history that starts where the applied stream ended.
        stream_.Reset(NewReplicationId(), applied_offset_.load());
      }
      master_host_.clear();
      is_replica_.store(false, std::memory_order_release);
    } else {
      master_host_ = host;
      master_port_ = port;
      if (sender_) sender_->Kill();  // as Redis: replicas of a new replica start over
      is_replica_.store(true, std::memory_order_release);
    }
    ++generation_;
    link_state_.store(host.empty() ? LinkState::kNone : LinkState::kConnect);
    if (!link_thread_.joinable()) link_thread_ = std::thread([this] { LinkLoop(); });
  }
  link_cv_.notify_all();
  UpdateGates();
}

void Replication::AppendInfo(std::string& out) {
  auto line = [&out](std::string_view name, auto value) {
    out += fmt::format("{}:{}\r\n", name, value);
  };
  out += "# Replication\r\n";
  std::vector<ReplicaView> replicas;
  uint64_t partial_ok = 0, partial_err = 0, full = 0;
  std::string host, master_replid;
  int port = 0;
  {
    std::lock_guard lock(link_mu_);
    if (sender_) {
      replicas = sender_->Replicas();
      partial_ok = sender_->partial_ok();
      partial_err = sender_->partial_err();
      full = sender_->full_syncs();
    }
    host = master_host_;
    port = master_port_;
    master_replid = master_replid_;
  }
  bool replica = is_replica();
  ReplicationStream::Info info = stream_.info();
  line("role", replica ? "slave" : "master");
  if (replica) {
    LinkState state = link_state_.load();
    int64_t last_io = last_io_ms_.load();
    line("master_host", host);
    line("master_port", port);
    line("master_link_status", state == LinkState::kConnected ? "up" : "down");
    line("master_last_io_seconds_ago",
         state == LinkState::kConnected ? (WallClockMs() - last_io) / 1000 : -1);
    line("master_sync_in_progress", state == LinkState::kSync ? 1 : 0);
    line("slave_read_repl_offset", applied_offset_.load());
    line("slave_repl_offset", applied_offset_.load());
    line("slave_priority", 100);
    line("slave_read_only", engine_.config().replica_read_only ? 1 : 0);
    line("replica_announced", 1);
  }
  line("connected_slaves", replicas.size());
  for (size_t i = 0; i < replicas.size(); ++i) {
    const ReplicaView& r = replicas[i];
    out += fmt::format("slave{}:ip={},port={},state={},offset={},lag={}\r\n", i, r.ip, r.port,
                       r.state, r.ack_offset, r.lag_s);
  }
  line("master_failover_state", "no-failover");
  uint64_t offset = replica ? applied_offset_.load() : info.offset;
  line("master_replid", replica && !master_replid.empty() ? master_replid : info.replid);
  line("master_replid2", std::string(40, '0'));
  line("master_repl_offset", offset);
  line("second_repl_offset", -1);
  line("repl_backlog_active", sink_attached_ ? 1 : 0);
  line("repl_backlog_size", info.backlog_size);
  line("repl_backlog_first_byte_offset", info.backlog_first);
  line("repl_backlog_histlen", info.backlog_bytes);
  // Not Redis's section (INFO stats has them there); kept here for tests and operators.
  line("sync_full", full);
  line("sync_partial_ok", partial_ok);
  line("sync_partial_err", partial_err);
}

void Replication::Role(ReplyBuilder& reply) {
  if (is_replica()) {
    std::string host;
    int port;
    {
      std::lock_guard lock(link_mu_);
      host = master_host_;
      port = master_port_;
    }
    static constexpr const char* kStates[] = {"none", "connect", "connecting", "sync", "connected"};
    reply.ArrayHeader(5);
    reply.Bulk("slave");
    reply.Bulk(host);
    reply.Integer(port);
    reply.Bulk(kStates[static_cast<int>(link_state_.load())]);
    reply.Integer(static_cast<int64_t>(applied_offset_.load()));
    return;
  }
  std::vector<ReplicaView> replicas;
  {
    std::lock_guard lock(link_mu_);
    if (sender_) replicas = sender_->Replicas();
  }
  reply.ArrayHeader(3);
  reply.Bulk("master");
  reply.Integer(static_cast<int64_t>(stream_.offset()));
  reply.ArrayHeader(replicas.size());
  for (const ReplicaView& r : replicas) {
    reply.ArrayHeader(3);
    reply.Bulk(r.ip);
    reply.Bulk(std::to_string(r.port));
    reply.Bulk(std::to_string(r.ack_offset));
  }
}

}  // namespace ember
