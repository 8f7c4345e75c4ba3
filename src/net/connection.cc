#include "net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/clock.h"
#include "net/tls_context.h"
#include "net/tls_session.h"
#include "net/worker.h"

namespace ember {
namespace {

constexpr size_t kInitialBuffer = 16 * 1024;
constexpr size_t kReadChunk = 4 * 1024;
// Stop reading while this much output waits for a slow reader (backpressure).

std::string FormatAddress(const sockaddr_storage& addr) {
  char ip[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
    port = ntohs(in6->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

}  // namespace

Connection::Connection(Worker& worker, Engine& engine, int fd, uint32_t shard)
    : worker_(worker),
      engine_(engine),
      fd_(fd),
      session_(engine, shard, client_, &output_, &Connection::Resume, this),
      buffer_(new char[kInitialBuffer]),
      capacity_(kInitialBuffer) {
  client_.id = engine.clients().NextId();
  // Like Redis: a client that connected while no password was set stays authenticated.
  client_.authenticated = !engine.password_required();
  client_.fd = fd;
  client_.worker = shard;
  client_.created_ms = client_.last_active_ms = WallClockMs();
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    client_.addr = FormatAddress(addr);
  len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    client_.laddr = FormatAddress(addr);
  client_.connection = this;
  client_.push_target = this;
  client_.publish_sizes = [](void* self) { static_cast<Connection*>(self)->PublishBufferSizes(); };
  engine.clients().Add(&client_);
  engine.stats().connected_clients.fetch_add(1, std::memory_order_relaxed);
  engine.stats().total_connections_received.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  engine_.tracking().OnClientGone(client_);
  engine_.pubsub().DropClient(client_);  // deliveries still on their way find no one
  engine_.clients().Remove(&client_);
  engine_.client_memory().Add(client_.worker, -static_cast<int64_t>(published_memory_));
  // CLIENT KILL already took a killed client off the count (after Remove, no killer is
  // looking at it any more).
  if (!client_.kill_requested.load(std::memory_order_relaxed))
    engine_.stats().connected_clients.fetch_sub(1, std::memory_order_relaxed);
  if (fd_ >= 0) close(fd_);
}

char* Connection::ReadTarget(size_t* len) {
  size_t needed = session_.BytesNeededHint();  // of the command being received, if any
  // Never move bytes the session may still be pointing at.
  if (!session_.waiting()) {
    if (start_ == end_) {
      start_ = end_ = 0;
    } else if (start_ > 0 && (capacity_ - end_ < capacity_ / 4)) {
      memmove(buffer_.get(), buffer_.get() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    }
    // Grow only for a command that does not fit, never because a client streams commands
    // (a bulk load): its reads, and so its batches, stay small.
    size_t want = std::max<size_t>(needed, end_ - start_ + 4096);
    if (want > capacity_) {
      size_t new_capacity = std::max(capacity_ * 2, want);
      std::unique_ptr<char[]> bigger(new char[new_capacity]);
      memcpy(bigger.get(), buffer_.get() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
      buffer_.swap(bigger);
      capacity_ = new_capacity;
    }
  }
  // One read runs as one batch before other clients get a turn: kReadChunk bytes (~90 small
  // SETs, 0.1-0.3 ms while the table grows), or what the command being received still needs.
  size_t pending = end_ - start_;
  size_t chunk = std::max(kReadChunk, needed > pending ? needed - pending : 0);
  *len = std::min(capacity_ - end_, chunk);
  return buffer_.get() + end_;
}

void Connection::OnBytesRead(size_t n) {
  end_ += n;
  engine_.stats().total_net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  ProcessInput();
}

size_t Connection::TurnAllowance() {
  if (worker_.turn() != turn_) {
    turn_ = worker_.turn();
    turn_bytes_ = 0;
    // A command's bulk may come in whole this turn, as one plain receive would take it.
    turn_budget_ = std::max(kReadChunk, bytes_wanted());
  }
  return turn_budget_ - std::min(turn_budget_, turn_bytes_);
}

void Connection::OnBytesReceived(const char* data, size_t n) {
  engine_.stats().total_net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  while (n > 0 && spill_.empty() && !read_paused() && !session_.waiting()) {
    size_t len;
    char* target = ReadTarget(&len);
    size_t take = std::min({len, n, TurnAllowance()});
    if (take == 0) break;
    memcpy(target, data, take);
    end_ += take;
    turn_bytes_ += take;
    data += take;
    n -= take;
    ProcessInput();
  }
  if (n == 0) return;
  // A parked client may queue behind bytes already taken in (a pipeline of BLPOPs, each woken
  // in turn): drop those once they are half the area, so it holds only what is still to run.
  if (spill_offset_ > 0 && spill_offset_ >= spill_.size() / 2) {
    spill_.erase(0, spill_offset_);
    spill_offset_ = 0;
  }
  spill_.append(data, n);
  if (spilled() > static_cast<size_t>(engine_.config().client_query_buffer_limit)) {
    if (!peer_closed_)
      engine_.stats().client_query_buffer_limit_disconnections.fetch_add(1,
                                                                         std::memory_order_relaxed);
    MarkPeerClosed();  // as Redis closes a client past its query buffer limit
  }
  worker_.MarkDirty(this);  // the worker feeds it in on later turns
}

bool Connection::RefillFromSpill() {
  if (spilled() == 0) return false;
  size_t len;
  char* target = ReadTarget(&len);
  size_t take = std::min({len, spilled(), TurnAllowance()});
  memcpy(target, spill_.data() + spill_offset_, take);
  end_ += take;
  turn_bytes_ += take;
  spill_offset_ += take;
  if (spill_offset_ == spill_.size()) {
    spill_.clear();
    spill_offset_ = 0;
    if (spill_.capacity() > 64 * 1024) spill_.shrink_to_fit();
  }
  return take > 0;
}

void Connection::PublishBufferSizes() {
  // sending_offset counts into `sending` (io_uring) or into output_ (epoll, which has no
  // `sending`): either way this is what the kernel has not taken yet.
  size_t output = pending_output(), input = end_ - start_ + spilled();
  client_.qbuf.store(input, std::memory_order_relaxed);
  client_.qbuf_free.store(capacity_ - end_, std::memory_order_relaxed);
  client_.omem.store(output, std::memory_order_relaxed);
  size_t allocated =
      sizeof(Connection) + capacity_ + spill_.capacity() + output_.capacity() + sending.capacity();
  client_.tot_mem.store(allocated, std::memory_order_relaxed);
  ClientMemory& memory = engine_.client_memory();
  memory.Add(client_.worker,
             static_cast<int64_t>(allocated) - static_cast<int64_t>(published_memory_));
  published_memory_ = allocated;
  memory.NotePeaks(client_.worker, input, output);
  client_.rbs.store(capacity_, std::memory_order_relaxed);
  read_peak_ = std::max(read_peak_, end_);
  client_.rbp.store(read_peak_, std::memory_order_relaxed);
}

void Connection::Push(std::string_view frame, bool push) {
  if (closed || peer_closed_ || client_.kill_requested.load(std::memory_order_relaxed)) return;
  // A push for this client made by its own command (a keyspace notification, an invalidation)
  // waits until that command's reply is complete, not to land inside it.
  std::string& out = session_.replying() ? session_.deferred_pushes() : output_;
  size_t begin = out.size();
  out.append(frame);
  if (push && client_.resp >= 3) out[begin] = '>';
  worker_.OnPushed(this);
}

void Connection::ProcessInput() {
  // A connection being closed (reset, killed) runs nothing more, as Redis runs nothing for a
  // client it has freed, even when a cross-shard round it started comes back.
  if (closed || peer_closed_ || client_.kill_requested.load(std::memory_order_relaxed)) {
    // Killed (CLIENT KILL, the output limit): closed now, its unsent output dropped, as Redis
    // frees a killed client (a client that does not read would otherwise stay forever).
    if (!closed && !peer_closed_) MarkPeerClosed();
    worker_.MarkDirty(this);
    return;
  }
  input_held_ = false;
  session_.set_output_in_flight(sending.size() - std::min(sending.size(), sending_offset));
  while (!session_.waiting() && !session_.closing()) {
    if (start_ == end_ && !RefillFromSpill()) break;
    if (output_.size() >= OutputHighWater(engine_.config())) {
      input_held_ = true;
      break;
    }
    size_t consumed = session_.Process(std::string_view(buffer_.get() + start_, end_ - start_));
    start_ += consumed;
    if (session_.paused()) {  // CLIENT PAUSE: the worker runs the rest once it ends
      input_held_ = true;
      worker_.HoldWhilePaused(this);
      break;
    }
    // An incomplete command waits for more bytes: spilled ones first.
    if (consumed == 0 && !RefillFromSpill()) break;
  }
  // Never move the buffer under a read the kernel may still be filling (io_uring).
  bool kernel_fills_buffer = recv_pending && !recv_multishot;
  if (!session_.waiting() && start_ == end_ && !kernel_fills_buffer) {
    // Give back a buffer that grew for one huge command.
    if (capacity_ > 1024 * 1024) {
      buffer_.reset(new char[kInitialBuffer]);
      capacity_ = kInitialBuffer;
      read_peak_ = 0;
    }
    start_ = end_ = 0;
  }
  worker_.MarkDirty(this);
}

bool Connection::read_paused() const {
  // A blocked client keeps being read (into the spill area), so its hang-up is noticed.
  return session_.in_flight() || session_.closing() ||
         output_.size() >= OutputHighWater(engine_.config());
}

bool Connection::wants_close() const {
  // After a hang-up, the input that came before it still runs and its replies still go out
  // (a client that shut only its sending side reads them), unless the client is parked in a
  // blocking command, which would hold it open forever.
  bool input_done = session_.blocked() || (spilled() == 0 && !input_held_ && !session_.in_flight());
  // A QUIT or a protocol error closes once the replies before it are out, those of commands
  // still running on other shards included.
  bool closing = session_.closing() && !session_.in_flight();
  return closing || client_.kill_requested.load(std::memory_order_relaxed) || peer_closed_ ||
         (peer_eof_ && input_done);
}

bool Connection::StartTls() {
  SSL* ssl = tls::NewServerSsl();
  if (ssl == nullptr) return false;
  tls_ = std::make_unique<TlsSession>(ssl);
  return true;
}

void Connection::OnCipherReceived(const char* data, size_t n) {
  worker_.MarkDirty(this);  // the handshake's replies, if nothing else, are to be sent
  if (!tls_->Feed(data, n)) return MarkPeerClosed();
  char plain[16 * 1024];
  while (!peer_closed_) {
    int got = tls_->Read(plain, sizeof(plain));
    if (got > 0 && !refused_) {
      OnBytesReceived(plain, static_cast<size_t>(got));
      continue;
    }
    if (got > 0) continue;  // a refused client's commands never run
    if (got == TlsSession::kPeerClosed) MarkPeerEof();
    if (got == TlsSession::kFailed) {
      // The alert saying why (no certificate, a bad one, not TLS at all) goes out first, as
      // far as the socket takes it at once: the connection closes right after.
      std::string alert, none;
      if (tls_->Seal(none, &alert) && !alert.empty()) {
        [[maybe_unused]] ssize_t sent =
            send(fd_, alert.data(), alert.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      MarkPeerClosed();
    }
    break;
  }
  if (!refusal_.empty() && tls_->handshake_done() && !peer_closed_) {
    output_.swap(refusal_);
    refusal_.clear();
    MarkPeerEof();  // closes once the refusal is out
  }
}

bool Connection::SealOutput() {
  return tls_->Seal(output_, &sending);
}

void Connection::Resume(void* self) {
  auto* conn = static_cast<Connection*>(self);
  conn->ProcessInput();
  conn->worker_.OnResumed(conn);
}

}  // namespace ember
