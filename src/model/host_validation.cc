#include "src/model/host_validation.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "src/model/java_compat.h"

namespace connectivity::model {
namespace {

// Blocking getaddrinfo: the validation's default when nobody injects a resolver.
class GetaddrinfoResolver final : public HostResolver {
 public:
  Result<std::vector<IpAddress>> Resolve(std::string_view host, int64_t) const override {
    if (std::optional<IpAddress> literal = ParseIpAddress(host)) return std::vector{*literal};
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    const std::string name(host);
    const int status = getaddrinfo(name.c_str(), nullptr, &hints, &result);
    if (status != 0) return Status::NotFound(name + ": " + gai_strerror(status));
    std::vector<IpAddress> addresses = IpAddressesOf(result);
    freeaddrinfo(result);
    if (addresses.empty()) return Status::NotFound(name + ": no address");
    return addresses;
  }
};

bool AllZero(const IpAddress& address, size_t count) {
  return std::all_of(address.bytes.begin(), address.bytes.begin() + count,
                     [](uint8_t byte) { return byte == 0; });
}

// ::ffff:a.b.c.d is an IPv4 address in disguise; Java's InetAddress returns it as Inet4Address,
// so it is checked (loopback, site-local, subnets) as one.
IpAddress UnmapIpv4(const IpAddress& address) {
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!address.is_v6 || std::memcmp(address.bytes.data(), kMappedPrefix, 12) != 0) return address;
  IpAddress v4;
  std::copy(address.bytes.begin() + 12, address.bytes.end(), v4.bytes.begin());
  return v4;
}

bool ContainsAddress(const std::vector<IpAddress>& addresses, const IpAddress& address) {
  return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

std::string ResolvedTo(std::string_view what, const IpAddress& address) {
  return "the host is blocked: the hostname resolved to " + std::string(what) + " (" +
         address.ToJavaString() + ").";
}

std::string Trimmed(std::string_view text) { return std::string(JavaTrim(text)); }

// The non-empty items, each once, in their first order (Ditto collects subnets into a HashSet).
std::vector<std::string> DistinctNonEmpty(const std::vector<std::string>& items) {
  std::vector<std::string> distinct;
  for (const std::string& item : items) {
    if (!item.empty() && std::find(distinct.begin(), distinct.end(), item) == distinct.end()) {
      distinct.push_back(item);
    }
  }
  return distinct;
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof(text));
  return text;
}

std::string IpAddress::ToJavaString() const {
  if (!is_v6) return ToString();
  std::string out;
  char group[8];
  for (int i = 0; i < 8; ++i) {
    std::snprintf(group, sizeof(group), "%s%x", i > 0 ? ":" : "",
                  (bytes[2 * i] << 8) | bytes[2 * i + 1]);
    out += group;
  }
  return out;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string terminated(text);  // inet_pton needs a terminated string
  IpAddress address;
  if (inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) != 1) return std::nullopt;
  address.is_v6 = true;
  return UnmapIpv4(address);
}

std::optional<IpAddress> IpAddressFromSockaddr(const sockaddr* address) {
  IpAddress ip;
  if (address->sa_family == AF_INET) {
    std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    return ip;
  }
  if (address->sa_family != AF_INET6) return std::nullopt;
  ip.is_v6 = true;
  std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
  return UnmapIpv4(ip);
}

std::vector<IpAddress> IpAddressesOf(const addrinfo* list) {
  std::vector<IpAddress> addresses;
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    std::optional<IpAddress> address = IpAddressFromSockaddr(entry->ai_addr);
    if (address && !ContainsAddress(addresses, *address)) addresses.push_back(*address);
  }
  return addresses;
}

bool IsLoopback(const IpAddress& a) {
  if (!a.is_v6) return a.bytes[0] == 127;
  return AllZero(a, 15) && a.bytes[15] == 1;
}

bool IsSiteLocal(const IpAddress& a) {
  if (a.is_v6) return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0xc0;
  return a.bytes[0] == 10 || (a.bytes[0] == 172 && (a.bytes[1] & 0xf0) == 16) ||
         (a.bytes[0] == 192 && a.bytes[1] == 168);
}

bool IsMulticast(const IpAddress& a) {
  return a.is_v6 ? a.bytes[0] == 0xff : (a.bytes[0] & 0xf0) == 224;
}

