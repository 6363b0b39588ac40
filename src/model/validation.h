// Service-level validation of a parsed connection (REF §4.2, Ditto's ConnectionValidator#validate),
// run for create, test, modify and open (re-validation of the stored connection), after
// ParseConnection's model-level checks.
//
// ValidateConnection calls one function per REF §4.2 item, in Ditto's order, and returns the
// first error, so that a connection with several problems is answered with the one Ditto reports:
//    1. counts of sources and targets (REF §10 limits);
//    2. empty source addresses / target address, and per target
//    3. the RQL `filter` of each topic (400 rql.expression.invalid);
//    4. payload mappings per source / target (mapper limits);
//    5. acknowledgement labels (ack_labels.h);
//    6. certificates and keys (certificates.h);
//    7. the host of the URI (host_validation.h; not for hono);
//    8. kafka with an SSH tunnel;
//    9. the SSH tunnel (URI, host, credentials, known hosts);
//   10. credentials (hmac, OAuth);
//   11. response diversion settings;
//   12. the validator of the connection type (protocol_validation.h): URI scheme, sources,
//       targets, payload mapping references, type-specific `specificConfig` and credentials.
// Messages never contain a password: URIs go through MaskUriPassword, credentials are not echoed.
//
// Pure functions, except that host rules (item 7 and the hosts of items 9 and 10) resolve names
// through ValidationConfig::host_resolver (or the resolver passed in) when, and only when,
// blocked host names are configured.
#ifndef CONNECTIVITY_MODEL_VALIDATION_H_
#define CONNECTIVITY_MODEL_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/model/host_validation.h"

namespace connectivity::model {

// Every switch and limit of the validation; the defaults are Ditto's (connectivity.conf).
struct ValidationConfig {
  // REF §10 `connection.max-source-number` / `max-target-number`
  // (env CONNECTION_SOURCE_NUMBER / CONNECTION_TARGET_NUMBER).
  size_t sources_max = 4;
  size_t targets_max = 4;
  // `mapping.mapper-limits.max-source-mappers` / `max-target-mappers`.
  size_t source_mappers_max = 10;
  size_t target_mappers_max = 10;
  // `connection.allowed-hostnames`, `blocked-hostnames`, `blocked-subnets`, `blocked-host-regex`
  // (env CONNECTIVITY_CONNECTION_*). Default: nothing blocked, so nothing is ever resolved.
  HostRules hosts;
  // Resolves host names for `hosts`; nullptr: the system resolver. Tests inject a fake.
  std::shared_ptr<const HostResolver> host_resolver;
  // `hosts` compiled already, blocked hostnames resolved (the daemon refreshes them in the
  // background); null: compiled per validation with `host_resolver` (unit tests).
  std::shared_ptr<const PreparedHostRules> prepared_hosts;
  // `http-push.oauth2.enforce-https` (env CONNECTIVITY_HTTP_OAUTH2_ENFORCE_HTTPS).
  bool oauth2_enforce_https = true;
  // `http-push.hmac-algorithms`: the algorithm names HMAC credentials may use.
  std::vector<std::string> hmac_algorithms = {"aws4-hmac-sha256", "az-monitor-2016-04-01", "az-sasl"};
  // `http-push.request-timeout`: the `idleTimeout` of an http-push connection without one.
  int64_t http_request_timeout_ms = 60'000;
  // `http-push.omit-request-body-methods`: the default of `specificConfig.omitRequestBody`.
  std::vector<std::string> http_omit_request_body_methods = {"GET", "DELETE"};
  // `mapping.javascript.maxScriptSizeBytes`: longest incoming/outgoing mapping script.
  size_t javascript_script_bytes_max = 50'000;
};

// The first violated rule as Ditto reports it, or nullopt if the connection is valid.
std::optional<DittoError> ValidateConnection(const Connection& connection,
                                             const ValidationConfig& config);
// The same, resolving the hosts the rules check (URI, SSH tunnel, token endpoint) with
// `checked_hosts` instead of `config.host_resolver`: the service passes names resolved ahead
// (ResolvedHosts), so that no validation waits on DNS.
std::optional<DittoError> ValidateConnection(const Connection& connection,
                                             const ValidationConfig& config,
                                             const HostResolver& checked_hosts);

// The single items, exposed for tests and for callers that need one of them alone.
// Item 1: "The number of configured sources or targets within a connection exceeded."
std::optional<DittoError> ValidateSourceAndTargetCounts(const Connection& connection,
                                                        const ValidationConfig& config);
// Items 2 and 3: empty addresses; per target, right after its address, its topics' filters.
std::optional<DittoError> ValidateAddressesAreNonempty(const Connection& connection);
// Item 4: "The number of configured payload mappings exceeded the limit."
std::optional<DittoError> ValidatePayloadMappingCounts(const Connection& connection,
                                                       const ValidationConfig& config);
// Item 7: the host of the connection URI (skipped for hono).
std::optional<DittoError> ValidateConnectionHost(const Connection& connection,
                                                 const HostValidator& hosts);
// Item 8: "SSH tunneling not supported." for kafka.
std::optional<DittoError> ValidateKafkaWithoutSshTunnel(const Connection& connection);
// Item 9 (ssh_tunnel_validation.cc).
std::optional<DittoError> ValidateSshTunnel(const SshTunnel& tunnel, const HostValidator& hosts);
// Item 10 (credentials_validation.cc).
std::optional<DittoError> ValidateCredentials(const Connection& connection,
                                              const ValidationConfig& config,
                                              const HostValidator& hosts);
// Item 11 (response_diversion.cc).
std::optional<DittoError> ValidateResponseDiversion(const Connection& connection);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_VALIDATION_H_
