// Kafka (Ditto's KafkaValidator, KafkaPublishTarget and the Kafka*SpecificConfig classes): schemes
// tcp/ssl; sources: enforcement templates, header mapping, topics as Kafka names, qos 0 or 1;
// targets: `topic`, `topic/key` or `topic#partition` after placeholder replacement, header
// mapping, extraFields; then payload mapping references and specificConfig (SASL mechanism with
// URI credentials, bootstrapServers, groupId, consumerOffsetReset).
#include <algorithm>
#include <cctype>

#include "src/model/connection_uri.h"
#include "src/model/java_compat.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

// What placeholders in target addresses are replaced with, and what Ditto then checks instead.
constexpr std::string_view kPlaceholderToken = "a0b1c2d3-placeholder-e4f5";
constexpr std::string_view kDummyTopic = "replaced_placeholder";
constexpr std::string_view kDummyPartition = "3";

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// org.apache.kafka.common.internals.Topic#validate.
std::optional<std::string> KafkaTopicProblem(std::string_view topic) {
  if (topic == "." || topic == "..") return "Topic name cannot be \".\" or \"..\"";
  if (topic.size() > 249) {
    return "Topic name is illegal, it can't be longer than 249 characters, topic name: " + std::string(topic);
  }
  for (char c : topic) {
    const bool legal = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (!legal) {
      return "Topic name \"" + std::string(topic) +
             "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
    }
  }
  return std::nullopt;
}

DittoError EmptyPart(std::string_view part) {
  return ConnectionConfigurationInvalid("The provided " + std::string(part) +
                                        " in your target address may not be empty.");
}

MaybeValidationError ValidateTopic(const std::string& topic) {
  if (topic.empty()) return EmptyPart("topic");
  if (auto problem = KafkaTopicProblem(ReplaceAll(topic, kPlaceholderToken, kDummyTopic))) {
    return ConnectionConfigurationInvalid("The provided topic '" + topic + "' is not valid: " + *problem);
  }
  return std::nullopt;
}

MaybeValidationError ValidateKafkaSource(const Source& source) {
  if (auto error = ValidateEnforcementTemplates(source)) return error;
  if (auto error = ValidateHeaderMapping(source.header_mapping)) return error;
  for (const std::string& address : source.addresses) {
    if (auto error = ValidateTopic(address)) return error;
  }
  if (source.qos && (*source.qos < 0 || *source.qos > 1)) {
    return ConnectionConfigurationInvalid(
        "Invalid 'qos' value for Kafka source, supported are: <0> or <1>. Configured 'qos' value was: <" +
        std::to_string(*source.qos) + ">");
  }
  return std::nullopt;
}

// KafkaPublishTarget: a '/' (not first) separates a key, else a '#' (not first) a partition.
MaybeValidationError ValidateTargetAddress(const std::string& address) {
  const size_t slash = address.find('/');
  const size_t hash = address.find('#');
  if (slash != std::string::npos && slash > 0) {
    if (auto error = ValidateTopic(address.substr(0, slash))) return error;
    if (slash + 1 == address.size()) return EmptyPart("key");
    return std::nullopt;
  }
  if (hash == std::string::npos || hash == 0) return ValidateTopic(address);
  if (auto error = ValidateTopic(address.substr(0, hash))) return error;
  const std::string partition = address.substr(hash + 1);
  if (partition.empty()) return EmptyPart("partition");
  if (!ParseJavaInt(ReplaceAll(partition, kPlaceholderToken, kDummyPartition))) {
    return ConnectionConfigurationInvalid("Can not parse partition number from " +
                                          ReplaceAll(partition, kPlaceholderToken, "<placeholder>") + ".");
  }
  return std::nullopt;
}

MaybeValidationError ValidateKafkaTarget(const Target& target) {
  auto replaced = ReplacePlaceholders(target.address, kOutboundPlaceholders, kPlaceholderToken);
  if (auto* error = std::get_if<DittoError>(&replaced)) {
    return ConnectionConfigurationInvalid(std::move(error->message), std::move(error->description));
  }
  if (auto error = ValidateTargetAddress(std::get<std::vector<std::string>>(replaced).front())) return error;
  if (auto error = ValidateHeaderMapping(target.header_mapping)) return error;
  return ValidateExtraFields(target);
}

}  // namespace

MaybeValidationError ValidateKafka(const Connection& connection, const ValidationConfig& config) {
  if (auto error = ValidateUriScheme(connection, {"tcp", "ssl"}, {"ssl"}, "Kafka 2.1.1")) return error;
  for (const Source& source : connection.sources) {
    if (auto error = ValidateKafkaSource(source)) return error;
  }
  for (const Target& target : connection.targets) {
    if (auto error = ValidateKafkaTarget(target)) return error;
  }
  if (auto error = ValidatePayloadMappingReferences(connection, config)) return error;
  return ValidateKafkaSpecificConfig(connection);
}

}  // namespace connectivity::model
