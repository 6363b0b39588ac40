// ParseConnection: the top level of a connection object and the model-level checks of REF §4.1.
//
// Field order follows Ditto's ImmutableConnection#fromJson and AbstractConnection#buildFromJson:
// connectionType, mappingContext, mappingDefinitions, id, connectionStatus, uri, sources, targets,
// name, specificConfig, tags, credentials, clientCount, failoverEnabled, validateCertificates,
// processorPoolSize, ca, sshTunnel; then the builder's checks. Two REF §4.1 deviations from that
// code order are deliberate (see connection.h): the URI is checked when read, and clientCount /
// processorPoolSize positivity last. Hidden fields (`__lifecycle`, `_revision`, `_created`,
// `_modified`) are ignored: the projector owns them.
#include "src/model/connection.h"
#include "src/model/connection_id.h"
#include "src/model/connection_parse_internal.h"
#include "src/model/connection_uri.h"

namespace connectivity::model {
namespace {

// What is read from the JSON besides the Connection itself.
struct ParseState {
  std::optional<MappingDefinition> mapping_context;  // legacy field, migrated after the checks
};

MaybeError ReadConnectionType(const JsonReader& reader, Connection& out) {
  std::string type;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("connectionType", type));
  std::optional<ConnectionType> parsed = ParseConnectionType(type);
  if (!parsed) return JsonInvalid("Connection type <" + type + "> is invalid!");
  out.connection_type = *parsed;
  return std::nullopt;
}

MaybeError ReadId(const JsonReader& reader, const ParseOptions& options, Connection& out) {
  std::optional<std::string> id;
  MODEL_RETURN_IF_ERROR(reader.String("id", id));
  if (!id) {
    if (options.id_required) return JsonFieldMissing("/id");
    return std::nullopt;
  }
  if (!IsValidConnectionId(*id)) return ConnectionIdInvalid(*id);
  out.id = std::move(*id);
  return std::nullopt;
}

MaybeError ReadConnectionStatus(const JsonReader& reader, const ParseOptions& options,
                                Connection& out) {
  std::optional<std::string> status;
  MODEL_RETURN_IF_ERROR(reader.String("connectionStatus", status));
  if (!status) status = options.default_connection_status;
  if (!status) return JsonFieldMissing("/connectionStatus");
  if (!IsValidConnectionStatus(*status)) {
    return JsonInvalid("Connection status <" + *status + "> is invalid!");
  }
  out.connection_status = std::move(*status);
  return std::nullopt;
}

// Only hono may omit the URI (HonoConnection#getJsonObjectWithEmptyUri).
MaybeError ReadUri(const JsonReader& reader, Connection& out) {
  std::optional<std::string> uri;
  MODEL_RETURN_IF_ERROR(reader.String("uri", uri));
  if (!uri) {
    if (out.connection_type != ConnectionType::kHono) return JsonFieldMissing("/uri");
    uri.emplace();
  }
  std::optional<ConnectionUri> parsed = ParseConnectionUri(*uri);
  if (!parsed) return ConnectionUriInvalid(MaskUriPassword(*uri));
  out.uri = std::move(parsed->ascii);
  return std::nullopt;
}

// The fields Ditto reads before sources and targets.
MaybeError ReadHead(const JsonReader& reader, const ParseOptions& options, Connection& out,
                    ParseState& state) {
  MODEL_RETURN_IF_ERROR(ReadConnectionType(reader, out));
  const JsonNode* mapping_context = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Object("mappingContext", mapping_context));
  if (mapping_context != nullptr) {
    state.mapping_context.emplace();
    MODEL_RETURN_IF_ERROR(ParseMappingDefinition(
        JsonReader(*mapping_context, reader.PointerOf("mappingContext")), *state.mapping_context));
  }
  MODEL_RETURN_IF_ERROR(ParseMappingDefinitions(reader, out.mapping_definitions));
  MODEL_RETURN_IF_ERROR(ReadId(reader, options, out));
  MODEL_RETURN_IF_ERROR(ReadConnectionStatus(reader, options, out));
  return ReadUri(reader, out);
}

MaybeError ReadSettings(const JsonReader& reader, Connection& out) {
  std::optional<int32_t> count;
  MODEL_RETURN_IF_ERROR(reader.Int32("clientCount", count));
  if (count) out.client_count = *count;
  std::optional<bool> flag;
  MODEL_RETURN_IF_ERROR(reader.Bool("failoverEnabled", flag));
  out.failover_enabled = flag.value_or(true);
  flag.reset();
  MODEL_RETURN_IF_ERROR(reader.Bool("validateCertificates", flag));
  out.validate_certificates = flag.value_or(true);
  count.reset();
  MODEL_RETURN_IF_ERROR(reader.Int32("processorPoolSize", count));
  if (count) out.processor_pool_size = *count;
  MODEL_RETURN_IF_ERROR(reader.String("ca", out.ca));
  if (out.ca && IsBlank(*out.ca)) out.ca.reset();
  const JsonNode* ssh_tunnel = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Object("sshTunnel", ssh_tunnel));
  if (ssh_tunnel != nullptr) {
    out.ssh_tunnel.emplace();
    MODEL_RETURN_IF_ERROR(
        ParseSshTunnel(JsonReader(*ssh_tunnel, reader.PointerOf("sshTunnel")), *out.ssh_tunnel));
  }
  return std::nullopt;
}

