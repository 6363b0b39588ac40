#include "src/model/validation.h"

#include <string>

namespace connectivity::model {
namespace {

// Item 3 (REF §4.2): each `filter` of a target's topics must be valid RQL, else
// 400 rql.expression.invalid (not wrapped). Ditto checks it right after the target's address, so
// it is called from there. To come with the RQL parser; accepts everything for now.
std::optional<DittoError> ValidateTargetTopicFilters(const Target& /*target*/) {
  return std::nullopt;
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

std::optional<DittoError> ValidateConnection(const Connection& connection,
                                             const ValidationConfig& config) {
  // 1. Counts of sources and targets.
  if (auto error = ValidateSourceAndTargetCounts(connection, config)) return error;
  // 2. + 3. Non-empty addresses; RQL filters of target topics.
  if (auto error = ValidateAddressesAreNonempty(connection)) return error;
  // To come, in this order (REF §4.2; one function each, returning the first error):
  //  4. payload mapping count per source/target (mapper limits, 10 / 10);
  //  5. acknowledgement labels: declared/issued labels prefixed "<id>:", issued labels unique;
  //  6. certificates: `ca` and client-cert PEMs parse;
  //  7. host validation (skipped for hono; only with blocked hostnames configured);
  //  8. kafka with sshTunnel: "SSH tunneling not supported.";
  //  9. SSH tunnel (URI, known hosts, credentials);
  // 10. credentials (hmac, OAuth token endpoint and scopes);
  // 11. response diversion header mappings;
  // 12. per-type validator (URI scheme, per-protocol source/target/specificConfig rules).
  return std::nullopt;
}

}  // namespace connectivity::model
