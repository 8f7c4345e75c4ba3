// Sockets and TLS for ember-cli. The socket is non-blocking from the start so that --pipe can
// write and read at once; the blocking callers wait with poll().
#include "cli/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ember::cli {

volatile int g_interrupted = 0;

namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// Waits in slices of 100 ms so that a SIGINT landing just before poll() is still seen soon.
bool WaitFd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int left = timeout_ms;
  for (;;) {
    if (g_interrupted) return false;
    int slice = left < 0 || left > 100 ? 100 : left;
    int rc = poll(&p, 1, slice);
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
    if (left >= 0) {
      left -= slice;
      if (left <= 0) return false;
    }
  }
}

// Non-blocking connect to one address, waited for up to timeout_ms.
int ConnectOne(const sockaddr* addr, socklen_t len, int family, int timeout_ms, int& err) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  if (connect(fd, addr, len) != 0) {
    if (errno != EINPROGRESS) {
      err = errno;
      close(fd);
      return -1;
    }
    if (!WaitFd(fd, POLLOUT, timeout_ms <= 0 ? -1 : timeout_ms)) {
      err = ETIMEDOUT;
      close(fd);
      return -1;
    }
    int so_error = 0;
    socklen_t so_len = sizeof(so_error);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
    if (so_error != 0) {
      err = so_error;
      close(fd);
      return -1;
    }
  }
  if (family != AF_UNIX) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

}  // namespace

Transport::~Transport() {
  Close();
}

void Transport::Close() {
  if (ssl_ != nullptr) {
    SSL_free(static_cast<SSL*>(ssl_));
    ssl_ = nullptr;
  }
  if (ssl_ctx_ != nullptr) {
    SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
    ssl_ctx_ = nullptr;
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool Transport::Open(const Endpoint& endpoint, std::string& error) {
  Close();
  int err = 0;
  if (!endpoint.unix_socket.empty()) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (endpoint.unix_socket.size() >= sizeof(addr.sun_path)) {
      error = "Could not connect to Redis at " + endpoint.unix_socket + ": path too long";
      return false;
    }
    std::memcpy(addr.sun_path, endpoint.unix_socket.c_str(), endpoint.unix_socket.size() + 1);
    fd_ = ConnectOne(reinterpret_cast<sockaddr*>(&addr), sizeof(addr), AF_UNIX,
                     endpoint.connect_timeout_ms, err);
    if (fd_ < 0) {
      error = "Could not connect to Redis at " + endpoint.unix_socket + ": " + std::strerror(err);
      return false;
    }
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string port = std::to_string(endpoint.port);
    int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found);
    std::string where = endpoint.host + ":" + port;
    if (rc != 0) {
      error = "Could not connect to Redis at " + where + ": " + gai_strerror(rc);
      return false;
    }
    for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
      fd_ = ConnectOne(a->ai_addr, a->ai_addrlen, a->ai_family, endpoint.connect_timeout_ms, err);
    }
    freeaddrinfo(found);
    if (fd_ < 0) {
      error = "Could not connect to Redis at " + where + ": " + std::strerror(err);
      return false;
    }
  }
  if (endpoint.tls.enabled && !Handshake(endpoint, error)) {
    Close();
    return false;
  }
  return true;
}

bool Transport::Handshake(const Endpoint& endpoint, std::string& error) {
  const TlsOptions& tls = endpoint.tls;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ssl_ctx_ = ctx;
  if (ctx == nullptr) {
    error = "Could not create an SSL context: " + OpenSslError();
    return false;
  }
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (tls.insecure) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    bool loaded = tls.cacert.empty() && tls.cacertdir.empty()
                      ? SSL_CTX_set_default_verify_paths(ctx) == 1
                      : SSL_CTX_load_verify_locations(
                            ctx, tls.cacert.empty() ? nullptr : tls.cacert.c_str(),
                            tls.cacertdir.empty() ? nullptr : tls.cacertdir.c_str()) == 1;
    if (!loaded) {
      error = "Could not connect to Redis: Invalid CA Certificate File/Directory";
      return false;
    }
  }
  if (!tls.cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert.c_str()) != 1) {
      error = "Could not connect to Redis: Invalid client certificate";
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, (tls.key.empty() ? tls.cert : tls.key).c_str(),
                                    SSL_FILETYPE_PEM) != 1) {
      error = "Could not connect to Redis: Invalid private key";
      return false;
    }
  }
  SSL* ssl = SSL_new(ctx);
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  std::string sni = tls.sni.empty() ? endpoint.host : tls.sni;
  if (endpoint.unix_socket.empty() && !sni.empty()) {
    in6_addr scratch;
    bool is_ip = inet_pton(AF_INET, sni.c_str(), &scratch) == 1 ||
                 inet_pton(AF_INET6, sni.c_str(), &scratch) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl, sni.c_str());
    if (!tls.insecure) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (is_ip)
        X509_VERIFY_PARAM_set1_ip_asc(param, sni.c_str());
      else
        X509_VERIFY_PARAM_set1_host(param, sni.c_str(), 0);
    }
  }
  for (;;) {
    int rc = SSL_connect(ssl);
    if (rc == 1) return true;
    int why = SSL_get_error(ssl, rc);
    if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
      int wait_ms = endpoint.connect_timeout_ms <= 0 ? -1 : endpoint.connect_timeout_ms;
      if (!WaitFd(fd_, why == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, wait_ms)) {
        error = "Could not negotiate a TLS connection: timeout";
        return false;
      }
      continue;
    }
    long verify = SSL_get_verify_result(ssl);
    std::string detail =
        verify != X509_V_OK ? X509_verify_cert_error_string(verify) : OpenSslError();
    error = "Could not negotiate a TLS connection: " + detail;
    return false;
  }
}

ssize_t Transport::Read(char* buf, size_t len) {
  if (ssl_ == nullptr) {
    ssize_t n;
    do {
      n = recv(fd_, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      want_write_ = false;
      return kWouldBlock;
    }
    error_ = std::strerror(errno);
    return -1;
  }
  SSL* ssl = static_cast<SSL*>(ssl_);
  int n = SSL_read(ssl, buf, static_cast<int>(len));
  if (n > 0) return n;
  int why = SSL_get_error(ssl, n);
  if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
    want_write_ = why == SSL_ERROR_WANT_WRITE;
    return kWouldBlock;
  }
  if (why == SSL_ERROR_ZERO_RETURN) return kClosed;
  if (why == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return kClosed;
  error_ = OpenSslError();
  return -1;
}

ssize_t Transport::Write(const char* buf, size_t len) {
  if (ssl_ == nullptr) {
    ssize_t n;
    do {
      n = send(fd_, buf, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      want_write_ = true;
      return kWouldBlock;
    }
    error_ = std::strerror(errno);
    return -1;
  }
  SSL* ssl = static_cast<SSL*>(ssl_);
  int n = SSL_write(ssl, buf, static_cast<int>(len));
  if (n > 0) return n;
  int why = SSL_get_error(ssl, n);
  if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
    want_write_ = why == SSL_ERROR_WANT_WRITE;
    return kWouldBlock;
  }
  error_ = OpenSslError();
  return -1;
}

bool Transport::HasBuffered() const {
  return ssl_ != nullptr && SSL_pending(static_cast<SSL*>(ssl_)) > 0;
}

bool Transport::Wait(int timeout_ms) {
  if (!want_write_ && HasBuffered()) return true;
  return WaitFd(fd_, want_write_ ? POLLOUT : POLLIN, timeout_ms);
}

}  // namespace ember::cli
