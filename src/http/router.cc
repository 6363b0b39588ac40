#include "src/http/router.h"

#include <chrono>
#include <future>

#include "src/base/json_writer.h"
#include "src/base/log.h"
#include "src/model/errors.h"

namespace connectivity::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return segments;
}

HttpAnswer Error(const model::DittoError& error) { return ErrorAnswer(error); }

bool IsPiggyback(const std::vector<std::string_view>& segments) {
  return segments.size() >= 2 && segments.size() <= 4 && segments[0] == "devops" &&
         segments[1] == "piggyback";
}

Route ClassifyConnections(const std::vector<std::string_view>& segments) {
  if (segments.size() == 3) return Route::kConnections;
  if (segments.size() == 4) return Route::kConnection;
  if (segments.size() != 5) return Route::kOther;
  if (segments[4] == "command") return Route::kConnectionCommand;
  if (segments[4] == "status") return Route::kConnectionStatus;
  if (segments[4] == "metrics") return Route::kConnectionMetrics;
  if (segments[4] == "logs") return Route::kConnectionLogs;
  if (segments[4] == "history") return Route::kConnectionHistory;
  return Route::kOther;
}

Route Classify(std::string_view method, const std::vector<std::string_view>& segments) {
  if (method == "OPTIONS") return Route::kPreflight;
  if (segments.size() == 1 && segments[0] == "health") return Route::kHealth;
  if (segments.size() == 1 && segments[0] == "metrics") return Route::kMetrics;
  if (IsPiggyback(segments)) return Route::kPiggyback;
  if (segments.size() >= 3 && segments[0] == "api" && segments[1] == "2" && segments[2] == "connections") {
    return ClassifyConnections(segments);
  }
  return Route::kOther;
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

}  // namespace

void Router::Handle(HttpRequest request, Respond respond) const {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string_view> segments = SplitPath(request.path);
  const Route route = Classify(request.method, segments);
  Respond counted = [this, route, start, respond = std::move(respond)](HttpAnswer answer) {
    if (config_.cors_allow_origin) {
      answer.headers.emplace_back("Access-Control-Allow-Origin", *config_.cors_allow_origin);
      answer.headers.emplace_back("Access-Control-Expose-Headers", "etag, entity-revision, location");
      answer.headers.emplace_back("Vary", "Origin");
    }
    http_metrics_->Record(route, answer.status, MicrosSince(start));
    respond(std::move(answer));
  };
  if (route == Route::kPreflight && config_.cors_allow_origin) return counted(Preflight());
  Dispatch(request, segments, std::move(counted));
}

HttpAnswer Router::Preflight() const {
  HttpAnswer answer{204, "", "", {}, nullptr};
  answer.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
  answer.headers.emplace_back("Access-Control-Allow-Headers",
                              "authorization, content-type, if-match, if-none-match");
  answer.headers.emplace_back("Access-Control-Max-Age", "600");
  return answer;
}

void Router::Dispatch(HttpRequest& request, const std::vector<std::string_view>& segments,
                      Respond respond) const {
  if (segments.size() == 1 && segments[0] == "health") {
    if (request.method != "GET") return respond(MethodNotAllowedAnswer(request, "GET"));
    return HandleHealth(respond);
  }
  if (segments.size() == 1 && segments[0] == "metrics") {
    if (request.method != "GET") return respond(MethodNotAllowedAnswer(request, "GET"));
    HttpAnswer answer = JsonAnswer(200, RenderPrometheus(*http_metrics_, api_.load() ? &api_.load()->service : nullptr,
                                                   connections_.load(std::memory_order_acquire)));
    answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return respond(std::move(answer));
  }
  const bool piggyback = IsPiggyback(segments);
  const bool api_path = !segments.empty() && segments[0] == "api";
  if (!piggyback && !api_path) return respond(Error(model::ResourceNotFound(request.path)));
  if (std::optional<HttpAnswer> denied = CheckLogin(request)) return respond(std::move(*denied));
  // Who the audit trail names (request_origin.h): the user just authenticated.
  if (config_.auth.secured) request.user = std::string(kDevOpsUser);
  if (request.body.size() > config_.body_bytes_max) {
    return respond(Error(model::PayloadTooLarge(config_.body_bytes_max)));
  }
  Api* api = api_.load(std::memory_order_acquire);
  if (api == nullptr) return respond(Unavailable());
  // Cluster mode: a read waits until this instance has applied every write
  // committed before it (linearizable), except REST writes: an acceptance
  // decided on stale state conflicts in etcd and is decided again, and a
  // refusal waits for current state in the service (ConnectionService::Execute).
  if (api->service.NeedsReadBarrier() && (piggyback || request.method == "GET")) {
    if (!piggyback && segments.size() == 3) {
      // The list is streamed in pieces, which Pistache writes only from its
      // own thread: wait here (one quorum read, bounded by its timeout).
      auto waited = std::make_shared<std::promise<std::optional<model::DittoError>>>();
      api->service.AwaitReadable([waited](std::optional<model::DittoError> error) { waited->set_value(std::move(error)); });
      if (std::optional<model::DittoError> error = waited->get_future().get()) return respond(Error(*error));
      return DispatchApi(request, segments, api, std::move(respond));
    }
    auto copy = std::make_shared<HttpRequest>(request);
    return api->service.AwaitReadable(
        [this, api, copy, respond = std::move(respond)](std::optional<model::DittoError> error) mutable {
          if (error) return respond(Error(*error));
          DispatchApi(*copy, SplitPath(copy->path), api, std::move(respond));
        });
  }
  DispatchApi(request, segments, api, std::move(respond));
}

