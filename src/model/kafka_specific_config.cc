// `specificConfig` of Kafka connections (Ditto's KafkaAuthenticationSpecificConfig,
// KafkaBootstrapServerSpecificConfig, KafkaConsumerGroupSpecificConfig,
// KafkaConsumerOffsetResetSpecificConfig), checked in that order.
#include <algorithm>
#include <cctype>
#include <vector>

#include "src/model/connection_uri.h"
#include "src/model/java_compat.h"
#include "src/model/placeholders.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9]`
bool IsHostLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || !IsAlnum(label.front()) || !IsAlnum(label.back())) return false;
  for (char c : label) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// `label(\.label)*\.?`
bool IsBootstrapHost(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return false;
  for (const std::string& label : JavaSplit(host, '.')) {
    if (!IsHostLabel(label)) return false;
  }
  return host.back() != '.';
}

// `[1-9]|[1-5]?[0-9]{2,4}|6[1-4][0-9]{3}|65[1-4][0-9]{2}|655[1-2][0-9]|6553[1-5]` on digits.
bool IsBootstrapPort(std::string_view d) {
  switch (d.size()) {
    case 1: return d[0] != '0';
    case 2: case 3: case 4: return true;
    case 5:
      return (d[0] >= '1' && d[0] <= '5') || (d[0] == '6' && d[1] >= '1' && d[1] <= '4') ||
             (d.substr(0, 2) == "65" && d[2] >= '1' && d[2] <= '4') ||
             (d.substr(0, 3) == "655" && (d[3] == '1' || d[3] == '2')) ||
             (d.substr(0, 4) == "6553" && d[4] >= '1' && d[4] <= '5');
    default: return false;
  }
}

// KafkaBootstrapServerSpecificConfig's pattern `^((host):(port)[\s,]*?)+$`: which item starts can
// be reached from the start, item by item (the lazy separators and the port lengths backtrack).
bool MatchesBootstrapServers(std::string_view text) {
  std::vector<bool> reachable(text.size() + 1, false);
  reachable[0] = true;
  for (size_t start = 0; start < text.size(); ++start) {
    if (!reachable[start]) continue;
    const size_t colon = text.find(':', start);
    if (colon == std::string_view::npos || !IsBootstrapHost(text.substr(start, colon - start))) continue;
    for (size_t end = colon + 2; end <= std::min(text.size(), colon + 6); ++end) {
      if (!std::isdigit(static_cast<unsigned char>(text[end - 1]))) break;
      if (!IsBootstrapPort(text.substr(colon + 1, end - colon - 1))) continue;
      size_t next = end;
      while (next < text.size() && (IsJavaWhitespace(text[next]) || text[next] == ',')) ++next;
      if (next == text.size()) return true;
      reachable[next] = true;
      reachable[end] = true;
    }
  }
  return false;
}

MaybeValidationError ValidateSaslMechanism(const Connection& connection) {
  const std::optional<ConnectionUri> uri = ParseConnectionUri(connection.uri);
  if (!uri || !uri->user_name || !uri->password) return std::nullopt;  // SASL needs both
  const std::string* configured = FindInStringMap(connection.specific_config, "saslMechanism");
  const std::string mechanism = configured != nullptr ? *configured : "PLAIN";
  std::string upper;
  for (char c : mechanism) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  const std::vector<std::string> known = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
  if (std::find(known.begin(), known.end(), upper) != known.end()) return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The connection configuration contains an invalid value for SASL mechanisms: <" + mechanism +
      ">. Allowed mechanisms are: <" + JavaListToString(JavaHashOrder(known)) + ">");
}

MaybeValidationError ValidateBootstrapServers(const Connection& connection) {
  const std::string* servers = FindInStringMap(connection.specific_config, "bootstrapServers");
  if (servers != nullptr && !servers->empty() && MatchesBootstrapServers(*servers) &&
      JavaTrim(*servers).back() != ',') {
    return std::nullopt;
  }
  // A server written as "user:password@host:port" must not echo its password.
  const std::string shown = servers == nullptr                               ? std::string("null")
                            : servers->find('@') == std::string::npos ? *servers
                                                                      : MaskUriPassword(*servers);
  return ConnectionConfigurationInvalid("The provided list of bootstrap servers '" + shown + "' is not valid");
}

// Only with sources: `groupId` ({{ connection:id }} resolved) of [a-zA-Z0-9._-].
MaybeValidationError ValidateGroupId(const Connection& connection) {
  const std::string* group_id = FindInStringMap(connection.specific_config, "groupId");
  if (group_id == nullptr) return std::nullopt;
  auto resolved = ResolveConnectionIdPlaceholder(*group_id, connection.id);
  if (auto* error = std::get_if<DittoError>(&resolved)) return std::move(*error);
  const std::optional<std::string>& value = std::get<std::optional<std::string>>(resolved);
  if (!value) return PlaceholderUnresolved(*group_id);
  const bool valid = !value->empty() && std::all_of(value->begin(), value->end(), [](char c) {
    return IsAlnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (valid) return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The connection configuration contains an invalid value for the consumer group ID. Allowed "
      "Characters are: <[a-zA-Z0-9\\._\\-]>");
}

MaybeValidationError ValidateOffsetReset(const Connection& connection) {
  const std::string* reset = FindInStringMap(connection.specific_config, "consumerOffsetReset");
  if (reset == nullptr) return std::nullopt;
  std::string lower;
  for (char c : *reset) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "earliest" || lower == "latest") return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The connection configuration contains an invalid value for the consumer offset reset. Allowed "
      "values are: <[earliest, latest]>");
}

}  // namespace

MaybeValidationError ValidateKafkaSpecificConfig(const Connection& connection) {
  if (auto error = ValidateSaslMechanism(connection)) return error;
  if (auto error = ValidateBootstrapServers(connection)) return error;
  if (connection.sources.empty()) return std::nullopt;
  if (auto error = ValidateGroupId(connection)) return error;
  return ValidateOffsetReset(connection);
}

}  // namespace connectivity::model
