#include "src/http/rest.h"

#include <charconv>
#include <random>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/http/http_errors.h"
#include "src/http/json_input.h"
#include "src/http/monitoring_json.h"
#include "src/http/request_origin.h"
#include "src/model/connection_id.h"
#include "src/model/field_selector.h"
#include "src/projector/stored_connection.h"

namespace connectivity::http {
namespace {

using service::StatePtr;

constexpr std::string_view kJsonMediaTypes = "application/json, application/octet-stream";

HttpAnswer Error(const model::DittoError& error) { return ErrorAnswer(error); }

// The media type without parameters, lower-cased ("" if absent).
std::string MediaType(const HttpRequest& request) {
  std::string type = AsciiLower(request.Header("content-type").value_or(""));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
}

// Ditto accepts JSON and, as its configured fallback, octet-stream (what a
// request without a Content-Type is taken as).
std::optional<HttpAnswer> RequireJson(const HttpRequest& request) {
  const std::string type = MediaType(request);
  if (type.empty() || type == "application/json" || type == "application/octet-stream") return std::nullopt;
  return Error(model::MediaTypeUnsupported(type, kJsonMediaTypes));
}

std::optional<HttpAnswer> RequireText(const HttpRequest& request) {
  const std::string type = MediaType(request);
  if (type == "text/plain") return std::nullopt;
  return Error(model::MediaTypeUnsupported(type.empty() ? "none" : type, "text/plain"));
}

service::Preconditions PreconditionsFrom(const HttpRequest& request) {
  service::Preconditions preconditions;
  if (auto value = request.Header("if-match")) preconditions.if_match = std::string(*value);
  if (auto value = request.Header("if-none-match")) preconditions.if_none_match = std::string(*value);
  return preconditions;
}

service::CommandOptions OptionsFrom(const HttpRequest& request) {
  service::CommandOptions options;
  options.preconditions = PreconditionsFrom(request);
  options.sudo = true;  // the HTTP API always acts with ditto-sudo (REF §2.1)
  // The header, else the query parameter the gateway turns into one (REF §1.1).
  std::optional<std::string_view> correlation_id = request.Header("correlation-id");
  if (!correlation_id) correlation_id = request.QueryParameter("correlation-id");
  if (correlation_id) options.correlation_id = std::string(*correlation_id);
  options.origin = OriginOf(request, projector::kRouteRest, correlation_id.value_or(""));
  return options;
}

void AddEntityHeaders(HttpAnswer& answer, const projector::ConnectionState& state) {
  answer.headers.emplace_back("ETag", service::EntityTag(state));
  answer.headers.emplace_back("entity-revision", std::to_string(state.revision));
}

HttpAnswer ConnectionAnswer(int status, const StatePtr& state, std::string body) {
  HttpAnswer answer = JsonAnswer(status, std::move(body));
  AddEntityHeaders(answer, *state);
  return answer;
}

HttpAnswer EmptyAnswer(int status) { return HttpAnswer{status, "", "", {}, nullptr}; }

// Errors of a conditional request still carry the current entity tag.
HttpAnswer OutcomeError(const service::Outcome& outcome) {
  HttpAnswer answer = Error(*outcome.error);
  if (outcome.state && outcome.state->exists()) AddEntityHeaders(answer, *outcome.state);
  return answer;
}

std::string GenerateConnectionId() {
  thread_local std::mt19937_64 random(std::random_device{}());
  const uint64_t high = (random() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  const uint64_t low = (random() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;   // variant 1
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

std::string RequestUri(const HttpRequest& request) {
  const std::optional<std::string_view> host = request.Header("host");
  return host ? "http://" + std::string(*host) + request.path : request.path;
}

std::optional<std::string_view> Parameter(const HttpRequest& request, std::string_view name) {
  if (auto value = request.QueryParameter(name)) return value;
  return request.Header(name);
}

std::variant<uint64_t, model::DittoError> UnsignedParameter(std::string_view name, std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return HeaderValueInvalid(name, text, "non-negative integer");
  }
  return value;
}

// `fields` of the request, if any.
std::variant<std::optional<model::FieldSelector>, model::DittoError> Selector(const HttpRequest& request) {
  const std::optional<std::string_view> fields = request.QueryParameter("fields");
  if (!fields) return std::optional<model::FieldSelector>();
  auto parsed = model::FieldSelector::Parse(*fields);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return std::move(*error);
  return std::optional<model::FieldSelector>(std::move(std::get<model::FieldSelector>(parsed)));
}

std::string Render(const projector::ConnectionState& state, const std::optional<model::FieldSelector>& selector) {
  if (!selector) return state.json;
  return selector->Apply(projector::StoredJsonWithHiddenFields(state));
}

bool HasIdMember(std::string_view body) {
  auto parsed = ParseJson(body);
  const auto* root = std::get_if<simdjson::dom::element>(&parsed);
  return root != nullptr && root->is_object() && (*root)["id"].error() == simdjson::SUCCESS;
}

std::variant<model::Connection, model::DittoError> ParseBody(const HttpRequest& request, bool create) {
  model::ParseOptions options;
  options.id_required = false;
  if (create) options.default_connection_status = "unknown";
  return model::ParseConnection(request.body, options);
}

}  // namespace

void RestApi::Handle(const HttpRequest& request, const std::vector<std::string_view>& segments,
                     Respond respond) {
  if (segments.empty()) return HandleCollection(request, std::move(respond));
  const std::string id = PercentDecode(segments[0], false);
  if (!model::IsValidConnectionId(id)) return respond(Error(model::ConnectionIdInvalid(id)));
  if (segments.size() == 1) return HandleConnection(request, id, std::move(respond));
  if (segments.size() == 2) return HandleSubresource(request, id, segments[1], std::move(respond));
  respond(Error(model::ResourceNotFound(request.path)));
}

void RestApi::HandleCollection(const HttpRequest& request, Respond respond) {
  if (request.method == "GET") return List(request, std::move(respond));
  if (request.method == "POST") return Create(request, std::move(respond));
  respond(MethodNotAllowedAnswer(request, "GET, POST"));
}

void RestApi::HandleConnection(const HttpRequest& request, const std::string& id, Respond respond) {
  if (request.method == "GET") return Retrieve(request, id, std::move(respond));
  if (request.method == "PUT") return Put(request, id, std::move(respond));
  if (request.method == "DELETE") return Delete(request, id, std::move(respond));
  respond(MethodNotAllowedAnswer(request, "GET, PUT, DELETE"));
}

void RestApi::HandleSubresource(const HttpRequest& request, const std::string& id,
                                std::string_view resource, Respond respond) {
  if (resource == "command") {
    if (request.method != "POST") return respond(MethodNotAllowedAnswer(request, "POST"));
    return Command(request, id, std::move(respond));
  }
  if (resource != "metrics" && resource != "logs" && resource != "history" && resource != "status") {
    return respond(Error(model::ResourceNotFound(request.path)));
  }
  if (request.method != "GET") return respond(MethodNotAllowedAnswer(request, "GET"));
  if (resource == "metrics") return Metrics(request, id, std::move(respond));
  if (resource == "logs") return Logs(request, id, std::move(respond));
  if (resource == "history") return History(request, id, std::move(respond));
  Status(request, id, std::move(respond));
}

void RestApi::List(const HttpRequest& request, Respond respond) {
  auto selector = Selector(request);
  if (auto* error = std::get_if<model::DittoError>(&selector)) return respond(Error(*error));
  std::optional<model::FieldSelector> fields = std::move(std::get<std::optional<model::FieldSelector>>(selector));
  const std::optional<std::string_view> ids_only = request.QueryParameter("ids-only");
  const bool only_ids = ids_only ? AsciiLower(*ids_only) == "true"
                                 : (fields && fields->pointers().size() == 1 &&
                                    fields->pointers()[0] == std::vector<std::string>{"id"});
  // Streamed in pieces of the id order, so the answer never sits in memory
  // whole and no lock is held while writing (SPEC §4.2: no 100 cap).
  auto after = std::make_shared<std::string>();
  auto first = std::make_shared<bool>(true);
  service::ConnectionService* service = &service_;
  HttpAnswer answer = JsonAnswer(200, "");
  answer.stream = [service, after, first, only_ids, fields](std::string& chunk) {
    constexpr size_t kPieceConnections = 256;
    chunk.clear();
    if (*first) chunk.push_back('[');
    const std::vector<StatePtr> piece = service->ConnectionsAfter(*after, kPieceConnections);
    for (const StatePtr& state : piece) {
      if (!*first) chunk.push_back(',');
      *first = false;
      if (only_ids) AppendJsonString(chunk, state->id); else chunk += Render(*state, fields);
    }
    if (!piece.empty()) *after = piece.back()->id;
    if (piece.size() < kPieceConnections) {
      chunk.push_back(']');
      return false;
    }
    return true;
  };
  respond(std::move(answer));
}

void RestApi::Create(const HttpRequest& request, Respond respond) {
  if (auto refused = RequireJson(request)) return respond(std::move(*refused));
  const std::optional<std::string_view> dry_run = Parameter(request, "dry-run");
  if (dry_run && AsciiLower(*dry_run) == "true") return DryRun(request, std::move(respond));
  if (HasIdMember(request.body)) return respond(Error(model::ConnectionIdNotSettable()));
  auto parsed = ParseBody(request, /*create=*/true);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return respond(Error(*error));
  model::Connection connection = std::move(std::get<model::Connection>(parsed));
  connection.id = GenerateConnectionId();
  const std::string location = RequestUri(request) + "/" + connection.id;
  service_.Create(std::move(connection), OptionsFrom(request), [respond, location](service::Outcome outcome) {
    if (outcome.error) return respond(OutcomeError(outcome));
    HttpAnswer answer = ConnectionAnswer(201, outcome.state, outcome.state->json);
    answer.headers.emplace_back("Location", location);
    respond(std::move(answer));
  });
}

// POST ?dry-run=true: test connection (REF §8). Any id in the body is
// replaced by a generated `<uuid>-dry-run`; 200 with an empty body on
// success, 409 empty if the id exists, else the error JSON.
void RestApi::DryRun(const HttpRequest& request, Respond respond) {
  model::ParseOptions options;
  options.id_required = false;
  auto parsed = model::ParseConnection(request.body, options);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return respond(Error(*error));
  model::Connection connection = std::move(std::get<model::Connection>(parsed));
  connection.id = GenerateConnectionId() + "-dry-run";
  service_.Test(std::move(connection), [respond](service::TestOutcome outcome) {
    if (outcome.conflict) return respond(EmptyAnswer(409));
    if (outcome.error) return respond(Error(*outcome.error));
    respond(EmptyAnswer(200));
  });
}

void RestApi::Retrieve(const HttpRequest& request, const std::string& id, Respond respond) {
  auto selector = Selector(request);
  if (auto* error = std::get_if<model::DittoError>(&selector)) return respond(Error(*error));
  const auto& fields = std::get<std::optional<model::FieldSelector>>(selector);
  std::optional<service::HistoricalState> historical;
  if (auto revision_text = Parameter(request, "at-historical-revision")) {
    auto revision = UnsignedParameter("at-historical-revision", *revision_text);
    if (auto* error = std::get_if<model::DittoError>(&revision)) return respond(Error(*error));
    historical = service_.history().AtRevision(id, std::get<uint64_t>(revision));
  } else if (auto time_text = Parameter(request, "at-historical-timestamp")) {
    const std::optional<int64_t> time = ParseIsoMicros(*time_text);
    if (!time) return respond(Error(HeaderValueInvalid("at-historical-timestamp", *time_text, "ISO-8601 timestamp")));
    historical = service_.history().AtTime(id, *time);
  }
  if (historical) {
    if (auto* error = std::get_if<model::DittoError>(&*historical)) return respond(Error(*error));
    const auto& state = std::get<projector::ConnectionState>(*historical);
    HttpAnswer answer = JsonAnswer(200, Render(state, fields));
    AddEntityHeaders(answer, state);
    return respond(std::move(answer));
  }
  const service::Outcome outcome = service_.Retrieve(id, PreconditionsFrom(request));
  if (outcome.error) return respond(OutcomeError(outcome));
  respond(ConnectionAnswer(200, outcome.state, Render(*outcome.state, fields)));
}

void RestApi::Put(const HttpRequest& request, const std::string& id, Respond respond) {
  if (auto refused = RequireJson(request)) return respond(std::move(*refused));
  auto parsed = ParseBody(request, /*create=*/false);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return respond(Error(*error));
  model::Connection connection = std::move(std::get<model::Connection>(parsed));
  if (!connection.id.empty() && connection.id != id) return respond(Error(model::ConnectionIdNotSettable()));
  connection.id = id;
  const std::string location = RequestUri(request);
  service_.Modify(std::move(connection), OptionsFrom(request), [respond, location](service::Outcome outcome) {
    if (outcome.error) return respond(OutcomeError(outcome));
    if (!outcome.created) {
      HttpAnswer answer = EmptyAnswer(204);
      AddEntityHeaders(answer, *outcome.state);
      return respond(std::move(answer));
    }
    HttpAnswer answer = ConnectionAnswer(201, outcome.state, outcome.state->json);
    answer.headers.emplace_back("Location", location);
    respond(std::move(answer));
  });
}

void RestApi::Delete(const HttpRequest& request, const std::string& id, Respond respond) {
  service_.Delete(id, OptionsFrom(request), [respond](service::Outcome outcome) {
    if (outcome.error) return respond(OutcomeError(outcome));
    respond(EmptyAnswer(204));
  });
}

void RestApi::Command(const HttpRequest& request, const std::string& id, Respond respond) {
  if (auto refused = RequireText(request)) return respond(std::move(*refused));
  const std::string& command = request.body;  // exact match, no trimming (REF §9)
  const service::CommandOptions options = OptionsFrom(request);
  auto answer_outcome = [respond](const service::Outcome& outcome) {
    if (outcome.error) return respond(OutcomeError(outcome));
    respond(EmptyAnswer(200));
  };
  if (command == "connectivity.commands:openConnection") return service_.Open(id, options, answer_outcome);
  if (command == "connectivity.commands:closeConnection") return service_.Close(id, options, answer_outcome);
  if (command == "connectivity.commands:resetConnectionMetrics") return answer_outcome(service_.ResetMetrics(id, options));
  if (command == "connectivity.commands:enableConnectionLogs") return answer_outcome(service_.EnableLogs(id, options));
  if (command == "connectivity.commands:resetConnectionLogs") return answer_outcome(service_.ResetLogs(id, options));
  respond(Error(model::CommandInvalid(command)));
}

void RestApi::Metrics(const HttpRequest& request, const std::string& id, Respond respond) {
  auto metrics = service_.RetrieveMetrics(id, PreconditionsFrom(request));
  if (auto* error = std::get_if<model::DittoError>(&metrics)) return respond(Error(*error));
  const auto& view = std::get<service::MetricsView>(metrics);
  respond(ConnectionAnswer(200, view.state, MetricsResponseJson(view, service_.clock().NowMicros())));
}

void RestApi::Status(const HttpRequest& request, const std::string& id, Respond respond) {
  auto status = service_.RetrieveStatus(id, PreconditionsFrom(request));
  if (auto* error = std::get_if<model::DittoError>(&status)) return respond(Error(*error));
  const auto& view = std::get<service::StatusView>(status);
  respond(ConnectionAnswer(200, view.state, StatusResponseJson(view, instance_)));
}

void RestApi::Logs(const HttpRequest& request, const std::string& id, Respond respond) {
  auto logs = service_.RetrieveLogs(id, PreconditionsFrom(request));
  if (auto* error = std::get_if<model::DittoError>(&logs)) return respond(Error(*error));
  respond(JsonAnswer(200, LogsResponseJson(id, std::get<service::LogsView>(logs), false)));
}

void RestApi::History(const HttpRequest& request, const std::string& id, Respond respond) {
  uint64_t bounds[3] = {1, UINT64_MAX, service::kHistoryLimitDefault};
  const char* names[3] = {"from-revision", "to-revision", "limit"};
  for (int i = 0; i < 3; ++i) {
    const std::optional<std::string_view> text = request.QueryParameter(names[i]);
    if (!text) continue;
    auto value = UnsignedParameter(names[i], *text);
    if (auto* error = std::get_if<model::DittoError>(&value)) return respond(Error(*error));
    bounds[i] = std::get<uint64_t>(value);
  }
  if (bounds[2] < 1 || bounds[2] > service::kHistoryLimitMax) {
    return respond(Error(HeaderValueInvalid("limit", std::to_string(bounds[2]), "limit from 1 to 1000")));
  }
  auto events = service_.history().Events(id, bounds[0], bounds[1], bounds[2]);
  if (auto* error = std::get_if<model::DittoError>(&events)) return respond(Error(*error));
  std::string body = "[";
  for (const std::string& event : std::get<std::vector<std::string>>(events)) {
    if (body.size() > 1) body.push_back(',');
    body += event;
  }
  body.push_back(']');
  respond(JsonAnswer(200, std::move(body)));
}

}  // namespace connectivity::http
