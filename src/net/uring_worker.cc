// The io_uring backend: completion-based I/O. Every connection keeps one multishot receive armed
// into the worker's provided buffers (a plain receive into its own buffer for a big bulk, or on
// kernels before 6.0); replies leave as one send per connection per loop iteration; accepts are
// multishot; and one io_uring_enter per iteration submits everything and waits. Client sockets
// are registered with the ring (fixed files, indexed by fd), so no op pays the kernel's file
// lookup and reference count.
#include <liburing.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "net/tls_session.h"
#include "net/worker.h"

namespace ember {
namespace {

enum OpTag : uint64_t {
  kRecv = 0,
  kSend = 1,
  kAccept = 2,
  kMailbox = 3,
  kCancel = 4,
  kTlsAccept = 5
};
constexpr uint64_t kTagMask = 7;
constexpr unsigned kRingEntries = 4096;
// Sockets with an fd below this are registered; any above use the plain fd.
constexpr unsigned kFixedFiles = 16384;
// Receives land in buffers the worker lends the kernel (a provided-buffer ring): one armed
// multishot receive per connection then serves every request, with no submission or poll
// arming per read. A buffer holds one read batch (the same 4 KiB a plain receive asks for) and
// goes back to the ring as soon as its bytes are copied out.
constexpr unsigned kRecvBuffers = 256;
constexpr unsigned kRecvBufferSize = 4096;
constexpr uint16_t kRecvBufferGroup = 0;
// Stop receiving while this much input waits for the connection to take it.
constexpr size_t kSpillLimit = 64 * 1024;

uint64_t Encode(void* ptr, OpTag tag) {
  return reinterpret_cast<uint64_t>(ptr) | tag;
}

class UringWorker : public Worker {
 public:
  using Worker::Worker;
  ~UringWorker() override {
    if (ring_ready_) io_uring_queue_exit(&ring_);
    if (buffer_ring_ != nullptr) munmap(buffer_ring_, BufferRingBytes());
  }

