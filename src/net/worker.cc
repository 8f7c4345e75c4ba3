#include "net/worker.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/memory.h"
#include "engine/active_expire.h"
#include "engine/dataset_loading.h"
#include "engine/turn_commit.h"
#include "keyspace/record_heap.h"
#include "net/protected_mode.h"
#include "persistence/persistence.h"

namespace ember {

std::atomic<uint32_t> Worker::quiescent_workers_{0};

namespace {
// Active expiry per tick: visit this many segments, and repeat while many keys were expired,
// within a time budget (Redis's "effort" model: a bounded share of CPU).
constexpr size_t kSweepSegmentsPerStep = 16;
constexpr int64_t kSweepBudgetUs = 2000;
constexpr int64_t kDrainTimeoutMs = 5000;
constexpr int64_t kUncountedOutput = 16 * 1024;
}  // namespace

Worker::Worker(Engine& engine, uint32_t shard, int listen_fd, int tls_listen_fd)
    : engine_(engine),
      shard_(shard),
      listen_fd_(listen_fd),
      tls_listen_fd_(tls_listen_fd),
      spare_fd_(open("/dev/null", O_RDONLY | O_CLOEXEC)) {}

Worker::~Worker() {
  if (spare_fd_ >= 0) close(spare_fd_);
  for (auto& [fd, conn] : connections_) delete conn;
  if (listen_fd_ >= 0) close(listen_fd_);
  if (tls_listen_fd_ >= 0) close(tls_listen_fd_);
}

namespace {

void RefuseAsFull(Engine& engine, int fd, bool tls) {
  static constexpr char kMsg[] = "-ERR max number of clients reached\r\n";
  if (!tls) {
    [[maybe_unused]] ssize_t n = write(fd, kMsg, sizeof(kMsg) - 1);
  }
  engine.stats().rejected_connections.fetch_add(1, std::memory_order_relaxed);
  close(fd);
}

}  // namespace

void Worker::RefuseWhileOutOfDescriptors(int listen_fd, bool tls) {
  // Bounded: the loop's other work goes on; what is left waits for the next readiness.
  for (int refused = 0; refused < 256 && spare_fd_ >= 0; ++refused) {
    close(spare_fd_);
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) RefuseAsFull(engine_, fd, tls);
    spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);  // -1 if another thread took it
    if (fd < 0) break;
  }
  if (spare_fd_ < 0) accept_stalled_ = true;
}

Connection* Worker::Accept(int fd, bool tls) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (engine_.stats().connected_clients.load(std::memory_order_relaxed) >=
      engine_.config().maxclients) {
    RefuseAsFull(engine_, fd, tls);
    return nullptr;
  }
  // A plain client is refused at once, as for maxclients; a TLS one hears it encrypted.
  bool refused = RefusedByProtectedMode(engine_.config(), fd);
  if (refused && !tls) {
    [[maybe_unused]] ssize_t n =
        write(fd, kProtectedModeDenied.data(), kProtectedModeDenied.size());
    close(fd);
    return nullptr;
  }
  auto* conn = new Connection(*this, engine_, fd, shard_);
  if (tls && !conn->StartTls()) {
    delete conn;  // closes the socket
    return nullptr;
  }
  if (refused) conn->RefuseAfterHandshake(kProtectedModeDenied);
  connections_[fd] = conn;
  return conn;
}

void Worker::BindThread() {
  Journal::set_current(&engine_.shard(shard_).journal());
  PubSub::BindThread(static_cast<int>(shard_));
}

void Worker::OnPushed(Connection* conn) {
  MarkDirty(conn);
  if (OutputOverLimit(conn)) CloseOverLimit(conn);  // as Redis: memory stays bounded
}

void Worker::CloseOverLimit(Connection* conn) {
  if (!conn->peer_closed() && !conn->client().kill_requested.load(std::memory_order_relaxed))
    engine_.stats().client_output_buffer_limit_disconnections.fetch_add(1,
                                                                        std::memory_order_relaxed);
  conn->MarkPeerClosed();
}

