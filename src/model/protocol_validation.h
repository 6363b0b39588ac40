// Item 12 of REF §4.2: the validator of each connection type (Ditto's AbstractProtocolValidator
// and RabbitMQValidator, AmqpValidator, Mqtt3Validator, Mqtt5Validator, KafkaValidator,
// HttpPushValidator, HonoValidator), with the pieces they share.
//
// Each validator runs, in Ditto's order: the URI scheme (not for hono), type-wide checks, every
// source, every target, the payload mapping references, then type-specific `specificConfig` and
// credentials. Placeholder errors in templates are re-wrapped as connection.configuration.invalid
// keeping their message and description (AbstractProtocolValidator#validateTemplate).
#ifndef CONNECTIVITY_MODEL_PROTOCOL_VALIDATION_H_
#define CONNECTIVITY_MODEL_PROTOCOL_VALIDATION_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/model/placeholders.h"
#include "src/model/validation.h"

namespace connectivity::model {

using MaybeValidationError = std::optional<DittoError>;

// Dispatches to the validator of the connection's type.
MaybeValidationError ValidateProtocol(const Connection& connection, const ValidationConfig& config);

// protocol_amqp.cc
MaybeValidationError ValidateAmqp091(const Connection& connection, const ValidationConfig& config);
MaybeValidationError ValidateAmqp10(const Connection& connection, const ValidationConfig& config);
// protocol_mqtt.cc
MaybeValidationError ValidateMqtt3(const Connection& connection, const ValidationConfig& config);
MaybeValidationError ValidateMqtt5(const Connection& connection, const ValidationConfig& config);
// protocol_kafka.cc
MaybeValidationError ValidateKafka(const Connection& connection, const ValidationConfig& config);
// kafka_specific_config.cc: saslMechanism (with URI credentials), bootstrapServers, and with
// sources groupId and consumerOffsetReset.
MaybeValidationError ValidateKafkaSpecificConfig(const Connection& connection);
// protocol_http_push.cc
MaybeValidationError ValidateHttpPush(const Connection& connection, const ValidationConfig& config);
// protocol_hono.cc
MaybeValidationError ValidateHono(const Connection& connection, const ValidationConfig& config);

// --- shared pieces (protocol_common.cc) ---

// AbstractProtocolValidator#validateUriScheme: the scheme must be accepted (else
// connection.uri.invalid "The URI scheme '<s>' is not valid for <protocol>."), and a connection
// with `ca` must use a secure scheme.
MaybeValidationError ValidateUriScheme(const Connection& connection,
                                       std::initializer_list<std::string_view> accepted,
                                       std::initializer_list<std::string_view> secure,
                                       std::string_view protocol_name);

// AbstractProtocolValidator#validateTemplate: placeholder errors as configuration errors.
MaybeValidationError ValidateTemplate(std::string_view text, PlaceholderSet placeholders);
// #validateHeaderMapping: every value with the outbound placeholders.
MaybeValidationError ValidateHeaderMapping(const StringMap& mapping);
// #validateExtraFields: placeholders in a topic's extraFields (errors not re-wrapped).
MaybeValidationError ValidateExtraFields(const Target& target);
// The source part shared by AMQP 0.9.1, AMQP 1.0, Kafka and Hono: enforcement input with header
// placeholders, filters with thing/policy/entity/feature placeholders.
MaybeValidationError ValidateEnforcementTemplates(const Source& source);

// "Source of index <i> of connection '<id>'" / "Target of address '<a>' of connection '<id>'".
std::string SourceDescription(const Source& source, const Connection& connection);
std::string TargetDescription(const Target& target, const Connection& connection);

// Payload mapping references (payload_mappings.cc; AbstractProtocolValidator#
// validatePayloadMappings): each id in a source's or target's `payloadMapping` must name a
// mapping definition whose mapper can be configured, or a built-in mapper that needs no
// configuration.
MaybeValidationError ValidatePayloadMappingReferences(const Connection& connection,
                                                      const ValidationConfig& config);

// HiveMQ's topic checks (mqtt_topic.cc): the IllegalArgumentException message for an invalid
// MQTT topic filter (wildcards allowed) or topic name (`name` used in messages), else nullopt.
std::optional<std::string> MqttTopicFilterProblem(std::string_view filter);
std::optional<std::string> MqttTopicNameProblem(std::string_view topic, std::string_view name);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_PROTOCOL_VALIDATION_H_
