#include "src/http/piggyback.h"

#include <array>
#include <charconv>
#include <map>
#include <variant>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/http/command_responses.h"
#include "src/http/http_errors.h"
#include "src/http/json_input.h"
#include "src/http/migration_json.h"
#include "src/http/monitoring_json.h"
#include "src/http/request_origin.h"
#include "src/model/connection_id.h"
#include "src/model/field_selector.h"
#include "src/model/hono_connection.h"
#include "src/projector/stored_connection.h"

namespace connectivity::http {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kConnectionShard = "/system/sharding/connection";
constexpr std::string_view kIdsRetrieval = "/user/connectivityRoot/connectionIdsRetrieval";
constexpr std::string_view kEncryptionMigration = "/user/connectivityRoot/encryptionMigration";
constexpr int64_t kTimeoutMaxUs = 60'000'000;

// Query parameters the gateway turns into headers (REF §1.1).
constexpr std::array<std::string_view, 14> kQueryParametersAsHeaders = {
    "accept", "channel", "correlation-id", "requested-acks", "declared-acks", "response-required",
    "timeout", "live-channel-timeout-strategy", "allow-policy-lockout", "condition",
    "live-channel-condition", "at-historical-revision", "at-historical-timestamp", "dry-run"};

enum class Selection { kConnectionShard, kIdsRetrieval, kEncryptionMigration };

// The parsed envelope and the command's headers.
struct Context {
  std::string instance;
  std::string selection;
  std::string type;
  std::map<std::string, std::string> headers;
  projector::RequestOrigin origin;  // the request's, for the events its command causes

  std::optional<std::string> Header(const std::string& name) const {
    const auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
  bool BoolHeader(const std::string& name, bool absent) const {
    const std::optional<std::string> value = Header(name);
    if (!value) return absent;
    return AsciiLower(*value) == "true";
  }
};

// Answers the inner JSON of one command.
using Reply = std::function<void(std::string inner_json)>;

struct Prepared {
  Selection selection;
  std::function<void(Reply)> run;
};
using Preparation = std::variant<Prepared, model::DittoError>;

std::optional<Selection> ParseSelection(std::string_view selection) {
  constexpr std::string_view kSingleton = "/singleton";
  if (selection.size() > kSingleton.size() &&
      selection.substr(selection.size() - kSingleton.size()) == kSingleton) {
    selection.remove_suffix(kSingleton.size());
  }
  if (selection == kConnectionShard) return Selection::kConnectionShard;
  if (selection == kIdsRetrieval) return Selection::kIdsRetrieval;
  if (selection == kEncryptionMigration) return Selection::kEncryptionMigration;
  return std::nullopt;
}

model::DittoError Prefixed(model::DittoError error, std::string_view type) {
  if (error.IsJsonError()) {
    error.message = "Error when parsing Json type '" + std::string(type) + "': " + error.message;
  }
  return error;
}

service::CommandOptions OptionsFrom(const Context& context) {
  service::CommandOptions options;
  options.preconditions.if_match = context.Header("if-match");
  options.preconditions.if_none_match = context.Header("if-none-match");
  options.sudo = context.BoolHeader("ditto-sudo", false);
  if (auto correlation_id = context.Header("correlation-id")) options.correlation_id = *correlation_id;
  options.origin = context.origin;
  return options;
}

// at-historical-revision / at-historical-timestamp headers of a retrieve.
struct HistoricalQuery {
  std::optional<uint64_t> revision;
  int64_t timestamp_us = 0;
};

std::variant<std::optional<HistoricalQuery>, model::DittoError> ReadHistoricalQuery(const Context& context) {
  if (auto text = context.Header("at-historical-revision")) {
    uint64_t revision = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), revision);
    if (error != std::errc() || end != text->data() + text->size()) {
      return HeaderValueInvalid("at-historical-revision", *text, "non-negative integer");
    }
    return std::optional<HistoricalQuery>(HistoricalQuery{revision, 0});
  }
  if (auto text = context.Header("at-historical-timestamp")) {
    const std::optional<int64_t> time = ParseIsoMicros(*text);
    if (!time) return HeaderValueInvalid("at-historical-timestamp", *text, "ISO-8601 timestamp");
    return std::optional<HistoricalQuery>(HistoricalQuery{std::nullopt, *time});
  }
  return std::optional<HistoricalQuery>();
}