bool Worker::OutputOverLimit(Connection* conn) {
  const ServerConfig& config = engine_.config();
  const OutputBufferLimit& limit =
      config.output_buffer_limits[conn->client().subscribed() ? kOutputPubSub : kOutputNormal];
  auto pending = static_cast<int64_t>(conn->pending_output());
  if (limit.hard == 0 && limit.soft == 0) return pending > config.client_output_buffer_limit;
  // As Redis, which counts only what overflows a client's 16 KiB reply buffer: a small reply
  // never trips a limit.
  pending = std::max<int64_t>(0, pending - kUncountedOutput);
  if (limit.hard > 0 && pending >= limit.hard) return true;
  if (limit.soft > 0 && pending >= limit.soft) {
    if (conn->soft_limit_since_ms == 0) {
      conn->soft_limit_since_ms = std::max<int64_t>(1, loop_now_ms_);
      return false;
    }
    return loop_now_ms_ - conn->soft_limit_since_ms > limit.soft_seconds * 1000;
  }
  conn->soft_limit_since_ms = 0;
  return false;
}

void Worker::MarkDirty(Connection* conn) {
  if (!conn->in_dirty_list) {
    conn->in_dirty_list = true;
    dirty_.push_back(conn);
  }
  if (conn->session().blocked() && !conn->in_blocked_list) {
    conn->in_blocked_list = true;
    blocked_.push_back(conn);
  }
}

int64_t Worker::CheckBlockedClients(int64_t now) {
  int64_t nearest = 0;
  for (size_t i = 0; i < blocked_.size();) {
    Connection* conn = blocked_[i];
    conn->session().CheckBlockTimeout(now);  // may reply and resume the client
    if (!conn->session().blocked()) {
      conn->in_blocked_list = false;
      blocked_[i] = blocked_.back();
      blocked_.pop_back();
      continue;
    }
    int64_t deadline = conn->session().block_deadline_ms();
    if (deadline > 0 && (nearest == 0 || deadline < nearest)) nearest = deadline;
    ++i;
  }
  return nearest;
}

void Worker::RunMailbox() {
  // CLIENT KILL from another thread: close the client this turn, not at the next timer tick.
  Shard& shard = engine_.shard(shard_);
  if (shard.kills_pending.load(std::memory_order_relaxed) &&
      shard.kills_pending.exchange(false, std::memory_order_acquire)) {
    CheckKills();
  }
  if (shard.unblocks_pending.load(std::memory_order_relaxed) &&
      shard.unblocks_pending.exchange(false, std::memory_order_acquire)) {
    CheckUnblocks();
  }
  if (!paused_.empty()) CheckPaused();
  Mailbox& mailbox = engine_.mailbox(shard_);
  // Bounded, so a flood of messages cannot starve this thread's own clients.
  for (int i = 0; i < 4096; ++i) {
    Task* task = mailbox.Pop();
    if (task == nullptr) break;
    task->Run();
  }
}

void Worker::CommitTurn() {
  if (Persistence* persistence = engine_.persistence()) persistence->OnTurn(shard_);
  turn_commit::Finish(engine_, engine_.shard(shard_).journal());
  // Invalidations this shard gathered go out after the turn's replies (BCAST: one per prefix).
  ShardTracking& tracking = engine_.shard(shard_).tracking();
  if (tracking.has_pending || tracking.broadcast.has_changes()) [[unlikely]]
    engine_.tracking().FlushShard(shard_);
}

