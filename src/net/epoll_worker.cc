// The epoll backend: edge-triggered readiness, reads until a short read, one write per flush.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "net/worker.h"

namespace ember {
namespace {

constexpr uint64_t kListenerTag = 1;
constexpr uint64_t kMailboxTag = 2;
constexpr uint64_t kTlsListenerTag = 3;
// A client streaming commands gets this many reads (of up to 16 KiB each) per loop iteration,
// so one bulk loader cannot hold everyone else back for long.
constexpr int kReadsPerTurn = 4;

class EpollWorker : public Worker {
 public:
  using Worker::Worker;
  ~EpollWorker() override {
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  void Run() override {
    BindThread();
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (listen_fd_ >= 0) Watch(listen_fd_, EPOLLIN, kListenerTag);
    if (tls_listen_fd_ >= 0) Watch(tls_listen_fd_, EPOLLIN, kTlsListenerTag);
    Watch(engine_.mailbox(shard_).event_fd(), EPOLLIN, kMailboxTag);
    epoll_event events[256];
    Mailbox& mailbox = engine_.mailbox(shard_);
    while (true) {
      ++turn_;
      int timeout = RunTimers();
      // A snapshot in progress serialises a slice every turn: no sleeping meanwhile.
      if (!dirty_.empty() || engine_.shard(shard_).snapshot() != nullptr) timeout = 0;
      if (timeout > 0 && !mailbox.PrepareToSleep()) timeout = 0;
      int n = epoll_wait(epoll_fd_, events, 256, timeout);
      mailbox.WokeUp();
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[i].data.u64;
        if (tag == kListenerTag) {
          AcceptAll(listen_fd_, /*tls=*/false);
        } else if (tag == kTlsListenerTag) {
          AcceptAll(tls_listen_fd_, /*tls=*/true);
        } else if (tag == kMailboxTag) {
          mailbox.DrainEventFd();
        } else {
          auto* conn = static_cast<Connection*>(events[i].data.ptr);
          // With a hang-up pending, a short read is not the end: read on to the EOF.
          // Kept on the connection: a read paused now resumes later, with no new edge.
          if (events[i].events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) conn->hangup_signalled = true;
          if (conn->hangup_signalled || (events[i].events & EPOLLIN)) ReadFrom(conn);
          if (events[i].events & EPOLLOUT) MarkDirty(conn);
        }
      }
      RunMailbox();
      CommitTurn();
      if (engine_.shutdown_requested() && ShutdownStep()) break;
      FlushDirty();
    }
  }

 private:
  void Watch(int fd, uint32_t events, uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }

  // A socket PSYNC handed to the replication sender stays open after our close, and so would
  // its registration here: take it out first.
  void OnDestroy(Connection* conn) override {
    if (conn->client().socket_handed_off) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd(), nullptr);
  }

  void RetryAccepts() override {
    AcceptAll(listen_fd_, /*tls=*/false);
    AcceptAll(tls_listen_fd_, /*tls=*/true);
  }

  void StopAccepting() override {
    for (int* fd : {&listen_fd_, &tls_listen_fd_}) {
      if (*fd < 0) continue;
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, *fd, nullptr);
      close(*fd);
      *fd = -1;
    }
  }

