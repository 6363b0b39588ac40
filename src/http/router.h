// Router: the one route table of the HTTP API, independent of Pistache.
//
//   GET     /health                                     no auth
//   GET     /metrics                                    no auth (Prometheus text)
//   POST    /devops/piggyback[/{service}[/{instance}]]  DevOps auth
//   *       /api/2/connections...                       DevOps auth (REST API)
//   OPTIONS any path, when --cors-allow-origin is set   CORS preflight, no auth
//
// Until the service is attached (recovery still running), and again once it
// is detached (the daemon is stopping), /health answers 503 DOWN and every
// API request 503 gateway:service.unavailable, saying which of the two it is.
// Every answer is counted for /metrics by route and status.
#ifndef CONNECTIVITY_HTTP_ROUTER_H_
#define CONNECTIVITY_HTTP_ROUTER_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/http/auth.h"
#include "src/http/connection_table.h"
#include "src/http/http_types.h"
#include "src/http/piggyback.h"
#include "src/http/prometheus.h"
#include "src/http/rest.h"
#include "src/service/connection_service.h"

namespace connectivity::http {

struct RouterConfig {
  DevOpsAuth auth;
  PiggybackConfig piggyback;
  size_t body_bytes_max = 1 << 20;
  // --cors-allow-origin: CORS is off when unset.
  std::optional<std::string> cors_allow_origin;
};

// Everything that serves requests once recovery is done.
struct Api {
  Api(service::ConnectionService& service_in, const RouterConfig& config)
      : service(service_in), piggyback(service_in, config.piggyback), rest(service_in, config.piggyback.instance) {}
  service::ConnectionService& service;
  PiggybackApi piggyback;
  RestApi rest;
};

class Router {
 public:
  explicit Router(RouterConfig config)
      : config_(std::move(config)), http_metrics_(std::make_unique<HttpMetrics>()) {}

  // Makes the API available; `api` must outlive the router's use.
  void Attach(Api* api) {
    stopping_.store(false, std::memory_order_release);
    api_.store(api, std::memory_order_release);
  }
  // Withdraws the API while the service stops: later requests answer 503 "stopping".
  void Detach() {
    stopping_.store(true, std::memory_order_release);
    api_.store(nullptr, std::memory_order_release);
  }

  // Handles one request; `respond` is called exactly once, maybe on another thread.
  void Handle(const HttpRequest& request, Respond respond) const;

  // The HTTP connections /metrics reports on (set once by HttpServer::Start; must outlive the
  // router's use).
  void ReportConnections(const ConnectionTable* connections) const {
    connections_.store(connections, std::memory_order_release);
  }

 private:
  void Dispatch(const HttpRequest& request, const std::vector<std::string_view>& segments,
                Respond respond) const;
  void HandleHealth(Respond& respond) const;
  void HandlePiggyback(const HttpRequest& request, const std::vector<std::string_view>& segments,
                       Api& api, Respond respond) const;
  HttpAnswer Preflight() const;
  // The 503 of an API request while no service is attached: starting or stopping.
  HttpAnswer Unavailable() const;

  const RouterConfig config_;
  std::atomic<Api*> api_{nullptr};
  std::atomic<bool> stopping_{false};  // set by Detach: no API because the service stops
  std::unique_ptr<HttpMetrics> http_metrics_;  // thread-safe; a pointer so const Handle can count
  mutable std::atomic<const ConnectionTable*> connections_{nullptr};
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_ROUTER_H_
