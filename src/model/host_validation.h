// Outbound host rules (REF §4.2 item 7; Ditto's DefaultHostValidator, HostValidationResult and
// SubnetValidator): the one implementation of the addresses, subnets, address classes and of the
// decision "may this host be used, and if not, why". Two callers apply it:
//   - the validation of a connection (HostValidator below): its host, its SSH tunnel's host and
//     its OAuth token endpoint, when a connection is created, modified, tested or opened;
//   - every connect attempt (src/connect/outbound_rules.h): the addresses a client connects to
//     are the ones HostPolicy checked, so DNS cannot hand a client a blocked address later.
//
// Semantics, as Ditto's:
//   - The rules are inactive unless a blocked hostname resolves: then every host passes and no
//     name is ever resolved (the default: nothing blocked).
//   - A host in `allowed_hostnames` passes as written (exact, case-sensitive), whatever it
//     resolves to.
//   - A host that fully matches `blocked_host_regex` is blocked ("" matches only the empty host).
//   - Otherwise every address of the host is checked, in Ditto's order: loopback, site-local,
//     multicast, wildcard, an address of a blocked hostname, an address in a blocked subnet (IPv4
//     or IPv6, network and broadcast addresses included, as SubnetValidator's prefix match). One
//     such address blocks the host; a host that does not resolve is invalid. E.g.
//       The configured host 'localhost' may not be used for the connection because the host is
//       blocked: the hostname resolved to a loopback address (127.0.0.1).
//   - IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4 addresses (Java's InetAddress).
// Deliberate differences from Ditto:
//   - The comma lists are trimmed and blank items dropped (Ditto keeps " b", which then never
//     resolves or matches, a silent hole in a blocked list).
//   - Subnets must be IP literals ("10.0.0.0/8", "fd00::/8", or one address). A subnet or regex
//     that does not parse makes the rules invalid, and invalid rules refuse every host (fail
//     closed) where Ditto throws.
//   - The regex is ECMAScript (std::regex), not java.util.regex.
// Not blocked implicitly (REF lists only the four classes above): link-local addresses
// (169.254/16, the cloud metadata endpoint) and IPv6 unique-local ones (fc00::/7); production
// should list them in blocked subnets.
//
// Name resolution is the only I/O here. It goes through HostResolver, so that tests inject a fake
// and the daemon injects the deadline-bounded resolver of src/connect.
//
// Thread-safety: IpAddress, Subnet, HostRules and HostPolicy are immutable values, safe to share;
// PreparedHostRules and ResolvedHosts lock. A HostValidator serves one validation on one thread.
#ifndef CONNECTIVITY_MODEL_HOST_VALIDATION_H_
#define CONNECTIVITY_MODEL_HOST_VALIDATION_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/mutex.h"
#include "src/base/status.h"
#include "src/model/errors.h"

struct addrinfo;
struct sockaddr;

namespace connectivity::model {

// An IPv4 or IPv6 address.
struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes; the rest stays zero

