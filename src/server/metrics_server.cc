#include "server/metrics_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstring>

#include "engine/engine.h"
#include "server/prometheus_metrics.h"

namespace ember {
namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

MHD_Result Reply(MHD_Connection* connection, unsigned status, const std::string& body,
                 const char* content_type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

// Answers at the first call, once the headers are in: a body, which a GET has no use for, is
// never waited for (libmicrohttpd drops it and closes the connection).
MHD_Result Answer(void* self, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* /*upload_data*/, size_t* upload_data_size,
                  void** /*request_state*/) {
  auto* server = static_cast<MetricsServer*>(self);
  *upload_data_size = 0;
  bool get = std::strcmp(method, MHD_HTTP_METHOD_GET) == 0;
  bool head = std::strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
  if (!get && !head) {
    return Reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics is served\n",
                 "text/plain");
  }
  if (std::strcmp(url, "/metrics") != 0)
    return Reply(connection, MHD_HTTP_NOT_FOUND, "not found; try /metrics\n", "text/plain");
  // A shutdown under way: the shard threads may no longer answer a hold.
  if (server->engine().shutdown_requested())
    return Reply(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting down\n", "text/plain");
  std::string text = FormatPrometheusMetrics(TakeMetricsSnapshot(server->engine()));
  return Reply(connection, MHD_HTTP_OK, text, kContentType);
}

}  // namespace

bool MetricsServer::Start(std::string* error) {
  const ServerConfig config = engine_.ConfigCopy();  // the main thread, beside the shards
  if (config.metrics_port == 0) return true;
  auto port = static_cast<uint16_t>(config.metrics_port);
  sockaddr_storage address{};
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  std::string host = config.host == "localhost" ? "127.0.0.1" : config.host;
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    flags |= MHD_USE_IPv6;
  } else {
    *error = "cannot bind the metrics port to '" + config.host + "' (not a numeric address)";
    return false;
  }
  daemon_ = MHD_start_daemon(
      flags, port, nullptr, nullptr, &Answer, this, MHD_OPTION_SOCK_ADDR, &address,
      MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, MHD_OPTION_CONNECTION_TIMEOUT,
      kIdleTimeoutSeconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT, kRequestMemoryBytes, MHD_OPTION_END);
  if (daemon_ == nullptr) {
    *error = "cannot listen on " + config.host + ":" + std::to_string(port) + " (in use?)";
    return false;
  }
  return true;
}

void MetricsServer::Stop() {
  if (daemon_ == nullptr) return;
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

}  // namespace ember
