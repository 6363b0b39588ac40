// The system resolver (getaddrinfo), bounded by a timeout, and small time and address helpers
// used by every client.
//
// Why not plain getaddrinfo (model::SystemHostResolver): it has no timeout, and a client must
// never wait longer than its connect bound, nor a validation for ever. getaddrinfo_a runs the
// lookup on glibc's helper threads and gai_suspend waits for it with a deadline. A lookup that
// cannot be cancelled after its deadline is parked and freed by a later call once glibc is done
// with it (never leaked for good, never freed while in use).
//
// It implements model::HostResolver, so the daemon gives the same resolver to the validation
// (ValidationConfig::host_resolver) and to the clients (ConnectSettings::resolver).
#ifndef CONNECTIVITY_CONNECT_RESOLVER_H_
#define CONNECTIVITY_CONNECT_RESOLVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/model/host_validation.h"

namespace connectivity::connect {

class SystemResolver final : public model::HostResolver {
 public:
  Result<std::vector<model::IpAddress>> Resolve(std::string_view host,
                                                int64_t timeout_us) const override;
  // The process-wide instance; never destroyed, so that threads still resolving at exit keep it.
  static const std::shared_ptr<const SystemResolver>& Instance();
};

// Monotonic microseconds (std::chrono::steady_clock): deadlines and backoff use real time even
// when the Supervisor's Clock is a manual one (that clock only stamps statuses and metrics).
int64_t SteadyMicros();

// "host:port" with IPv6 literals in brackets.
std::string JoinHostPort(std::string_view host, int port);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_RESOLVER_H_