std::variant<std::string, model::DittoError> ConnectionIdMember(object command) {
  auto id = RequiredString(command, "connectionId");
  if (std::holds_alternative<model::DittoError>(id)) return id;
  if (!model::IsValidConnectionId(std::get<std::string>(id))) {
    return model::ConnectionIdInvalid(std::get<std::string>(id));
  }
  return id;
}

std::variant<model::Connection, model::DittoError> ConnectionMember(object command) {
  element connection;
  if (command["connection"].get(connection) != simdjson::SUCCESS) {
    return model::JsonFieldMissing("/connection");
  }
  if (!connection.is_object()) {
    return model::JsonFieldTypeInvalid("/connection", "JsonObject");
  }
  model::ParseOptions options;
  options.id_required = true;
  return model::ParseConnection(simdjson::minify(connection), options);
}

// --- command preparation: parse everything, execute later ----------------

Prepared OnShard(std::function<void(Reply)> run) { return Prepared{Selection::kConnectionShard, std::move(run)}; }

void ReplyError(const Reply& reply, const model::DittoError& error) { reply(error.ToJson()); }

// A connection that did not parse: a parse-stage error, wrapped in an
// errorResponse (SPEC §4.1) like every other, U+0000 in a string included
// (issue 12: it is found while parsing here).
Preparation ConnectionParseFailure(model::DittoError error, const Context& context) {
  return Prefixed(std::move(error), context.type);
}

Preparation PrepareCreate(service::ConnectionService& service, const Context& context,
                          object command) {
  auto parsed = ConnectionMember(command);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return ConnectionParseFailure(*error, context);
  auto connection = std::make_shared<model::Connection>(std::move(std::get<model::Connection>(parsed)));
  return OnShard([&service, connection, options = OptionsFrom(context)](Reply reply) {
    service.Create(std::move(*connection), options, [reply](service::Outcome outcome) {
      if (outcome.error) return ReplyError(reply, *outcome.error);
      reply(ConnectionResponse("connectivity.responses:createConnection", 201, outcome.state->json));
    });
  });
}

Preparation PrepareModify(service::ConnectionService& service, const Context& context,
                          object command) {
  auto parsed = ConnectionMember(command);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return ConnectionParseFailure(*error, context);
  auto connection = std::make_shared<model::Connection>(std::move(std::get<model::Connection>(parsed)));
  return OnShard([&service, connection, options = OptionsFrom(context)](Reply reply) {
    service.Modify(std::move(*connection), options, [reply](service::Outcome outcome) {
      if (outcome.error) return ReplyError(reply, *outcome.error);
      if (outcome.created) {
        return reply(ConnectionResponse("connectivity.responses:createConnection", 201,
                                        outcome.state->json));
      }
      reply(ConnectionIdResponse("connectivity.responses:modifyConnection", 204, outcome.state->id));
    });
  });
}

// The optional `selectedFields` member of a retrieve.
std::variant<std::optional<model::FieldSelector>, model::DittoError> SelectedFields(object command) {
  element selected;
  if (command["selectedFields"].get(selected) != simdjson::SUCCESS) return std::optional<model::FieldSelector>();
  std::string_view text;
  if (selected.get_string().get(text) != simdjson::SUCCESS) {
    return model::JsonFieldTypeInvalid("/selectedFields", "String");
  }
  auto parsed = model::FieldSelector::Parse(text);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return std::move(*error);
  return std::optional<model::FieldSelector>(std::move(std::get<model::FieldSelector>(parsed)));
}