  void Run() override {
    BindThread();
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
    SetUpBufferRing();
    ArmAccept(listen_fd_, kAccept);
    ArmAccept(tls_listen_fd_, kTlsAccept);
    ArmMailbox();
    Mailbox& mailbox = engine_.mailbox(shard_);
    while (true) {
      ++turn_;
      int timeout_ms = RunTimers();
      // A snapshot in progress serialises a slice every turn: no sleeping meanwhile.
      if (!dirty_.empty() || engine_.shard(shard_).snapshot() != nullptr) timeout_ms = 0;
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
      if (buffers_returned_ > 0) {
        io_uring_buf_ring_advance(buffer_ring_, buffers_returned_);
        buffers_returned_ = 0;
      }
      RunMailbox();
      // The accept in flight holds the listening socket: exit only once its cancellation has
      // completed, or the socket outlives the process in the ring's teardown and a server
      // restarted on the port right away finds it still listening.
      CommitTurn();
      if (engine_.shutdown_requested() && ShutdownStep() && !accept_live_ && !tls_accept_live_)
        break;
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

  // tag: kAccept (the plain listener) or kTlsAccept.
  void ArmAccept(int listen_fd, OpTag tag) {
    if (listen_fd < 0) return;
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_multishot_accept(sqe, listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, Encode(nullptr, tag));
    (tag == kAccept ? accept_live_ : tls_accept_live_) = true;
  }

  void ArmMailbox() {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_read(sqe, engine_.mailbox(shard_).event_fd(), &mailbox_value_,
                       sizeof(mailbox_value_), 0);
    io_uring_sqe_set_data64(sqe, Encode(nullptr, kMailbox));
  }

  static size_t BufferRingBytes() { return kRecvBuffers * sizeof(io_uring_buf); }

  // Multishot receives came with 6.0, which has no probe of its own: IORING_OP_SEND_ZC arrived
  // in the same release. Older kernels keep plain receives.
  bool MultishotRecvSupported() {
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    bool ok = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
    if (probe != nullptr) io_uring_free_probe(probe);
    return ok;
  }

  void SetUpBufferRing() {
    if (!MultishotRecvSupported()) return;
    void* mem = mmap(nullptr, BufferRingBytes(), PROT_READ | PROT_WRITE,
                     MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return;
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(mem);
    reg.ring_entries = kRecvBuffers;
    reg.bgid = kRecvBufferGroup;
    if (io_uring_register_buf_ring(&ring_, &reg, 0) != 0) {
      munmap(mem, BufferRingBytes());
      return;
    }
    buffer_ring_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_ring_init(buffer_ring_);
    recv_buffers_.reset(new char[size_t{kRecvBuffers} * kRecvBufferSize]);
    for (unsigned id = 0; id < kRecvBuffers; ++id) ReturnBuffer(id);
    io_uring_buf_ring_advance(buffer_ring_, buffers_returned_);
    buffers_returned_ = 0;
  }

  char* RecvBuffer(unsigned id) { return recv_buffers_.get() + size_t{id} * kRecvBufferSize; }

  // Queued here, made visible to the kernel once per batch of completions.
  void ReturnBuffer(unsigned id) {
    io_uring_buf_ring_add(buffer_ring_, RecvBuffer(id), kRecvBufferSize, static_cast<uint16_t>(id),
                          io_uring_buf_ring_mask(kRecvBuffers),
                          static_cast<int>(buffers_returned_));
    ++buffers_returned_;
  }

  void ArmRecv(Connection* conn) {
    if (conn->recv_pending || conn->closed || conn->peer_closed() || conn->peer_eof() ||
        conn->read_paused() || draining_)
      return;
    bool parked = conn->receives_while_parked();
    if (conn->spilled() > 0 && !parked) return;  // what already came is taken in first
    // A client that sends a buffer's worth or more per turn (a bulk load, deep pipelines), or a
    // big command's bulk, is read by plain receives straight into the connection's buffer: one
    // read per turn, the flow control a multishot receive lacks (it would take whatever the
    // socket holds, buffer after buffer, each one copied).
    // A parked client's input all goes to its spill area, so only a multishot receive fits.
    // TLS: plain receives of ciphertext into the session's own buffer (decrypting is the copy
    // out of it).
    bool tls = conn->tls() != nullptr;
    if (buffer_ring_ != nullptr && !tls &&
        (parked || (!conn->recv_streaming && !WantsBigRead(conn)))) {
      io_uring_sqe* sqe = Sqe();
      io_uring_prep_recv_multishot(sqe, conn->fd(), nullptr, 0, 0);
      sqe->flags |= IOSQE_BUFFER_SELECT;
      sqe->buf_group = kRecvBufferGroup;
      SetTarget(sqe, conn);
      io_uring_sqe_set_data64(sqe, Encode(conn, kRecv));
      conn->recv_pending = true;
      conn->recv_multishot = true;
      conn->recv_cancel_sent = false;
      return;
    }
    size_t len = TlsSession::kReceiveBufferSize;
    char* target = tls ? conn->tls()->receive_buffer() : conn->ReadTarget(&len);
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
    conn->recv_multishot = false;
    conn->recv_asked = len;
  }

  static bool WantsBigRead(const Connection* conn) {
    return conn->bytes_wanted() > kRecvBufferSize;
  }

  // Ends a live multishot receive (its last completion comes without IORING_CQE_F_MORE).
  void CancelRecv(Connection* conn) {
    if (!conn->recv_pending || conn->recv_cancel_sent) return;
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_cancel64(sqe, Encode(conn, kRecv), 0);
    io_uring_sqe_set_data64(sqe, Encode(nullptr, kCancel));
    conn->recv_cancel_sent = true;
  }

  void HandleMultishotRecv(Connection* conn, io_uring_cqe* cqe) {
    int res = cqe->res;
    unsigned buffer = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    if (!(cqe->flags & IORING_CQE_F_MORE)) conn->recv_pending = false;
    if (res > 0 && !conn->closed) {
      conn->client().last_active_ms = loop_now_ms_;
      if (static_cast<unsigned>(res) == kRecvBufferSize) conn->recv_streaming = true;
      conn->OnBytesReceived(RecvBuffer(buffer), static_cast<size_t>(res));
    } else if (res == 0) {
      conn->MarkPeerEof();
    } else if (res < 0 && res != -ENOBUFS && res != -ECANCELED && res != -EAGAIN && res != -EINTR) {
      conn->MarkPeerClosed();
    }
    if (cqe->flags & IORING_CQE_F_BUFFER) ReturnBuffer(buffer);
    MarkDirty(conn);
  }

  void ArmSend(Connection* conn) {
    if (conn->send_pending || conn->closed) return;
    if (conn->tls() != nullptr && conn->sending_offset >= conn->sending.size()) [[unlikely]] {
      conn->sending.clear();
      conn->sending_offset = 0;
      if (!conn->SealOutput()) return conn->MarkPeerClosed();
      if (conn->sending.empty()) return;
    } else if (conn->sending_offset >= conn->sending.size()) {
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
      case kTlsAccept:
        if (res >= 0) {
          if (Connection* accepted = Accept(res, tag == kTlsAccept)) {
            Register(accepted);
            ArmRecv(accepted);
          }
        } else if (res == -EMFILE || res == -ENFILE) {
          RefuseWhileOutOfDescriptors(tag == kAccept ? listen_fd_ : tls_listen_fd_,
                                      tag == kTlsAccept);
        }
        if (!(cqe->flags & IORING_CQE_F_MORE)) {
          (tag == kAccept ? accept_live_ : tls_accept_live_) = false;
          if (!draining_) ArmAccept(tag == kAccept ? listen_fd_ : tls_listen_fd_, tag);
        }
        break;
      case kMailbox:
        ArmMailbox();
        break;
      case kRecv:
        if (conn->recv_multishot) {
          HandleMultishotRecv(conn, cqe);
          break;
        }
        conn->recv_pending = false;
        if (res > 0 && !conn->closed) {
          conn->recv_drained = static_cast<size_t>(res) < conn->recv_asked;
          if (conn->recv_drained) conn->recv_streaming = false;
          conn->client().last_active_ms = loop_now_ms_;
          if (conn->tls() != nullptr) [[unlikely]] {
            conn->OnCipherReceived(conn->tls()->receive_buffer(), static_cast<size_t>(res));
          } else {
            conn->OnBytesRead(static_cast<size_t>(res));
          }
        } else if (res == 0) {
          conn->MarkPeerEof();
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
      if (OutputOverLimit(conn)) CloseOverLimit(conn);
      bool flushed = !conn->has_output() && conn->sending_offset >= conn->sending.size();
      if (conn->peer_closed() || (conn->wants_close() && flushed && !conn->send_pending)) {
        BeginClose(conn);
        continue;
      }
      if (conn->input_runnable()) conn->ProcessInput();
      bool flow_control =
          !conn->receives_while_parked() &&
          (conn->recv_streaming || conn->spilled() >= kSpillLimit || WantsBigRead(conn));
      if (conn->recv_multishot && (draining_ || flow_control)) CancelRecv(conn);
      ArmSend(conn);
      ArmRecv(conn);
      conn->PublishBufferSizes();
    }
    CheckClientMemory();
  }

  // In-flight operations hold the socket: shut it down so they complete, then free the
  // connection once none remain.
  void BeginClose(Connection* conn) {
    conn->closed = true;
    conn->session().AbandonBlock();  // the connection lives on until its operations complete
    if (!conn->client().socket_handed_off) shutdown(conn->fd(), SHUT_RDWR);
    if (conn->recv_pending || conn->send_pending) {
      io_uring_sqe* sqe = Sqe();
      io_uring_prep_cancel64(sqe, Encode(conn, kRecv), 0);
      io_uring_sqe_set_data64(sqe, Encode(nullptr, kCancel));
    }
    MarkDirty(conn);
  }

  void StopAccepting() override {
    for (auto [fd, tag] :
         {std::pair{&listen_fd_, kAccept}, std::pair{&tls_listen_fd_, kTlsAccept}}) {
      if (*fd < 0) continue;
      io_uring_sqe* sqe = Sqe();
      io_uring_prep_cancel64(sqe, Encode(nullptr, tag), 0);
      io_uring_sqe_set_data64(sqe, Encode(nullptr, kCancel));
      io_uring_submit(&ring_);
      close(*fd);
      *fd = -1;
    }
  }

  io_uring ring_{};
  bool ring_ready_ = false;
  bool accept_live_ = false;      // a multishot accept is armed (it holds the listening socket)
  bool tls_accept_live_ = false;  // the same for the TLS listener
  std::vector<bool> registered_;  // by fd: the socket holds its fixed-file slot
  uint64_t mailbox_value_ = 0;
  io_uring_buf_ring* buffer_ring_ = nullptr;  // null: plain receives into each connection
  std::unique_ptr<char[]> recv_buffers_;
  unsigned buffers_returned_ = 0;  // added to the ring since it was last advanced
};

}  // namespace

std::unique_ptr<Worker> MakeUringWorker(Engine& engine, uint32_t shard, int listen_fd,
                                        int tls_listen_fd) {
  return std::make_unique<UringWorker>(engine, shard, listen_fd, tls_listen_fd);
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

std::unique_ptr<Worker> MakeEpollWorker(Engine& engine, uint32_t shard, int listen_fd,
                                        int tls_listen_fd);

std::unique_ptr<Worker> Worker::Create(const std::string& backend, Engine& engine, uint32_t shard,
                                       int listen_fd, int tls_listen_fd) {
  if (backend == "epoll") return MakeEpollWorker(engine, shard, listen_fd, tls_listen_fd);
  return MakeUringWorker(engine, shard, listen_fd, tls_listen_fd);
}

}  // namespace ember
