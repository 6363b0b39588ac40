#include "src/http/piggyback.h"

#include <functional>
#include <variant>

#include "src/base/json_writer.h"
#include "src/http/command_responses.h"
#include "src/http/migration_json.h"
#include "src/http/monitoring_json.h"
#include "src/http/request_origin.h"
#include "src/model/hono_connection.h"
#include "src/projector/stored_connection.h"

namespace connectivity::http {
namespace {

// Answers the inner JSON of one command.
using Reply = std::function<void(std::string inner_json)>;

// `origin`: the request's, for the events its command causes (the audit trail).
service::CommandOptions OptionsFrom(const PiggybackRequest& request, const projector::RequestOrigin& origin) {
  service::CommandOptions options;
  options.preconditions.if_match = request.Header("if-match");
  options.preconditions.if_none_match = request.Header("if-none-match");
  options.sudo = request.BoolHeader("ditto-sudo", false);
  if (auto correlation_id = request.Header("correlation-id")) options.correlation_id = *correlation_id;
  options.origin = origin;
  return options;
}

void ReplyError(const Reply& reply, const model::DittoError& error) { reply(error.ToJson()); }

// --- execution of a parsed command ----------------------------------------

void RunCreate(service::ConnectionService& service, PiggybackCommand& command,
               service::CommandOptions options, Reply reply) {
  service.Create(std::move(*command.connection), std::move(options), [reply](service::Outcome outcome) {
    if (outcome.error) return ReplyError(reply, *outcome.error);
    reply(ConnectionResponse("connectivity.responses:createConnection", 201, outcome.state->json));
  });
}

void RunModify(service::ConnectionService& service, PiggybackCommand& command,
               service::CommandOptions options, Reply reply) {
  service.Modify(std::move(*command.connection), std::move(options), [reply](service::Outcome outcome) {
    if (outcome.error) return ReplyError(reply, *outcome.error);
    if (outcome.created) {
      return reply(ConnectionResponse("connectivity.responses:createConnection", 201,
                                      outcome.state->json));
    }
    reply(ConnectionIdResponse("connectivity.responses:modifyConnection", 204, outcome.state->id));
  });
}

void RunRetrieve(service::ConnectionService& service, const PiggybackCommand& command,
                 const service::Preconditions& preconditions, const Reply& reply) {
  const std::optional<model::FieldSelector>& selector = command.selector;
  if (const std::optional<HistoricalQuery>& point = command.at) {
    const service::HistoricalState state =
        point->revision ? service.history().AtRevision(command.connection_id, *point->revision)
                        : service.history().AtTime(command.connection_id, point->timestamp_us);
    if (auto* error = std::get_if<model::DittoError>(&state)) return ReplyError(reply, *error);
    const auto& connection = std::get<projector::ConnectionState>(state);
    const std::string body = selector ? selector->Apply(projector::StoredJsonWithHiddenFields(connection))
                                      : connection.json;
    return reply(ConnectionResponse("connectivity.responses:retrieveConnection", 200, body));
  }
  const service::Outcome outcome = service.Retrieve(command.connection_id, preconditions);
  if (outcome.error) return ReplyError(reply, *outcome.error);
  const std::string body = selector
                               ? selector->Apply(projector::StoredJsonWithHiddenFields(*outcome.state))
                               : outcome.state->json;
  reply(ConnectionResponse("connectivity.responses:retrieveConnection", 200, body));
}

// retrieveResolvedHonoConnection (REF row 17): the stored hono connection resolved into the Kafka
// connection Ditto would build from the service's Hono settings (model/hono_connection.h), in
// retrieveConnection's answer; 404 connection.notfound for other types, as Ditto.
void RunRetrieveResolvedHono(service::ConnectionService& service, const PiggybackCommand& command,
                             const service::Preconditions& preconditions, const Reply& reply) {
  const service::Outcome outcome = service.Retrieve(command.connection_id, preconditions);
  if (outcome.error) return ReplyError(reply, *outcome.error);
  auto parsed = model::ParseConnection(outcome.state->json, model::ParseOptions{});
  const auto* stored = std::get_if<model::Connection>(&parsed);
  if (stored == nullptr || stored->connection_type != model::ConnectionType::kHono) {
    return ReplyError(reply, model::ConnectionNotFound(command.connection_id));
  }
  projector::ConnectionState resolved = *outcome.state;
  resolved.json = model::SerializeConnection(model::ResolveHonoConnection(*stored, service.hono_settings()));
  const std::optional<model::FieldSelector>& selector = command.selector;
  const std::string body = selector ? selector->Apply(projector::StoredJsonWithHiddenFields(resolved)) : resolved.json;
  reply(ConnectionResponse("connectivity.responses:retrieveConnection", 200, body));
}

// testConnection (REF §8): validation, then a real connect on a worker thread.
void RunTest(service::ConnectionService& service, PiggybackCommand& command, Reply reply) {
  const std::string id = command.connection->id;
  service.Test(std::move(*command.connection), [reply, id](service::TestOutcome outcome) {
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
}

// Monitoring commands on an existing connection, answered at once.
void RunMonitoring(service::ConnectionService& service, const PiggybackCommand& command,
                   const service::CommandOptions& options, const std::string& instance,
                   const Reply& reply) {
  const std::string& type = command.type;
  const std::string& id = command.connection_id;
  const std::string response_type = "connectivity.responses:" + type.substr(type.find(':') + 1);
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
}

// delete, open and close: a connection id in, a connection id out.
using IdCommand = void (service::ConnectionService::*)(std::string, service::CommandOptions,
                                                        service::OutcomeCallback);

void RunIdCommand(service::ConnectionService& service, const PiggybackCommand& command,
                  service::CommandOptions options, IdCommand run, std::string response_type,
                  int status, Reply reply) {
  (service.*run)(command.connection_id, std::move(options),
                 [reply, response_type, status](service::Outcome outcome) {
                   if (outcome.error) return ReplyError(reply, *outcome.error);
                   reply(ConnectionIdResponse(response_type, status, outcome.state->id));
                 });
}

void RunTags(service::ConnectionService& service, const PiggybackCommand& command, const Reply& reply) {
  const service::Outcome outcome = service.Retrieve(command.connection_id, {});
  if (outcome.error) return ReplyError(reply, *outcome.error);
  reply(StringListResponse("connectivity.sudo.responses:sudoRetrieveConnectionTags", 200,
                           "connectionTags", projector::StoredTags(outcome.state->json)));
}

// migrateEncryption, migrateEncryptionStatus, migrateEncryptionAbort (REF rows 18-20): answered
// at once. Ditto's migration actor refuses with a Status.Failure, which its DevOpsCommandsActor
// answers as an errorResponse carrying ask.error with the failure's message: so do these.
template <typename Answer, typename ToJson>
void ReplyMigration(const std::variant<Answer, model::DittoError>& answer, ToJson to_json,
                    const std::string& instance, const Reply& reply) {
  if (auto* error = std::get_if<model::DittoError>(&answer)) return reply(DevOpsErrorResponse(instance, *error));
  reply(to_json(std::get<Answer>(answer)));
}

void RunMigration(service::EncryptionMigration& migration, const PiggybackCommand& command,
                  const std::string& instance, const Reply& reply) {
  switch (command.kind) {
    case PiggybackCommandKind::kMigrateEncryptionStatus:
      return ReplyMigration(migration.GetStatus(), MigrationStatusJson, instance, reply);
    case PiggybackCommandKind::kMigrateEncryptionAbort:
      return ReplyMigration(migration.Abort(), MigrationAbortedJson, instance, reply);
    default:
      return ReplyMigration(migration.Start(command.dry_run, command.resume), MigrationStartedJson, instance,
                            reply);
  }
}

void Run(service::ConnectionService& service, const PiggybackRequest& request,
         const projector::RequestOrigin& origin, PiggybackCommand& command, const std::string& instance,
         Reply reply) {
  using S = service::ConnectionService;
  using K = PiggybackCommandKind;
  service::CommandOptions options = OptionsFrom(request, origin);
  switch (command.kind) {
    case K::kCreate: return RunCreate(service, command, std::move(options), std::move(reply));
    case K::kModify: return RunModify(service, command, std::move(options), std::move(reply));
    case K::kRetrieve: return RunRetrieve(service, command, options.preconditions, reply);
    case K::kRetrieveResolvedHono:
      return RunRetrieveResolvedHono(service, command, options.preconditions, reply);
    case K::kDelete:
      return RunIdCommand(service, command, std::move(options), &S::Delete,
                          "connectivity.responses:deleteConnection", 204, std::move(reply));
    case K::kOpen:
      return RunIdCommand(service, command, std::move(options), &S::Open,
                          "connectivity.responses:openConnection", 200, std::move(reply));
    case K::kClose:
      return RunIdCommand(service, command, std::move(options), &S::Close,
                          "connectivity.responses:closeConnection", 200, std::move(reply));
    case K::kRetrieveAllIds:
      return reply(StringListResponse("connectivity.responses:retrieveAllConnectionIds", 200,
                                      "connectionIds", service.AllConnectionIds()));
    case K::kTest: return RunTest(service, command, std::move(reply));
    case K::kMonitoring: return RunMonitoring(service, command, options, instance, reply);
    case K::kRetrieveTags: return RunTags(service, command, reply);
    case K::kRetrieveIdsByTag:
      return reply(StringListResponse("connectivity.sudo.responses:sudoRetrieveConnectionIdsByTag", 200,
                                      "connectionIds", service.ConnectionIdsByTag(command.tag)));
    case K::kMigrateEncryption:
    case K::kMigrateEncryptionStatus:
    case K::kMigrateEncryptionAbort: return RunMigration(service.encryption_migration(), command, instance, reply);
  }
}

}  // namespace

void PiggybackApi::Handle(const HttpRequest& request, std::optional<std::string> path_service,
                          std::optional<std::string> path_instance, Respond respond) {
  auto parsed = ParsePiggybackRequest(request, path_service, path_instance, config_);
  if (auto* answer = std::get_if<HttpAnswer>(&parsed)) return respond(std::move(*answer));
  PiggybackRequest& piggyback = std::get<PiggybackRequest>(parsed);
  const std::string instance = config_.instance;
  Reply finish = [respond, nest = piggyback.nest, response_required = piggyback.response_required,
                  instance](std::string inner) {
    if (!response_required) return respond(HttpAnswer{202, "", "text/plain", {}, nullptr});
    if (!nest) return respond(JsonAnswer(200, std::move(inner)));
    std::string body;
    body.reserve(inner.size() + 40);
    JsonWriter w(body);
    w.BeginObject().Key("connectivity").BeginObject().Key(instance).Raw(inner).EndObject().EndObject();
    respond(JsonAnswer(200, std::move(body)));
  };
  if (auto* error = std::get_if<model::DittoError>(&piggyback.command)) {
    return finish(DevOpsErrorResponse(instance, *error));
  }
  const projector::RequestOrigin origin =
      OriginOf(request, projector::kRoutePiggyback, piggyback.Header("correlation-id").value_or(""));
  Run(service_, piggyback, origin, std::get<PiggybackCommand>(piggyback.command), instance, std::move(finish));
}

}  // namespace connectivity::http
