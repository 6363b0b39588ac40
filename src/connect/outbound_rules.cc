#include "src/connect/outbound_rules.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace connectivity::connect {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> items;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

// Java's InetAddress semantics on the raw bytes.
bool IsV4InRange(const IpAddress& a, uint8_t first, uint8_t mask_first, uint8_t second = 0,
                 uint8_t mask_second = 0) {
  return !a.v6 && (a.bytes[0] & mask_first) == first && (a.bytes[1] & mask_second) == second;
}

bool AllZero(const IpAddress& a, size_t count) {
  return std::all_of(a.bytes.begin(), a.bytes.begin() + count, [](uint8_t b) { return b == 0; });
}

// The blocked reasons, worded as Ditto's DefaultHostValidator words them.
constexpr const char* kBlocked = "the host is blocked: ";

}  // namespace

OutboundRules OutboundRulesFromConfig(std::string_view blocked_hostnames,
                                      std::string_view blocked_subnets,
                                      std::string_view blocked_host_regex,
                                      std::string_view allowed_hostnames) {
  OutboundRules rules;
  rules.blocked_hostnames = SplitList(blocked_hostnames);
  rules.blocked_subnets = SplitList(blocked_subnets);
  rules.blocked_host_regex = std::string(Trim(blocked_host_regex));
  rules.allowed_hostnames = SplitList(allowed_hostnames);
  return rules;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string z(text);  // inet_pton needs a terminated string
  IpAddress address;
  if (inet_pton(AF_INET, z.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, z.c_str(), address.bytes.data()) != 1) return std::nullopt;
  address.v6 = true;
  // ::ffff:a.b.c.d is an IPv4 address in disguise; check it as one.
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(address.bytes.data(), kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
    IpAddress v4;
    std::copy(address.bytes.begin() + 12, address.bytes.end(), v4.bytes.begin());
    return v4;
  }
  return address;
}

std::string FormatIpAddress(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof(text));
  return text;
}

std::optional<Subnet> ParseSubnet(std::string_view cidr) {
  const size_t slash = cidr.find('/');
  const std::optional<IpAddress> base = ParseIpAddress(Trim(cidr.substr(0, slash)));
  if (!base) return std::nullopt;
  const int max_length = base->v6 ? 128 : 32;
  Subnet subnet{*base, max_length};
  if (slash == std::string_view::npos) return subnet;
  const std::string_view digits = Trim(cidr.substr(slash + 1));
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  int length = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    length = length * 10 + (c - '0');
  }
  if (length > max_length) return std::nullopt;
  subnet.prefix_length = length;
  return subnet;
}

bool SubnetContains(const Subnet& subnet, const IpAddress& address) {
  if (subnet.base.v6 != address.v6) return false;
  const int full_bytes = subnet.prefix_length / 8;
  if (!std::equal(address.bytes.begin(), address.bytes.begin() + full_bytes,
                  subnet.base.bytes.begin())) {
    return false;
  }
  const int rest_bits = subnet.prefix_length % 8;
  if (rest_bits == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest_bits));
  return (address.bytes[full_bytes] & mask) == (subnet.base.bytes[full_bytes] & mask);
}

bool IsLoopback(const IpAddress& a) {
  if (!a.v6) return a.bytes[0] == 127;
  return AllZero(a, 15) && a.bytes[15] == 1;
}

bool IsSiteLocal(const IpAddress& a) {
  if (a.v6) return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0xc0;
  return IsV4InRange(a, 10, 0xff) || IsV4InRange(a, 172, 0xff, 16, 0xf0) ||
         IsV4InRange(a, 192, 0xff, 168, 0xff);
}

bool IsMulticast(const IpAddress& a) {
  if (a.v6) return a.bytes[0] == 0xff;
  return (a.bytes[0] & 0xf0) == 224;
}

bool IsWildcard(const IpAddress& a) { return AllZero(a, a.v6 ? 16 : 4); }

