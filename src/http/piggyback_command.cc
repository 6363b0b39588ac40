#include "src/http/piggyback_command.h"

#include <array>
#include <charconv>
#include <string_view>

#include "src/base/time_format.h"
#include "src/http/http_errors.h"
#include "src/http/json_input.h"
#include "src/model/connection_id.h"
#include "src/model/json_tree.h"
#include "src/model/model_limits.h"

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

// The envelope's members and the command's type.
struct Envelope {
  std::string selection;
  std::string type;
  size_t body_bytes = 0;  // of the whole request
};

using Parsed = std::variant<PiggybackCommand, model::DittoError>;

std::optional<PiggybackSelection> ParseSelection(std::string_view selection) {
  constexpr std::string_view kSingleton = "/singleton";
  if (selection.size() > kSingleton.size() &&
      selection.substr(selection.size() - kSingleton.size()) == kSingleton) {
    selection.remove_suffix(kSingleton.size());
  }
  if (selection == kConnectionShard) return PiggybackSelection::kConnectionShard;
  if (selection == kIdsRetrieval) return PiggybackSelection::kIdsRetrieval;
  if (selection == kEncryptionMigration) return PiggybackSelection::kEncryptionMigration;
  return std::nullopt;
}

model::DittoError Prefixed(model::DittoError error, std::string_view type) {
  if (error.IsJsonError()) {
    error.message = "Error when parsing Json type '" + std::string(type) + "': " + error.message;
  }
  return error;
}