bool IsWildcard(const IpAddress& a) { return AllZero(a, a.is_v6 ? 16 : 4); }

std::optional<Subnet> ParseSubnet(std::string_view cidr) {
  const size_t slash = cidr.find('/');
  const std::optional<IpAddress> base = ParseIpAddress(JavaTrim(cidr.substr(0, slash)));
  if (!base) return std::nullopt;
  const int max_length = base->is_v6 ? 128 : 32;
  Subnet subnet{*base, max_length};
  if (slash == std::string_view::npos) return subnet;
  const std::string_view digits = JavaTrim(cidr.substr(slash + 1));
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
  if (subnet.base.is_v6 != address.is_v6) return false;
  const int full_bytes = subnet.prefix_length / 8;
  if (!std::equal(address.bytes.begin(), address.bytes.begin() + full_bytes,
                  subnet.base.bytes.begin())) {
    return false;
  }
  const int rest_bits = subnet.prefix_length % 8;
  if (rest_bits == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest_bits));
  return (address.bytes[full_bytes] & mask) == (subnet.base.bytes[full_bytes] & mask);
}

std::shared_ptr<const HostResolver> SystemHostResolver() {
  static const auto resolver = std::make_shared<GetaddrinfoResolver>();
  return resolver;
}

std::vector<std::string> SplitHostList(std::string_view comma_separated) {
  std::vector<std::string> items;
  for (const std::string& item : JavaSplit(comma_separated, ',')) {
    if (std::string trimmed = Trimmed(item); !trimmed.empty()) items.push_back(std::move(trimmed));
  }
  return items;
}

HostRules HostRulesFromConfig(std::string_view blocked_hostnames, std::string_view blocked_subnets,
                              std::string_view blocked_host_regex,
                              std::string_view allowed_hostnames) {
  HostRules rules;
  rules.allowed_hostnames = SplitHostList(allowed_hostnames);
  rules.blocked_hostnames = SplitHostList(blocked_hostnames);
  rules.blocked_subnets = SplitHostList(blocked_subnets);
  rules.blocked_host_regex = Trimmed(blocked_host_regex);
  return rules;
}