Result<OutboundPolicy> OutboundPolicy::Compile(const OutboundRules& rules,
                                               const Resolver& resolver) {
  OutboundPolicy policy;
  for (const std::string& subnet_text : rules.blocked_subnets) {
    std::optional<Subnet> subnet = ParseSubnet(subnet_text);
    if (!subnet) return Status::InvalidArgument("invalid blocked subnet '" + subnet_text + "'");
    policy.blocked_subnets_.push_back(*subnet);
  }
  if (!rules.blocked_host_regex.empty()) {
    try {
      policy.blocked_host_regex_.emplace(rules.blocked_host_regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("invalid blocked host regex '" + rules.blocked_host_regex +
                                     "': " + e.what());
    }
  }
  for (const std::string& host : rules.blocked_hostnames) {
    Result<std::vector<IpAddress>> addresses = resolver.Resolve(host, 5'000'000);
    if (!addresses.ok()) continue;  // as Ditto: logged there, skipped here
    for (const IpAddress& address : *addresses) policy.blocked_addresses_.push_back(address);
  }
  policy.allowed_hostnames_ = rules.allowed_hostnames;
  return policy;
}

OutboundPolicy::NameVerdict OutboundPolicy::CheckHostName(std::string_view host) const {
  if (!active()) return NameVerdict::kAllowed;
  if (std::find(allowed_hostnames_.begin(), allowed_hostnames_.end(), host) !=
      allowed_hostnames_.end()) {
    return NameVerdict::kAllowed;
  }
  if (blocked_host_regex_ &&
      std::regex_match(host.begin(), host.end(), *blocked_host_regex_)) {
    return NameVerdict::kBlocked;
  }
  return NameVerdict::kCheckAddresses;
}

std::optional<std::string> OutboundPolicy::CheckAddress(const IpAddress& address) const {
  if (!active()) return std::nullopt;
  const char* reason = nullptr;
  if (IsLoopback(address)) {
    reason = "the hostname resolved to a loopback address.";
  } else if (IsSiteLocal(address)) {
    reason = "the hostname resolved to a site local address.";
  } else if (IsMulticast(address)) {
    reason = "the hostname resolved to a multicast address.";
  } else if (IsWildcard(address)) {
    reason = "the hostname resolved to a wildcard address.";
  } else if (std::find(blocked_addresses_.begin(), blocked_addresses_.end(), address) !=
             blocked_addresses_.end()) {
    reason = "the host is blocked.";
  } else if (std::any_of(blocked_subnets_.begin(), blocked_subnets_.end(),
                         [&](const Subnet& s) { return SubnetContains(s, address); })) {
    reason = "the hostname resides in a blocked subnet.";
  }
  if (reason == nullptr) return std::nullopt;
  return std::string(kBlocked) + reason;
}

std::optional<std::string> OutboundPolicy::ValidateHost(std::string_view host,
                                                        const Resolver& resolver,
                                                        int64_t timeout_us) const {
  switch (CheckHostName(host)) {
    case NameVerdict::kAllowed:
      return std::nullopt;
    case NameVerdict::kBlocked:
      return HostNotAllowedMessage(host, std::string(kBlocked) + "the host is blocked.");
    case NameVerdict::kCheckAddresses:
      break;
  }
  Result<std::vector<IpAddress>> addresses = resolver.Resolve(host, timeout_us);
  if (!addresses.ok()) {
    const std::string invalid = "The configured host '" + std::string(host) + "' is invalid: ";
    // Ditto nests the "is invalid" sentence twice; kept for wire compatibility.
    return HostNotAllowedMessage(host, invalid + invalid + addresses.status().message());
  }
  for (const IpAddress& address : *addresses) {
    if (std::optional<std::string> reason = CheckAddress(address)) {
      return HostNotAllowedMessage(host, *reason);
    }
  }
  return std::nullopt;
}

std::string HostNotAllowedMessage(std::string_view host, std::string_view reason) {
  return "The configured host '" + std::string(host) +
         "' may not be used for the connection because " + std::string(reason);
}

}  // namespace connectivity::connect