Preparation PrepareRetrieve(service::ConnectionService& service, const Context& context,
                            object command) {
  auto id = ConnectionIdMember(command);
  if (auto* error = std::get_if<model::DittoError>(&id)) return Prefixed(*error, context.type);
  auto selected = SelectedFields(command);
  if (auto* error = std::get_if<model::DittoError>(&selected)) return Prefixed(*error, context.type);
  const std::optional<model::FieldSelector> selector = std::get<std::optional<model::FieldSelector>>(selected);
  service::Preconditions preconditions = OptionsFrom(context).preconditions;
  auto at = ReadHistoricalQuery(context);
  if (auto* error = std::get_if<model::DittoError>(&at)) return *error;
  if (auto point = std::get<std::optional<HistoricalQuery>>(at)) {
    return OnShard([&service, id = std::get<std::string>(id), selector, point = *point](Reply reply) {
      const service::HistoricalState state = point.revision ? service.history().AtRevision(id, *point.revision)
                                                            : service.history().AtTime(id, point.timestamp_us);
      if (auto* error = std::get_if<model::DittoError>(&state)) return ReplyError(reply, *error);
      const auto& connection = std::get<projector::ConnectionState>(state);
      const std::string body = selector ? selector->Apply(projector::StoredJsonWithHiddenFields(connection))
                                        : connection.json;
      reply(ConnectionResponse("connectivity.responses:retrieveConnection", 200, body));
    });
  }
  return OnShard([&service, id = std::get<std::string>(id), selector, preconditions](Reply reply) {
    const service::Outcome outcome = service.Retrieve(id, preconditions);
    if (outcome.error) return ReplyError(reply, *outcome.error);
    const std::string body = selector
                                 ? selector->Apply(projector::StoredJsonWithHiddenFields(*outcome.state))
                                 : outcome.state->json;
    reply(ConnectionResponse("connectivity.responses:retrieveConnection", 200, body));
  });
}

// retrieveResolvedHonoConnection (REF row 17): the stored hono connection resolved into the Kafka
// connection Ditto would build from the service's Hono settings (model/hono_connection.h), in
// retrieveConnection's answer; 404 connection.notfound for other types, as Ditto.
Preparation PrepareRetrieveResolvedHono(service::ConnectionService& service, const Context& context,
                                        object command) {
  auto id = ConnectionIdMember(command);
  if (auto* error = std::get_if<model::DittoError>(&id)) return Prefixed(*error, context.type);
  auto selected = SelectedFields(command);
  if (auto* error = std::get_if<model::DittoError>(&selected)) return Prefixed(*error, context.type);
  return OnShard([&service, id = std::get<std::string>(id),
                  selector = std::get<std::optional<model::FieldSelector>>(selected),
                  preconditions = OptionsFrom(context).preconditions](Reply reply) {
    const service::Outcome outcome = service.Retrieve(id, preconditions);
    if (outcome.error) return ReplyError(reply, *outcome.error);
    auto parsed = model::ParseConnection(outcome.state->json, model::ParseOptions{});
    const auto* stored = std::get_if<model::Connection>(&parsed);
    if (stored == nullptr || stored->connection_type != model::ConnectionType::kHono) {
      return ReplyError(reply, model::ConnectionNotFound(id));
    }
    projector::ConnectionState resolved = *outcome.state;
    resolved.json = model::SerializeConnection(model::ResolveHonoConnection(*stored, service.hono_settings()));
    const std::string body = selector ? selector->Apply(projector::StoredJsonWithHiddenFields(resolved)) : resolved.json;
    reply(ConnectionResponse("connectivity.responses:retrieveConnection", 200, body));
  });
}

