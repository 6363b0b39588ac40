// MQTT 3.1.1 and MQTT 5 (Ditto's AbstractMqttValidator, Mqtt3Validator, Mqtt5Validator,
// MqttSpecificConfig, KeepAliveInterval): schemes tcp/ssl; source addresses are topic filters and
// target addresses topic names; qos 0..2 required on sources and targets; enforcement input with
// `{{ source:address }}` (MQTT 5 also `{{ header:* }}`). MQTT 3.1.1 has no user headers: one
// client, one consumer per source, header mapping values only from mqtt.topic/qos/retain, and
// outgoing header mapping keys only mqtt.topic/qos/retain. Last, `keepAlive` and the last will.
#include <algorithm>
#include <array>

#include "src/model/java_compat.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

constexpr std::array<std::string_view, 3> kMqtt3Headers = {"mqtt.topic", "mqtt.qos", "mqtt.retain"};
constexpr PlaceholderSet kMqtt3HeaderPlaceholders = {PlaceholderKind::kMqtt3Header};

DittoError InvalidValue(std::string_view value, std::string_view config, const std::string& where) {
  return ConnectionConfigurationInvalid("Invalid value '" + std::string(value) + "' for configuration '" +
                                        std::string(config) + "' in " + where);
}

MaybeValidationError ValidateAddresses(const Connection& connection) {
  const auto invalid = [](const std::string& address, const std::string& reason) {
    return ConnectionConfigurationInvalid("The provided topic '" + address + "' is not valid: " + reason);
  };
  for (const Source& source : connection.sources) {
    for (const std::string& address : source.addresses) {
      if (auto problem = MqttTopicFilterProblem(address)) return invalid(address, *problem);
    }
  }
  for (const Target& target : connection.targets) {
    if (auto problem = MqttTopicNameProblem(target.address, "Topic")) return invalid(target.address, *problem);
  }
  return std::nullopt;
}

MaybeValidationError ValidateQos(const std::optional<int32_t>& qos, std::string_view kind,
                                 const std::string& where) {
  if (!qos) {
    return ConnectionConfigurationInvalid("MQTT " + std::string(kind) + " <" + where +
                                          "> must contain QoS value.");
  }
  if (*qos < 0 || *qos > 2) return InvalidValue(JavaFormatInteger(*qos), "qos", where);
  return std::nullopt;
}

// AbstractMqttValidator#validateSourceEnforcement. `input_names` lists the accepted placeholders
// as Ditto prints them.
MaybeValidationError ValidateMqttEnforcement(const Source& source, PlaceholderSet input,
                                             std::string_view input_names, const std::string& where) {
  if (!source.enforcement) return std::nullopt;
  const std::string& value = source.enforcement->input;
  if (ValidatePlaceholders(value, input)) {
    DittoError error = InvalidValue(value, "input", where);
    error.description = "'" + value + "' is not a valid value for MQTT enforcement. Valid placeholders are: '" +
                        std::string(input_names) + "'.";
    return error;
  }
  for (const std::string& filter : source.enforcement->filters) {
    if (!ValidatePlaceholders(filter, kMqttEnforcementFilterPlaceholders)) continue;
    DittoError error = InvalidValue(JavaListToString(source.enforcement->filters), "filters", where);
    error.description =
        "Placeholder substitution failed. Please check the placeholder variables against the documentation.";
    return error;
  }
  return std::nullopt;
}

MaybeValidationError ValidateMqttSource(const Source& source, const Connection& connection, bool mqtt5) {
  const std::string where = SourceDescription(source, connection);
  if (auto error = ValidateQos(source.qos, "Source", where)) return error;
  if (mqtt5) {
    return ValidateMqttEnforcement(source, {PlaceholderKind::kSourceAddress, PlaceholderKind::kHeader},
                                   "source:address, header:<name>", where);
  }
  return ValidateMqttEnforcement(source, {PlaceholderKind::kSourceAddress}, "source:address", where);
}

MaybeValidationError ValidateMqttTarget(const Target& target, const Connection& connection) {
  if (auto error = ValidateQos(target.qos, "Target", TargetDescription(target, connection))) return error;
  if (auto error = ValidateTemplate(target.address, kOutboundPlaceholders)) return error;
  return ValidateExtraFields(target);
}

// Mqtt3Validator#containsOnlyAllowedTargetMappings: keys from kMqtt3Headers, values any header.
MaybeValidationError ValidateMqtt3OutgoingHeaders(const StringMap& mapping) {
  for (const auto& [key, value] : mapping) {
    if (std::find(kMqtt3Headers.begin(), kMqtt3Headers.end(), key) == kMqtt3Headers.end()) {
      return ConnectionConfigurationInvalid(
          "The header '" + key + "' is not allowed in MQTT 3.1.1 target header mapping.",
          "The following headers are allowed and are directly applied to the published MQTT message: "
          "[mqtt.topic, mqtt.qos, mqtt.retain]");
    }
    if (ContainsPlaceholder(value)) {
      if (auto error = ValidateTemplate(value, kHeaderPlaceholders)) return error;
    }
  }
  return std::nullopt;
}

