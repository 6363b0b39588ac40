// Hono (Ditto's HonoValidator): no URI check (Ditto resolves Hono's URI from its own
// configuration); sources: enforcement templates, addresses are Hono aliases, qos 0 or 1;
// targets: the address "command", extraFields; then payload mapping references.
#include "src/model/java_compat.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

MaybeValidationError ValidateHonoSource(const Source& source) {
  if (auto error = ValidateEnforcementTemplates(source)) return error;
  for (const std::string& address : source.addresses) {
    if (address.empty()) {
      return ConnectionConfigurationInvalid("The provided source address must not be empty.");
    }
    if (address != "telemetry" && address != "event" && address != "command_response") {
      return ConnectionConfigurationInvalid(
          "The provided source address <" + address +
          "> is invalid. It should be one of the defined aliases: [telemetry, event, command_response]");
    }
  }
  if (source.qos && (*source.qos < 0 || *source.qos > 1)) {
    return ConnectionConfigurationInvalid("Invalid source 'qos' value <" + JavaFormatInteger(*source.qos) +
                                          ">. Supported values are <0> and <1>.");
  }
  return std::nullopt;
}

MaybeValidationError ValidateHonoTarget(const Target& target) {
  if (target.address.empty()) {
    return ConnectionConfigurationInvalid("The provided target address must not be empty.");
  }
  if (target.address != "command") {
    return ConnectionConfigurationInvalid("The provided target address <" + target.address +
                                          "> is invalid. It should be <command>.");
  }
  return ValidateExtraFields(target);
}

}  // namespace

MaybeValidationError ValidateHono(const Connection& connection, const ValidationConfig& config) {
  for (const Source& source : connection.sources) {
    if (auto error = ValidateHonoSource(source)) return error;
  }
  for (const Target& target : connection.targets) {
    if (auto error = ValidateHonoTarget(target)) return error;
  }
  return ValidatePayloadMappingReferences(connection, config);
}

}  // namespace connectivity::model