// testConnection (REF §8): validation, then a real connect on a worker thread.
Preparation PrepareTest(service::ConnectionService& service, const Context& context, object command) {
  auto parsed = ConnectionMember(command);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return ConnectionParseFailure(*error, context);
  auto connection = std::make_shared<model::Connection>(std::move(std::get<model::Connection>(parsed)));
  return OnShard([&service, connection](Reply reply) {
    const std::string id = connection->id;
    service.Test(std::move(*connection), [reply, id](service::TestOutcome outcome) {
      if (outcome.error) return ReplyError(reply, *outcome.error);
      std::string out;
      JsonWriter w(out);
      w.BeginObject().Member("type", "connectivity.responses:testConnection");
      w.MemberInt("status", outcome.conflict ? 409 : 200).Member("connectionId", id);
      w.Member("testResult", outcome.conflict ? "Connection was already created - no test possible"
                                              : service::kTestSuccess);
      w.EndObject();
      reply(std::move(out));
    });
  });
}

// Monitoring commands on an existing connection, answered at once.
Preparation PrepareMonitoring(service::ConnectionService& service, const Context& context,
                              object command) {
  auto id = ConnectionIdMember(command);
  if (auto* error = std::get_if<model::DittoError>(&id)) return Prefixed(*error, context.type);
  return OnShard([&service, type = context.type, id = std::get<std::string>(id),
                  options = OptionsFrom(context), instance = context.instance](Reply reply) {
    const std::string response_type =
        "connectivity.responses:" + type.substr(type.find(':') + 1);
    if (type == "connectivity.commands:retrieveConnectionMetrics") {
      auto metrics = service.RetrieveMetrics(id, options.preconditions);
      if (auto* error = std::get_if<model::DittoError>(&metrics)) return ReplyError(reply, *error);
      return reply(MetricsResponseJson(std::get<service::MetricsView>(metrics), service.clock().NowMicros()));
    }
    if (type == "connectivity.commands:retrieveConnectionStatus") {
      auto status = service.RetrieveStatus(id, options.preconditions);
      if (auto* error = std::get_if<model::DittoError>(&status)) return ReplyError(reply, *error);
      return reply(StatusResponseJson(std::get<service::StatusView>(status), instance));
    }
    if (type == "connectivity.commands:retrieveConnectionLogs") {
      auto logs = service.RetrieveLogs(id, options.preconditions);
      if (auto* error = std::get_if<model::DittoError>(&logs)) return ReplyError(reply, *error);
      return reply(LogsResponseJson(id, std::get<service::LogsView>(logs), true));
    }
    service::Outcome outcome;
    if (type == "connectivity.commands:resetConnectionMetrics") outcome = service.ResetMetrics(id, options);
    if (type == "connectivity.commands:enableConnectionLogs") outcome = service.EnableLogs(id, options);
    if (type == "connectivity.commands:resetConnectionLogs") outcome = service.ResetLogs(id, options);
    if (outcome.error) return ReplyError(reply, *outcome.error);
    reply(ConnectionIdResponse(response_type, 200, id));
  });
}

// delete, open and close: a connection id in, a connection id out.
using IdCommand = void (service::ConnectionService::*)(std::string, service::CommandOptions,
                                                        service::OutcomeCallback);

Preparation PrepareIdCommand(service::ConnectionService& service, const Context& context,
                             object command, IdCommand run, std::string response_type,
                             int status) {
  auto id = ConnectionIdMember(command);
  if (auto* error = std::get_if<model::DittoError>(&id)) return Prefixed(*error, context.type);
  return OnShard([&service, run, id = std::get<std::string>(id), options = OptionsFrom(context),
                  response_type, status](Reply reply) {
    (service.*run)(id, options, [reply, response_type, status](service::Outcome outcome) {
      if (outcome.error) return ReplyError(reply, *outcome.error);
      reply(ConnectionIdResponse(response_type, status, outcome.state->id));
    });
  });
}