// The fields Ditto reads after the URI.
MaybeError ReadBody(const JsonReader& reader, Connection& out) {
  MODEL_RETURN_IF_ERROR(ParseSources(reader, out.sources));
  MODEL_RETURN_IF_ERROR(ParseTargets(reader, out.targets));
  MODEL_RETURN_IF_ERROR(reader.String("name", out.name));
  const JsonNode* node = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Object("specificConfig", node));
  if (node != nullptr) ReadStringMap(*node, /*coerce=*/true, out.specific_config);
  MODEL_RETURN_IF_ERROR(reader.Array("tags", node));
  if (node != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*node, reader.PointerOf("tags"), /*strict=*/false,
                                          /*as_set=*/true, out.tags));
  }
  MODEL_RETURN_IF_ERROR(reader.Object("credentials", node));
  if (node != nullptr) {
    out.credentials.emplace();
    MODEL_RETURN_IF_ERROR(
        ParseCredentials(JsonReader(*node, reader.PointerOf("credentials")), *out.credentials));
  }
  return ReadSettings(reader, out);
}

// Java's Set#toString: "[a, b]".
std::string JavaSetString(const std::vector<std::string>& elements) {
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(elements[i]);
  }
  out.push_back(']');
  return out;
}

MaybeError CheckAuthorizationContexts(const Connection& connection) {
  std::vector<std::string> sources;
  for (const Source& source : connection.sources) {
    if (!source.authorization_context.empty()) continue;
    for (const std::string& address : source.addresses) AppendUnique(sources, address);
  }
  std::vector<std::string> targets;
  for (const Target& target : connection.targets) {
    if (target.authorization_context.empty()) AppendUnique(targets, target.address);
  }
  if (sources.empty() && targets.empty()) return std::nullopt;
  std::string message = "The ";
  if (!sources.empty()) message += "Sources " + JavaSetString(sources);
  if (!sources.empty() && !targets.empty()) message += " and ";
  if (!targets.empty()) message += "Targets " + JavaSetString(targets);
  message += " are missing an authorization context.";
  return ConnectionConfigurationInvalid(std::move(message));
}

bool HasConnectionAnnouncementsTarget(const Connection& connection) {
  for (const Target& target : connection.targets) {
    for (const FilteredTopic& topic : target.topics) {
      if (topic.topic == Topic::kConnectionAnnouncements) return true;
    }
  }
  return false;
}

// The builder's checks (ImmutableConnection.Builder#build), then the positivity checks.
MaybeError CheckConnection(const Connection& connection) {
  if (connection.sources.empty() && connection.targets.empty()) {
    return ConnectionConfigurationInvalid(
        "Either a source or a target must be specified in the configuration of a connection!");
  }
  MODEL_RETURN_IF_ERROR(CheckAuthorizationContexts(connection));
  if (connection.client_count > 1 && HasConnectionAnnouncementsTarget(connection)) {
    return ConnectionConfigurationInvalid(
        "Connection announcements (topic _/_/connections/announcements) can only be used with "
        "client count 1.");
  }
  if (connection.client_count <= 0) {
    return ConnectionConfigurationInvalid("The client count must be positive!");
  }
  if (connection.processor_pool_size <= 0) {
    return ConnectionConfigurationInvalid("The processor pool size must be positive!");
  }
  return std::nullopt;
}

std::variant<Connection, DittoError> ParseConnectionObject(JsonNode root,
                                                           bool contains_nul_character,
                                                           const ParseOptions& options) {
  // Ditto's JsonFactory#newObject reads the literal `null` as an empty object.
  if (root.IsNull()) root = JsonNode::Object();
  if (!root.IsObject()) return JsonInvalid("The JSON is not a valid JSON object!");
  if (options.migrate_legacy_fields) MigrateLegacyFields(root);

  Connection connection;
  ParseState state;
  JsonReader reader(root, "");
  if (auto error = ReadHead(reader, options, connection, state)) return std::move(*error);
  if (auto error = ReadBody(reader, connection)) return std::move(*error);
  if (auto error = CheckConnection(connection)) return std::move(*error);
  MigrateParsedConnection(std::move(state.mapping_context), connection);
  // Ditto finds U+0000 only after the command was parsed (in a pre-enforcer), hence last.
  if (contains_nul_character) return JsonForbiddenNulCharacter();
  return connection;
}

}  // namespace

std::variant<Connection, DittoError> ParseConnection(std::string_view json,
                                                     const ParseOptions& options) {
  auto parsed = ParseJsonTree(json);
  if (auto* error = std::get_if<DittoError>(&parsed)) return std::move(*error);
  ParsedJson& tree = std::get<ParsedJson>(parsed);
  return ParseConnectionObject(std::move(tree.root), tree.contains_nul_character, options);
}

std::variant<Connection, DittoError> ParseConnectionTree(JsonNode connection,
                                                         const ParseOptions& options) {
  const bool contains_nul_character = ContainsNulCharacter(connection);
  return ParseConnectionObject(std::move(connection), contains_nul_character, options);
}

}  // namespace connectivity::model

namespace connectivity::model {

std::variant<Connection, DittoError> ParseConnectionTree(ParsedJson parsed,
                                                         const ParseOptions& options) {
  return ParseConnectionObject(std::move(parsed.root), parsed.contains_nul_character, options);
}

}  // namespace connectivity::model
