// SerializeConnection: Ditto's retrieve shape (REF §3.1-3.8), compact, in emission order:
// connection  id, name, connectionType, connectionStatus, uri, sources, targets, clientCount,
//             failoverEnabled, validateCertificates, processorPoolSize, [specificConfig],
//             [mappingDefinitions], [credentials], [ca], [sshTunnel], tags
// source      addresses, consumerCount, [qos], [authorizationContext], [enforcement],
//             [acknowledgementRequests], headerMapping, [payloadMapping], [replyTarget], [declaredAcks]
// replyTarget address, headerMapping, expectedResponseTypes, enabled (or only enabled:false)
// target      address, topics, [qos], [authorizationContext], [issuedAcknowledgementLabel],
//             headerMapping, [payloadMapping]
#include "src/base/json_writer.h"
#include "src/model/connection.h"
#include "src/model/topic.h"

namespace connectivity::model {
namespace {

void WriteStrings(JsonWriter& writer, std::string_view name, const std::vector<std::string>& values) {
  writer.Key(name).BeginArray();
  for (const std::string& value : values) writer.String(value);
  writer.EndArray();
}

void WriteStringMap(JsonWriter& writer, std::string_view name, const StringMap& map) {
  writer.Key(name).BeginObject();
  for (const auto& [key, value] : map) writer.Member(key, value);
  writer.EndObject();
}

void WriteReplyTarget(JsonWriter& writer, const Source& source) {
  // Ditto writes `replyTarget/enabled` unless it is true without a reply target (which the
  // migration never leaves behind).
  if (!source.reply_target && source.reply_target_enabled) return;
  writer.Key("replyTarget").BeginObject();
  if (source.reply_target) {
    const ReplyTarget& reply_target = *source.reply_target;
    writer.Member("address", reply_target.address);
    WriteStringMap(writer, "headerMapping", reply_target.header_mapping);
    writer.Key("expectedResponseTypes").BeginArray();
    for (ResponseType type : reply_target.expected_response_types) {
      writer.String(ResponseTypeName(type));
    }
    writer.EndArray();
  }
  writer.MemberBool("enabled", source.reply_target_enabled);
  writer.EndObject();
}

void WriteSource(JsonWriter& writer, const Source& source) {
  writer.BeginObject();
  WriteStrings(writer, "addresses", source.addresses);
  writer.MemberInt("consumerCount", source.consumer_count);
  if (source.qos) writer.MemberInt("qos", *source.qos);
  if (!source.authorization_context.empty()) {
    WriteStrings(writer, "authorizationContext", source.authorization_context);
  }
  if (source.enforcement) {
    writer.Key("enforcement").BeginObject().Member("input", source.enforcement->input);
    WriteStrings(writer, "filters", source.enforcement->filters);
    writer.EndObject();
  }
  if (source.acknowledgement_requests) {
    writer.Key("acknowledgementRequests").BeginObject();
    WriteStrings(writer, "includes", source.acknowledgement_requests->includes);
    if (source.acknowledgement_requests->filter) {
      writer.Member("filter", *source.acknowledgement_requests->filter);
    }
    writer.EndObject();
  }
  WriteStringMap(writer, "headerMapping", source.header_mapping);
  if (!source.payload_mapping.empty()) WriteStrings(writer, "payloadMapping", source.payload_mapping);
  WriteReplyTarget(writer, source);
  if (!source.declared_acks.empty()) WriteStrings(writer, "declaredAcks", source.declared_acks);
  writer.EndObject();
}

void WriteTarget(JsonWriter& writer, const Target& target) {
  writer.BeginObject();
  writer.Member("address", target.address);
  writer.Key("topics").BeginArray();
  for (const FilteredTopic& topic : target.topics) writer.String(FilteredTopicToString(topic));
  writer.EndArray();
  if (target.qos) writer.MemberInt("qos", *target.qos);
  if (!target.authorization_context.empty()) {
    WriteStrings(writer, "authorizationContext", target.authorization_context);
  }
  if (target.issued_acknowledgement_label) {
    writer.Member("issuedAcknowledgementLabel", *target.issued_acknowledgement_label);
  }
  WriteStringMap(writer, "headerMapping", target.header_mapping);
  if (!target.payload_mapping.empty()) WriteStrings(writer, "payloadMapping", target.payload_mapping);
  writer.EndObject();
}

void WriteMappingDefinitions(JsonWriter& writer, const Connection& connection) {
  writer.Key("mappingDefinitions").BeginObject();
  for (const auto& [id, definition] : connection.mapping_definitions) {
    writer.Key(id).BeginObject();
    writer.Member("mappingEngine", definition.mapping_engine);
    writer.Key("options").Raw(definition.options_json);
    if (!definition.incoming_conditions.empty()) {
      WriteStringMap(writer, "incomingConditions", definition.incoming_conditions);
    }
    if (!definition.outgoing_conditions.empty()) {
      WriteStringMap(writer, "outgoingConditions", definition.outgoing_conditions);
    }
    writer.EndObject();
  }
  writer.EndObject();
}

void WriteOptional(JsonWriter& writer, std::string_view name,
                   const std::optional<std::string>& value) {
  if (value) writer.Member(name, *value);
}

// Member order and null handling as each Ditto Credentials#toJson.
struct CredentialsWriter {
  JsonWriter& writer;

