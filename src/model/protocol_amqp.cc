// AMQP 0.9.1 and AMQP 1.0 (Ditto's RabbitMQValidator and AmqpValidator, which differ only in the
// protocol name): schemes amqp/amqps; sources: enforcement templates and header mapping; targets:
// header mapping, address placeholders, extraFields; then payload mapping references.
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

MaybeValidationError ValidateAmqp(const Connection& connection, const ValidationConfig& config,
                                  std::string_view protocol_name) {
  if (auto error = ValidateUriScheme(connection, {"amqp", "amqps"}, {"amqps"}, protocol_name)) {
    return error;
  }
  for (const Source& source : connection.sources) {
    if (auto error = ValidateEnforcementTemplates(source)) return error;
    if (auto error = ValidateHeaderMapping(source.header_mapping)) return error;
  }
  for (const Target& target : connection.targets) {
    if (auto error = ValidateHeaderMapping(target.header_mapping)) return error;
    if (auto error = ValidateTemplate(target.address, kOutboundPlaceholders)) return error;
    if (auto error = ValidateExtraFields(target)) return error;
  }
  return ValidatePayloadMappingReferences(connection, config);
}

}  // namespace

MaybeValidationError ValidateAmqp091(const Connection& connection, const ValidationConfig& config) {
  return ValidateAmqp(connection, config, "AMQP 0.9.1");
}

MaybeValidationError ValidateAmqp10(const Connection& connection, const ValidationConfig& config) {
  return ValidateAmqp(connection, config, "AMQP 1.0");
}

}  // namespace connectivity::model
