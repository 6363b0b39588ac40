// The outbound host rules at connect time: model::HostPolicy (src/model/host_validation.h, REF
// §4.2 item 7) decides, exactly as at validation time; this file adds what only connecting needs.
// Every attempt resolves its host once, within the attempt's deadline, checks the name and every
// address, and hands the client the checked addresses: a client connects to those and never
// resolves the name again, so a DNS answer that changes between check and connect cannot reach a
// blocked address.
//
// Differences from the validation, on purpose: an allowed host is still resolved (the client
// needs its addresses); a failed lookup is a connect failure (kTimeout or kUnresolvable with the
// resolver's text), not Ditto's "is invalid" sentence; the rules are compiled once per
// ConnectSettings (blocked hostnames resolved once), not per attempt.
//
// Thread-safety: an OutboundPolicy is immutable after Compile and shared by all attempts.
#ifndef CONNECTIVITY_CONNECT_OUTBOUND_RULES_H_
#define CONNECTIVITY_CONNECT_OUTBOUND_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/connect/outcome.h"
#include "src/model/host_validation.h"

namespace connectivity::connect {

// The model's address type and resolver interface are the ones the clients use.
using model::HostResolver;
using model::IpAddress;
using model::ParseIpAddress;

// The checked addresses of a host, or why there are none.
struct CheckedAddresses {
  std::vector<IpAddress> addresses;  // empty on failure
  FailureKind failure = FailureKind::kNone;
  std::string detail;  // on failure: Ditto's blocked-host message, or the resolver's error
};

class OutboundPolicy {
 public:
  // Compiles `rules`, resolving each blocked hostname within model::kHostResolveTimeoutUs. Rules
  // that do not compile (a malformed subnet or regex) give a policy that refuses every host, so
  // that a typo does not silently open a hole.
  static OutboundPolicy Compile(const model::HostRules& rules, const HostResolver& resolver);

  // Resolves `host` through `resolver` until `deadline_us` (SteadyMicros) and checks it. Returns
  // the addresses in resolver order, or kBlockedHost (Ditto's message), kTimeout or
  // kUnresolvable. A host the regex blocks is never resolved.
  CheckedAddresses Check(std::string_view host, const HostResolver& resolver,
                         int64_t deadline_us) const;

 private:
  explicit OutboundPolicy(Result<model::HostPolicy> policy) : policy_(std::move(policy)) {}

  Result<model::HostPolicy> policy_;  // an error fails every Check closed
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_OUTBOUND_RULES_H_