bool Router::ForwardToOwner(const HttpRequest& request, const std::vector<std::string_view>& segments,
                            Respond& respond) const {
  if (!config_.cluster || request.Header("x-connectivity-forwarded")) return false;
  const ClusterRouting& cluster = *config_.cluster;
  // /devops/piggyback/connectivity/{instance}: a live instance of that id answers.
  if (IsPiggyback(segments) && segments.size() == 4 && segments[3] != config_.piggyback.instance &&
      cluster.is_other_live(segments[3])) {
    cluster.forward(std::string(segments[3]), request, std::move(respond));
    return true;
  }
  const std::optional<std::string> id = LiveStateTarget(request, segments);
  if (!id) return false;
  const std::optional<std::string> owner = cluster.owner_of(*id);
  if (!owner) return false;
  cluster.forward(*owner, request, std::move(respond));
  return true;
}

void Router::DispatchApi(const HttpRequest& request, const std::vector<std::string_view>& segments, Api* api,
                         Respond respond) const {
  if (ForwardToOwner(request, segments, respond)) return;
  if (IsPiggyback(segments) && config_.cluster && !request.Header("x-connectivity-forwarded") &&
      request.method == "POST" && AnsweredByEveryInstance(request, segments)) {
    return AskEveryInstance(request, segments, *api, std::move(respond));
  }
  if (IsPiggyback(segments)) return HandlePiggyback(request, segments, *api, std::move(respond));
  if (segments.size() < 2 || segments[1] != "2") {
    return respond(Error(model::ApiVersionNotSupported(segments.size() < 2 ? "" : segments[1])));
  }
  if (segments.size() >= 3 && segments[2] == "connections") {
    return api->rest.Handle(request, {segments.begin() + 3, segments.end()}, std::move(respond));
  }
  respond(Error(model::ResourceNotFound(request.path)));
}

HttpAnswer Router::Unavailable() const {
  if (stopping_.load(std::memory_order_acquire)) {
    return Error(model::ServiceUnavailable("The service is stopping: it accepts no new requests."));
  }
  return Error(model::ServiceUnavailable("The service is starting: it is still recovering its journal."));
}

std::optional<HttpAnswer> Router::CheckLogin(const HttpRequest& request) const {
  if (!config_.auth.secured) return std::nullopt;
  const std::string& address = request.client_address;
  if (const int64_t retry_after_s = login_throttle_->RetryAfterSeconds(address); retry_after_s > 0) {
    log::Warn("auth", "login refused from " + address + ": too many failed logins in the last minute (limit " +
                          std::to_string(config_.auth_failures_per_minute) + "); retry after " +
                          std::to_string(retry_after_s) + " s");
    HttpAnswer answer = Error(model::TooManyRequests());
    answer.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    return answer;
  }
  std::optional<HttpAnswer> denied = Authenticate(config_.auth, request);
  if (denied && request.Header("authorization")) {
    // Credentials were supplied and are wrong: a failed login (never log what was tried).
    const size_t failures = login_throttle_->RecordFailure(address);
    log::Warn("auth", "failed login from " + address + " (" + std::to_string(failures) + " in the last minute)");
  }
  return denied;
}

void Router::HandleHealth(Respond& respond) const {
  Api* api = api_.load(std::memory_order_acquire);
  if (api == nullptr) {
    if (stopping_.load(std::memory_order_acquire)) {
      return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"stopping"})"));
    }
    return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"recovering the journal"})"));
  }
  const Status health = api->service.health();
  if (!health.ok() && api->service.journal().shared()) {
    // Cluster mode: the journal's own reason (etcd's quota alarm, ...).
    std::string reason;
    JsonWriter(reason).String(health.message());
    return respond(JsonAnswer(503, R"({"status":"DOWN","reason":)" + reason + "}"));
  }
  if (health.IsNoSpace()) {
    return respond(JsonAnswer(
        503, R"({"status":"DOWN","reason":"the disk is nearly full: writes are refused until it has room; reads are served"})"));
  }
  if (!health.ok()) {
    return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"storage failed; writes are refused until restart"})"));
  }
  respond(JsonAnswer(200, R"({"status":"UP"})"));
}

void Router::AskEveryInstance(const HttpRequest& request, const std::vector<std::string_view>& segments, Api& api,
                              Respond respond) const {
  const ClusterRouting& cluster = *config_.cluster;
  const std::vector<std::string> others = cluster.other_live();
  if (others.empty()) return HandlePiggyback(request, segments, api, std::move(respond));
  auto gather = std::make_shared<AnswerGather>(others.size() + 1, std::move(respond));
  for (const std::string& other : others) {
    // Addressed to that instance, which answers itself (forwarded once).
    HttpRequest addressed = request;
    addressed.path = "/devops/piggyback/connectivity/" + other;
    cluster.forward(other, addressed, [gather](HttpAnswer answer) { gather->Remote(std::move(answer)); });
  }
  HandlePiggyback(request, segments, api, [gather](HttpAnswer answer) { gather->Local(std::move(answer)); });
}

void Router::HandlePiggyback(const HttpRequest& request, const std::vector<std::string_view>& segments,
                             Api& api, Respond respond) const {
  if (request.method != "POST") return respond(MethodNotAllowedAnswer(request, "POST"));
  std::optional<std::string> service;
  std::optional<std::string> instance;
  if (segments.size() >= 3) service = std::string(segments[2]);
  if (segments.size() >= 4) instance = std::string(segments[3]);
  api.piggyback.Handle(request, std::move(service), std::move(instance), std::move(respond));
}

}  // namespace connectivity::http