Preparation PrepareTags(service::ConnectionService& service, const Context& context,
                        object command) {
  auto id = ConnectionIdMember(command);
  if (auto* error = std::get_if<model::DittoError>(&id)) return Prefixed(*error, context.type);
  return OnShard([&service, id = std::get<std::string>(id)](Reply reply) {
    const service::Outcome outcome = service.Retrieve(id, {});
    if (outcome.error) return ReplyError(reply, *outcome.error);
    reply(StringListResponse("connectivity.sudo.responses:sudoRetrieveConnectionTags", 200,
                             "connectionTags", projector::StoredTags(outcome.state->json)));
  });
}

Preparation PrepareIdsByTag(service::ConnectionService& service, const Context& context,
                            object command) {
  auto tag = RequiredString(command, "tag");
  if (auto* error = std::get_if<model::DittoError>(&tag)) return Prefixed(*error, context.type);
  return Prepared{Selection::kIdsRetrieval, [&service, tag = std::get<std::string>(tag)](Reply reply) {
                    reply(StringListResponse("connectivity.sudo.responses:sudoRetrieveConnectionIdsByTag",
                                             200, "connectionIds", service.ConnectionIdsByTag(tag)));
                  }};
}

Preparation PrepareAllIds(service::ConnectionService& service) {
  return Prepared{Selection::kIdsRetrieval, [&service](Reply reply) {
                    reply(StringListResponse("connectivity.responses:retrieveAllConnectionIds", 200,
                                             "connectionIds", service.AllConnectionIds()));
                  }};
}

// An optional boolean member (Ditto's getValue(...).orElse(false)).
std::variant<bool, model::DittoError> OptionalBool(object command, std::string_view name) {
  element value;
  if (command[name].get(value) != simdjson::SUCCESS) return false;
  bool flag = false;
  if (value.get_bool().get(flag) != simdjson::SUCCESS) {
    return model::JsonFieldTypeInvalid("/" + std::string(name), "boolean");
  }
  return flag;
}

// migrateEncryption, migrateEncryptionStatus, migrateEncryptionAbort (REF
// rows 18-20): answered at once. Ditto's migration actor refuses with a
// Status.Failure, which its DevOpsCommandsActor answers as an errorResponse
// carrying ask.error with the failure's message: so do these.
Preparation PrepareMigration(service::ConnectionService& service, const Context& context, object command) {
  service::EncryptionMigration& migration = service.encryption_migration();
  const std::string instance = context.instance;
  if (context.type == "connectivity.commands:migrateEncryptionStatus") {
    return Prepared{Selection::kEncryptionMigration, [&migration, instance](Reply reply) {
                      auto status = migration.GetStatus();
                      if (auto* error = std::get_if<model::DittoError>(&status)) {
                        return reply(DevOpsErrorResponse(instance, *error));
                      }
                      reply(MigrationStatusJson(std::get<service::MigrationStatusView>(status)));
                    }};
  }
  if (context.type == "connectivity.commands:migrateEncryptionAbort") {
    return Prepared{Selection::kEncryptionMigration, [&migration, instance](Reply reply) {
                      auto aborted = migration.Abort();
                      if (auto* error = std::get_if<model::DittoError>(&aborted)) {
                        return reply(DevOpsErrorResponse(instance, *error));
                      }
                      reply(MigrationAbortedJson(std::get<service::MigrationAborted>(aborted)));
                    }};
  }
  auto dry_run = OptionalBool(command, "dryRun");
  if (auto* error = std::get_if<model::DittoError>(&dry_run)) return Prefixed(*error, context.type);
  auto resume = OptionalBool(command, "resume");
  if (auto* error = std::get_if<model::DittoError>(&resume)) return Prefixed(*error, context.type);
  return Prepared{Selection::kEncryptionMigration, [&migration, instance, dry_run = std::get<bool>(dry_run),
                                                    resume = std::get<bool>(resume)](Reply reply) {
                    auto started = migration.Start(dry_run, resume);
                    if (auto* error = std::get_if<model::DittoError>(&started)) {
                      return reply(DevOpsErrorResponse(instance, *error));
                    }
                    reply(MigrationStartedJson(std::get<service::MigrationStarted>(started)));
                  }};
}

