// Legacy migrations.
//
// On the JSON (REF §6.3, Ditto's ConnectionMigrationUtil, which Ditto applies when it reads its
// journal): a connection-level `authorizationContext` is copied into sources and targets that have
// none; a source's legacy `filters` become `enforcement` with input `{{ source:address }}`; the
// placeholder `topic:action|subject` is renamed `topic:action-subject` in target addresses and in
// source and target header mappings.
//
// On the parsed model (REF §3.4, Ditto's AbstractConnectionBuilder#migrateLegacyConfigurationOnTheFly):
// an enabled source without reply target gets the default one, and a legacy `mappingContext`
// becomes the mapping definition `javascript`, appended to every payload mapping.
#include "src/model/connection_parse_internal.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kMigratedMapperId = "javascript";
constexpr std::string_view kDefaultReplyTargetAddress = "{{header:reply-to}}";
constexpr std::string_view kCorrelationIdPlaceholder = "{{header:correlation-id}}";
constexpr std::string_view kContentTypePlaceholder = "{{header:content-type}}";
constexpr std::string_view kOldTopicActionSubject = "topic:action|subject";
constexpr std::string_view kNewTopicActionSubject = "topic:action-subject";

void CopyAuthorizationContext(JsonNode* endpoints, const JsonNode& authorization_context) {
  if (endpoints == nullptr || !endpoints->IsArray()) return;
  for (JsonNode& endpoint : endpoints->items) {
    if (endpoint.IsObject() && endpoint.Find("authorizationContext") == nullptr) {
      endpoint.Set("authorizationContext", authorization_context);
    }
  }
}

void MigrateSourceFilters(JsonNode* sources) {
  if (sources == nullptr || !sources->IsArray()) return;
  for (JsonNode& source : sources->items) {
    if (!source.IsObject()) continue;
    JsonNode* filters = source.Find("filters");
    if (filters == nullptr || !filters->IsArray()) continue;
    JsonNode enforcement = JsonNode::Object();
    enforcement.Set("input", JsonNode::String("{{ source:address }}"));
    enforcement.Set("filters", std::move(*filters));
    source.Remove("filters");
    source.Set("enforcement", std::move(enforcement));
  }
}

void ReplaceTopicActionSubject(std::string& text) {
  size_t position = 0;
  while ((position = text.find(kOldTopicActionSubject, position)) != std::string::npos) {
    text.replace(position, kOldTopicActionSubject.size(), kNewTopicActionSubject);
    position += kNewTopicActionSubject.size();
  }
}

void MigrateTopicActionSubject(JsonNode* endpoints, bool is_target) {
  if (endpoints == nullptr || !endpoints->IsArray()) return;
  for (JsonNode& endpoint : endpoints->items) {
    if (!endpoint.IsObject()) continue;
    JsonNode* address = endpoint.Find("address");
    if (is_target && address != nullptr && address->IsString()) {
      ReplaceTopicActionSubject(address->text);
    }
    JsonNode* header_mapping = endpoint.Find("headerMapping");
    if (header_mapping == nullptr || !header_mapping->IsObject()) continue;
    for (JsonNode& value : header_mapping->items) {
      if (value.IsString()) ReplaceTopicActionSubject(value.text);
    }
  }
}

// The default reply target of REF §3.4; MQTT 3.1.1 has no headers, so no header mappings.
void MigrateReplyTarget(ConnectionType type, Source& source) {
  if (!source.reply_target_enabled || source.reply_target) return;
  ReplyTarget reply_target;
  reply_target.address = kDefaultReplyTargetAddress;
  if (type != ConnectionType::kMqtt) {
    StringMap merged = {{"correlation-id", std::string(kCorrelationIdPlaceholder)},
                        {"content-type", std::string(kContentTypePlaceholder)},
                        {"reply-to", std::string(kDefaultReplyTargetAddress)}};
    for (auto& [key, value] : source.header_mapping) SetInStringMap(merged, key, std::move(value));
    source.header_mapping = std::move(merged);
    reply_target.header_mapping = {{"correlation-id", std::string(kCorrelationIdPlaceholder)},
                                   {"content-type", std::string(kContentTypePlaceholder)}};
  }
  source.reply_target = std::move(reply_target);
}

}  // namespace

void MigrateLegacyFields(JsonNode& connection) {
  const JsonNode* authorization_context = connection.Find("authorizationContext");
  if (authorization_context != nullptr && authorization_context->IsArray()) {
    const JsonNode copy = *authorization_context;
    CopyAuthorizationContext(connection.Find("sources"), copy);
    CopyAuthorizationContext(connection.Find("targets"), copy);
  }
  MigrateSourceFilters(connection.Find("sources"));
  MigrateTopicActionSubject(connection.Find("sources"), /*is_target=*/false);
  MigrateTopicActionSubject(connection.Find("targets"), /*is_target=*/true);
}

void MigrateParsedConnection(std::optional<MappingDefinition> mapping_context,
                             Connection& connection) {
  for (Source& source : connection.sources) {
    MigrateReplyTarget(connection.connection_type, source);
    if (mapping_context) source.payload_mapping.emplace_back(kMigratedMapperId);
  }
  if (!mapping_context) return;
  for (Target& target : connection.targets) target.payload_mapping.emplace_back(kMigratedMapperId);
  for (auto& [id, definition] : connection.mapping_definitions) {
    if (id == kMigratedMapperId) {
      definition = std::move(*mapping_context);
      return;
    }
  }
  connection.mapping_definitions.emplace_back(kMigratedMapperId, std::move(*mapping_context));
}

}  // namespace connectivity::model
