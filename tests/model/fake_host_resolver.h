// A HostResolver with a fixed table, so that no test of the host rules touches DNS: a name
// resolves to the addresses set for it (e.g. made-up names for 127.0.0.1, to prove that clients
// connect to the address the rules checked), an IP literal to itself, and any other name fails
// with the text of Java's UnknownHostException. A name can be made to time out instead. Every
// lookup is recorded. Thread-safe (clients resolve on their own threads).
#ifndef CONNECTIVITY_TESTS_MODEL_FAKE_HOST_RESOLVER_H_
#define CONNECTIVITY_TESTS_MODEL_FAKE_HOST_RESOLVER_H_

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "src/model/host_validation.h"

namespace connectivity::model::testing {

class FakeHostResolver final : public HostResolver {
 public:
  FakeHostResolver() = default;
  explicit FakeHostResolver(std::map<std::string, std::vector<std::string>> table)
      : table_(std::move(table)) {}

  void Set(const std::string& host, std::vector<std::string> addresses) {
    std::lock_guard<std::mutex> lock(mutex_);
    table_[host] = std::move(addresses);
  }
  // Resolve(host) answers Unavailable, as a resolver whose deadline passed.
  void SetTimeout(const std::string& host) {
    std::lock_guard<std::mutex> lock(mutex_);
    timeouts_.insert(host);
  }
  // Every host asked for, in order.
  std::vector<std::string> Lookups() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return lookups_;
  }
  int LookupCount(const std::string& host) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(std::count(lookups_.begin(), lookups_.end(), host));
  }

  Result<std::vector<IpAddress>> Resolve(std::string_view host, int64_t) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string name(host);
    lookups_.push_back(name);
    if (std::optional<IpAddress> literal = ParseIpAddress(host)) return std::vector{*literal};
    if (timeouts_.count(name) > 0) return Status::Unavailable(name + ": name resolution timed out");
    auto it = table_.find(name);
    if (it == table_.end()) return Status::NotFound(name + ": Name or service not known");
    std::vector<IpAddress> addresses;
    for (const std::string& text : it->second) addresses.push_back(*ParseIpAddress(text));
    return addresses;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> table_;
  std::set<std::string> timeouts_;
  mutable std::vector<std::string> lookups_;
};

}  // namespace connectivity::model::testing

#endif  // CONNECTIVITY_TESTS_MODEL_FAKE_HOST_RESOLVER_H_
