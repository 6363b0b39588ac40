// Item 11 of REF §4.2: response diversion (Ditto's ResponseDiversionValidator). A source may
// divert the responses of its commands to another connection with the header mappings
// `divert-response-to-connection` and `divert-expected-response-types`; the receiving connection
// is marked with the specificConfig `is-diversion-target` and may restrict its senders with
// `authorized-connections-as-sources`.
#include <algorithm>
#include <cctype>

#include "src/model/connection_id.h"
#include "src/model/java_compat.h"
#include "src/model/validation.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kDivertTo = "divert-response-to-connection";
constexpr std::string_view kDivertTypes = "divert-expected-response-types";

// Boolean#parseBoolean of a specificConfig value with default "false".
bool SpecificConfigFlag(const Connection& connection, std::string_view key) {
  const std::string* value = FindInStringMap(connection.specific_config, key);
  if (value == nullptr || value->size() != 4) return false;
  std::string lower;
  for (char c : *value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "true";
}

std::optional<DittoError> ValidateResponseTypes(const Connection& connection) {
  if (!SpecificConfigFlag(connection, "is-diversion-source")) return std::nullopt;
  for (const Source& source : connection.sources) {
    const std::string* types = FindInStringMap(source.header_mapping, kDivertTypes);
    if (types == nullptr || JavaTrim(*types).empty()) continue;
    for (const std::string& part : JavaSplit(*types, ',')) {
      const std::string_view type = JavaTrim(part);
      if (!type.empty() && type != "response" && type != "error" && type != "nack") {
        return ConnectionConfigurationInvalid("Invalid response type in <" + std::string(kDivertTypes) +
                                              ">: " + std::string(type) +
                                              ". Valid types are: response, error, nack");
      }
    }
  }
  return std::nullopt;
}

std::optional<DittoError> ValidateDiversionTargets(const Connection& connection) {
  std::vector<std::string> targets;  // a HashSet in Ditto
  for (const Source& source : connection.sources) {
    const std::string* target = FindInStringMap(source.header_mapping, kDivertTo);
    if (target != nullptr && std::find(targets.begin(), targets.end(), *target) == targets.end()) {
      targets.push_back(*target);
    }
  }
  for (const std::string& target : JavaHashOrder(std::move(targets))) {
    if (JavaTrim(target).empty()) {
      return ConnectionConfigurationInvalid("The " + std::string(kDivertTo) +
                                            " in headerMapping must not be empty");
    }
    if (!IsValidConnectionId(target)) {
      return ConnectionConfigurationInvalid("Invalid target connection ID format in " +
                                            std::string(kDivertTo) + ": " + target);
    }
    if (target == connection.id) {
      return ConnectionConfigurationInvalid(
          "It is pointless to divert responses to the originating connection, it will receive the "
          "responses by default. Remove the " + std::string(kDivertTo) +
          " from the headerMapping of connection: " + connection.id);
    }
  }
  return std::nullopt;
}

// Each authorized sender must be a valid connection id; Ditto lets ConnectionId#of throw, so the
// answer is connection.id.invalid itself.
std::optional<DittoError> ValidateAuthorizedSources(const Connection& connection) {
  const std::string* authorized =
      FindInStringMap(connection.specific_config, "authorized-connections-as-sources");
  if (authorized == nullptr || JavaTrim(*authorized).empty()) return std::nullopt;
  for (const std::string& part : JavaSplit(JavaTrim(*authorized), ',')) {
    const std::string_view id = JavaTrim(part);
    if (!IsValidConnectionId(id)) return ConnectionIdInvalid(id);
  }
  return std::nullopt;
}

// Ditto prints the target with its Java toString(); this is a compact form of it.
std::string DescribeTarget(const Target& target) {
  std::vector<std::string> topics;
  for (const FilteredTopic& topic : target.topics) topics.emplace_back(TopicName(topic.topic));
  return "ImmutableTarget [address=" + target.address + ", topics=" + JavaListToString(topics) + "]";
}

}  // namespace

std::optional<DittoError> ValidateResponseDiversion(const Connection& connection) {
  if (auto error = ValidateResponseTypes(connection)) return error;
  if (auto error = ValidateDiversionTargets(connection)) return error;
  if (!SpecificConfigFlag(connection, "is-diversion-target")) return std::nullopt;
  if (auto error = ValidateAuthorizedSources(connection)) return error;
  for (const Target& target : connection.targets) {
    if (!target.topics.empty()) {
      return ConnectionConfigurationInvalid(
          "Connection " + connection.id + " has topics configured in target " +
          DescribeTarget(target) +
          " but isDiversionTarget is true. When isDiversionTarget is true, no topics must be "
          "configured in targets.");
    }
  }
  return std::nullopt;
}

}  // namespace connectivity::model
