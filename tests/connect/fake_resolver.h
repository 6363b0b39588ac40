// A Resolver with a fixed table, so that tests can give names to 127.0.0.1 and prove that clients
// connect to the address the outbound rules checked (the names do not exist in DNS).
#ifndef CONNECTIVITY_TESTS_CONNECT_FAKE_RESOLVER_H_
#define CONNECTIVITY_TESTS_CONNECT_FAKE_RESOLVER_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/connect/outbound_rules.h"
#include "src/connect/resolver.h"

namespace connectivity::connect::testing {

class FakeResolver final : public Resolver {
 public:
  void Set(const std::string& host, std::vector<std::string> addresses) {
    std::lock_guard<std::mutex> lock(mutex_);
    table_[host] = std::move(addresses);
  }
  int lookups(const std::string& host) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = counts_.find(host);
    return it == counts_.end() ? 0 : it->second;
  }

  Result<std::vector<IpAddress>> Resolve(std::string_view host, int64_t) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counts_[std::string(host)];
    if (std::optional<IpAddress> literal = ParseIpAddress(host)) return std::vector{*literal};
    auto it = table_.find(std::string(host));
    if (it == table_.end()) return Status::NotFound(std::string(host) + ": Name or service not known");
    std::vector<IpAddress> addresses;
    for (const std::string& text : it->second) addresses.push_back(*ParseIpAddress(text));
    return addresses;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> table_;
  mutable std::map<std::string, int> counts_;
};

}  // namespace connectivity::connect::testing

#endif  // CONNECTIVITY_TESTS_CONNECT_FAKE_RESOLVER_H_
