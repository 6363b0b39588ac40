// The outcome of one connect attempt (test connection or a supervised client), and the settings
// that bound it. Shared by every protocol client, TestConnection and the Supervisor.
#ifndef CONNECTIVITY_CONNECT_OUTCOME_H_
#define CONNECTIVITY_CONNECT_OUTCOME_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/model/hono_connection.h"
#include "src/model/host_validation.h"

namespace connectivity::connect {

enum class FailureKind {
  kNone,
  kRefused,         // nothing listens on host:port (TCP RST), or the peer closed at once
  kTimeout,         // no TCP connect or no protocol handshake within the bound (silent peer)
  kAuthentication,  // the broker rejected the credentials
  kTls,             // TLS handshake or certificate verification failed
  kUnresolvable,    // DNS gave no address
  kProtocol,        // the peer answered, but not with the expected protocol or with an error
  kBlockedHost,     // the outbound rules forbid the host or every address it resolved to
  kAddress,         // connected, but the broker refused a source or target address (address.h)
  kTunnel,          // the connection's SSH tunnel could not be established or broke (ssh_tunnel.h)
  kOther,           // configuration we cannot use, closed before connecting, internal errors
};

// "none", "refused", "timeout", "authentication", "tls", "unresolvable", "protocol",
// "blocked-host", "address", "ssh-tunnel", "other".
std::string_view FailureKindName(FailureKind kind);

// What the broker said about one source or target address when the client checked it at connect,
// the way Ditto's client for the protocol checks it (address.h). Addresses a protocol does not
// check (and targets with placeholders) have no entry.
struct AddressCheck {
  bool source = true;   // false: a target
  std::string address;  // as configured
  bool ok = false;
  // ok: what was checked ("Queue exists ..."); failed: the broker's reason.
  std::string detail;

  friend bool operator==(const AddressCheck&, const AddressCheck&) = default;
};

// The SSH tunnel of an attempt, for status and logs: established or not, in Ditto's log words
// ("SSH tunnel established successfully", "SSH connection failed: <cause>", "SSH session
// authentication failed: <cause>", "SSH Tunnel failed: <cause>").
struct TunnelReport {
  bool ok = false;
  std::string detail;
  std::string cause;  // failed: the cause alone, e.g. "Server key did not validate"
};

struct ConnectOutcome {
  bool ok = false;
  FailureKind failure = FailureKind::kNone;
  // Names the cause (refused / timeout / authentication / ...) and host:port; for kAddress,
  // Ditto's description of the refused addresses. Never a password.
  std::string description;
  // Ditto's error message where it is not connection.failed's default ("The Connection with ID
  // '<id>' failed to connect."), e.g. AMQP 1.0's "Failed to consume sources: [q-0]"; else empty.
  std::string message;
  int64_t duration_us = 0;  // from the start of the attempt to the verdict
  // The checks of this attempt, sources then targets, in configuration order; empty if the
  // client did not get as far as checking.
  std::vector<AddressCheck> addresses;
  // Set if the connection has an enabled SSH tunnel and the attempt got to it.
  std::optional<TunnelReport> tunnel;
};

struct ConnectSettings {
  int64_t timeout_us = 10'000'000;  // bound on connect + handshake (SPEC §3 CLIENT_CONNECT_TIMEOUT)
  model::HostRules outbound;        // default: nothing blocked (as Ditto)
  // Resolves host names for every attempt; nullptr = SystemResolver (resolver.h). Tests
  // inject one to prove that clients connect to the address that was checked.
  std::shared_ptr<const model::HostResolver> resolver;
  // Open connections: AMQP heartbeat / MQTT keep-alive (unless specificConfig sets `keepAlive`),
  // and how often HTTP endpoints and Kafka clusters are re-checked.
  int64_t heartbeat_us = 10'000'000;
  int64_t recheck_interval_us = 30'000'000;
  // How `hono` connections resolve into the Kafka connection they connect with (HONO_CONNECTION_*).
  model::HonoSettings hono;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_OUTCOME_H_