int Worker::RunTimers() {
  int64_t now = WallClockMs();
  loop_now_ms_ = now;
  int64_t next_block_deadline = blocked_.empty() ? 0 : CheckBlockedClients(now);
  if (now < next_tick_ms_) {
    int64_t wake_at = next_tick_ms_;
    if (next_block_deadline > 0) wake_at = std::min(wake_at, next_block_deadline);
    if (!paused_.empty()) wake_at = std::min(wake_at, std::max(now, engine_.pause_until_ms()));
    return static_cast<int>(std::max<int64_t>(0, wake_at - now));
  }
  int64_t hz = std::max<int64_t>(1, std::min<int64_t>(500, engine_.config().hz));
  next_tick_ms_ = now + 1000 / hz;
  Shard& shard = engine_.shard(shard_);
  int64_t deadline = MonotonicUs() + kSweepBudgetUs;
  // Not while loading: replayed commands may still touch keys that have expired since.
  bool sweep = g_active_expire_enabled.load(std::memory_order_relaxed) && !DatasetLoading();
  for (int db = 0; sweep && db < kNumDatabases; ++db) {
    Database& database = shard.db(db);
    while (database.expires() > 0) {
      auto [checked, expired] = database.SweepExpired(now, kSweepSegmentsPerStep);
      // Keep going only while a good share of what we look at is expired.
      if (checked == 0 || expired * 4 < checked || MonotonicUs() > deadline) break;
    }
  }
  CheckKills();
  if (spare_fd_ < 0) spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (accept_stalled_ && spare_fd_ >= 0) {
    accept_stalled_ = false;
    RetryAccepts();
  }
  engine_.client_memory().Tick(shard_, now);
  CheckClientMemory();
  shard.PublishBytes();
  record_heap::ReclaimRemoteFrees();
  memory::ReturnFreedPages();
  if (engine_.config().timeout > 0) {
    int64_t idle_limit = engine_.config().timeout * 1000;
    for (auto& [fd, conn] : connections_) {
      bool idle = !conn->busy() && !conn->session().blocked();  // Redis never times out BLPOP
      if (idle && now - conn->client().last_active_ms > idle_limit) conn->MarkPeerClosed();
    }
  }
  int64_t wait = 1000 / hz;
  if (next_block_deadline > 0) wait = std::clamp<int64_t>(next_block_deadline - now, 0, wait);
  if (!paused_.empty()) wait = std::clamp<int64_t>(engine_.pause_until_ms() - now, 0, wait);
  return static_cast<int>(wait);
}

void Worker::CheckKills() {
  for (auto& [fd, conn] : connections_) {
    if (conn->client().kill_requested.load(std::memory_order_relaxed)) MarkDirty(conn);
  }
}

void Worker::CheckClientMemory() {
  int64_t limit = ClientMemoryLimit(engine_.config());
  if (limit <= 0) [[likely]]
    return;
  if (engine_.client_memory().Total() <= limit) return;
  // Clients an earlier pass closed still count until their threads free them: a pass over
  // every client at most once a millisecond per worker, not once per turn.
  if (loop_now_ms_ == client_eviction_ms_) return;
  client_eviction_ms_ = loop_now_ms_;
  EvictClients(engine_, limit);
}

void Worker::CheckUnblocks() {
  for (Connection* conn : blocked_) conn->session().OnUnblockRequest();
}

void Worker::HoldWhilePaused(Connection* conn) {
  if (conn->in_paused_list) return;
  conn->in_paused_list = true;
  paused_.push_back(conn);
}

void Worker::CheckPaused() {
  int64_t until = engine_.pause_until_ms();
  if (until != 0 && WallClockMs() < until) return;
  for (Connection* conn : paused_) {
    conn->in_paused_list = false;
    MarkDirty(conn);
  }
  paused_.clear();
}

void Worker::Destroy(Connection* conn) {
  OnDestroy(conn);
  if (conn->in_paused_list) std::erase(paused_, conn);
  if (conn->in_dirty_list) std::erase(dirty_, conn);
  if (conn->in_blocked_list) std::erase(blocked_, conn);
  connections_.erase(conn->fd());
  delete conn;
}

bool Worker::ShutdownStep() {
  if (!draining_) {
    draining_ = true;
    drain_deadline_ms_ = WallClockMs() + kDrainTimeoutMs;
    StopAccepting();
  }
  bool idle = true;
  for (auto& [fd, conn] : connections_) {
    if (conn->busy() || conn->output_pending()) idle = false;
  }
  if ((idle || WallClockMs() > drain_deadline_ms_) && !reported_quiescent_) {
    reported_quiescent_ = true;
    quiescent_workers_.fetch_add(1);
  }
  // Keep serving the mailbox until everyone is done: others may still send us work.
  return reported_quiescent_ && quiescent_workers_.load() >= engine_.num_shards();
}

}  // namespace ember
