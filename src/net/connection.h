#pragma once
// One client connection: its read buffer, its output, and its command session. The event loop
// moves bytes; the session turns them into replies.
#include <cstdint>
#include <memory>
#include <string>

#include "commands/client_state.h"
#include "engine/engine.h"
#include "engine/session.h"

namespace ember {

class TlsSession;
class Worker;

class Connection final : public PushTarget {
 public:
  Connection(Worker& worker, Engine& engine, int fd, uint32_t shard);
  ~Connection();
  Connection(const Connection&) = delete;
  // A pub/sub message or MONITOR line for this client, on its own thread (engine/pubsub.h):
  // appended to the output unless the connection is going away; over its output limit, it
  // closes.
  void Push(std::string_view frame, bool push) override;
  // Output not yet taken by the kernel (what client-output-buffer-limit measures).
  size_t pending_output() const { return output_.size() + sending.size() - sending_offset; }
  // When the pending output last went over the soft output limit (0: it is not over it).
  int64_t soft_limit_since_ms = 0;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  ClientState& client() { return client_; }

  // TLS (accepted on the TLS port): null on a plain connection, whose paths never look further.
  TlsSession* tls() const { return tls_.get(); }
  // Makes this a TLS connection on the current context; false when there is none.
  bool StartTls();
  // Ciphertext from the socket: decrypted and taken in as OnBytesReceived() takes bytes.
  void OnCipherReceived(const char* data, size_t n);
  // TLS: encrypts the output and appends it to `sending` with the handshake's own messages;
  // false when the connection is broken.
  bool SealOutput();
  // Sends `message` once the handshake is done, then closes, running none of the client's
  // input (protected mode's refusal on the TLS port).
  void RefuseAfterHandshake(std::string_view message) {
    refusal_ = message;
    refused_ = true;
  }

  // Where the next read should land (grows or compacts the buffer as needed).
  char* ReadTarget(size_t* len);
  // `n` bytes arrived at ReadTarget(): run the complete commands among them.
  void OnBytesRead(size_t n);
  // `n` bytes arrived in a buffer the caller reuses right after (io_uring's provided buffers):
  // copies them in and runs what is complete. Bytes that arrive while the session points into
  // the read buffer (remote work in flight, a blocked client) or while input is held wait in a
  // spill area until it can take them, and so do bytes past this connection's share of the
  // worker's turn: one read's worth, as a plain receive would take (a fast sender must not
  // hold up everyone else's replies for a whole burst).
  void OnBytesReceived(const char* data, size_t n);
  // Bytes waiting in the spill area: the caller stops receiving while there are many, unless
  // the client is parked (see receives_while_parked()).
  size_t spilled() const { return spill_.size() - spill_offset_; }
  // A client parked by a blocking command keeps being read, into the spill area, up to
  // client-query-buffer-limit (as Redis reads into its query buffer): so its hang-up is seen
  // and it never takes a pushed element after it has gone.
  bool receives_while_parked() const { return session_.blocked(); }
  // Bytes the command being received is known to still need beyond what the read buffer holds.
  size_t bytes_wanted() const {
    size_t needed = session_.BytesNeededHint(), buffered = end_ - start_;
    return needed > buffered ? needed - buffered : 0;
  }
  // Runs whatever buffered input can run now (after a pause ends).
  void ProcessInput();
  // Input that waited (output over the high-water mark, a parked client's spill) may run now.
  // A waiting session takes its input when it resumes instead: running it from the event loop
  // would only mark the connection dirty again and spin the loop.
  bool input_runnable() const {
    return (input_held_ || spilled() > 0) && !read_paused() && !session_.waiting();
  }
  // Publishes the buffer sizes CLIENT LIST shows: once per loop turn in which the connection
  // had anything happen (every change to its buffers marks it dirty).
  void PublishBufferSizes();

  // Input is not read while remote work is in flight or too much output is queued.
  bool read_paused() const;
  bool has_output() const { return !output_.empty(); }
  // Output not yet accepted by the kernel, including bytes handed to an in-flight send.
  bool output_pending() const {
    return has_output() || send_pending || sending_offset < sending.size();
  }
  // Input was left unprocessed because too much output was queued.
  bool input_held() const { return input_held_; }
  std::string& output() { return output_; }
  // Should close once the output is flushed (QUIT, protocol error, kill).
  bool wants_close() const;
  // Remote work in flight: the connection may not be destroyed yet.
  bool busy() const { return session_.in_flight(); }
  Session& session() { return session_; }
  bool in_blocked_list = false;
  // The peer can no longer take replies (reset, error, an unread flood): close now.
  // A parked client stops waiting at once (see Session::AbandonBlock()).
  void MarkPeerClosed() {
    peer_closed_ = true;
    session_.AbandonBlock();
  }
  bool peer_closed() const { return peer_closed_; }
  // The peer will send nothing more (a receive found the end of the stream): close once the
  // input before it has run and its replies are out (see wants_close()).
  void MarkPeerEof() {
    peer_eof_ = true;
    session_.AbandonBlock();  // as Redis frees it: a client that hung up is never parked
  }
  bool peer_eof() const { return peer_eof_; }

  // Event-loop bookkeeping for the io_uring backend.
  bool recv_pending = false;
  bool recv_multishot = false;    // io_uring: the receive in flight fills provided buffers
  bool recv_cancel_sent = false;  // io_uring: its cancellation was asked for
  bool recv_streaming = false;    // io_uring: the peer fills whole buffers: plain receives
  bool recv_drained = false;      // io_uring: the last receive got less than it asked for
  size_t recv_asked = 0;          // io_uring: the size of the receive in flight
  bool send_pending = false;
  std::string sending;  // bytes handed to the kernel, stable until the send completes
  size_t sending_offset = 0;
  bool in_dirty_list = false;
  bool in_paused_list = false;
  bool read_stalled = false;      // reading stopped for a pause, not because input ran out
  bool hangup_signalled = false;  // epoll: the peer hung up; read on to the EOF
  bool closed = false;

 private:
  static void Resume(void* self);
  // Moves spilled bytes into the read buffer; false when there were none to move.
  bool RefillFromSpill();
  // Bytes this connection may still take in during the worker's current turn.
  size_t TurnAllowance();

  Worker& worker_;
  Engine& engine_;
  int fd_;
  ClientState client_;
  std::string output_;
  Session session_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t start_ = 0;             // first unprocessed byte
  size_t end_ = 0;               // one past the last byte read
  size_t read_peak_ = 0;         // the most of the buffer in use since it last shrank (rbp=)
  size_t published_memory_ = 0;  // tot-mem as last added to the worker's client memory
  std::string spill_;
  size_t spill_offset_ = 0;  // bytes of spill_ already moved into the buffer
  uint64_t turn_ = 0;        // the worker's turn that turn_bytes_ counts
  size_t turn_bytes_ = 0;
  size_t turn_budget_ = 0;
  bool peer_closed_ = false;
  bool peer_eof_ = false;
  bool input_held_ = false;
  std::unique_ptr<TlsSession> tls_;
  std::string refusal_;  // sent once the handshake is done
  bool refused_ = false;
};

}  // namespace ember
