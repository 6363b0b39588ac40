#include "src/connect/attempt.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

std::string_view Cause(FailureKind kind) {
  switch (kind) {
    case FailureKind::kRefused: return "Connection refused";
    case FailureKind::kTimeout: return "Timeout";
    case FailureKind::kAuthentication: return "Authentication failure";
    case FailureKind::kTls: return "TLS failure";
    case FailureKind::kUnresolvable: return "Unresolvable host";
    case FailureKind::kProtocol: return "Protocol error";
    case FailureKind::kBlockedHost: return "Blocked host";
    case FailureKind::kAddress: return "Address refused";
    case FailureKind::kTunnel: return "SSH tunnel failure";
    case FailureKind::kNone:
    case FailureKind::kOther: break;
  }
  return "Connection failed";
}

}  // namespace

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone: return "none";
    case FailureKind::kRefused: return "refused";
    case FailureKind::kTimeout: return "timeout";
    case FailureKind::kAuthentication: return "authentication";
    case FailureKind::kTls: return "tls";
    case FailureKind::kUnresolvable: return "unresolvable";
    case FailureKind::kProtocol: return "protocol";
    case FailureKind::kBlockedHost: return "blocked-host";
    case FailureKind::kAddress: return "address";
    case FailureKind::kTunnel: return "ssh-tunnel";
    case FailureKind::kOther: return "other";
  }
  return "other";
}

std::shared_ptr<const ClientSettings> MakeClientSettings(const ConnectSettings& settings) {
  auto client = std::make_shared<ClientSettings>();
  client->timeout_us = settings.timeout_us;
  client->heartbeat_us = settings.heartbeat_us;
  client->recheck_interval_us = settings.recheck_interval_us;
  client->resolver = settings.resolver;
  if (!client->resolver) client->resolver = SystemResolver::Instance();
  client->policy = std::make_shared<const OutboundPolicy>(
      OutboundPolicy::Compile(settings.outbound, *client->resolver));
  return client;
}

std::string DescribeFailure(FailureKind kind, Protocol protocol, std::string_view where,
                            std::string_view detail) {
  std::string text(Cause(kind));
  text += " on '";
  text += where;
  text += "' (";
  text += ProtocolName(protocol);
  text += ")";
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

ConnectOutcome Failure(FailureKind kind, const ConnectTarget& target, std::string_view detail) {
  ConnectOutcome outcome;
  outcome.failure = kind;
  outcome.description = ScrubSecret(
      DescribeFailure(kind, target.protocol,
                      JoinHostPort(target.endpoint.host, target.endpoint.port), detail),
      target.password);
  return outcome;
}

ConnectOutcome Success(const ConnectTarget& target, std::string_view detail) {
  ConnectOutcome outcome;
  outcome.ok = true;
  outcome.description = "Connected to '" +
                        JoinHostPort(target.endpoint.host, target.endpoint.port) + "' (" +
                        std::string(ProtocolName(target.protocol)) + ")";
  if (!detail.empty()) outcome.description += ": " + std::string(detail);
  outcome.description = ScrubSecret(std::move(outcome.description), target.password);
  return outcome;
}

std::string WithinSeconds(int64_t timeout_us) {
  char text[64];
  std::snprintf(text, sizeof(text), "no answer within %.3g s", timeout_us / 1e6);
  return text;
}

std::string ScrubSecret(std::string text, const std::optional<std::string>& secret) {
  if (!secret || secret->size() < 4) return text;
  for (size_t at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at)) {
    text.replace(at, secret->size(), "*****");
    at += 5;
  }
  return text;
}

CheckedAddresses CheckedResolve(const ClientSettings& settings, std::string_view host,
                                int64_t deadline_us) {
  return settings.policy->Check(host, *settings.resolver, deadline_us);
}

std::variant<std::vector<IpAddress>, ConnectOutcome> ResolveChecked(const ClientSettings& settings,
                                                                    const ConnectTarget& target,
                                                                    const HostPort& endpoint,
                                                                    int64_t deadline_us) {
  if (target.connect_to) {
    if (std::optional<IpAddress> local = ParseIpAddress(target.connect_to->host)) {
      return std::vector<IpAddress>{*local};
    }
  }
  CheckedAddresses checked = CheckedResolve(settings, endpoint.host, deadline_us);
  if (checked.failure != FailureKind::kNone) {
    return Failure(checked.failure, target, checked.detail);
  }
  return std::move(checked.addresses);
}

socklen_t ToSockaddr(const IpAddress& address, int port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  if (address.is_v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&in6->sin6_addr, address.bytes.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto* in = reinterpret_cast<sockaddr_in*>(out);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<uint16_t>(port));
  std::memcpy(&in->sin_addr, address.bytes.data(), 4);
  return sizeof(sockaddr_in);
}

int ProbeTcp(const IpAddress& address, int port, int64_t deadline_us) {
  sockaddr_storage storage;
  const socklen_t length = ToSockaddr(address, port, &storage);
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int error = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int64_t left_ms = std::max<int64_t>(0, (deadline_us - SteadyMicros()) / 1000);
      if (::poll(&p, 1, static_cast<int>(left_ms)) <= 0) {
        error = ETIMEDOUT;
      } else {
        socklen_t size = sizeof(error);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
      }
    }
  }
  ::close(fd);
  return error;
}

FailureKind KindForErrno(int error_number) {
  switch (error_number) {
    case ECONNREFUSED:
      return FailureKind::kRefused;
    case ECONNRESET:  // the peer accepted, then reset: it does not speak the protocol
    case EPIPE:
      return FailureKind::kProtocol;
    case ETIMEDOUT:
      return FailureKind::kTimeout;
    default:
      return FailureKind::kOther;
  }
}

std::string ErrnoText(int error_number) {
  std::string text = std::strerror(error_number);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace connectivity::connect