Preparation Prepare(service::ConnectionService& service, const Context& context, object command) {
  using S = service::ConnectionService;
  const std::string& type = context.type;
  if (type == "connectivity.commands:createConnection") return PrepareCreate(service, context, command);
  if (type == "connectivity.commands:modifyConnection") return PrepareModify(service, context, command);
  if (type == "connectivity.commands:retrieveConnection") {
    return PrepareRetrieve(service, context, command);
  }
  if (type == "connectivity.commands:deleteConnection") {
    return PrepareIdCommand(service, context, command, &S::Delete,
                            "connectivity.responses:deleteConnection", 204);
  }
  if (type == "connectivity.commands:openConnection") {
    return PrepareIdCommand(service, context, command, &S::Open,
                            "connectivity.responses:openConnection", 200);
  }
  if (type == "connectivity.commands:closeConnection") {
    return PrepareIdCommand(service, context, command, &S::Close,
                            "connectivity.responses:closeConnection", 200);
  }
  if (type == "connectivity.commands:retrieveResolvedHonoConnection") {
    return PrepareRetrieveResolvedHono(service, context, command);
  }
  if (type == "connectivity.commands:retrieveAllConnectionIds") return PrepareAllIds(service);
  if (type == "connectivity.commands:testConnection") return PrepareTest(service, context, command);
  if (type == "connectivity.commands:retrieveConnectionStatus" ||
      type == "connectivity.commands:retrieveConnectionMetrics" ||
      type == "connectivity.commands:resetConnectionMetrics" ||
      type == "connectivity.commands:enableConnectionLogs" ||
      type == "connectivity.commands:retrieveConnectionLogs" ||
      type == "connectivity.commands:resetConnectionLogs") {
    return PrepareMonitoring(service, context, command);
  }
  if (type == "connectivity.sudo.commands:sudoRetrieveConnectionTags") {
    return PrepareTags(service, context, command);
  }
  if (type == "connectivity.sudo.commands:sudoRetrieveConnectionIdsByTag") {
    return PrepareIdsByTag(service, context, command);
  }
  if (type == "connectivity.commands:migrateEncryption" || type == "connectivity.commands:migrateEncryptionStatus" ||
      type == "connectivity.commands:migrateEncryptionAbort") {
    return PrepareMigration(service, context, command);
  }
  return model::JsonTypeNotParsable(type);
}

// --- the envelope -------------------------------------------------------------

HttpAnswer NobodyAnswered() { return JsonAnswer(408, "null"); }

std::optional<model::DittoError> CheckTimeoutHeader(const Context& context) {
  const std::optional<std::string> timeout = context.Header("timeout");
  if (!timeout) return std::nullopt;
  const std::optional<int64_t> micros = ParseDurationMicros(*timeout);
  if (!micros) return HeaderValueInvalid("timeout", *timeout, "duration");
  if (*micros > kTimeoutMaxUs) return TimeoutInvalid(std::to_string(*micros / 1000) + "ms");
  return std::nullopt;
}

