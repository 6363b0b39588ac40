#include "src/connect/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

namespace connectivity::connect {
namespace {

struct Lookup {
  std::string host;
  addrinfo hints{};
  gaicb request{};
};

// Lookups whose deadline passed while glibc still owned them.
Mutex parked_mutex;
std::vector<std::unique_ptr<Lookup>> parked GUARDED_BY(parked_mutex);

void FreeResult(Lookup& lookup) {
  if (lookup.request.ar_result != nullptr) freeaddrinfo(lookup.request.ar_result);
  lookup.request.ar_result = nullptr;
}

void SweepParked() {
  MutexLock lock(parked_mutex);
  std::erase_if(parked, [](std::unique_ptr<Lookup>& lookup) {
    if (gai_error(&lookup->request) == EAI_INPROGRESS) return false;
    FreeResult(*lookup);
    return true;
  });
}

// Waits for `lookup` until `deadline_us`; false on timeout.
bool AwaitLookup(Lookup& lookup, int64_t deadline_us) {
  const gaicb* list[1] = {&lookup.request};
  for (;;) {
    const int64_t left_us = std::max<int64_t>(0, deadline_us - SteadyMicros());
    const timespec wait{static_cast<time_t>(left_us / 1'000'000),
                        static_cast<long>(left_us % 1'000'000) * 1000};
    const int rc = gai_suspend(list, 1, &wait);
    if (rc == 0 || rc == EAI_ALLDONE) return true;
    if (gai_error(&lookup.request) != EAI_INPROGRESS) return true;
    if (rc == EAI_AGAIN || left_us == 0) return false;  // EAI_INTR: wait again
  }
}

}  // namespace

Result<std::vector<model::IpAddress>> SystemResolver::Resolve(std::string_view host,
                                                              int64_t timeout_us) const {
  if (std::optional<model::IpAddress> literal = model::ParseIpAddress(host)) {
    return std::vector{*literal};
  }
  if (host.empty()) return Status::NotFound("empty host name");
  SweepParked();
  auto lookup = std::make_unique<Lookup>();
  lookup->host = std::string(host);
  lookup->hints.ai_family = AF_UNSPEC;
  lookup->hints.ai_socktype = SOCK_STREAM;
  lookup->request.ar_name = lookup->host.c_str();
  lookup->request.ar_request = &lookup->hints;
  gaicb* list[1] = {&lookup->request};
  if (int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0) {
    return Status::Unavailable(lookup->host + ": " + gai_strerror(rc));
  }
  if (!AwaitLookup(*lookup, SteadyMicros() + timeout_us)) {
    if (gai_cancel(&lookup->request) == EAI_NOTCANCELED) {
      MutexLock lock(parked_mutex);
      parked.push_back(std::move(lookup));
    } else {
      FreeResult(*lookup);
    }
    return Status::Unavailable(std::string(host) + ": name resolution timed out");
  }
  const int rc = gai_error(&lookup->request);
  if (rc != 0) {
    FreeResult(*lookup);
    return Status::NotFound(std::string(host) + ": " + gai_strerror(rc));
  }
  std::vector<model::IpAddress> addresses = model::IpAddressesOf(lookup->request.ar_result);
  FreeResult(*lookup);
  if (addresses.empty()) return Status::NotFound(std::string(host) + ": no address");
  return addresses;
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