// at-historical-revision / at-historical-timestamp headers of a retrieve.
std::variant<std::optional<HistoricalQuery>, model::DittoError> ReadHistoricalQuery(
    const PiggybackRequest& request) {
  if (auto text = request.Header("at-historical-revision")) {
    uint64_t revision = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), revision);
    if (error != std::errc() || end != text->data() + text->size()) {
      return HeaderValueInvalid("at-historical-revision", *text, "non-negative integer");
    }
    return std::optional<HistoricalQuery>(HistoricalQuery{revision, 0});
  }
  if (auto text = request.Header("at-historical-timestamp")) {
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

// The `connection` member, read from the body's DOM as it stands: no minified copy of it and no
// second parse. Past kConnectionJsonBytesMax / 8 bytes of body (beyond the default body limit),
// the member is minified and parsed as text as before, so that the model's size limit applies
// exactly (minifying can lengthen a number, "1e9" -> "1000000000.0", but not eightfold).
std::variant<model::Connection, model::DittoError> ConnectionMember(object command,
                                                                    size_t body_bytes) {
  element connection;
  if (command["connection"].get(connection) != simdjson::SUCCESS) {
    return model::JsonFieldMissing("/connection");
  }
  if (!connection.is_object()) {
    return model::JsonFieldTypeInvalid("/connection", "JsonObject");
  }
  model::ParseOptions options;
  options.id_required = true;
  if (body_bytes > model::kConnectionJsonBytesMax / 8) {
    return model::ParseConnection(simdjson::minify(connection), options);
  }
  auto tree = model::JsonTreeFromDom(connection);
  if (auto* error = std::get_if<model::DittoError>(&tree)) return std::move(*error);
  return model::ParseConnectionTree(std::move(std::get<model::ParsedJson>(tree)), options);
}

PiggybackCommand Command(PiggybackCommandKind kind, const Envelope& envelope) {
  PiggybackCommand command;
  command.kind = kind;
  command.type = envelope.type;
  return command;
}

// create, modify and test: a connection. A connection that did not parse is a parse-stage
// error, wrapped in an errorResponse (SPEC §4.1) like every other, U+0000 in a string included
// (issue 12: it is found while parsing here).
Parsed ParseWithConnection(PiggybackCommandKind kind, const Envelope& envelope, object member) {
  auto connection = ConnectionMember(member, envelope.body_bytes);
  if (auto* error = std::get_if<model::DittoError>(&connection)) {
    return Prefixed(std::move(*error), envelope.type);
  }
  PiggybackCommand command = Command(kind, envelope);
  command.connection = std::move(std::get<model::Connection>(connection));
  return command;
}

// Commands on one connection id.
Parsed ParseWithId(PiggybackCommandKind kind, const Envelope& envelope, object member) {
  auto id = ConnectionIdMember(member);
  if (auto* error = std::get_if<model::DittoError>(&id)) return Prefixed(*error, envelope.type);
  PiggybackCommand command = Command(kind, envelope);
  command.connection_id = std::move(std::get<std::string>(id));
  return command;
}

// A command on one connection id with the optional `selectedFields` member: retrieve and
// retrieveResolvedHonoConnection.
Parsed ParseWithSelectedFields(PiggybackCommandKind kind, const Envelope& envelope, object member) {
  Parsed parsed = ParseWithId(kind, envelope, member);
  auto* command = std::get_if<PiggybackCommand>(&parsed);
  if (command == nullptr) return parsed;
  element selected;
  if (member["selectedFields"].get(selected) != simdjson::SUCCESS) return parsed;
  std::string_view text;
  if (selected.get_string().get(text) != simdjson::SUCCESS) {
    return Prefixed(model::JsonFieldTypeInvalid("/selectedFields", "String"), envelope.type);
  }
  auto selector = model::FieldSelector::Parse(text);
  if (auto* error = std::get_if<model::DittoError>(&selector)) return Prefixed(*error, envelope.type);
  command->selector = std::move(std::get<model::FieldSelector>(selector));
  return parsed;
}

Parsed ParseRetrieve(const PiggybackRequest& request, const Envelope& envelope, object member) {
  Parsed parsed = ParseWithSelectedFields(PiggybackCommandKind::kRetrieve, envelope, member);
  auto* command = std::get_if<PiggybackCommand>(&parsed);
  if (command == nullptr) return parsed;
  auto at = ReadHistoricalQuery(request);
  if (auto* error = std::get_if<model::DittoError>(&at)) return *error;
  command->at = std::get<std::optional<HistoricalQuery>>(at);
  return parsed;
}

Parsed ParseIdsByTag(const Envelope& envelope, object member) {
  auto tag = RequiredString(member, "tag");
  if (auto* error = std::get_if<model::DittoError>(&tag)) return Prefixed(*error, envelope.type);
  PiggybackCommand command = Command(PiggybackCommandKind::kRetrieveIdsByTag, envelope);
  command.tag = std::move(std::get<std::string>(tag));
  return command;
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

// migrateEncryption with its optional `dryRun` and `resume` (REF row 18).
Parsed ParseMigrateEncryption(const Envelope& envelope, object member) {
  auto dry_run = OptionalBool(member, "dryRun");
  if (auto* error = std::get_if<model::DittoError>(&dry_run)) return Prefixed(*error, envelope.type);
  auto resume = OptionalBool(member, "resume");
  if (auto* error = std::get_if<model::DittoError>(&resume)) return Prefixed(*error, envelope.type);
  PiggybackCommand command = Command(PiggybackCommandKind::kMigrateEncryption, envelope);
  command.dry_run = std::get<bool>(dry_run);
  command.resume = std::get<bool>(resume);
  return command;
}

bool IsMonitoring(std::string_view type) {
  return type == "connectivity.commands:retrieveConnectionStatus" ||
         type == "connectivity.commands:retrieveConnectionMetrics" ||
         type == "connectivity.commands:resetConnectionMetrics" ||
         type == "connectivity.commands:enableConnectionLogs" ||
         type == "connectivity.commands:retrieveConnectionLogs" ||
         type == "connectivity.commands:resetConnectionLogs";
}

// Stage 3: the command by its type.
Parsed ParseCommand(const PiggybackRequest& request, const Envelope& envelope, object member) {
  using K = PiggybackCommandKind;
  const std::string& type = envelope.type;
  if (type == "connectivity.commands:createConnection") return ParseWithConnection(K::kCreate, envelope, member);
  if (type == "connectivity.commands:modifyConnection") return ParseWithConnection(K::kModify, envelope, member);
  if (type == "connectivity.commands:retrieveConnection") return ParseRetrieve(request, envelope, member);
  if (type == "connectivity.commands:deleteConnection") return ParseWithId(K::kDelete, envelope, member);
  if (type == "connectivity.commands:openConnection") return ParseWithId(K::kOpen, envelope, member);
  if (type == "connectivity.commands:closeConnection") return ParseWithId(K::kClose, envelope, member);
  if (type == "connectivity.commands:retrieveResolvedHonoConnection") {
    return ParseWithSelectedFields(K::kRetrieveResolvedHono, envelope, member);
  }
  if (type == "connectivity.commands:retrieveAllConnectionIds") return Command(K::kRetrieveAllIds, envelope);
  if (type == "connectivity.commands:testConnection") return ParseWithConnection(K::kTest, envelope, member);
  if (IsMonitoring(type)) return ParseWithId(K::kMonitoring, envelope, member);
  if (type == "connectivity.sudo.commands:sudoRetrieveConnectionTags") {
    return ParseWithId(K::kRetrieveTags, envelope, member);
  }
  if (type == "connectivity.sudo.commands:sudoRetrieveConnectionIdsByTag") {
    return ParseIdsByTag(envelope, member);
  }
  if (type == "connectivity.commands:migrateEncryption") return ParseMigrateEncryption(envelope, member);
  if (type == "connectivity.commands:migrateEncryptionStatus") return Command(K::kMigrateEncryptionStatus, envelope);
  if (type == "connectivity.commands:migrateEncryptionAbort") return Command(K::kMigrateEncryptionAbort, envelope);
  return model::JsonTypeNotParsable(type);
}

PiggybackSelection SelectionServing(PiggybackCommandKind kind) {
  using K = PiggybackCommandKind;
  switch (kind) {
    case K::kRetrieveAllIds:
    case K::kRetrieveIdsByTag: return PiggybackSelection::kIdsRetrieval;
    case K::kMigrateEncryption:
    case K::kMigrateEncryptionStatus:
    case K::kMigrateEncryptionAbort: return PiggybackSelection::kEncryptionMigration;
    default: return PiggybackSelection::kConnectionShard;
  }
}

// Stage 4: a selection that does not serve the command gets Ditto's ask timeout.
Parsed CheckSelection(Parsed parsed, const Envelope& envelope) {
  const auto* command = std::get_if<PiggybackCommand>(&parsed);
  if (command == nullptr) return parsed;
  const std::optional<PiggybackSelection> selection = ParseSelection(envelope.selection);
  if (selection && *selection == SelectionServing(command->kind)) return parsed;
  return model::AskError("Ask timed out on [ActorSelection[Anchor(pekko://ditto-cluster/), Path(" +
                         envelope.selection + ")]] after [10000 ms]. Message of type [" +
                         envelope.type + "]. The selection does not serve this command.");
}

HttpAnswer NobodyAnswered() { return JsonAnswer(408, "null"); }

std::optional<model::DittoError> CheckTimeoutHeader(const PiggybackRequest& request) {
  const std::optional<std::string> timeout = request.Header("timeout");
  if (!timeout) return std::nullopt;
  const std::optional<int64_t> micros = ParseDurationMicros(*timeout);
  if (!micros) return HeaderValueInvalid("timeout", *timeout, "duration");
  if (*micros > kTimeoutMaxUs) return TimeoutInvalid(std::to_string(*micros / 1000) + "ms");
  return std::nullopt;
}

// Stage 2: reads the envelope into `envelope` and `request.headers`; on failure, the answer.
std::optional<HttpAnswer> ReadEnvelope(const HttpRequest& http, element root, Envelope& envelope,
                                       PiggybackRequest& request, object& command) {
  object members;
  if (root.get_object().get(members) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFormatInvalid("The piggyback command must be a JSON object.").ToJson());
  }
  auto selection = RequiredString(members, "targetActorSelection");
  if (auto* error = std::get_if<model::DittoError>(&selection)) return ErrorAnswer(400, error->ToJson());
  envelope.selection = std::get<std::string>(selection);
  element headers;
  if (members["headers"].get(headers) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldMissing("/headers").ToJson());
  }
  element piggyback;
  if (members["piggybackCommand"].get(piggyback) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldMissing("/piggybackCommand").ToJson());
  }
  object header_object;
  if (headers.get_object().get(header_object) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldTypeInvalid("/headers", "JsonObject").ToJson());
  }
  if (piggyback.get_object().get(command) != simdjson::SUCCESS) {
    return ErrorAnswer(400, model::JsonFieldTypeInvalid("/piggybackCommand", "JsonObject").ToJson());
  }
  for (const auto& [name, value] : http.query) {
    for (std::string_view allowed : kQueryParametersAsHeaders) {
      if (AsciiLower(name) == allowed) request.headers[std::string(allowed)] = value;
    }
  }
  for (auto [key, value] : header_object) request.headers[AsciiLower(key)] = StringifyJsonValue(value);
  if (auto error = CheckTimeoutHeader(request)) return ErrorAnswer(error->status, error->ToJson());
  std::string_view type;
  envelope.type = command["type"].get_string().get(type) == simdjson::SUCCESS ? std::string(type)
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