// Reads the envelope into `context`; on failure, the answer to send.
std::optional<HttpAnswer> ReadEnvelope(const HttpRequest& request, element root, Context& context,
                                       object& command) {
  object envelope;
  if (root.get_object().get(envelope) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFormatInvalid("The piggyback command must be a JSON object.").ToJson());
  }
  auto selection = RequiredString(envelope, "targetActorSelection");
  if (auto* error = std::get_if<model::DittoError>(&selection)) return ErrorAnswer(400, error->ToJson());
  context.selection = std::get<std::string>(selection);
  element headers;
  if (envelope["headers"].get(headers) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldMissing("/headers").ToJson());
  }
  element piggyback;
  if (envelope["piggybackCommand"].get(piggyback) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldMissing("/piggybackCommand").ToJson());
  }
  object header_object;
  if (headers.get_object().get(header_object) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldTypeInvalid("/headers", "JsonObject").ToJson());
  }
  if (piggyback.get_object().get(command) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldTypeInvalid("/piggybackCommand", "JsonObject").ToJson());
  }
  for (const auto& [name, value] : request.query) {
    for (std::string_view allowed : kQueryParametersAsHeaders) {
      if (AsciiLower(name) == allowed) context.headers[std::string(allowed)] = value;
    }
  }
  for (auto [key, value] : header_object) context.headers[AsciiLower(key)] = StringifyJsonValue(value);
  if (auto error = CheckTimeoutHeader(context)) return ErrorAnswer(error->status, error->ToJson());
  std::string_view type;
  context.type = command["type"].get_string().get(type) == simdjson::SUCCESS ? std::string(type)
                                                                               : std::string("null");
  return std::nullopt;
}

// True if the envelope's own serviceName/instance address somebody else.
bool AddressesOthers(element root, const std::optional<std::string>& path_service,
                     const std::optional<std::string>& path_instance, std::string_view instance) {
  std::string_view value;
  if (!path_service && root["serviceName"].get_string().get(value) == simdjson::SUCCESS &&
      value != "connectivity") {
    return true;
  }
  if (!path_instance && root["instance"].get_string().get(value) == simdjson::SUCCESS &&
      value != instance) {
    return true;
  }
  return false;
}

}  // namespace

void PiggybackApi::Handle(const HttpRequest& request, std::optional<std::string> path_service,
                          std::optional<std::string> path_instance, Respond respond) {
  if ((path_service && *path_service != "connectivity") ||
      (path_instance && *path_instance != config_.instance)) {
    return respond(NobodyAnswered());
  }
  auto parsed = ParseJson(request.body);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) {
    return respond(ErrorAnswer(error->status, error->ToJson()));
  }
  const element root = std::get<element>(parsed);
  Context context;
  context.instance = config_.instance;
  object command;
  if (std::optional<HttpAnswer> answer = ReadEnvelope(request, root, context, command)) {
    return respond(std::move(*answer));
  }
  if (AddressesOthers(root, path_service, path_instance, config_.instance)) {
    return respond(NobodyAnswered());
  }
  context.origin = OriginOf(request, projector::kRoutePiggyback, context.Header("correlation-id").value_or(""));
  const bool nest = config_.ditto2_compat || context.BoolHeader("aggregate", true);
  const bool response_required = context.Header("response-required") != "false";
  const std::string instance = config_.instance;
  Reply finish = [respond, nest, response_required, instance](std::string inner) {
    if (!response_required) return respond(HttpAnswer{202, "", "text/plain", {}, nullptr});
    if (!nest) return respond(JsonAnswer(200, std::move(inner)));
    std::string body;
    body.reserve(inner.size() + 40);
    JsonWriter w(body);
    w.BeginObject().Key("connectivity").BeginObject().Key(instance).Raw(inner).EndObject().EndObject();
    respond(JsonAnswer(200, std::move(body)));
  };

  Preparation preparation = Prepare(service_, context, command);
  if (auto* error = std::get_if<model::DittoError>(&preparation)) {
    return finish(DevOpsErrorResponse(instance, *error));
  }
  Prepared& prepared = std::get<Prepared>(preparation);
  const std::optional<Selection> selection = ParseSelection(context.selection);
  if (!selection || *selection != prepared.selection) {
    return finish(DevOpsErrorResponse(
        instance, model::AskError("Ask timed out on [ActorSelection[Anchor(pekko://ditto-cluster/), Path(" +
                                  context.selection + ")]] after [10000 ms]. Message of type [" +
                                  context.type + "]. The selection does not serve this command.")));
  }
  prepared.run(std::move(finish));
}

}  // namespace connectivity::http
