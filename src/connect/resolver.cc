#include "src/connect/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace connectivity::connect {
namespace {

// One lookup, shared by the thread that resolves it and the caller that waits for it: whichever
// finishes last frees it, so a caller that gave up at its deadline leaves nothing behind.
struct Lookup {
  Mutex mutex;
  CondVar resolved;
  bool done GUARDED_BY(mutex) = false;
  int rc GUARDED_BY(mutex) = 0;
  std::vector<model::IpAddress> addresses GUARDED_BY(mutex);
};

// Lookups whose thread is still in getaddrinfo (some may have been given up by their caller).
std::atomic<int> lookups_in_flight{0};

// Runs on the lookup's own thread: the blocking getaddrinfo, then the hand-over.
void ResolveInto(const std::string& host, const std::shared_ptr<Lookup>& lookup) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  std::vector<model::IpAddress> addresses = rc == 0 ? model::IpAddressesOf(result) : std::vector<model::IpAddress>();
  if (result != nullptr) freeaddrinfo(result);
  {
    MutexLock lock(lookup->mutex);
    lookup->done = true;
    lookup->rc = rc;
    lookup->addresses = std::move(addresses);
  }
  lookup->resolved.NotifyAll();
  lookups_in_flight.fetch_sub(1);
}

}  // namespace

Result<std::vector<model::IpAddress>> SystemResolver::Resolve(std::string_view host,
                                                              int64_t timeout_us) const {
  if (std::optional<model::IpAddress> literal = model::ParseIpAddress(host)) {
    return std::vector{*literal};
  }
  if (host.empty()) return Status::NotFound("empty host name");
  if (lookups_in_flight.fetch_add(1) >= kLookupsInFlightMax) {
    lookups_in_flight.fetch_sub(1);
    return Status::Unavailable(std::string(host) + ": too many name lookups in flight");
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([host = std::string(host), lookup] { ResolveInto(host, lookup); }).detach();
  } catch (const std::system_error& e) {
    lookups_in_flight.fetch_sub(1);
    return Status::Unavailable(std::string(host) + ": no thread for the lookup: " + e.what());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(std::max<int64_t>(0, timeout_us));
  MutexLock lock(lookup->mutex);
  while (!lookup->done) {
    if (!lookup->resolved.WaitUntil(lock, deadline) && !lookup->done) {
      return Status::Unavailable(std::string(host) + ": name resolution timed out");
    }
  }
  if (lookup->rc != 0) return Status::NotFound(std::string(host) + ": " + gai_strerror(lookup->rc));
  if (lookup->addresses.empty()) return Status::NotFound(std::string(host) + ": no address");
  return std::move(lookup->addresses);
}

const std::shared_ptr<const SystemResolver>& SystemResolver::Instance() {
  static const auto* resolver =
      new std::shared_ptr<const SystemResolver>(std::make_shared<SystemResolver>());
  return *resolver;
}

// --- ResolverPool ---------------------------------------------------------------------------

ResolverPool::ResolverPool(std::shared_ptr<const model::HostResolver> resolver, size_t threads,
                           size_t queued_max)
    : resolver_(std::move(resolver)), queued_max_(queued_max) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i) threads_.emplace_back([this] { Run(); });
}

ResolverPool::~ResolverPool() { Stop(); }

ResolverPool::Results ResolverPool::Refused(const std::vector<std::string>& hosts, const std::string& why) {
  Results results;
  for (const std::string& host : hosts) results.emplace_back(host, Status::Unavailable(host + ": " + why));
  return results;
}

void ResolverPool::Resolve(std::vector<std::string> hosts, std::function<void(Results)> done) {
  std::string refused;
  {
    MutexLock lock(mutex_);
    if (stopping_) {
      refused = "the service is stopping";
    } else if (queue_.size() >= queued_max_) {
      refused = "too many name lookups are waiting; try again later";
    } else {
      queue_.push_back(Job{std::move(hosts), std::move(done)});
    }
  }
  if (refused.empty()) return wakeup_.NotifyOne();
  done(Refused(hosts, refused));
}

void ResolverPool::Run() {
  while (true) {
    Job job;
    bool stopping = false;
    {
      MutexLock lock(mutex_);
      while (!stopping_ && queue_.empty()) wakeup_.Wait(lock);
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      stopping = stopping_;
    }
    if (stopping) {
      job.done(Refused(job.hosts, "the service is stopping"));
      continue;
    }
    Results results;
    for (const std::string& host : job.hosts) {
      results.emplace_back(host, resolver_->Resolve(host, model::kHostResolveTimeoutUs));
    }
    job.done(std::move(results));
  }
}

void ResolverPool::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wakeup_.NotifyAll();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

// --- HostRulesRefresher ---------------------------------------------------------------------

// The resolver of the refresher: a name that fails now answers its last addresses.
class HostRulesRefresher::Remembering final : public model::HostResolver {
 public:
  explicit Remembering(std::shared_ptr<const model::HostResolver> resolver) : resolver_(std::move(resolver)) {}

  Result<std::vector<model::IpAddress>> Resolve(std::string_view host, int64_t timeout_us) const override {
    Result<std::vector<model::IpAddress>> addresses = resolver_->Resolve(host, timeout_us);
    MutexLock lock(mutex_);
    if (addresses.ok()) {
      last_.insert_or_assign(std::string(host), *addresses);
      return addresses;
    }
    const auto it = last_.find(host);
    if (it == last_.end()) return addresses;
    return it->second;
  }

 private:
  const std::shared_ptr<const model::HostResolver> resolver_;
  mutable Mutex mutex_;
  mutable std::map<std::string, std::vector<model::IpAddress>, std::less<>> last_ GUARDED_BY(mutex_);
};

HostRulesRefresher::HostRulesRefresher(model::HostRules rules,
                                       std::shared_ptr<const model::HostResolver> resolver,
                                       std::shared_ptr<model::PreparedHostRules> target,
                                       int64_t refresh_interval_us)
    : rules_(std::move(rules)),
      resolver_(std::make_shared<Remembering>(std::move(resolver))),
      target_(std::move(target)),
      refresh_interval_us_(refresh_interval_us) {}

HostRulesRefresher::~HostRulesRefresher() { Stop(); }

void HostRulesRefresher::Refresh() {
  target_->Set(model::HostPolicy::Compile(rules_, *resolver_, model::kHostResolveTimeoutUs));
}

void HostRulesRefresher::Start() {
  Refresh();
  // Nothing to refresh when no hostname is blocked: the rules stay inactive.
  if (rules_.blocked_hostnames.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] {
    MutexLock lock(mutex_);
    while (!stopping_) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(refresh_interval_us_);
      while (!stopping_ && wakeup_.WaitUntil(lock, deadline)) {
      }
      if (stopping_) break;
      lock.Unlock();
      Refresh();
      lock.Lock();
    }
  });
}

void HostRulesRefresher::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wakeup_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string JoinHostPort(std::string_view host, int port) {
  const bool v6 = host.find(':') != std::string_view::npos && host.front() != '[';
  std::string text = v6 ? "[" + std::string(host) + "]" : std::string(host);
  return text + ":" + std::to_string(port);
}

}  // namespace connectivity::connect