  // RFC 5952 text, as inet_ntop writes it ("10.0.0.1", "::1"): for sockets and libraries.
  std::string ToString() const;
  // java.net.InetAddress#getHostAddress ("10.0.0.1", "0:0:0:0:0:0:0:1"): Ditto's messages
  // quote addresses in this form.
  std::string ToJavaString() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses "1.2.3.4", "::1" or "[::1]"; an IPv4-mapped IPv6 address becomes IPv4. nullopt for
// anything else (host names included).
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// The address of an AF_INET / AF_INET6 socket address (IPv4-mapped becomes IPv4); nullopt for
// other families.
std::optional<IpAddress> IpAddressFromSockaddr(const sockaddr* address);

// The addresses of a getaddrinfo(3) result list, in its order, without duplicates.
std::vector<IpAddress> IpAddressesOf(const addrinfo* list);

// java.net.InetAddress's address classes.
bool IsLoopback(const IpAddress& address);   // 127/8, ::1
bool IsSiteLocal(const IpAddress& address);  // 10/8, 172.16/12, 192.168/16, fec0::/10
bool IsMulticast(const IpAddress& address);  // 224/4, ff00::/8
bool IsWildcard(const IpAddress& address);   // 0.0.0.0, :: (isAnyLocalAddress)

struct Subnet {
  IpAddress base;
  int prefix_length = 0;  // 0..32 for IPv4, 0..128 for IPv6
};
// "10.0.0.0/8", "fd00::/8", or a bare address (/32, /128); nullopt if malformed.
std::optional<Subnet> ParseSubnet(std::string_view cidr);
// SubnetValidator#matches: the first `prefix_length` bits agree; families never match each other.
bool SubnetContains(const Subnet& subnet, const IpAddress& address);

// Resolves host names (java.net.InetAddress#getAllByName). Implementations must be thread-safe.
class HostResolver {
 public:
  virtual ~HostResolver() = default;
  // Every address of `host` (an IP literal resolves to itself without a lookup), in the
  // resolver's order, without duplicates. NotFound if there is none, with the text of Java's
  // UnknownHostException ("foo.invalid: Name or service not known"); Unavailable if `timeout_us`
  // passed first.
  virtual Result<std::vector<IpAddress>> Resolve(std::string_view host,
                                                 int64_t timeout_us) const = 0;
};

// getaddrinfo(3). It cannot honour a timeout (glibc's own retries bound it); callers that need a
// deadline inject connect::SystemResolver instead, as the daemon does.
std::shared_ptr<const HostResolver> SystemHostResolver();

// How long the validation waits for one name, and the connect side for one blocked hostname.
inline constexpr int64_t kHostResolveTimeoutUs = 5'000'000;

// `connection.allowed-hostnames`, `blocked-hostnames`, `blocked-subnets`, `blocked-host-regex`.
struct HostRules {
  std::vector<std::string> allowed_hostnames;  // exact, case-sensitive (as Ditto)
  std::vector<std::string> blocked_hostnames;  // their addresses are blocked; "" is skipped
  std::vector<std::string> blocked_subnets;    // "10.0.0.0/8", "fd00::/8", or one address
  std::string blocked_host_regex;              // ECMAScript; must match the whole host
};

// A comma-separated setting: items trimmed (String#trim), blank items dropped.
std::vector<std::string> SplitHostList(std::string_view comma_separated);

// The rules from the comma-separated settings (env CONNECTIVITY_CONNECTION_BLOCKED_HOSTNAMES,
// ..._BLOCKED_SUBNETS, ..._BLOCKED_HOST_REGEX, ..._ALLOWED_HOSTNAMES); the regex is trimmed.
HostRules HostRulesFromConfig(std::string_view blocked_hostnames, std::string_view blocked_subnets,
                              std::string_view blocked_host_regex,
                              std::string_view allowed_hostnames);

// The rules with their blocked hostnames resolved and their subnets and regex parsed. Every
// method returns a reason: Ditto's text after "because " (HostNotAllowedMessage builds the
// sentence).
class HostPolicy {
 public:
  // Parses the subnets and the regex, then resolves each non-empty blocked hostname within
  // `timeout_us` (one that does not resolve is skipped, as in Ditto). Resolves nothing when no
  // hostname is blocked. InvalidArgument names a subnet or a regex that does not parse.
  static Result<HostPolicy> Compile(const HostRules& rules, const HostResolver& resolver,
                                    int64_t timeout_us);

  // False when no blocked hostname resolved: then every host passes.
  bool active() const { return !blocked_addresses_.empty(); }

  enum class NameVerdict {
    kAllowed,         // inactive rules or an allowed hostname: skip the address checks
    kBlocked,         // the regex matched: kBlockedHostReason
    kCheckAddresses,  // every address must pass CheckAddress
  };
  // The checks on the name alone, in Ditto's order: active, allowed list, regex.
  NameVerdict CheckHostName(std::string_view host) const;

  // Why `address` blocks a host, e.g. "the host is blocked: the hostname resolved to a loopback
  // address (127.0.0.1)."; nullopt if it may be used (always when inactive).
  std::optional<std::string> CheckAddress(const IpAddress& address) const;