  void AcceptAll(const int& listen_fd, bool tls) {
    while (listen_fd >= 0) {
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR) continue;
        if (errno == EMFILE || errno == ENFILE) RefuseWhileOutOfDescriptors(listen_fd, tls);
        return;  // EAGAIN, or nothing more to do until the next event
      }
      Connection* conn = Accept(fd, tls);
      if (conn == nullptr) continue;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = conn;
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
      ReadFrom(conn);
    }
  }

  void ReadFrom(Connection* conn) {
    if (conn->peer_eof()) return;
    bool until_eof = conn->hangup_signalled;
    conn->read_stalled = false;
    for (int reads = 0; !conn->peer_closed(); ++reads) {
      if (reads == kReadsPerTurn && !until_eof) {
        conn->read_stalled = true;  // more may wait: read again after the others had a turn
        break;
      }
      // Bytes that came while the client was parked run first, before any read after them.
      bool parked = conn->receives_while_parked();
      if (conn->read_paused() || draining_ || (conn->spilled() > 0 && !parked)) {
        conn->read_stalled = true;  // edge-triggered: read again when the pause ends
        break;
      }
      // TLS: ciphertext lands beside the connection, which takes in what it decrypts.
      bool tls = conn->tls() != nullptr;
      size_t len = sizeof(parked_input_);
      char* target = parked || tls ? parked_input_ : conn->ReadTarget(&len);
      ssize_t n = read(conn->fd(), target, len);
      if (n > 0) {
        conn->client().last_active_ms = loop_now_ms_;
        if (tls) [[unlikely]] {
          conn->OnCipherReceived(target, static_cast<size_t>(n));
        } else if (parked) {
          conn->OnBytesReceived(target, static_cast<size_t>(n));  // queued in its spill area
        } else {
          conn->OnBytesRead(static_cast<size_t>(n));
        }
        if (static_cast<size_t>(n) < len && !until_eof) break;  // drained: the next edge tells us
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n == 0) {
        conn->MarkPeerEof();  // replies to what came before still go out
      } else {
        conn->MarkPeerClosed();
      }
      break;
    }
    MarkDirty(conn);
  }

  void FlushDirty() {
    // Handlers may mark more connections dirty while we flush; swap first (two vectors that
    // keep their capacity, so the loop allocates nothing).
    flushing_.clear();
    flushing_.swap(dirty_);
    for (Connection* conn : flushing_) {
      conn->in_dirty_list = false;
      if (conn->read_stalled && !conn->read_paused() && !draining_) ReadFrom(conn);
      Write(conn);
      // Output drained below the high-water mark, or a parked client woke: run the input that
      // waited.
      if (conn->input_runnable()) conn->ProcessInput();
      bool close_now = conn->peer_closed() || (conn->wants_close() && !conn->output_pending());
      if (close_now && !conn->busy()) {
        Destroy(conn);
      } else {
        conn->PublishBufferSizes();
      }
    }
    CheckClientMemory();
  }

  void Write(Connection* conn) {
    if (conn->tls() != nullptr) [[unlikely]] {
      // New output is sealed only once the last ciphertext is out: until then it waits as
      // plaintext, where the high-water mark sees it and stops reading (backpressure).
      if (conn->sending_offset >= conn->sending.size()) {
        conn->sending.clear();
        conn->sending_offset = 0;
        if (!conn->SealOutput()) return conn->MarkPeerClosed();
      }
      return Send(conn, conn->sending);
    }
    Send(conn, conn->output());
  }

  // Sends `out` from conn->sending_offset on: the output itself, or a TLS connection's
  // ciphertext.
  void Send(Connection* conn, std::string& out) {
    size_t written = 0;
    while (conn->sending_offset < out.size()) {
      ssize_t n = send(conn->fd(), out.data() + conn->sending_offset,
                       out.size() - conn->sending_offset, MSG_NOSIGNAL);
      if (n > 0) {
        conn->sending_offset += static_cast<size_t>(n);
        written += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      conn->MarkPeerClosed();
      break;
    }
    engine_.stats().total_net_output_bytes.fetch_add(written, std::memory_order_relaxed);
    if (conn->sending_offset == out.size()) {
      out.clear();
      conn->sending_offset = 0;
      conn->soft_limit_since_ms = 0;  // under every output limit again
      if (conn->read_stalled && !conn->read_paused()) ReadFrom(conn);
    } else if (OutputOverLimit(conn)) {
      CloseOverLimit(conn);  // a client that never reads cannot hold unbounded memory
    } else if (conn->sending_offset > 0) {
      out.erase(0, conn->sending_offset);
      conn->sending_offset = 0;
    }
  }

  int epoll_fd_ = -1;
  char parked_input_[16 * 1024];  // a parked client's reads land here on their way to its spill
};

}  // namespace

std::unique_ptr<Worker> MakeEpollWorker(Engine& engine, uint32_t shard, int listen_fd,
                                        int tls_listen_fd) {
  return std::make_unique<EpollWorker>(engine, shard, listen_fd, tls_listen_fd);
}

}  // namespace ember
