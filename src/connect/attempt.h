// Shared by every protocol client: the settings of an attempt, failure descriptions, and the
// outbound-safe resolution (resolve once, check every address, connect only to checked ones).
#ifndef CONNECTIVITY_CONNECT_ATTEMPT_H_
#define CONNECTIVITY_CONNECT_ATTEMPT_H_

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/connect/outbound_rules.h"
#include "src/connect/outcome.h"
#include "src/connect/target.h"

namespace connectivity::connect {

// Everything a client needs besides its target; immutable and shared between attempts.
struct ClientSettings {
  int64_t timeout_us = 10'000'000;
  int64_t heartbeat_us = 10'000'000;
  int64_t recheck_interval_us = 30'000'000;
  std::shared_ptr<const HostResolver> resolver;  // never null
  std::shared_ptr<const OutboundPolicy> policy;  // never null; fails closed on invalid rules
};

// Compiles `settings.outbound` (resolving blocked hostnames) into shareable client settings.
std::shared_ptr<const ClientSettings> MakeClientSettings(const ConnectSettings& settings);

// "<Cause> on '<where>' (<protocol>): <detail>", e.g. "Connection refused on '127.0.0.1:1883'
// (MQTT 3.1.1): ...". Causes: Connection refused, Timeout, Authentication failure, TLS failure,
// Unresolvable host, Protocol error, Blocked host, Connection failed.
std::string DescribeFailure(FailureKind kind, Protocol protocol, std::string_view where,
                            std::string_view detail);
ConnectOutcome Failure(FailureKind kind, const ConnectTarget& target, std::string_view detail);
ConnectOutcome Success(const ConnectTarget& target, std::string_view detail);

// The text for a refused TCP connect (Ditto's words).
inline constexpr std::string_view kRefusedDetail =
    "could not establish a connection. Make sure the endpoint is reachable and that no firewall "
    "prevents the connection.";
// "no answer within 1.5 s" for a bound given in microseconds.
std::string WithinSeconds(int64_t timeout_us);

// Replaces every occurrence of `secret` (if 4 characters or longer) by "*****": the last line of
// defence that keeps passwords out of descriptions, whatever a library put into its messages.
std::string ScrubSecret(std::string text, const std::optional<std::string>& secret);

// The port a client connects to: the SSH tunnel's local end if `connect_to` is set, else the
// endpoint's.
inline int ConnectPort(const ConnectTarget& target) {
  return target.connect_to ? target.connect_to->port : target.endpoint.port;
}

// settings.policy->Check with the settings' resolver (outbound_rules.h).
CheckedAddresses CheckedResolve(const ClientSettings& settings, std::string_view host,
                                int64_t deadline_us);

// Resolves `host` once and checks the name and every address against the policy. Returns the
// addresses the client may connect to (in resolver order), or the failure (blocked, unresolvable,
// timeout). A client must connect to these addresses, never resolve the name again. With
// `target.connect_to` (an SSH tunnel's local end) that address, unchecked: the tunnel's server
// was checked instead.
std::variant<std::vector<IpAddress>, ConnectOutcome> ResolveChecked(const ClientSettings& settings,
                                                                    const ConnectTarget& target,
                                                                    const HostPort& endpoint,
                                                                    int64_t deadline_us);

// A plain TCP connect to address:port, closed at once: 0 if it connected, else the errno
// (ETIMEDOUT when the deadline passed). Libraries that report only "socket error" (rabbitmq-c)
// get their cause named this way, after they failed.
int ProbeTcp(const IpAddress& address, int port, int64_t deadline_us);
// ECONNREFUSED -> kRefused, ECONNRESET/EPIPE -> kProtocol, ETIMEDOUT -> kTimeout, else kOther.
FailureKind KindForErrno(int error_number);
// "connection refused" etc.: the errno text, lower case, for descriptions.
std::string ErrnoText(int error_number);

// The socket address of address:port (for libraries that take socket addresses, such as
// librdkafka); model::IpAddressFromSockaddr is the way back.
socklen_t ToSockaddr(const IpAddress& address, int port, sockaddr_storage* out);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_ATTEMPT_H_
