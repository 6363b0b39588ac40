// Pieces shared by the protocol validators (Ditto's AbstractProtocolValidator) and the dispatch
// by connection type.
#include "src/model/connection_uri.h"
#include "src/model/java_compat.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

bool Contains(std::initializer_list<std::string_view> list, std::string_view value) {
  for (std::string_view item : list) {
    if (item == value) return true;
  }
  return false;
}

std::string Join(std::initializer_list<std::string_view> list, std::string_view separator) {
  std::string out;
  for (std::string_view item : list) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

MaybeValidationError ValidateProtocol(const Connection& connection, const ValidationConfig& config) {
  switch (connection.connection_type) {
    case ConnectionType::kAmqp091: return ValidateAmqp091(connection, config);
    case ConnectionType::kAmqp10: return ValidateAmqp10(connection, config);
    case ConnectionType::kMqtt: return ValidateMqtt3(connection, config);
    case ConnectionType::kMqtt5: return ValidateMqtt5(connection, config);
    case ConnectionType::kKafka: return ValidateKafka(connection, config);
    case ConnectionType::kHttpPush: return ValidateHttpPush(connection, config);
    case ConnectionType::kHono: return ValidateHono(connection, config);
  }
  return std::nullopt;
}

MaybeValidationError ValidateUriScheme(const Connection& connection,
                                       std::initializer_list<std::string_view> accepted,
                                       std::initializer_list<std::string_view> secure,
                                       std::string_view protocol_name) {
  const std::optional<ConnectionUri> uri = ParseConnectionUri(connection.uri);
  const std::string scheme = uri ? uri->scheme : std::string();
  if (!Contains(accepted, scheme)) {
    DittoError error = ConnectionUriInvalid(MaskUriPassword(connection.uri));
    error.message = "The URI scheme '" + scheme + "' is not valid for " + std::string(protocol_name) + ".";
    error.description = "Accepted URI schemes are: " + Join(accepted, ", ");
    return error;
  }
  if (!Contains(secure, scheme) && connection.ca) {
    DittoError error = ConnectionUriInvalid(MaskUriPassword(connection.uri));
    error.message = "The connection has trusted certificates configured but uses an insecure protocol.";
    error.description = "Either switch to a secure protocol ([" + Join(secure, ", ") +
                        "]) or remove the trusted certificates.";
    return error;
  }
  return std::nullopt;
}

MaybeValidationError ValidateTemplate(std::string_view text, PlaceholderSet placeholders) {
  std::optional<DittoError> error = ValidatePlaceholders(text, placeholders);
  if (!error) return std::nullopt;
  return ConnectionConfigurationInvalid(
      std::move(error->message), error->description.empty()
                                     ? "Check the spelling and syntax of the placeholder."
                                     : std::move(error->description));
}

MaybeValidationError ValidateHeaderMapping(const StringMap& mapping) {
  for (const auto& [key, value] : mapping) {
    if (auto error = ValidateTemplate(value, kOutboundPlaceholders)) return error;
  }
  return std::nullopt;
}

MaybeValidationError ValidateExtraFields(const Target& target) {
  for (const FilteredTopic& topic : target.topics) {
    if (!topic.extra_fields || !ContainsPlaceholder(*topic.extra_fields)) continue;
    if (auto error = ValidatePlaceholders(*topic.extra_fields, kOutboundPlaceholders)) return error;
  }
  return std::nullopt;
}

MaybeValidationError ValidateEnforcementTemplates(const Source& source) {
  if (!source.enforcement) return std::nullopt;
  if (auto error = ValidateTemplate(source.enforcement->input, kHeaderPlaceholders)) return error;
  for (const std::string& filter : source.enforcement->filters) {
    if (auto error = ValidateTemplate(filter, kEnforcementFilterPlaceholders)) return error;
  }
  return std::nullopt;
}

std::string SourceDescription(const Source& source, const Connection& connection) {
  return "Source of index " + JavaFormatInteger(source.index) + " of connection '" + connection.id + "'";
}

std::string TargetDescription(const Target& target, const Connection& connection) {
  return "Target of address '" + target.address + "' of connection '" + connection.id + "'";
}

}  // namespace connectivity::model
