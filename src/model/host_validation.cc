#include "src/model/host_validation.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <regex>

#include "src/model/java_compat.h"

namespace connectivity::model {
namespace {

class GetaddrinfoResolver final : public HostResolver {
 public:
  std::variant<std::vector<IpAddress>, std::string> Resolve(std::string_view host) const override {
    if (std::optional<IpAddress> literal = ParseIpAddress(host)) return std::vector<IpAddress>{*literal};
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    const std::string name(host);
    const int status = getaddrinfo(name.c_str(), nullptr, &hints, &result);
    if (status != 0) return name + ": " + gai_strerror(status);
    std::vector<IpAddress> addresses;
    for (addrinfo* entry = result; entry != nullptr; entry = entry->ai_next) {
      IpAddress address;
      if (entry->ai_family == AF_INET) {
        std::memcpy(address.bytes.data(), &reinterpret_cast<sockaddr_in*>(entry->ai_addr)->sin_addr, 4);
      } else if (entry->ai_family == AF_INET6) {
        address.is_v6 = true;
        std::memcpy(address.bytes.data(), &reinterpret_cast<sockaddr_in6*>(entry->ai_addr)->sin6_addr, 16);
      } else {
        continue;
      }
      if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
        addresses.push_back(address);
      }
    }
    freeaddrinfo(result);
    return addresses;
  }
};

bool IsLoopback(const IpAddress& a) {
  if (!a.is_v6) return a.bytes[0] == 127;
  for (int i = 0; i < 15; ++i) {
    if (a.bytes[i] != 0) return false;
  }
  return a.bytes[15] == 1;
}

bool IsSiteLocal(const IpAddress& a) {
  if (a.is_v6) return a.bytes[0] == 0xFE && (a.bytes[1] & 0xC0) == 0xC0;
  return a.bytes[0] == 10 || (a.bytes[0] == 172 && (a.bytes[1] & 0xF0) == 16) ||
         (a.bytes[0] == 192 && a.bytes[1] == 168);
}

bool IsMulticast(const IpAddress& a) {
  return a.is_v6 ? a.bytes[0] == 0xFF : (a.bytes[0] & 0xF0) == 0xE0;
}

bool IsAnyLocal(const IpAddress& a) {
  const int length = a.is_v6 ? 16 : 4;
  for (int i = 0; i < length; ++i) {
    if (a.bytes[i] != 0) return false;
  }
  return true;
}

bool PrefixMatches(const IpAddress& network, const IpAddress& address, int prefix_bits) {
  const int full_bytes = prefix_bits / 8;
  for (int i = 0; i < full_bytes; ++i) {
    if (network.bytes[i] != address.bytes[i]) return false;
  }
  const int rest = prefix_bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF00 >> rest);
  return (network.bytes[full_bytes] & mask) == (address.bytes[full_bytes] & mask);
}

