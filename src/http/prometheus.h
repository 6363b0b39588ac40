// GET /metrics: service-wide figures in Prometheus' text format (0.0.4).
// Label values are bounded: routes and status codes, event types, desired
// statuses; never connection ids.
#ifndef CONNECTIVITY_HTTP_PROMETHEUS_H_
#define CONNECTIVITY_HTTP_PROMETHEUS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>
#include <string>
#include <string_view>
#include <utility>

#include "journal/metrics.h"
#include "src/base/mutex.h"
#include "src/http/connection_table.h"
#include "src/service/connection_service.h"

namespace connectivity::http {

// The routes HTTP requests are counted by.
enum class Route : uint8_t {
  kHealth, kMetrics, kPiggyback, kConnections, kConnection, kConnectionCommand,
  kConnectionStatus, kConnectionMetrics, kConnectionLogs, kConnectionHistory, kPreflight, kOther,
};
inline constexpr size_t kRouteCount = 12;
std::string_view RouteName(Route route);

// Requests by route and status code, and latency per route. Thread-safe.
class HttpMetrics {
 public:
  HttpMetrics();
  void Record(Route route, int status, uint64_t latency_us) EXCLUDES(mutex_);
  void Write(std::string& out) const EXCLUDES(mutex_);

 private:
  static constexpr std::array<uint64_t, 12> kLatencyBoundsUs = {
      100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
  mutable Mutex mutex_;
  std::map<std::pair<Route, int>, uint64_t> requests_ GUARDED_BY(mutex_);
  // One per route (atomics: neither copyable nor movable, hence pointers).
  std::vector<std::unique_ptr<journal::Histogram<kLatencyBoundsUs.size()>>> latency_us_;
};

// The whole /metrics text. `service` is null while recovery runs, `connections` without a server.
std::string RenderPrometheus(const HttpMetrics& http, service::ConnectionService* service,
                             const ConnectionTable* connections = nullptr);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_PROMETHEUS_H_
