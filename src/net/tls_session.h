#pragma once
// One connection's TLS state. OpenSSL reads and writes two memory buffers (BIOs), never the
// socket: the event loop moves ciphertext as it moves plain bytes, so both io backends keep
// their own reads and sends, and no SSL call can block the loop.
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace ember {

class TlsSession {
 public:
  // Takes ownership of `ssl` (from tls::NewServerSsl()).
  explicit TlsSession(SSL* ssl);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Ciphertext that came from the socket. False on a failure to buffer it.
  bool Feed(const char* data, size_t n);
  enum : int { kNothing = 0, kPeerClosed = -1, kFailed = -2 };
  // Plaintext decrypted from what was fed (running the handshake first): the byte count, or
  // kNothing (more ciphertext needed), kPeerClosed (close_notify), kFailed (a bad handshake,
  // garbage, a refused certificate).
  int Read(char* out, size_t capacity);
  // Encrypts `plain` (once the handshake is done; until then it waits there) and appends to
  // `*cipher` everything there is to send: handshake messages, alerts, records. False when
  // the connection is broken.
  bool Seal(std::string& plain, std::string* cipher);
  bool handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }

  // Where a receive of ciphertext may land (io_uring's plain receives).
  // Allocated on first use: the epoll backend reads into a buffer of its own.
  char* receive_buffer() {
    if (receive_buffer_ == nullptr) receive_buffer_.reset(new char[kReceiveBufferSize]);
    return receive_buffer_.get();
  }
  static constexpr size_t kReceiveBufferSize = 16 * 1024;

 private:
  SSL* ssl_;
  BIO* in_;   // ciphertext from the peer, read by SSL
  BIO* out_;  // ciphertext for the peer, written by SSL
  std::unique_ptr<char[]> receive_buffer_;
};

}  // namespace ember