  // DefaultHostValidator#validateHost: the name checks, then every address `resolver` gives
  // within `timeout_us`. nullopt if `host` may be used; else the reason, including Ditto's
  // (doubly wrapped) "The configured host '<h>' is invalid: ..." for a host that does not resolve.
  std::optional<std::string> CheckHost(std::string_view host, const HostResolver& resolver,
                                       int64_t timeout_us) const;

 private:
  struct BlockedSubnet {
    std::string text;  // as configured: Ditto's message quotes it
    Subnet subnet;
  };

  std::vector<std::string> allowed_hostnames_;
  std::regex blocked_host_regex_;
  std::vector<IpAddress> blocked_addresses_;
  std::vector<BlockedSubnet> blocked_subnets_;  // in Java HashSet order: the first match is named
};

// The reason for a host that matches the blocked host regex (HostValidationResult#blocked).
inline constexpr std::string_view kBlockedHostReason = "the host is blocked: the host is blocked.";

// The reason for every host when the rules do not compile (fail closed).
std::string InvalidRulesReason(const Status& compile_error);

// "The configured host '<host>' may not be used for the connection because <reason>" (Ditto's
// HostValidationResult#toException message).
std::string HostNotAllowedMessage(std::string_view host, std::string_view reason);

// The rules compiled once (blocked hostnames resolved) and shared by every validation until they
// are compiled again: the daemon compiles them at start-up and refreshes them in the background
// (connect::HostRulesRefresher), so no validation resolves a blocked hostname. Thread-safe.
class PreparedHostRules {
 public:
  // The rules of the last Set; null before the first.
  std::shared_ptr<const Result<HostPolicy>> Current() const;
  void Set(Result<HostPolicy> policy);

 private:
  mutable Mutex mutex_;
  std::shared_ptr<const Result<HostPolicy>> current_ GUARDED_BY(mutex_);
};

// Names resolved ahead of a validation, so that validating never waits on DNS. A name asked for
// and not resolved yet is noted as missing and fails this pass (Unavailable); the caller resolves
// the missing names elsewhere (connect::ResolverPool), adds them, and validates again. IP literals
// resolve to themselves. Thread-safe.
class ResolvedHosts final : public HostResolver {
 public:
  Result<std::vector<IpAddress>> Resolve(std::string_view host, int64_t timeout_us) const override;
  void Add(std::string host, Result<std::vector<IpAddress>> addresses);
  // The names asked for and missing since the last call, each once.
  std::vector<std::string> TakeMissing();

 private:
  mutable Mutex mutex_;
  std::map<std::string, Result<std::vector<IpAddress>>, std::less<>> resolved_ GUARDED_BY(mutex_);
  mutable std::vector<std::string> missing_ GUARDED_BY(mutex_);
};

// One validation's view of the rules (Ditto builds a DefaultHostValidator per validation).
class HostValidator {
 public:
  // Compiles `rules` on first use, resolving their blocked hostnames with `resolver` (so a
  // validation that checks no host resolves nothing). `rules` and `resolver` must outlive the
  // validator; nullptr means SystemHostResolver(). `resolver` also resolves the checked hosts.
  HostValidator(const HostRules& rules, const HostResolver* resolver);
  // With rules compiled already; `resolver` resolves only the checked hosts.
  HostValidator(std::shared_ptr<const Result<HostPolicy>> prepared, const HostResolver* resolver);

  // HostValidator#validateHostname: nullopt if `host` may be used, else
  // connection.configuration.invalid with HostNotAllowedMessage.
  std::optional<DittoError> Validate(std::string_view host) const;

 private:
  const Result<HostPolicy>& Policy() const;

  const HostRules* rules_ = nullptr;
  const HostResolver* resolver_;
  std::shared_ptr<const Result<HostPolicy>> prepared_;
  mutable std::optional<Result<HostPolicy>> policy_;  // compiled on first Validate
};

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_HOST_VALIDATION_H_