  void operator()(const ClientCertificateCredentials& c) const {
    WriteOptional(writer, "cert", c.cert);
    WriteOptional(writer, "key", c.key);
  }
  void operator()(const UserPasswordCredentials& c) const {
    writer.Member("username", c.username).Member("password", c.password);
  }
  void operator()(const SshPublicKeyCredentials& c) const {
    writer.Member("username", c.username).Member("publicKey", c.public_key);
    writer.Member("privateKey", c.private_key);
  }
  void operator()(const HmacCredentials& c) const {
    writer.Member("algorithm", c.algorithm).Key("parameters").Raw(c.parameters_json);
  }
  void operator()(const OAuthClientCredentials& c) const {
    writer.Member("tokenEndpoint", c.token_endpoint).Member("clientId", c.client_id);
    writer.Member("clientSecret", c.client_secret).Member("requestedScopes", c.requested_scopes);
    // Ditto sets `audience` without a null filter, so an absent one is written as null.
    writer.Key("audience");
    if (c.audience) {
      writer.String(*c.audience);
    } else {
      writer.Null();
    }
  }
  void operator()(const OAuthPasswordCredentials& c) const {
    writer.Member("tokenEndpoint", c.token_endpoint).Member("clientId", c.client_id);
    WriteOptional(writer, "clientSecret", c.client_secret);
    writer.Member("requestedScopes", c.requested_scopes);
    WriteOptional(writer, "audience", c.audience);
    writer.Member("username", c.username).Member("password", c.password);
  }
};

void WriteCredentials(JsonWriter& writer, std::string_view name, const Credentials& credentials) {
  writer.Key(name).BeginObject().Member("type", CredentialsTypeName(credentials));
  std::visit(CredentialsWriter{writer}, credentials);
  writer.EndObject();
}

void WriteSshTunnel(JsonWriter& writer, const SshTunnel& tunnel) {
  writer.Key("sshTunnel").BeginObject().MemberBool("enabled", tunnel.enabled);
  WriteCredentials(writer, "credentials", tunnel.credentials);
  writer.MemberBool("validateHost", tunnel.validate_host);
  WriteStrings(writer, "knownHosts", tunnel.known_hosts);
  writer.Member("uri", tunnel.uri).EndObject();
}

void WriteEndpoints(JsonWriter& writer, const Connection& connection) {
  writer.Key("sources").BeginArray();
  for (const Source& source : connection.sources) WriteSource(writer, source);
  writer.EndArray();
  writer.Key("targets").BeginArray();
  for (const Target& target : connection.targets) WriteTarget(writer, target);
  writer.EndArray();
}

}  // namespace

void AppendSerializedConnection(std::string& out, const Connection& connection) {
  JsonWriter writer(out);
  writer.BeginObject().Member("id", connection.id).Key("name");
  if (connection.name) {
    writer.String(*connection.name);
  } else {
    writer.Null();
  }
  writer.Member("connectionType", ConnectionTypeName(connection.connection_type));
  writer.Member("connectionStatus", connection.connection_status);
  writer.Member("uri", connection.uri);
  WriteEndpoints(writer, connection);
  writer.MemberInt("clientCount", connection.client_count);
  writer.MemberBool("failoverEnabled", connection.failover_enabled);
  writer.MemberBool("validateCertificates", connection.validate_certificates);
  writer.MemberInt("processorPoolSize", connection.processor_pool_size);
  if (!connection.specific_config.empty()) {
    WriteStringMap(writer, "specificConfig", connection.specific_config);
  }
  if (!connection.mapping_definitions.empty()) WriteMappingDefinitions(writer, connection);
  if (connection.credentials) WriteCredentials(writer, "credentials", *connection.credentials);
  if (connection.ca) writer.Member("ca", *connection.ca);
  if (connection.ssh_tunnel) WriteSshTunnel(writer, *connection.ssh_tunnel);
  // `tags` must stay last: the projector splices hidden fields into this text relying on the
  // layout promised in connection.h.
  WriteStrings(writer, "tags", connection.tags);
  writer.EndObject();
}

std::string SerializeConnection(const Connection& connection) {
  std::string out;
  out.reserve(1024);
  AppendSerializedConnection(out, connection);
  return out;
}

}  // namespace connectivity::model