std::optional<std::string> PiggybackRequest::Header(const std::string& name) const {
  const auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

bool PiggybackRequest::BoolHeader(const std::string& name, bool absent) const {
  const std::optional<std::string> value = Header(name);
  if (!value) return absent;
  return AsciiLower(*value) == "true";
}

std::variant<PiggybackRequest, HttpAnswer> ParsePiggybackRequest(
    const HttpRequest& http, const std::optional<std::string>& path_service,
    const std::optional<std::string>& path_instance, const PiggybackConfig& config) {
  if ((path_service && *path_service != "connectivity") ||
      (path_instance && *path_instance != config.instance)) {
    return NobodyAnswered();
  }
  auto parsed = ParseJson(http.body);
  if (auto* error = std::get_if<model::DittoError>(&parsed)) {
    return ErrorAnswer(error->status, error->ToJson());
  }
  const element root = std::get<element>(parsed);
  PiggybackRequest request;
  Envelope envelope;
  envelope.body_bytes = http.body.size();
  object command;
  if (std::optional<HttpAnswer> answer = ReadEnvelope(http, root, envelope, request, command)) {
    return std::move(*answer);
  }
  if (AddressesOthers(root, path_service, path_instance, config.instance)) return NobodyAnswered();
  request.nest = config.ditto2_compat || request.BoolHeader("aggregate", true);
  request.response_required = request.Header("response-required") != "false";
  request.command = CheckSelection(ParseCommand(request, envelope, command), envelope);
  return request;
}

}  // namespace connectivity::http
