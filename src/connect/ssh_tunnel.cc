#include "src/base/mutex.h"
#include "src/connect/ssh_tunnel.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

constexpr int kServeTickMs = 20;  // how often Serve() asks whether it is done
constexpr size_t kBufferBytes = 16 * 1024;

void InitLibsshOnce() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

// Ditto's words for a tunnel failure as its test connection answers it, and as SshTunnelActor
// logs it (`log_prefix`: "SSH connection failed: " or "SSH session authentication failed: ").
ConnectOutcome TunnelFailure(const ConnectTarget& target, std::string_view log_prefix, const std::string& cause) {
  const std::string scrubbed = ScrubSecret(cause, target.ssh_tunnel->password);
  ConnectOutcome failure;
  failure.failure = FailureKind::kTunnel;
  failure.description = "Cause: " + scrubbed;
  failure.tunnel = TunnelReport{false, std::string(log_prefix) + scrubbed, scrubbed};
  return failure;
}

constexpr std::string_view kConnectFailed = "SSH connection failed: ";
constexpr std::string_view kAuthFailed = "SSH session authentication failed: ";

// Small SSH packets and protocol frames go out at once: with Nagle, every request/answer pair
// through the tunnel waited for a delayed ACK (about 40 ms a channel open, measured).
void NoDelay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// A TCP connection to address:port within the deadline: the fd (blocking mode), or -errno.
int ConnectTcp(const IpAddress& address, int port, int64_t deadline_us) {
  sockaddr_storage storage;
  const socklen_t length = ToSockaddr(address, port, &storage);
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    return -error;
  }
  pollfd p{fd, POLLOUT, 0};
  const int64_t left_ms = std::max<int64_t>(0, (deadline_us - SteadyMicros()) / 1000);
  int error = ETIMEDOUT;
  if (::poll(&p, 1, static_cast<int>(left_ms)) > 0) {
    socklen_t size = sizeof(error);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  }
  if (error != 0) {
    ::close(fd);
    return -error;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  NoDelay(fd);
  return fd;
}

