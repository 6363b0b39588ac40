// Outbound host rules: Ditto's DefaultHostValidator (REF §4.2 item 7) as pure functions, shared by
// the validation-time check (src/model/validation may reuse it) and by every connect attempt.
//
// Semantics, as Ditto's:
//   - If no blocked hostname resolves to an address, nothing is blocked at all (default).
//   - A host in `allowed_hostnames` is allowed as written, whatever it resolves to.
//   - A host that fully matches `blocked_host_regex` is blocked ("" matches nothing).
//   - Otherwise every address the host resolves to is checked: loopback, site-local (10/8,
//     172.16/12, 192.168/16, fec0::/10), multicast, wildcard, an address of a blocked hostname, or
//     an address inside a blocked subnet blocks the host. An unresolvable host is invalid.
// Deliberate differences: subnets may be IPv6 too and include their network and broadcast
// addresses (Ditto's SubnetUtils excludes both); IPv4-mapped IPv6 addresses are checked as IPv4
// (Java converts them too). The regex is ECMAScript (std::regex), not java.util.regex.
// Link-local addresses (169.254/16, e.g. cloud metadata) are not implicitly blocked, as in Ditto:
// production should list them in blocked subnets.
//
// Thread-safety: everything here is immutable after construction and safe to share.
#ifndef CONNECTIVITY_CONNECT_OUTBOUND_RULES_H_
#define CONNECTIVITY_CONNECT_OUTBOUND_RULES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"

namespace connectivity::connect {

struct OutboundRules {
  std::vector<std::string> blocked_hostnames;  // resolved once, when the policy is compiled
  std::vector<std::string> blocked_subnets;    // CIDR: "10.0.0.0/8", "fd00::/8"; bare IP = host
  std::string blocked_host_regex;              // must match the whole host
  std::vector<std::string> allowed_hostnames;  // exact, case-sensitive (as Ditto)
};

// Builds rules from Ditto's comma-separated configuration values
// (CONNECTIVITY_CONNECTION_BLOCKED_HOSTNAMES etc.): items trimmed, empty items dropped.
OutboundRules OutboundRulesFromConfig(std::string_view blocked_hostnames,
                                      std::string_view blocked_subnets,
                                      std::string_view blocked_host_regex,
                                      std::string_view allowed_hostnames);

// An IPv4 or IPv6 address; IPv4 uses the first 4 bytes.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses "1.2.3.4", "::1", "[::1]" (IPv4-mapped IPv6 becomes IPv4); nullopt for anything else.
std::optional<IpAddress> ParseIpAddress(std::string_view text);
std::string FormatIpAddress(const IpAddress& address);  // "1.2.3.4", "::1"

struct Subnet {
  IpAddress base;
  int prefix_length = 0;
};
// "10.0.0.0/8", "fd00::/8", or a bare address (/32, /128); nullopt if malformed.
std::optional<Subnet> ParseSubnet(std::string_view cidr);
bool SubnetContains(const Subnet& subnet, const IpAddress& address);

bool IsLoopback(const IpAddress& address);   // 127/8, ::1
bool IsSiteLocal(const IpAddress& address);  // 10/8, 172.16/12, 192.168/16, fec0::/10
bool IsMulticast(const IpAddress& address);  // 224/4, ff00::/8
bool IsWildcard(const IpAddress& address);   // 0.0.0.0, ::

// Resolves host names. Implementations must be thread-safe.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // Every address of `host` (IP literals resolve to themselves), in the resolver's order, without
  // duplicates; NotFound if there is none; Unavailable if `timeout_us` passed first.
  virtual Result<std::vector<IpAddress>> Resolve(std::string_view host,
                                                 int64_t timeout_us) const = 0;
};

// The rules compiled against a resolver: blocked hostnames resolved, subnets and regex parsed.
class OutboundPolicy {
 public:
  // InvalidArgument for a malformed subnet or regex (Ditto skips bad subnets with a log line; we
  // refuse them, so that a typo does not silently open a hole). Blocked hostnames that do not
  // resolve are skipped, as in Ditto.
  static Result<OutboundPolicy> Compile(const OutboundRules& rules, const Resolver& resolver);

  // False when nothing is blocked (no blocked hostname resolved): every host is allowed.
  bool active() const { return !blocked_addresses_.empty(); }

  enum class NameVerdict { kAllowed, kBlocked, kCheckAddresses };
  // The checks on the name alone: allowed list, then regex.
  NameVerdict CheckHostName(std::string_view host) const;
  // nullopt if `address` may be used; else Ditto's reason, e.g.
  // "the hostname resolved to a loopback address.".
  std::optional<std::string> CheckAddress(const IpAddress& address) const;

  // The whole validation of REF §4.2 item 7 for `host`: nullopt if allowed, else the message
  // "The configured host '<h>' may not be used for the connection because <reason>".
  std::optional<std::string> ValidateHost(std::string_view host, const Resolver& resolver,
                                          int64_t timeout_us) const;

 private:
  std::vector<IpAddress> blocked_addresses_;
  std::vector<Subnet> blocked_subnets_;
  std::optional<std::regex> blocked_host_regex_;
  std::vector<std::string> allowed_hostnames_;
};

// "The configured host '<host>' may not be used for the connection because <reason>" (Ditto's
// HostValidationResult#toException message).
std::string HostNotAllowedMessage(std::string_view host, std::string_view reason);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_OUTBOUND_RULES_H_
