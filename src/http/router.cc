#include "src/http/router.h"

#include <chrono>

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

void Router::Handle(const HttpRequest& request, Respond respond) const {
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

void Router::Dispatch(const HttpRequest& request, const std::vector<std::string_view>& segments,
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
  if (std::optional<HttpAnswer> denied = Authenticate(config_.auth, request)) {
    return respond(std::move(*denied));
  }
  if (request.body.size() > config_.body_bytes_max) {
    return respond(Error(model::PayloadTooLarge(config_.body_bytes_max)));
  }
  Api* api = api_.load(std::memory_order_acquire);
  if (api == nullptr) return respond(Unavailable());
  if (piggyback) return HandlePiggyback(request, segments, *api, std::move(respond));
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

void Router::HandleHealth(Respond& respond) const {
  Api* api = api_.load(std::memory_order_acquire);
  if (api == nullptr) {
    if (stopping_.load(std::memory_order_acquire)) {
      return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"stopping"})"));
    }
    return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"recovering the journal"})"));
  }
  const Status health = api->service.health();
  if (health.IsNoSpace()) {
    return respond(JsonAnswer(
        503, R"({"status":"DOWN","reason":"the disk is nearly full: writes are refused until it has room; reads are served"})"));
  }
  if (!health.ok()) {
    return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"storage failed; writes are refused until restart"})"));
  }
  respond(JsonAnswer(200, R"({"status":"UP"})"));
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