Result<HostPolicy> HostPolicy::Compile(const HostRules& rules, const HostResolver& resolver,
                                       int64_t timeout_us) {
  HostPolicy policy;
  policy.allowed_hostnames_ = rules.allowed_hostnames;
  try {
    policy.blocked_host_regex_.assign(rules.blocked_host_regex, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    return Status::InvalidArgument("invalid blocked host regex '" + rules.blocked_host_regex +
                                   "': " + error.what());
  }
  // The HashSet's order decides which of two matching subnets the message names.
  for (std::string& text : JavaHashOrder(DistinctNonEmpty(rules.blocked_subnets))) {
    std::optional<Subnet> subnet = ParseSubnet(text);
    if (!subnet) return Status::InvalidArgument("invalid blocked subnet '" + text + "'");
    policy.blocked_subnets_.push_back({std::move(text), *subnet});
  }
  for (const std::string& host : rules.blocked_hostnames) {
    if (host.empty()) continue;
    Result<std::vector<IpAddress>> addresses = resolver.Resolve(host, timeout_us);
    if (!addresses.ok()) continue;  // Ditto logs and skips it
    for (const IpAddress& address : *addresses) {
      if (!ContainsAddress(policy.blocked_addresses_, address)) {
        policy.blocked_addresses_.push_back(address);
      }
    }
  }
  return policy;
}

HostPolicy::NameVerdict HostPolicy::CheckHostName(std::string_view host) const {
  if (!active()) return NameVerdict::kAllowed;  // not even localhost is blocked
  if (std::find(allowed_hostnames_.begin(), allowed_hostnames_.end(), host) !=
      allowed_hostnames_.end()) {
    return NameVerdict::kAllowed;
  }
  if (std::regex_match(host.begin(), host.end(), blocked_host_regex_)) return NameVerdict::kBlocked;
  return NameVerdict::kCheckAddresses;
}

std::optional<std::string> HostPolicy::CheckAddress(const IpAddress& address) const {
  if (!active()) return std::nullopt;
  if (IsLoopback(address)) return ResolvedTo("a loopback address", address);
  if (IsSiteLocal(address)) return ResolvedTo("a site local address", address);
  if (IsMulticast(address)) return ResolvedTo("a multicast address", address);
  if (IsWildcard(address)) return ResolvedTo("a wildcard address", address);
  if (ContainsAddress(blocked_addresses_, address)) return ResolvedTo("a blocked address", address);
  for (const BlockedSubnet& blocked : blocked_subnets_) {
    if (SubnetContains(blocked.subnet, address)) {
      return "the host is blocked: the hostname resolved to address " + address.ToJavaString() +
             " which resides in blocked subnet " + blocked.text + ".";
    }
  }
  return std::nullopt;
}

std::optional<std::string> HostPolicy::CheckHost(std::string_view host,
                                                 const HostResolver& resolver,
                                                 int64_t timeout_us) const {
  switch (CheckHostName(host)) {
    case NameVerdict::kAllowed:
      return std::nullopt;
    case NameVerdict::kBlocked:
      return std::string(kBlockedHostReason);
    case NameVerdict::kCheckAddresses:
      break;
  }
  Result<std::vector<IpAddress>> addresses = resolver.Resolve(host, timeout_us);
  if (!addresses.ok()) {
    // Ditto wraps the reason twice (DefaultHostValidator and HostValidationResult#invalid).
    const std::string invalid = "The configured host '" + std::string(host) + "' is invalid: ";
    return invalid + invalid + addresses.status().message();
  }
  for (const IpAddress& address : *addresses) {
    if (std::optional<std::string> reason = CheckAddress(address)) return reason;
  }
  return std::nullopt;
}

std::string InvalidRulesReason(const Status& compile_error) {
  return "the outbound host rules are invalid: " + compile_error.message();
}

std::string HostNotAllowedMessage(std::string_view host, std::string_view reason) {
  return "The configured host '" + std::string(host) +
         "' may not be used for the connection because " + std::string(reason);
}

std::shared_ptr<const Result<HostPolicy>> PreparedHostRules::Current() const {
  MutexLock lock(mutex_);
  return current_;
}

void PreparedHostRules::Set(Result<HostPolicy> policy) {
  auto compiled = std::make_shared<const Result<HostPolicy>>(std::move(policy));
  MutexLock lock(mutex_);
  current_ = std::move(compiled);
}

Result<std::vector<IpAddress>> ResolvedHosts::Resolve(std::string_view host, int64_t) const {
  if (std::optional<IpAddress> literal = ParseIpAddress(host)) return std::vector{*literal};
  MutexLock lock(mutex_);
  const auto it = resolved_.find(host);
  if (it != resolved_.end()) return it->second;
  if (std::find(missing_.begin(), missing_.end(), host) == missing_.end()) missing_.emplace_back(host);
  return Status::Unavailable(std::string(host) + ": not resolved yet");
}

void ResolvedHosts::Add(std::string host, Result<std::vector<IpAddress>> addresses) {
  MutexLock lock(mutex_);
  resolved_.insert_or_assign(std::move(host), std::move(addresses));
}

std::vector<std::string> ResolvedHosts::TakeMissing() {
  MutexLock lock(mutex_);
  return std::exchange(missing_, {});
}

HostValidator::HostValidator(const HostRules& rules, const HostResolver* resolver)
    : rules_(&rules), resolver_(resolver != nullptr ? resolver : SystemHostResolver().get()) {}

HostValidator::HostValidator(std::shared_ptr<const Result<HostPolicy>> prepared, const HostResolver* resolver)
    : resolver_(resolver != nullptr ? resolver : SystemHostResolver().get()), prepared_(std::move(prepared)) {}

const Result<HostPolicy>& HostValidator::Policy() const {
  if (prepared_) return *prepared_;
  if (!policy_) policy_.emplace(HostPolicy::Compile(*rules_, *resolver_, kHostResolveTimeoutUs));
  return *policy_;
}

std::optional<DittoError> HostValidator::Validate(std::string_view host) const {
  const Result<HostPolicy>& policy = Policy();
  const std::optional<std::string> reason =
      policy.ok() ? policy->CheckHost(host, *resolver_, kHostResolveTimeoutUs)
                  : InvalidRulesReason(policy.status());
  if (!reason) return std::nullopt;
  return ConnectionConfigurationInvalid(
      HostNotAllowedMessage(host, *reason),
      "The host is blocked or resolves to a forbidden address. If the host is valid, add it to the "
      "allowed hostnames configuration.");
}

}  // namespace connectivity::model
