#pragma once
// The byte stream under ember-cli's connection: a non-blocking TCP or unix socket, optionally
// wrapped in TLS (OpenSSL). Read/Write never block; Wait() polls for what the last call needed.
#include <sys/types.h>

#include <memory>
#include <string>

namespace ember::cli {

// Set by ember-cli's SIGINT handler: a wait interrupted by the signal gives up instead of
// resuming (Ctrl-C during MONITOR, --stat, a slow reply).
extern volatile int g_interrupted;

struct TlsOptions {
  bool enabled = false;
  std::string cacert, cacertdir, cert, key, sni;
  bool insecure = false;
};

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // when set, host and port are ignored
  TlsOptions tls;
  int connect_timeout_ms = 0;  // 0: the system's
};

class Transport {
 public:
  static constexpr ssize_t kWouldBlock = -2;
  static constexpr ssize_t kClosed = 0;

  ~Transport();
  // Opens the socket (and completes the TLS handshake). On failure error says why, in
  // redis-cli's words ("Could not connect to Redis at h:p: Connection refused").
  bool Open(const Endpoint& endpoint, std::string& error);
  void Close();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // > 0: bytes moved; kWouldBlock; kClosed (read only: peer closed); -1: error (error_ set).
  ssize_t Read(char* buf, size_t len);
  ssize_t Write(const char* buf, size_t len);
  // Bytes TLS already decrypted that poll() cannot see.
  bool HasBuffered() const;
  // Waits until the operation that returned kWouldBlock can progress; false on timeout
  // (timeout_ms < 0: no limit, 0: just look).
  bool Wait(int timeout_ms);
  const std::string& error() const { return error_; }

 private:
  bool Handshake(const Endpoint& endpoint, std::string& error);

  int fd_ = -1;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*, SSL*: void to keep OpenSSL out of every includer
  void* ssl_ = nullptr;
  bool want_write_ = false;
  std::string error_;
};

}  // namespace ember::cli
