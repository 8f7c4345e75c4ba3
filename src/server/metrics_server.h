#pragma once
// --metrics-port: GET /metrics answers Prometheus text (server/prometheus_metrics) from
// libmicrohttpd's own thread, one request at a time. Bounded against bad clients: a few KiB of
// request headers, a handful of connections, seconds of idleness; other paths get 404, other
// methods 405.
#include <string>

struct MHD_Daemon;

namespace ember {

class Engine;

class MetricsServer {
 public:
  // Limits on what a client may cost the server.
  static constexpr unsigned kMaxConnections = 32;
  static constexpr unsigned kIdleTimeoutSeconds = 5;
  static constexpr size_t kRequestMemoryBytes = 16 * 1024;  // headers, the URL, any body read

  explicit MetricsServer(Engine& engine) : engine_(engine) {}
  ~MetricsServer() { Stop(); }
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Listens on config().host:metrics_port; nothing when metrics_port is 0.
  bool Start(std::string* error);
  // Waits for a scrape in flight, then closes every connection.
  void Stop();

  Engine& engine() { return engine_; }

 private:
  Engine& engine_;
  MHD_Daemon* daemon_ = nullptr;
};

}  // namespace ember
