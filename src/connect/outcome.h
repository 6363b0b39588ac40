// The outcome of one connect attempt (test connection or a supervised client), and the settings
// that bound it. Shared by every protocol client, TestConnection and the Supervisor.
#ifndef CONNECTIVITY_CONNECT_OUTCOME_H_
#define CONNECTIVITY_CONNECT_OUTCOME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

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
  kOther,           // configuration we cannot use, closed before connecting, internal errors
};

// "none", "refused", "timeout", "authentication", "tls", "unresolvable", "protocol",
// "blocked-host", "other".
std::string_view FailureKindName(FailureKind kind);

struct ConnectOutcome {
  bool ok = false;
  FailureKind failure = FailureKind::kNone;
  // Names the cause (refused / timeout / authentication / ...) and host:port. Never a password.
  std::string description;
  int64_t duration_us = 0;  // from the start of the attempt to the verdict
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
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_OUTCOME_H_
