// The system resolver (getaddrinfo), bounded by a timeout, and small time and address helpers
// used by every client.
//
// Why not plain getaddrinfo: it has no timeout, and a client must never wait longer than its
// connect bound. getaddrinfo_a runs the lookup on glibc's helper threads and gai_suspend waits for
// it with a deadline. A lookup that cannot be cancelled after its deadline is parked and freed by a
// later call once glibc is done with it (never leaked for good, never freed while in use).
#ifndef CONNECTIVITY_CONNECT_RESOLVER_H_
#define CONNECTIVITY_CONNECT_RESOLVER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/connect/outbound_rules.h"

namespace connectivity::connect {

class SystemResolver final : public Resolver {
 public:
  Result<std::vector<IpAddress>> Resolve(std::string_view host, int64_t timeout_us) const override;
  static const SystemResolver& Instance();
};

// Monotonic microseconds (std::chrono::steady_clock): deadlines and backoff use real time even
// when the Supervisor's Clock is a manual one (that clock only stamps statuses and metrics).
int64_t SteadyMicros();

// "host:port" with IPv6 literals in brackets.
std::string JoinHostPort(std::string_view host, int port);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_RESOLVER_H_
