#include "src/http/router.h"

#include <vector>

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

HttpAnswer Error(const model::DittoError& error) { return ErrorAnswer(error.status, error.ToJson()); }

HttpAnswer MethodNotAllowed(const HttpRequest& request, std::string_view allow) {
  HttpAnswer answer = Error(model::MethodNotAllowed(request.method, request.path));
  answer.headers.emplace_back("Allow", std::string(allow));
  return answer;
}

}  // namespace

void Router::Handle(const HttpRequest& request, Respond respond) const {
  const std::vector<std::string_view> segments = SplitPath(request.path);
  if (segments.size() == 1 && segments[0] == "health") {
    if (request.method != "GET") return respond(MethodNotAllowed(request, "GET"));
    return HandleHealth(respond);
  }
  const bool piggyback = segments.size() >= 2 && segments.size() <= 4 && segments[0] == "devops" &&
                         segments[1] == "piggyback";
  const bool api_path = !segments.empty() && segments[0] == "api";
  if (!piggyback && !api_path) return respond(Error(model::ResourceNotFound(request.path)));

  if (std::optional<HttpAnswer> denied = Authenticate(config_.auth, request)) {
    return respond(std::move(*denied));
  }
  if (request.body.size() > config_.body_bytes_max) {
    return respond(Error(model::PayloadTooLarge(config_.body_bytes_max)));
  }
  Api* api = api_.load(std::memory_order_acquire);
  if (api == nullptr) {
    return respond(Error(model::ServiceUnavailable(
        "The service is starting: it is still recovering its journal.")));
  }
  if (piggyback) return HandlePiggyback(request, *api, std::move(respond));
  if (segments.size() < 2 || segments[1] != "2") {
    return respond(Error(model::ApiVersionNotSupported(segments.size() < 2 ? "" : segments[1])));
  }
  respond(Error(model::ResourceNotFound(request.path)));
}

void Router::HandleHealth(Respond& respond) const {
  Api* api = api_.load(std::memory_order_acquire);
  if (api == nullptr) return respond(JsonAnswer(503, R"({"status":"DOWN","reason":"recovering the journal"})"));
  const Status health = api->service.health();
  if (!health.ok()) {
    std::string body = R"({"status":"DOWN","reason":"storage failed; writes are refused until restart"})";
    return respond(JsonAnswer(503, std::move(body)));
  }
  respond(JsonAnswer(200, R"({"status":"UP"})"));
}

void Router::HandlePiggyback(const HttpRequest& request, Api& api, Respond respond) const {
  if (request.method != "POST") return respond(MethodNotAllowed(request, "POST"));
  const std::vector<std::string_view> segments = SplitPath(request.path);
  std::optional<std::string> service;
  std::optional<std::string> instance;
  if (segments.size() >= 3) service = std::string(segments[2]);
  if (segments.size() >= 4) instance = std::string(segments[3]);
  api.piggyback.Handle(request, std::move(service), std::move(instance), std::move(respond));
}

}  // namespace connectivity::http
