#include "src/connect/outbound_rules.h"

#include <algorithm>
#include <utility>

#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

CheckedAddresses Blocked(std::string_view host, std::string_view reason) {
  CheckedAddresses result;
  result.failure = FailureKind::kBlockedHost;
  result.detail = model::HostNotAllowedMessage(host, reason);
  return result;
}

}  // namespace

OutboundPolicy OutboundPolicy::Compile(const model::HostRules& rules,
                                       const HostResolver& resolver) {
  return OutboundPolicy(model::HostPolicy::Compile(rules, resolver, model::kHostResolveTimeoutUs));
}

CheckedAddresses OutboundPolicy::Check(std::string_view host, const HostResolver& resolver,
                                       int64_t deadline_us) const {
  if (!policy_.ok()) return Blocked(host, model::InvalidRulesReason(policy_.status()));
  const model::HostPolicy::NameVerdict verdict = policy_->CheckHostName(host);
  if (verdict == model::HostPolicy::NameVerdict::kBlocked) {
    return Blocked(host, model::kBlockedHostReason);
  }
  const int64_t left_us = std::max<int64_t>(0, deadline_us - SteadyMicros());
  Result<std::vector<IpAddress>> addresses = resolver.Resolve(host, left_us);
  CheckedAddresses result;
  if (!addresses.ok()) {
    result.failure = addresses.status().IsUnavailable() ? FailureKind::kTimeout
                                                        : FailureKind::kUnresolvable;
    result.detail = addresses.status().message();
    return result;
  }
  if (verdict == model::HostPolicy::NameVerdict::kCheckAddresses) {
    for (const IpAddress& address : *addresses) {
      // One blocked address blocks the host (as Ditto): a name that resolves to a public and a
      // private address must not be usable to reach the private one.
      if (std::optional<std::string> reason = policy_->CheckAddress(address)) {
        return Blocked(host, *reason);
      }
    }
  }
  result.addresses = std::move(*addresses);
  return result;
}

}  // namespace connectivity::connect