std::vector<std::string> NonEmpty(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool FullyMatches(const std::string& pattern, std::string_view host) {
  try {
    return std::regex_match(host.begin(), host.end(), std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    return false;  // an invalid pattern blocks nothing
  }
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[64];
  if (!is_v6) {
    std::snprintf(text, sizeof(text), "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
    return text;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    std::snprintf(text, sizeof(text), "%s%x", i > 0 ? ":" : "", (bytes[2 * i] << 8) | bytes[2 * i + 1]);
    out += text;
  }
  return out;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  const std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  address.is_v6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

std::shared_ptr<const HostResolver> SystemHostResolver() {
  static const auto resolver = std::make_shared<GetaddrinfoResolver>();
  return resolver;
}

std::vector<std::string> SplitHostList(std::string_view comma_separated) {
  return JavaSplit(comma_separated, ',');
}

bool SubnetContains(std::string_view subnet, const IpAddress& address, const HostResolver& resolver) {
  const size_t slash = subnet.find('/');
  int prefix_bits = -1;
  std::string_view network_text = subnet;
  if (slash != std::string_view::npos && slash > 0) {
    const std::optional<int32_t> bits = ParseJavaInt(subnet.substr(slash + 1));
    if (!bits || *bits < 0) return false;
    prefix_bits = *bits;
    network_text = subnet.substr(0, slash);
  }
  auto resolved = resolver.Resolve(network_text);
  const auto* networks = std::get_if<std::vector<IpAddress>>(&resolved);
  if (networks == nullptr || networks->empty()) return false;
  const IpAddress& network = networks->front();
  if (prefix_bits > (network.is_v6 ? 128 : 32) || network.is_v6 != address.is_v6) return false;
  return prefix_bits < 0 ? network == address : PrefixMatches(network, address, prefix_bits);
}

HostValidator::HostValidator(const HostRules& rules, const HostResolver* resolver)
    : rules_(rules), resolver_(resolver != nullptr ? resolver : SystemHostResolver().get()) {}

const std::vector<IpAddress>& HostValidator::BlockedAddresses() const {
  if (!blocked_addresses_) {
    blocked_addresses_.emplace();
    for (const std::string& host : NonEmpty(rules_.blocked_hostnames)) {
      auto resolved = resolver_->Resolve(host);  // unresolvable blocked hosts are skipped
      if (auto* addresses = std::get_if<std::vector<IpAddress>>(&resolved)) {
        blocked_addresses_->insert(blocked_addresses_->end(), addresses->begin(), addresses->end());
      }
    }
  }
  return *blocked_addresses_;
}

std::optional<std::string> HostValidator::AddressReason(const IpAddress& address) const {
  const std::string text = address.ToString();
  const std::string prefix = "the host is blocked: the hostname resolved to ";
  if (IsLoopback(address)) return prefix + "a loopback address (" + text + ").";
  if (IsSiteLocal(address)) return prefix + "a site local address (" + text + ").";
  if (IsMulticast(address)) return prefix + "a multicast address (" + text + ").";
  if (IsAnyLocal(address)) return prefix + "a wildcard address (" + text + ").";
  const std::vector<IpAddress>& blocked = BlockedAddresses();
  if (std::find(blocked.begin(), blocked.end(), address) != blocked.end()) {
    return prefix + "a blocked address (" + text + ").";
  }
  for (const std::string& subnet : JavaHashOrder(NonEmpty(rules_.blocked_subnets))) {
    if (SubnetContains(subnet, address, *resolver_)) {
      return prefix + "address " + text + " which resides in blocked subnet " + subnet + ".";
    }
  }
  return std::nullopt;
}

std::optional<std::string> HostValidator::Reason(std::string_view host) const {
  if (BlockedAddresses().empty()) return std::nullopt;  // not even localhost is blocked
  for (const std::string& allowed : rules_.allowed_hostnames) {
    if (allowed == host) return std::nullopt;
  }
  if (FullyMatches(rules_.blocked_host_regex, host)) return "the host is blocked: the host is blocked.";
  auto resolved = resolver_->Resolve(host);
  if (auto* failure = std::get_if<std::string>(&resolved)) {
    // Ditto wraps the reason twice (DefaultHostValidator and HostValidationResult#invalid).
    const std::string invalid = "The configured host '" + std::string(host) + "' is invalid: ";
    return invalid + invalid + *failure;
  }
  for (const IpAddress& address : std::get<std::vector<IpAddress>>(resolved)) {
    if (auto reason = AddressReason(address)) return reason;
  }
  return std::nullopt;
}

std::optional<DittoError> HostValidator::Validate(std::string_view host) const {
  const std::optional<std::string> reason = Reason(host);
  if (!reason) return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The configured host '" + std::string(host) + "' may not be used for the connection because " +
          *reason,
      "The host is blocked or resolves to a forbidden address. If the host is valid, add it to the "
      "allowed hostnames configuration.");
}

}  // namespace connectivity::model
