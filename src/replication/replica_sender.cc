#include "replication/replica_sender.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "commands/arg_parser.h"
#include "common/clock.h"
#include "common/numbers.h"
#include "engine/all_shards_task.h"
#include "engine/engine.h"
#include "persistence/persistence.h"
#include "replication/replication.h"
#include "replication/replication_stream.h"

namespace ember {
namespace {

constexpr int64_t kPingPeriodMs = 10'000;   // repl-ping-replica-period
constexpr size_t kQueueLimit = 256u << 20;  // client-output-buffer-limit replica (hard)

const char* StateName(int state) {
  static constexpr const char* kNames[] = {"wait_bgsave", "wait_bgsave", "send_bulk", "online"};
  return kNames[state];
}

}  // namespace

ReplicaSender::ReplicaSender(Engine& engine, Replication& owner, ReplicationStream& stream)
    : engine_(engine), owner_(owner), stream_(stream) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  stream_.set_on_append(&ReplicaSender::WakeThunk, this);
  thread_ = std::thread([this] { Loop(); });
}

ReplicaSender::~ReplicaSender() {
  stop_.store(true);
  Wake();
  thread_.join();
  stream_.set_on_append(nullptr, nullptr);
  for (auto& r : replicas_) Drop(*r);
  close(wake_fd_);
}

void ReplicaSender::Wake() {
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

void ReplicaSender::Add(int fd, const std::string& ip, int port, bool psync, int64_t partial_from) {
  auto r = std::make_unique<Replica>();
  r->fd = fd;
  r->ip = ip;
  r->port = port;
  r->psync = psync;
  r->ack_ms = WallClockMs();
  {
    std::lock_guard lock(mu_);
    r->id = ++next_id_;
    if (partial_from >= 0 && !stream_.AttachFrom(r->id, static_cast<uint64_t>(partial_from)))
      partial_err_.fetch_add(1);
    else if (partial_from >= 0) {
      std::string replid = stream_.replid();
      r->state = State::kOnline;
      r->out = "+CONTINUE " + replid + "\r\n";
      partial_ok_.fetch_add(1);
    }
    replicas_.push_back(std::move(r));
  }
  Wake();
}

void ReplicaSender::StartFullSync() {
  std::lock_guard lock(mu_);
  static std::atomic<uint64_t> seq{0};
  const ServerConfig& c = engine_.config();
  std::string path = fmt::format("{}/temp-repl-{}-{}.rdb", c.data_dir, getpid(), ++seq);
  std::string error;
  Persistence* p = engine_.persistence();
  bool started =
      p != nullptr &&
      p->StartReplicaSnapshot(
          path, [this](const std::string& file, bool ok) { owner_.OnSnapshotDone(file, ok); },
          &error);
  if (!started) {
    snapshot_running_ = false;
    next_snapshot_try_ms_ = WallClockMs() + 1000;
    return;
  }
  std::string replid = stream_.replid();
  for (auto& r : replicas_) {
    if (r->state != State::kNeedSnapshot || r->dead) continue;
    uint64_t offset = stream_.Attach(r->id);
    if (r->psync) r->out += fmt::format("+FULLRESYNC {} {}\r\n", replid, offset);
    r->state = State::kWaitSnapshot;
    full_syncs_.fetch_add(1);
  }
}

void ReplicaSender::OnSnapshotDone(const std::string& path, bool ok) {
  {
    std::lock_guard lock(mu_);
    snapshot_running_ = false;
    for (auto& r : replicas_) {
      if (r->state != State::kWaitSnapshot) continue;
      int fd = ok ? open(path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
      struct stat st {};
      if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        r->dead = true;  // it reconnects and asks again
        continue;
      }
      r->rdb_fd = fd;
      r->rdb_size = st.st_size;
      r->rdb_sent = 0;
      r->out += fmt::format("${}\r\n", st.st_size);
      r->state = State::kSendRdb;
    }
  }
  unlink(path.c_str());  // the open descriptors keep it readable
  Wake();
}

std::vector<ReplicaView> ReplicaSender::Replicas() {
  std::lock_guard lock(mu_);
  std::vector<ReplicaView> views;
  int64_t now = WallClockMs();
  for (auto& r : replicas_) {
    if (r->dead) continue;
    views.push_back(
        {r->ip, r->port, StateName(static_cast<int>(r->state)), r->ack, (now - r->ack_ms) / 1000});
  }
  return views;
}

size_t ReplicaSender::Acked(uint64_t offset) {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto& r : replicas_) n += !r->dead && r->state == State::kOnline && r->ack >= offset;
  return n;
}

