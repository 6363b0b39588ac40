// Mapping definitions, credentials and SSH tunnels (REF §3.6-3.8), read as Ditto's
// ImmutableMappingContext, Credentials#fromJson and ImmutableSshTunnel#fromJson do.
//
// Required credential fields that Ditto only checks with a NullPointerException (OAuth) are
// reported like its other required fields: json.field.missing.
#include "src/model/connection_parse_internal.h"

namespace connectivity::model {
namespace {

MaybeError ParseClientCertificate(const JsonReader& reader, Credentials& out) {
  ClientCertificateCredentials credentials;
  MODEL_RETURN_IF_ERROR(reader.String("cert", credentials.cert));
  MODEL_RETURN_IF_ERROR(reader.String("key", credentials.key));
  out = std::move(credentials);
  return std::nullopt;
}

MaybeError ParseUserPassword(const JsonReader& reader, Credentials& out) {
  UserPasswordCredentials credentials;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("username", credentials.username));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("password", credentials.password));
  out = std::move(credentials);
  return std::nullopt;
}

MaybeError ParseSshPublicKey(const JsonReader& reader, Credentials& out) {
  SshPublicKeyCredentials credentials;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("username", credentials.username));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("publicKey", credentials.public_key));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("privateKey", credentials.private_key));
  out = std::move(credentials);
  return std::nullopt;
}

MaybeError ParseHmac(const JsonReader& reader, Credentials& out) {
  HmacCredentials credentials;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("algorithm", credentials.algorithm));
  const JsonNode* parameters = nullptr;
  MODEL_RETURN_IF_ERROR(reader.RequiredObject("parameters", parameters));
  credentials.parameters_json = ToCompactJson(*parameters);
  out = std::move(credentials);
  return std::nullopt;
}

MaybeError ParseOAuthClientCredentials(const JsonReader& reader, Credentials& out) {
  OAuthClientCredentials credentials;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("tokenEndpoint", credentials.token_endpoint));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("clientId", credentials.client_id));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("clientSecret", credentials.client_secret));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("requestedScopes", credentials.requested_scopes));
  MODEL_RETURN_IF_ERROR(reader.String("audience", credentials.audience));
  out = std::move(credentials);
  return std::nullopt;
}

MaybeError ParseOAuthPassword(const JsonReader& reader, Credentials& out) {
  OAuthPasswordCredentials credentials;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("tokenEndpoint", credentials.token_endpoint));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("clientId", credentials.client_id));
  MODEL_RETURN_IF_ERROR(reader.String("clientSecret", credentials.client_secret));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("requestedScopes", credentials.requested_scopes));
  MODEL_RETURN_IF_ERROR(reader.String("audience", credentials.audience));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("username", credentials.username));
  MODEL_RETURN_IF_ERROR(reader.RequiredString("password", credentials.password));
  out = std::move(credentials);
  return std::nullopt;
}

}  // namespace

MaybeError ParseMappingDefinition(const JsonReader& reader, MappingDefinition& out) {
  MODEL_RETURN_IF_ERROR(reader.RequiredString("mappingEngine", out.mapping_engine));
  const JsonNode* node = nullptr;
  MODEL_RETURN_IF_ERROR(reader.RequiredObject("options", node));
  out.options_json = ToCompactJson(*node);
  MODEL_RETURN_IF_ERROR(reader.Object("incomingConditions", node));
  if (node != nullptr) ReadStringMap(*node, /*coerce=*/true, out.incoming_conditions);
  MODEL_RETURN_IF_ERROR(reader.Object("outgoingConditions", node));
  if (node != nullptr) ReadStringMap(*node, /*coerce=*/true, out.outgoing_conditions);
  return std::nullopt;
}

// Members whose value is not an object are skipped (ConnectivityModelFactory#mappingsFromJson).
MaybeError ParseMappingDefinitions(const JsonReader& connection,
                                   std::vector<std::pair<std::string, MappingDefinition>>& out) {
  const JsonNode* definitions = nullptr;
  MODEL_RETURN_IF_ERROR(connection.Object("mappingDefinitions", definitions));
  if (definitions == nullptr) return std::nullopt;
  for (size_t i = 0; i < definitions->keys.size(); ++i) {
    if (!definitions->items[i].IsObject()) continue;
    const std::string& id = definitions->keys[i];
    MappingDefinition definition;
    JsonReader reader(definitions->items[i], connection.PointerOf("mappingDefinitions") + "/" + id);
    MODEL_RETURN_IF_ERROR(ParseMappingDefinition(reader, definition));
    out.emplace_back(id, std::move(definition));
  }
  return std::nullopt;
}

MaybeError ParseCredentials(const JsonReader& reader, Credentials& out) {
  std::string type;
  MODEL_RETURN_IF_ERROR(reader.RequiredString("type", type));
  if (type == "client-cert") return ParseClientCertificate(reader, out);
  if (type == "plain") return ParseUserPassword(reader, out);
  if (type == "public-key") return ParseSshPublicKey(reader, out);
  if (type == "hmac") return ParseHmac(reader, out);
  if (type == "oauth-client-credentials") return ParseOAuthClientCredentials(reader, out);
  if (type == "oauth-password") return ParseOAuthPassword(reader, out);
  // Ditto adds the credentials JSON as description; that would show secrets, so we do not.
  return JsonInvalid("Unknown credential type <" + type + ">");
}

MaybeError ParseSshTunnel(const JsonReader& reader, SshTunnel& out) {
  MODEL_RETURN_IF_ERROR(reader.RequiredBool("enabled", out.enabled));
  const JsonNode* credentials = nullptr;
  MODEL_RETURN_IF_ERROR(reader.RequiredObject("credentials", credentials));
  MODEL_RETURN_IF_ERROR(
      ParseCredentials(JsonReader(*credentials, reader.PointerOf("credentials")), out.credentials));
  MODEL_RETURN_IF_ERROR(reader.RequiredBool("validateHost", out.validate_host));
  const JsonNode* known_hosts = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Array("knownHosts", known_hosts));
  if (known_hosts != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*known_hosts, reader.PointerOf("knownHosts"),
                                          /*strict=*/true, /*as_set=*/false, out.known_hosts));
  }
  return reader.RequiredString("uri", out.uri);
}

}  // namespace connectivity::model
