#include "net/listener.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/tls_context.h"

namespace ember {

namespace {

// SO_REUSEPORT lets every worker have its own listening socket, but it would also let a second
// server run by the same user bind the same port and silently take half of the connections.
// A plain bind (SO_REUSEADDR only: TIME_WAIT is fine, a listener is not) catches that first.
bool PortIsFree(const addrinfo* ai) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return true;  // the real attempt below reports the error
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bool in_use = bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno == EADDRINUSE;
  close(fd);
  return !in_use;
}

}  // namespace

int OpenListener(const std::string& host, uint16_t port, bool first, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  std::string port_text = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &result);
  if (rc != 0) {
    *error = std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    if (first && !PortIsFree(ai)) {
      *error = "cannot listen on " + host + ":" + port_text + ": Address already in use";
      continue;
    }
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0) break;
    *error = "cannot listen on " + host + ":" + port_text + ": " + strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(result);
  return fd;
}

bool OpenServerListeners(const ServerConfig& config, uint32_t workers, std::vector<int>* plain,
                         std::vector<int>* tls, std::string* error) {
  if (config.port == 0 && config.tls_port == 0) {
    *error = "Configured to not listen anywhere, exiting.";
    return false;
  }
  if (config.tls_port != 0 && !tls::Configure(config, error)) {
    *error = "Failed to configure TLS: " + *error;
    return false;
  }
  auto open_all = [&](uint16_t port, std::vector<int>* fds) {
    for (uint32_t i = 0; i < workers; ++i) {
      int fd = port == 0 ? -1 : OpenListener(config.host, port, i == 0, error);
      if (port != 0 && fd < 0) return false;
      fds->push_back(fd);
    }
    return true;
  };
  return open_all(config.port, plain) && open_all(static_cast<uint16_t>(config.tls_port), tls);
}

}  // namespace ember