// A listening socket on 127.0.0.1:0; its port in *port.
int ListenLoopback(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 16) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::vector<std::string> Fingerprints(ssh_session session) {
  std::vector<std::string> fingerprints;
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session, &key) != SSH_OK) return fingerprints;
  for (ssh_publickey_hash_type type : {SSH_PUBLICKEY_HASH_MD5, SSH_PUBLICKEY_HASH_SHA1, SSH_PUBLICKEY_HASH_SHA256}) {
    unsigned char* hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key, type, &hash, &length) != SSH_OK) continue;
    if (char* text = ssh_get_fingerprint_hash(type, hash, length)) {
      fingerprints.emplace_back(text);
      ssh_string_free_char(text);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  ssh_key_free(key);
  return fingerprints;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

bool MatchesKnownHost(const std::vector<std::string>& fingerprints, const std::vector<std::string>& known_hosts) {
  for (std::string known : known_hosts) {
    if (known.find(':') == std::string::npos) known = "SHA256:" + known;
    const std::string digest = Lower(known.substr(0, known.find(':')));
    for (const std::string& fingerprint : fingerprints) {
      if (Lower(fingerprint.substr(0, fingerprint.find(':'))) != digest) continue;
      const bool match = digest == "md5" ? Lower(fingerprint) == Lower(known)
                                         : fingerprint.substr(fingerprint.find(':')) == known.substr(known.find(':'));
      if (match) return true;
    }
  }
  return false;
}

class SshTunnel::Impl {
 public:
  Impl(const ConnectTarget& target, SharedSettings settings)
      : target_(target), settings_(std::move(settings)), wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

  ~Impl() {
    for (Forward& forward : forwards_) CloseForward(forward);
    if (session_ != nullptr) {
      ssh_disconnect(session_);
      ssh_free(session_);  // closes the socket it was given in ssh_connect
    }
    if (!socket_owned_ && socket_ >= 0) ::close(socket_);
    if (listener_ >= 0) ::close(listener_);
    if (wake_ >= 0) ::close(wake_);
  }

  std::optional<ConnectOutcome> Establish(int64_t deadline_us, int* local_port) {
    InitLibsshOnce();
    const SshTunnelConfig& tunnel = *target_.ssh_tunnel;
    if (std::optional<ConnectOutcome> failure = ConnectSocket(deadline_us)) return failure;
    session_ = ssh_new();
    if (session_ == nullptr) return TunnelFailure(target_, kConnectFailed, "cannot create an SSH session");
    const int no = 0;
    const long seconds = std::max<int64_t>(1, (deadline_us - SteadyMicros() + 999'999) / 1'000'000);
    ssh_options_set(session_, SSH_OPTIONS_FD, &socket_);
    ssh_options_set(session_, SSH_OPTIONS_HOST, tunnel.server.host.c_str());
    ssh_options_set(session_, SSH_OPTIONS_USER, tunnel.user.c_str());
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(session_, SSH_OPTIONS_PROCESS_CONFIG, &no);  // no ~/.ssh/config of this host
    if (Stopped()) return TunnelFailure(target_, kConnectFailed, "closed");
    socket_owned_ = true;  // ssh_connect hands the socket to the session, which closes it
    if (ssh_connect(session_) != SSH_OK) return TunnelFailure(target_, kConnectFailed, SessionError());
    if (tunnel.validate_host && !MatchesKnownHost(Fingerprints(session_), tunnel.known_hosts)) {
      return TunnelFailure(target_, kAuthFailed, "Server key did not validate");
    }
    if (std::optional<ConnectOutcome> failure = Authenticate()) return failure;
    listener_ = ListenLoopback(local_port);
    if (listener_ < 0) return TunnelFailure(target_, kConnectFailed, "cannot listen on 127.0.0.1: " + ErrnoText(errno));
    local_port_ = *local_port;
    return std::nullopt;
  }

  std::optional<std::string> Serve(const std::function<bool()>& done) {
    char buffer[kBufferBytes];
    while (!Stopped() && !done()) {
      if (std::optional<std::string> lost = PumpFromServer(buffer)) return lost;
      std::vector<pollfd> fds = {{wake_, POLLIN, 0}, {listener_, POLLIN, 0}, {ssh_get_fd(session_), POLLIN, 0}};
      for (const Forward& forward : forwards_) fds.push_back({forward.fd, POLLIN, 0});
      const bool buffered = std::any_of(forwards_.begin(), forwards_.end(),
                                        [](const Forward& f) { return ssh_channel_poll(f.channel, 0) > 0; });
      if (::poll(fds.data(), fds.size(), buffered ? 0 : kServeTickMs) < 0 && errno != EINTR) {
        return "poll failed: " + ErrnoText(errno);
      }
      if (Stopped()) break;
      if (fds[2].revents & (POLLERR | POLLHUP | POLLNVAL)) return "the SSH session was closed";
      if (fds[1].revents & POLLIN) Accept();
      for (size_t i = 3; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (std::optional<std::string> lost = PumpToServer(forwards_[i - 3], buffer)) return lost;
      }
      std::erase_if(forwards_, [this](Forward& f) {
        if (f.fd >= 0) return false;
        CloseForward(f);
        return true;
      });
      if (ssh_is_connected(session_) == 0) return "the SSH session was closed";
    }
    return std::nullopt;
  }

  void Stop() {
    {
      MutexLock lock(mutex_);
      stop_ = true;
      if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);  // cuts a blocking libssh call short
    }
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_, &one, sizeof(one));
  }

  std::string TakeForwardError() {
    MutexLock lock(mutex_);
    return std::exchange(forward_error_, std::string());
  }

 private:
  struct Forward {
    int fd;  // -1 once closed
    ssh_channel channel;
  };

  bool Stopped() {
    MutexLock lock(mutex_);
    return stop_;
  }

  std::string SessionError() const {
    if (session_ == nullptr) return "no SSH session";
    const std::string error = ssh_get_error(session_);
    return error.empty() ? "the SSH handshake failed" : error;
  }

  // TCP to a checked address of the SSH server (the outbound rules apply to it).
  std::optional<ConnectOutcome> ConnectSocket(int64_t deadline_us) {
    const HostPort& server = target_.ssh_tunnel->server;
    CheckedAddresses checked = CheckedResolve(*settings_, server.host, deadline_us);
    if (checked.failure != FailureKind::kNone) return TunnelFailure(target_, kConnectFailed, checked.detail);
    int error = ECONNREFUSED;
    for (const IpAddress& address : checked.addresses) {
      const int fd = ConnectTcp(address, server.port, deadline_us);
      if (fd >= 0) {
        MutexLock lock(mutex_);
        socket_ = fd;
        if (stop_) ::shutdown(fd, SHUT_RDWR);
        return std::nullopt;
      }
      error = -fd;
    }
    std::string cause = ErrnoText(error);
    if (!cause.empty()) cause[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cause[0])));
    return TunnelFailure(target_, kConnectFailed, cause);  // "Connection refused", as Java's ConnectException says
  }

  // Apache MINA's word for refused credentials: "No more authentication methods available".
  std::optional<ConnectOutcome> Authenticate() {
    const SshTunnelConfig& tunnel = *target_.ssh_tunnel;
    int rc = SSH_AUTH_DENIED;
    if (tunnel.private_key_pem) {
      ssh_key key = nullptr;
      if (ssh_pki_import_privkey_base64(tunnel.private_key_pem->c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
        return TunnelFailure(target_, kAuthFailed, "the private key of the SSH tunnel's credentials cannot be read");
      }
      rc = ssh_userauth_publickey(session_, nullptr, key);
      ssh_key_free(key);
    } else if (tunnel.password) {
      rc = ssh_userauth_password(session_, nullptr, tunnel.password->c_str());
    }
    if (rc == SSH_AUTH_SUCCESS) return std::nullopt;
    if (rc == SSH_AUTH_ERROR) return TunnelFailure(target_, kAuthFailed, SessionError());
    return TunnelFailure(target_, kAuthFailed, "No more authentication methods available");
  }

  // A new local connection gets its channel to the connection's host and port (one round trip).
  void Accept() {
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    NoDelay(fd);
    ssh_channel channel = ssh_channel_new(session_);
    if (channel != nullptr &&
        ssh_channel_open_forward(channel, target_.endpoint.host.c_str(), target_.endpoint.port, "127.0.0.1",
                                 local_port_) == SSH_OK) {
      forwards_.push_back({fd, channel});
      return;
    }
    {
      MutexLock lock(mutex_);
      forward_error_ = SessionError();
    }
    if (channel != nullptr) ssh_channel_free(channel);
    ::close(fd);  // the client sees the connection end
  }

  // SSH -> local sockets; the cause if the session broke.
  std::optional<std::string> PumpFromServer(char* buffer) {
    for (Forward& forward : forwards_) {
      if (forward.fd < 0) continue;
      for (;;) {
        const int n = ssh_channel_read_nonblocking(forward.channel, buffer, kBufferBytes, 0);
        if (n == SSH_ERROR) {
          if (ssh_is_connected(session_) == 0) return "the SSH session was closed";
          forward.fd = CloseLocal(forward.fd);
          break;
        }
        if (n <= 0) break;
        if (!SendAll(forward.fd, buffer, static_cast<size_t>(n))) {
          forward.fd = CloseLocal(forward.fd);
          break;
        }
      }
      if (forward.fd >= 0 && (ssh_channel_is_eof(forward.channel) || ssh_channel_is_closed(forward.channel))) {
        forward.fd = CloseLocal(forward.fd);
      }
    }
    return std::nullopt;
  }

  // A local socket -> its channel.
  std::optional<std::string> PumpToServer(Forward& forward, char* buffer) {
    const ssize_t n = ::recv(forward.fd, buffer, kBufferBytes, 0);
    if (n <= 0) {
      forward.fd = CloseLocal(forward.fd);
      return std::nullopt;
    }
    if (ssh_channel_write(forward.channel, buffer, static_cast<uint32_t>(n)) == SSH_ERROR) {
      if (ssh_is_connected(session_) == 0) return "the SSH session was closed";
      forward.fd = CloseLocal(forward.fd);
    }
    return std::nullopt;
  }

  static int CloseLocal(int fd) {
    ::close(fd);
    return -1;
  }

  static void CloseForward(Forward& forward) {
    if (forward.fd >= 0) ::close(forward.fd);
    forward.fd = -1;
    if (forward.channel != nullptr) {
      if (ssh_channel_is_open(forward.channel)) {
        ssh_channel_send_eof(forward.channel);
        ssh_channel_close(forward.channel);
      }
      ssh_channel_free(forward.channel);
      forward.channel = nullptr;
    }
  }

  const ConnectTarget& target_;
  const SharedSettings settings_;
  const int wake_;
  Mutex mutex_;
  bool stop_ GUARDED_BY(mutex_) = false;
  int socket_ GUARDED_BY(mutex_) = -1;  // written once; the SSH server's socket
  std::string forward_error_ GUARDED_BY(mutex_);
  ssh_session session_ = nullptr;
  bool socket_owned_ = false;  // socket_ belongs to session_ (closed by ssh_free)
  int listener_ = -1;
  int local_port_ = 0;
  std::vector<Forward> forwards_;
};

SshTunnel::SshTunnel(const ConnectTarget& target, SharedSettings settings)
    : impl_(new Impl(target, std::move(settings))) {}
SshTunnel::~SshTunnel() { delete impl_; }

std::optional<ConnectOutcome> SshTunnel::Establish(int64_t deadline_us) {
  return impl_->Establish(deadline_us, &local_port_);
}
std::optional<std::string> SshTunnel::Serve(const std::function<bool()>& done) { return impl_->Serve(done); }
void SshTunnel::Stop() { impl_->Stop(); }
std::string SshTunnel::TakeForwardError() { return impl_->TakeForwardError(); }

}  // namespace connectivity::connect
