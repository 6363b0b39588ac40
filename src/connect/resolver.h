// The system resolver (getaddrinfo), bounded by a timeout, and small time and address helpers
// used by every client.
//
// Why not plain getaddrinfo (model::SystemHostResolver): it has no timeout, and a client must
// never wait longer than its connect bound, nor a validation for ever. Each lookup runs the
// blocking getaddrinfo on a thread of its own and the caller waits for it until its deadline; a
// lookup given up at its deadline finishes on its thread and frees itself. At most
// kLookupsInFlightMax lookups run at once (a stuck DNS server cannot make threads without end);
// beyond it a lookup fails at once as unavailable.
//
// Not glibc's getaddrinfo_a: its helper threads are created inside glibc, past the sanitizers'
// pthread_create interceptor, and ThreadSanitizer crashes in the first allocation on them
// (scripts/test --sanitize thread found it).
//
// It implements model::HostResolver, so the daemon gives the same resolver to the validation
// (through ResolverPool and HostRulesRefresher below, off the request threads) and to the
// clients (ConnectSettings::resolver).
#ifndef CONNECTIVITY_CONNECT_RESOLVER_H_
#define CONNECTIVITY_CONNECT_RESOLVER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "src/base/mutex.h"
#include "src/model/host_validation.h"

namespace connectivity::connect {

class SystemResolver final : public model::HostResolver {
 public:
  // Name lookups running at once, over every caller (glibc's getaddrinfo_a allowed 20 threads).
  static constexpr int kLookupsInFlightMax = 64;

  Result<std::vector<model::IpAddress>> Resolve(std::string_view host,
                                                int64_t timeout_us) const override;
  // The process-wide instance; never destroyed, so that threads still resolving at exit keep it.
  static const std::shared_ptr<const SystemResolver>& Instance();
};

// A few threads that resolve names for the validation of commands (REF §4.2 item 7), so that no
// HTTP thread and no journal completion thread waits on DNS: the service hands it the names a
// validation found missing (model::ResolvedHosts) and validates again in `done`, on a pool thread.
// At most `queued_max` lookups wait; beyond that, and after Stop, names fail at once (Unavailable)
// without a lookup. Each lookup is bounded by model::kHostResolveTimeoutUs.
class ResolverPool {
 public:
  using Results = std::vector<std::pair<std::string, Result<std::vector<model::IpAddress>>>>;

  ResolverPool(std::shared_ptr<const model::HostResolver> resolver, size_t threads, size_t queued_max);
  ~ResolverPool();  // Stop()
  ResolverPool(const ResolverPool&) = delete;
  ResolverPool& operator=(const ResolverPool&) = delete;

  // Resolves `hosts` one after the other on a pool thread, then calls `done` there with every
  // result in order; `done` runs on the caller's thread when the lookups are refused.
  void Resolve(std::vector<std::string> hosts, std::function<void(Results)> done);
  // Refuses new lookups, fails the waiting ones (their `done` runs), finishes the running ones.
  void Stop();

 private:
  struct Job {
    std::vector<std::string> hosts;
    std::function<void(Results)> done;
  };
  void Run();
  static Results Refused(const std::vector<std::string>& hosts, const std::string& why);

  const std::shared_ptr<const model::HostResolver> resolver_;
  const size_t queued_max_;
  Mutex mutex_;
  CondVar wakeup_;
  std::deque<Job> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

// Compiles the outbound host rules for the validation (model::PreparedHostRules): once in Start,
// then every `refresh_interval_us` on its own thread, so that validations use prepared address
// sets and never resolve a blocked hostname. A blocked hostname that stops resolving keeps its
// last addresses: a DNS failure must not lift a block.
class HostRulesRefresher {
 public:
  HostRulesRefresher(model::HostRules rules, std::shared_ptr<const model::HostResolver> resolver,
                     std::shared_ptr<model::PreparedHostRules> target, int64_t refresh_interval_us);
  ~HostRulesRefresher();  // Stop()
  HostRulesRefresher(const HostRulesRefresher&) = delete;
  HostRulesRefresher& operator=(const HostRulesRefresher&) = delete;

  // Compiles the rules now (resolving every blocked hostname, each within
  // model::kHostResolveTimeoutUs), then starts refreshing in the background.
  void Start();
  void Stop();
  // One compilation now (Start and the background thread use it; public for tests).
  void Refresh();

 private:
  class Remembering;

  const model::HostRules rules_;
  const std::shared_ptr<Remembering> resolver_;
  const std::shared_ptr<model::PreparedHostRules> target_;
  const int64_t refresh_interval_us_;
  Mutex mutex_;
  CondVar wakeup_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

// How often the daemon resolves the blocked hostnames again.
inline constexpr int64_t kBlockedHostsRefreshUs = 60'000'000;

// Monotonic microseconds (std::chrono::steady_clock): deadlines and backoff use real time even
// when the Supervisor's Clock is a manual one (that clock only stamps statuses and metrics).
int64_t SteadyMicros();

// "host:port" with IPv6 literals in brackets.
std::string JoinHostPort(std::string_view host, int port);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_RESOLVER_H_
