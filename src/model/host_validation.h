// Outbound host rules (REF §4.2 item 7; Ditto's DefaultHostValidator, HostValidationResult,
// SubnetValidator), applied to the connection's host, the SSH tunnel's host and OAuth token
// endpoints.
//
// The rules are inactive unless `blocked_hostnames` names at least one host that resolves: then a
// host that is not in `allowed_hostnames` is rejected if it fully matches `blocked_host_regex`,
// or if one of its addresses is loopback, site-local, multicast, the wildcard address, an address
// of a blocked host, or in a blocked subnet; a host that does not resolve is rejected too.
// Rejections are connection.configuration.invalid with Ditto's messages, e.g.
//   The configured host 'localhost' may not be used for the connection because the host is
//   blocked: the hostname resolved to a loopback address (127.0.0.1).
//
// Name resolution is the only I/O of the model. It goes through HostResolver so that tests inject
// a fake, and it happens only when the rules are active: with nothing blocked (the default) no
// name is ever resolved.
#ifndef CONNECTIVITY_MODEL_HOST_VALIDATION_H_
#define CONNECTIVITY_MODEL_HOST_VALIDATION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/model/errors.h"

namespace connectivity::model {

struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes

  // java.net.InetAddress#getHostAddress: "10.0.0.1", "0:0:0:0:0:0:0:1".
  std::string ToString() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses an IPv4 or IPv6 literal (IPv6 with or without brackets); nullopt if it is none.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// Resolves host names (java.net.InetAddress#getAllByName). Implementations must be thread-safe.
class HostResolver {
 public:
  virtual ~HostResolver() = default;
  // The addresses of `host` (a literal resolves to itself), or the message of Java's
  // UnknownHostException, e.g. "foo.invalid: Name or service not known".
  virtual std::variant<std::vector<IpAddress>, std::string> Resolve(std::string_view host) const = 0;
};

// getaddrinfo(3); literals are parsed without a lookup.
std::shared_ptr<const HostResolver> SystemHostResolver();

struct HostRules {
  std::vector<std::string> allowed_hostnames;
  std::vector<std::string> blocked_hostnames;
  std::vector<std::string> blocked_subnets;  // "10.0.0.0/8", "fd00::/8", or one address
  std::string blocked_host_regex;            // ECMAScript syntax; must match the whole host
};

// Ditto's reading of a comma-separated setting (`String#split(",")`, no trimming).
std::vector<std::string> SplitHostList(std::string_view comma_separated);

// One validation's view of the rules (Ditto builds a DefaultHostValidator per validation). The
// blocked host names are resolved on first use only.
class HostValidator {
 public:
  // `resolver` must outlive the validator; nullptr means SystemHostResolver().
  HostValidator(const HostRules& rules, const HostResolver* resolver);

  // HostValidator#validateHostname: nullopt if `host` may be used.
  std::optional<DittoError> Validate(std::string_view host) const;

 private:
  // HostValidationResult's text after "because ": the reason, or nullopt for a valid host.
  std::optional<std::string> Reason(std::string_view host) const;
  std::optional<std::string> AddressReason(const IpAddress& address) const;
  const std::vector<IpAddress>& BlockedAddresses() const;

  const HostRules& rules_;
  const HostResolver* resolver_;
  mutable std::optional<std::vector<IpAddress>> blocked_addresses_;
};

// SubnetValidator#matches: `address` lies in `subnet` ("a.b.c.d/n", "x::/n" or one address).
// A subnet that does not parse matches nothing.
bool SubnetContains(std::string_view subnet, const IpAddress& address, const HostResolver& resolver);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_HOST_VALIDATION_H_
