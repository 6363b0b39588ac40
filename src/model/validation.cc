#include "src/model/validation.h"

#include <string>

#include "src/model/ack_labels.h"
#include "src/model/certificates.h"
#include "src/model/connection_uri.h"
#include "src/model/protocol_validation.h"
#include "src/model/rql.h"

namespace connectivity::model {
namespace {

// Item 3: each `filter` of a target's topics must be valid RQL, else 400 rql.expression.invalid
// (not wrapped). Ditto checks it right after the target's address.
std::optional<DittoError> ValidateTargetTopicFilters(const Target& target) {
  for (const FilteredTopic& topic : target.topics) {
    if (!topic.filter) continue;
    auto parsed = ParseRqlFilter(*topic.filter);
    if (auto* error = std::get_if<DittoError>(&parsed)) return std::move(*error);
  }
  return std::nullopt;
}

std::string JoinAddresses(const std::vector<std::string>& addresses) {
  std::string joined;
  for (size_t i = 0; i < addresses.size(); ++i) joined += (i > 0 ? "," : "") + addresses[i];
  return joined;
}

std::optional<DittoError> CheckMappingCount(size_t count, size_t limit, std::string_view entity,
                                            const std::string& address) {
  if (count <= limit) return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The number of configured payload mappings exceeded the limit.",
      "The number of configured payload mappings for the " + std::string(entity) + " with address " +
          address + " is above the limit of " + std::to_string(limit) + ".");
}

}  // namespace

std::optional<DittoError> ValidateSourceAndTargetCounts(const Connection& connection,
                                                        const ValidationConfig& config) {
  constexpr const char* kMessage =
      "The number of configured sources or targets within a connection exceeded.";
  if (connection.sources.size() > config.sources_max) {
    return ConnectionConfigurationInvalid(
        kMessage, "The number of configured sources for connection: " + connection.id +
                      " is above the limit of " + std::to_string(config.sources_max) + ".");
  }
  if (connection.targets.size() > config.targets_max) {
    return ConnectionConfigurationInvalid(
        kMessage, "The number of configured targets for connection: " + connection.id +
                      " is above the limit of " + std::to_string(config.targets_max) + ".");
  }
  return std::nullopt;
}

std::optional<DittoError> ValidateAddressesAreNonempty(const Connection& connection) {
  for (const Source& source : connection.sources) {
    bool has_empty_address = source.addresses.empty();
    for (const std::string& address : source.addresses) {
      if (address.empty()) has_empty_address = true;
    }
    if (has_empty_address) {
      return ConnectionConfigurationInvalid("Source " + std::to_string(source.index) +
                                            " of connection <" + connection.id +
                                            ">: addresses may not be empty.");
    }
  }
  for (const Target& target : connection.targets) {
    if (target.address.empty()) {
      return ConnectionConfigurationInvalid("Targets of connection <" + connection.id +
                                            ">: addresses may not be empty.");
    }
    if (auto error = ValidateTargetTopicFilters(target)) return error;
  }
  return std::nullopt;
}

std::optional<DittoError> ValidatePayloadMappingCounts(const Connection& connection,
                                                       const ValidationConfig& config) {
  for (const Source& source : connection.sources) {
    if (auto error = CheckMappingCount(source.payload_mapping.size(), config.source_mappers_max,
                                       "source", JoinAddresses(source.addresses))) {
      return error;
    }
  }
  for (const Target& target : connection.targets) {
    if (auto error = CheckMappingCount(target.payload_mapping.size(), config.target_mappers_max,
                                       "target", target.address)) {
      return error;
    }
  }
  return std::nullopt;
}

std::optional<DittoError> ValidateConnectionHost(const Connection& connection,
                                                 const HostValidator& hosts) {
  if (connection.connection_type == ConnectionType::kHono) return std::nullopt;
  const std::optional<ConnectionUri> uri = ParseConnectionUri(connection.uri);
  return hosts.Validate(uri ? uri->host : std::string());
}

std::optional<DittoError> ValidateKafkaWithoutSshTunnel(const Connection& connection) {
  if (connection.connection_type != ConnectionType::kKafka || !connection.ssh_tunnel) {
    return std::nullopt;
  }
  return ConnectionConfigurationInvalid(
      "SSH tunneling not supported.",
      "SSH tunneling is not supported for the connection type <kafka>.");
}

namespace {

std::optional<DittoError> Validate(const Connection& connection, const ValidationConfig& config,
                                   const HostResolver* checked_hosts) {
  if (auto error = ValidateSourceAndTargetCounts(connection, config)) return error;  // 1
  if (auto error = ValidateAddressesAreNonempty(connection)) return error;           // 2, 3
  if (auto error = ValidatePayloadMappingCounts(connection, config)) return error;   // 4
  if (auto error = ValidateAcknowledgementLabels(connection)) return error;          // 5
  if (auto error = ValidateCertificates(connection)) return error;                   // 6
  const HostResolver* resolver = checked_hosts != nullptr ? checked_hosts : config.host_resolver.get();
  std::shared_ptr<const Result<HostPolicy>> prepared =
      config.prepared_hosts ? config.prepared_hosts->Current() : nullptr;
  const HostValidator hosts = prepared ? HostValidator(std::move(prepared), resolver)
                                       : HostValidator(config.hosts, resolver);
  if (auto error = ValidateConnectionHost(connection, hosts)) return error;          // 7
  if (auto error = ValidateKafkaWithoutSshTunnel(connection)) return error;          // 8
  if (connection.ssh_tunnel) {
    if (auto error = ValidateSshTunnel(*connection.ssh_tunnel, hosts)) return error;  // 9
  }
  if (auto error = ValidateCredentials(connection, config, hosts)) return error;     // 10
  if (auto error = ValidateResponseDiversion(connection)) return error;              // 11
  return ValidateProtocol(connection, config);                                       // 12
}

}  // namespace

std::optional<DittoError> ValidateConnection(const Connection& connection,
                                             const ValidationConfig& config) {
  return Validate(connection, config, nullptr);
}

std::optional<DittoError> ValidateConnection(const Connection& connection,
                                             const ValidationConfig& config,
                                             const HostResolver& checked_hosts) {
  return Validate(connection, config, &checked_hosts);
}

}  // namespace connectivity::model
