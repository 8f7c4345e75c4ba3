// The io_uring backend: completion-based I/O. Every connection keeps one recv in flight into its
// own read buffer; replies leave as one send per connection per loop iteration; accepts are
// multishot; and one io_uring_enter per iteration submits everything and waits. Client sockets
// are registered with the ring (fixed files, indexed by fd), so no op pays the kernel's file
// lookup and reference count.
#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "net/worker.h"

namespace ember {
namespace {

enum OpTag : uint64_t { kRecv = 0, kSend = 1, kAccept = 2, kMailbox = 3, kCancel = 4 };
constexpr uint64_t kTagMask = 7;
constexpr unsigned kRingEntries = 4096;
// Sockets with an fd below this are registered; any above use the plain fd.
constexpr unsigned kFixedFiles = 16384;

uint64_t Encode(void* ptr, OpTag tag) {
  return reinterpret_cast<uint64_t>(ptr) | tag;
}

class UringWorker : public Worker {
 public:
  using Worker::Worker;
  ~UringWorker() override {
    if (ring_ready_) io_uring_queue_exit(&ring_);
  }

  void Run() override {
    // Prefer deferred task running (6.1+): completion work runs inside our own io_uring_enter
    // instead of interrupting the thread; fall back to older setups.
    bool ready = false;
    for (unsigned flags : {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
                           IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN, 0u}) {
      io_uring_params params{};
      params.flags = flags;
      if (io_uring_queue_init_params(kRingEntries, &ring_, &params) == 0) {
        ready = true;
        break;
      }
    }
    if (!ready) return;
    ring_ready_ = true;
    io_uring_register_ring_fd(&ring_);  // io_uring_enter then skips the ring's own fd lookup
    if (io_uring_register_files_sparse(&ring_, kFixedFiles) == 0)
      registered_.assign(kFixedFiles, false);
    ArmAccept();
    ArmMailbox();
    Mailbox& mailbox = engine_.mailbox(shard_);
    while (true) {
      int timeout_ms = RunTimers();
      if (!dirty_.empty()) timeout_ms = 0;
      if (timeout_ms > 0 && !mailbox.PrepareToSleep()) timeout_ms = 0;
      __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000ll};
      io_uring_cqe* cqe = nullptr;
      if (timeout_ms > 0) {
        io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
      } else {
        io_uring_submit_and_get_events(&ring_);
      }
      mailbox.WokeUp();
      unsigned head;
      unsigned count = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        HandleCompletion(cqe);
        ++count;
      }
      io_uring_cq_advance(&ring_, count);
      RunMailbox();
      // The accept in flight holds the listening socket: exit only once its cancellation has
      // completed, or the socket outlives the process in the ring's teardown and a server
      // restarted on the port right away finds it still listening.
      if (engine_.shutdown_requested() && ShutdownStep() && !accept_live_) break;
      FlushDirty();
    }
  }

 private:
  io_uring_sqe* Sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {  // ring full: submit what we have and retry
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }

  bool Registered(int fd) const {
    return static_cast<size_t>(fd) < registered_.size() && registered_[fd];
  }

  // A registered socket's slot index is its fd, which the SQE already names: only the flag
  // changes.
  void SetTarget(io_uring_sqe* sqe, Connection* conn) {
    if (Registered(conn->fd())) sqe->flags |= IOSQE_FIXED_FILE;
  }

  void Register(Connection* conn) {
    int fd = conn->fd();
    if (static_cast<size_t>(fd) >= registered_.size()) return;
    registered_[fd] = io_uring_register_files_update(&ring_, fd, &fd, 1) == 1;
  }

  // A registered socket stays open until its slot is cleared: clear it before the close.
  void OnDestroy(Connection* conn) override {
    int fd = conn->fd();
    if (!Registered(fd)) return;
    int none = -1;
    io_uring_register_files_update(&ring_, fd, &none, 1);
    registered_[fd] = false;
  }

  void ArmAccept() {
    if (listen_fd_ < 0) return;
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_multishot_accept(sqe, listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, Encode(nullptr, kAccept));
    accept_live_ = true;
  }

  void ArmMailbox() {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_read(sqe, engine_.mailbox(shard_).event_fd(), &mailbox_value_,
                       sizeof(mailbox_value_), 0);
    io_uring_sqe_set_data64(sqe, Encode(nullptr, kMailbox));
  }

  void ArmRecv(Connection* conn) {
    if (conn->recv_pending || conn->closed || conn->peer_closed() || conn->read_paused() ||
        draining_)
      return;
    size_t len;
    char* target = conn->ReadTarget(&len);
    if (len == 0) return;
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_recv(sqe, conn->fd(), target, len, 0);
    // The last receive emptied the socket, and this one is armed right after its replies went
    // out: the peer has not answered yet, so wait for data instead of trying a receive that
    // would find none first.
    if (conn->recv_drained) sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
    SetTarget(sqe, conn);
    io_uring_sqe_set_data64(sqe, Encode(conn, kRecv));
    conn->recv_pending = true;
    conn->recv_asked = len;
  }

  void ArmSend(Connection* conn) {
    if (conn->send_pending || conn->closed) return;
    if (conn->sending_offset >= conn->sending.size()) {
      if (!conn->has_output()) return;
      conn->sending.clear();
      conn->sending.swap(conn->output());
      conn->sending_offset = 0;
    }
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_send(sqe, conn->fd(), conn->sending.data() + conn->sending_offset,
                       conn->sending.size() - conn->sending_offset, MSG_NOSIGNAL);
    SetTarget(sqe, conn);
    io_uring_sqe_set_data64(sqe, Encode(conn, kSend));
    conn->send_pending = true;
  }

