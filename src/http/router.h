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
#include "src/http/cluster_routing.h"
#include "src/http/connection_table.h"
#include "src/http/http_types.h"
#include "src/http/login_throttle.h"
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
  // Cluster mode: requests another instance answers (cluster_routing.h).
  std::optional<ClusterRouting> cluster;
  // --auth-failures-per-minute: failed logins from one client address in a
  // minute before it gets 429 (login_throttle.h); 0: no limit.
  uint32_t auth_failures_per_minute = 20;
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
      : config_(std::move(config)),
        http_metrics_(std::make_unique<HttpMetrics>()),
        login_throttle_(std::make_unique<LoginThrottle>(config_.auth_failures_per_minute, *SystemClock::Instance())) {}

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
  // Cluster mode: set once, before Attach().
  void SetClusterRouting(ClusterRouting routing) { config_.cluster = std::move(routing); }

  // Handles one request; `respond` is called exactly once, maybe on another thread.
  void Handle(HttpRequest request, Respond respond) const;

  // The HTTP connections /metrics reports on (set once by HttpServer::Start; must outlive the
  // router's use).
  void ReportConnections(const ConnectionTable* connections) const {
    connections_.store(connections, std::memory_order_release);
  }

 private:
  // Sets request.user once the login passed.
  void Dispatch(HttpRequest& request, const std::vector<std::string_view>& segments,
                Respond respond) const;
  // The API routes, once a read may be served (cluster mode: AwaitReadable).
  void DispatchApi(const HttpRequest& request, const std::vector<std::string_view>& segments, Api* api,
                   Respond respond) const;
  void HandleHealth(Respond& respond) const;
  // Cluster mode: true if another instance answers `request` (sent to it).
  bool ForwardToOwner(const HttpRequest& request, const std::vector<std::string_view>& segments, Respond& respond) const;
  // Cluster mode: a piggyback read every live instance answers (AnsweredByEveryInstance);
  // the answers are gathered into one (AnswerGather).
  void AskEveryInstance(const HttpRequest& request, const std::vector<std::string_view>& segments, Api& api,
                        Respond respond) const;
  void HandlePiggyback(const HttpRequest& request, const std::vector<std::string_view>& segments,
                       Api& api, Respond respond) const;
  HttpAnswer Preflight() const;
  // The 503 of an API request while no service is attached: starting or stopping.
  HttpAnswer Unavailable() const;
  // nullopt if the request may go on; else the 401 or 429 answer (the
  // failure counted and logged, never with the password).
  std::optional<HttpAnswer> CheckLogin(const HttpRequest& request) const;

  RouterConfig config_;  // changed only before Attach()
  std::atomic<Api*> api_{nullptr};
  std::atomic<bool> stopping_{false};  // set by Detach: no API because the service stops
  std::unique_ptr<HttpMetrics> http_metrics_;  // thread-safe; a pointer so const Handle can count
  mutable std::atomic<const ConnectionTable*> connections_{nullptr};
  std::unique_ptr<LoginThrottle> login_throttle_;  // thread-safe; a pointer for the same reason
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_ROUTER_H_