size_t ReplicaSender::Kill() {
  size_t n = 0;
  {
    std::lock_guard lock(mu_);
    for (auto& r : replicas_) {
      if (r->dead) continue;
      r->dead = true;
      ++n;
    }
  }
  Wake();
  return n;
}

void ReplicaSender::Drop(Replica& r) {
  stream_.Detach(r.id);
  if (r.rdb_fd >= 0) close(r.rdb_fd);
  if (r.fd >= 0) close(r.fd);
  r.rdb_fd = r.fd = -1;
}

bool ReplicaSender::Flush(Replica& r) {
  for (;;) {
    if (r.out_sent < r.out.size()) {
      ssize_t n = send(r.fd, r.out.data() + r.out_sent, r.out.size() - r.out_sent, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      r.out_sent += static_cast<size_t>(n);
      if (r.out_sent < r.out.size()) return true;
    }
    r.out.clear();
    r.out_sent = 0;
    if (r.state == State::kSendRdb) {
      off_t at = r.rdb_sent;
      ssize_t n = sendfile(r.fd, r.rdb_fd, &at, static_cast<size_t>(r.rdb_size - r.rdb_sent));
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      r.rdb_sent = at;
      if (r.rdb_sent < r.rdb_size) continue;
      close(r.rdb_fd);
      r.rdb_fd = -1;
      r.state = State::kOnline;
      r.ack_ms = WallClockMs();
    }
    if (r.state != State::kOnline) return true;
    if (!stream_.Take(r.id, &r.out)) return false;
    if (r.out.empty()) return true;
  }
}

bool ReplicaSender::ReadAcks(Replica& r) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(r.fd, buf, sizeof(buf), 0);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return false;
    }
    r.in.append(buf, static_cast<size_t>(n));
  }
  size_t pos = 0;
  while (pos < r.in.size()) {
    size_t used = 0;
    auto status = r.parser.Parse(std::string_view(r.in).substr(pos), &used);
    if (status == RespParser::Status::kError) return false;
    if (status == RespParser::Status::kNeedMore) break;
    pos += used;
    const auto& args = r.parser.Args();
    if (args.size() >= 3 && EqualsIgnoreCase(args[0], "REPLCONF") &&
        EqualsIgnoreCase(args[1], "ACK")) {
      if (auto offset = ParseUint64(args[2])) r.ack = std::max(r.ack, *offset);
      r.ack_ms = WallClockMs();
    }
  }
  r.in.erase(0, pos);
  return true;
}

void ReplicaSender::Loop() {
  int64_t last_ping = WallClockMs();
  std::vector<pollfd> fds;
  std::vector<Replica*> polled;
  while (!stop_.load()) {
    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    polled.clear();
    {
      std::lock_guard lock(mu_);
      for (auto& r : replicas_) {
        if (r->dead) continue;
        bool sending = !r->out.empty() || r->state == State::kSendRdb;
        fds.push_back({r->fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0});
        polled.push_back(r.get());
      }
    }
    poll(fds.data(), fds.size(), 100);
    uint64_t drained;
    if (fds[0].revents & POLLIN) [[maybe_unused]]
      ssize_t n = read(wake_fd_, &drained, sizeof(drained));
    wake_pending_.store(false, std::memory_order_release);
    bool need_snapshot = false, any_online = false;
    int64_t now = WallClockMs();
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < polled.size(); ++i) {
        Replica& r = *polled[i];
        if (r.dead) continue;
        if ((fds[i + 1].revents & (POLLIN | POLLERR | POLLHUP)) && !ReadAcks(r)) r.dead = true;
        if (!r.dead && !Flush(r)) r.dead = true;
        if (!r.dead && stream_.Queued(r.id) > kQueueLimit) r.dead = true;
      }
      for (size_t i = 0; i < replicas_.size();) {
        if (replicas_[i]->dead) {
          Drop(*replicas_[i]);
          replicas_.erase(replicas_.begin() + static_cast<std::ptrdiff_t>(i));
          continue;
        }
        need_snapshot |= replicas_[i]->state == State::kNeedSnapshot;
        any_online |= replicas_[i]->state == State::kOnline;
        ++i;
      }
      if (need_snapshot && !snapshot_running_ && now >= next_snapshot_try_ms_) {
        snapshot_running_ = true;
        RunOnAllShards(engine_, [this] { owner_.StartFullSync(); });
      }
    }
    if (any_online && now - last_ping >= kPingPeriodMs) {
      last_ping = now;
      stream_.Append("*1\r\n$4\r\nPING\r\n");
    }
  }
}

}  // namespace ember