  void HandleCompletion(io_uring_cqe* cqe) {
    uint64_t data = io_uring_cqe_get_data64(cqe);
    auto tag = static_cast<OpTag>(data & kTagMask);
    auto* conn = reinterpret_cast<Connection*>(data & ~kTagMask);
    int res = cqe->res;
    switch (tag) {
      case kAccept:
        if (res >= 0) {
          if (Connection* accepted = Accept(res)) {
            Register(accepted);
            ArmRecv(accepted);
          }
        }
        if (!(cqe->flags & IORING_CQE_F_MORE)) {
          accept_live_ = false;
          if (!draining_) ArmAccept();
        }
        break;
      case kMailbox:
        ArmMailbox();
        break;
      case kRecv:
        conn->recv_pending = false;
        if (res > 0 && !conn->closed) {
          conn->recv_drained = static_cast<size_t>(res) < conn->recv_asked;
          conn->client().last_active_ms = loop_now_ms_;
          conn->OnBytesRead(static_cast<size_t>(res));
        } else if (res != -EAGAIN && res != -EINTR) {
          conn->MarkPeerClosed();
        }
        MarkDirty(conn);
        break;
      case kSend:
        conn->send_pending = false;
        if (res > 0) {
          conn->sending_offset += static_cast<size_t>(res);
          engine_.stats().total_net_output_bytes.fetch_add(static_cast<size_t>(res),
                                                           std::memory_order_relaxed);
        } else if (res != -EAGAIN && res != -EINTR) {
          conn->MarkPeerClosed();
        }
        MarkDirty(conn);
        break;
      case kCancel:
        break;
    }
  }

  void FlushDirty() {
    flushing_.clear();
    flushing_.swap(dirty_);
    for (Connection* conn : flushing_) {
      conn->in_dirty_list = false;
      if (conn->closed) {
        if (!conn->recv_pending && !conn->send_pending && !conn->busy()) Destroy(conn);
        continue;
      }
      size_t pending = conn->output().size() + conn->sending.size() - conn->sending_offset;
      if (pending > static_cast<size_t>(engine_.config().client_output_buffer_limit))
        conn->MarkPeerClosed();
      bool flushed = !conn->has_output() && conn->sending_offset >= conn->sending.size();
      if (conn->peer_closed() || (conn->wants_close() && flushed && !conn->send_pending)) {
        BeginClose(conn);
        continue;
      }
      if (conn->input_held() && !conn->read_paused()) conn->ProcessInput();
      ArmSend(conn);
      ArmRecv(conn);
    }
  }

  // In-flight operations hold the socket: shut it down so they complete, then free the
  // connection once none remain.
  void BeginClose(Connection* conn) {
    conn->closed = true;
    shutdown(conn->fd(), SHUT_RDWR);
    if (conn->recv_pending || conn->send_pending) {
      io_uring_sqe* sqe = Sqe();
      io_uring_prep_cancel64(sqe, Encode(conn, kRecv), 0);
      io_uring_sqe_set_data64(sqe, Encode(nullptr, kCancel));
    }
    MarkDirty(conn);
  }

  void StopAccepting() override {
    if (listen_fd_ < 0) return;
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_cancel64(sqe, Encode(nullptr, kAccept), 0);
    io_uring_sqe_set_data64(sqe, Encode(nullptr, kCancel));
    io_uring_submit(&ring_);
    close(listen_fd_);
    listen_fd_ = -1;
  }

  io_uring ring_{};
  bool ring_ready_ = false;
  bool accept_live_ = false;      // a multishot accept is armed (it holds the listening socket)
  std::vector<bool> registered_;  // by fd: the socket holds its fixed-file slot
  uint64_t mailbox_value_ = 0;
};

}  // namespace

std::unique_ptr<Worker> MakeUringWorker(Engine& engine, uint32_t shard, int listen_fd) {
  return std::make_unique<UringWorker>(engine, shard, listen_fd);
}

bool Worker::UringAvailable() {
  io_uring ring;
  if (io_uring_queue_init(8, &ring, 0) < 0) return false;
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  // Multishot accept, IORING_RECVSEND_POLL_FIRST and sparse file tables came with 5.19, which
  // has no probe of its own: IORING_OP_SOCKET arrived in the same release. Older kernels reject
  // those with EINVAL, so they get the epoll backend.
  bool ok = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_RECV) &&
            io_uring_opcode_supported(probe, IORING_OP_SEND) &&
            io_uring_opcode_supported(probe, IORING_OP_ACCEPT) &&
            io_uring_opcode_supported(probe, IORING_OP_SOCKET);
  if (probe != nullptr) io_uring_free_probe(probe);
  io_uring_queue_exit(&ring);
  return ok;
}

std::unique_ptr<Worker> MakeEpollWorker(Engine& engine, uint32_t shard, int listen_fd);

std::unique_ptr<Worker> Worker::Create(const std::string& backend, Engine& engine, uint32_t shard,
                                       int listen_fd) {
  if (backend == "epoll") return MakeEpollWorker(engine, shard, listen_fd);
  return MakeUringWorker(engine, shard, listen_fd);
}

}  // namespace ember
