#include "src/connect/resolver.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
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
std::mutex parked_mutex;
std::vector<std::unique_ptr<Lookup>> parked;

void FreeResult(Lookup& lookup) {
  if (lookup.request.ar_result != nullptr) freeaddrinfo(lookup.request.ar_result);
  lookup.request.ar_result = nullptr;
}

void SweepParked() {
  std::lock_guard<std::mutex> lock(parked_mutex);
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
      std::lock_guard<std::mutex> lock(parked_mutex);
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