MaybeValidationError ValidateMqtt3Source(const Source& source, const Connection& connection) {
  if (auto error = ValidateMqttSource(source, connection, /*mqtt5=*/false)) return error;
  for (const auto& [key, value] : source.header_mapping) {
    if (!ContainsPlaceholder(value)) continue;  // constants are allowed
    if (auto error = ValidateTemplate(value, kMqtt3HeaderPlaceholders)) return error;
  }
  if (source.reply_target) {
    if (auto error = ValidateMqtt3OutgoingHeaders(source.reply_target->header_mapping)) return error;
  }
  if (source.consumer_count > 1) {
    return ConnectionConfigurationInvalid("Consumer count limited to 1 for MQTT 3.1.1 connections.");
  }
  return std::nullopt;
}

// MqttSpecificConfig: `keepAlive` (a duration, 0..65535 s) and, with `lastWillTopic`, a valid
// topic and `lastWillQos` (not a number: 0).
MaybeValidationError ValidateMqttSpecificConfig(const Connection& connection) {
  const std::string kInterval = "Please adjust the interval to be within the allowed range.";
  if (const std::string* keep_alive = FindInStringMap(connection.specific_config, "keepAlive")) {
    const auto nanos = TypesafeDurationNanos("keepAlive", *keep_alive);
    if (const auto* problem = std::get_if<std::string>(&nanos)) {
      return ConnectionConfigurationInvalid("Configured value for Keep Alive Interval is invalid: " + *problem,
                                            kInterval);
    }
    const int64_t value = std::get<int64_t>(nanos);
    const int64_t seconds = value / 1'000'000'000 - (value % 1'000'000'000 < 0 ? 1 : 0);
    if (seconds < 0 || seconds > 65535) {
      return ConnectionConfigurationInvalid("Expected seconds of duration to be within [0, 65535] but it was <" +
                                                std::to_string(seconds) + ">.",
                                            kInterval);
    }
  }
  const std::string* topic = FindInStringMap(connection.specific_config, "lastWillTopic");
  if (topic == nullptr) return std::nullopt;
  if (auto problem = MqttTopicNameProblem(*topic, "Topic")) {
    return ConnectionConfigurationInvalid(*problem, "Please provide a valid MQTT topic for config key <lastWillTopic>.");
  }
  const std::string* qos_text = FindInStringMap(connection.specific_config, "lastWillQos");
  int32_t qos = 0;
  if (qos_text != nullptr) {
    const auto parsed = TypesafeInt("lastWillQos", *qos_text);
    if (const auto* value = std::get_if<int32_t>(&parsed)) qos = *value;
  }
  if (qos < 0 || qos > 2) {
    return ConnectionConfigurationInvalid("<" + JavaFormatInteger(qos) + "> is not a valid MQTT QoS code.",
                                          "Please provide a valid MQTT QoS code for config key <lastWillQos>.");
  }
  return std::nullopt;
}

}  // namespace

MaybeValidationError ValidateMqtt3(const Connection& connection, const ValidationConfig& config) {
  if (auto error = ValidateUriScheme(connection, {"tcp", "ssl"}, {"ssl"}, "MQTT 3.1.1")) return error;
  if (connection.client_count > 1) {
    return ConnectionConfigurationInvalid(
        "Client count limited to 1 for MQTT 3.1.1 connections.",
        "MQTT 3.1.1 does not support load-balancing; starting more than 1 client will only result in "
        "duplicate incoming messages.");
  }
  if (auto error = ValidateAddresses(connection)) return error;
  for (const Source& source : connection.sources) {
    if (auto error = ValidateMqtt3Source(source, connection)) return error;
  }
  for (const Target& target : connection.targets) {
    if (auto error = ValidateMqttTarget(target, connection)) return error;
    if (auto error = ValidateMqtt3OutgoingHeaders(target.header_mapping)) return error;
  }
  if (auto error = ValidatePayloadMappingReferences(connection, config)) return error;
  return ValidateMqttSpecificConfig(connection);
}

MaybeValidationError ValidateMqtt5(const Connection& connection, const ValidationConfig& config) {
  if (auto error = ValidateUriScheme(connection, {"tcp", "ssl"}, {"ssl"}, "MQTT 5")) return error;
  if (auto error = ValidateAddresses(connection)) return error;
  for (const Source& source : connection.sources) {
    if (auto error = ValidateMqttSource(source, connection, /*mqtt5=*/true)) return error;
  }
  for (const Target& target : connection.targets) {
    if (auto error = ValidateMqttTarget(target, connection)) return error;
  }
  if (auto error = ValidatePayloadMappingReferences(connection, config)) return error;
  return ValidateMqttSpecificConfig(connection);
}

}  // namespace connectivity::model
