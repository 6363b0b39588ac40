#include "tests/connect/test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "tests/connect/broker_env.h"

namespace connectivity::connect::testing {
namespace {

// A TCP socket bound to 127.0.0.1:`port` (0: any); listening if `listen_backlog` > 0.
int BindLoopback(int port, int listen_backlog, int* bound_port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      (listen_backlog > 0 && ::listen(fd, listen_backlog) != 0)) {
    ::close(fd);
    return -1;
  }
  socklen_t size = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  *bound_port = ntohs(address.sin_port);
  return fd;
}

// Waits up to 100 ms for `fd` to be readable, so that loops notice stop requests.
bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 100) > 0;
}

}  // namespace

SilentPeer::SilentPeer() {
  listener_ = BindLoopback(0, 64, &port_);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      if (!Readable(listener_)) continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      connections_.push_back(fd);  // held open, never written to
      accepted_.fetch_add(1);
    }
  });
}

SilentPeer::~SilentPeer() {
  stop_.store(true);
  thread_.join();
  for (int fd : connections_) ::close(fd);
  ::close(listener_);
}

ClosedPort::ClosedPort() { socket_ = BindLoopback(0, 0, &port_); }
ClosedPort::~ClosedPort() { ::close(socket_); }

HttpTestServer::HttpTestServer(bool tls) : tls_(tls) {
  if (tls_) {
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_chain_file(context, (TlsDir() + "/server.pem").c_str());
    SSL_CTX_use_PrivateKey_file(context, (TlsDir() + "/server.key").c_str(), SSL_FILETYPE_PEM);
    ssl_context_ = context;
  }
  listener_ = BindLoopback(0, 64, &port_);
  thread_ = std::thread([this] { Serve(); });
}

HttpTestServer::~HttpTestServer() {
  stop_.store(true);
  thread_.join();
  Stop();
  if (ssl_context_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_context_));
}

void HttpTestServer::Stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (listener_ >= 0) ::close(listener_);
  listener_ = -1;
}

bool HttpTestServer::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (listener_ >= 0) return true;
  int port = 0;
  listener_ = BindLoopback(port_, 64, &port);
  return listener_ >= 0;
}

void HttpTestServer::Serve() {
  while (!stop_.load()) {
    int listener;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      listener = listener_;
    }
    if (listener < 0 || !Readable(listener)) {
      if (listener < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const timeval bound{2, 0};  // a client that never sends must not stall the server
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
    Answer(fd);
    ::close(fd);
  }
}

void HttpTestServer::Answer(int fd) {
  SSL* ssl = nullptr;
  if (tls_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ssl_context_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      ERR_clear_error();
      SSL_free(ssl);
      return;
    }
  }
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    const int n = ssl != nullptr ? SSL_read(ssl, buffer, sizeof(buffer))
                                 : static_cast<int>(::recv(fd, buffer, sizeof(buffer), 0));
    if (n <= 0) break;
    request.append(buffer, static_cast<size_t>(n));
  }
  requests_.fetch_add(1);
  // "test:test" in Basic auth is dGVzdDp0ZXN0.
  const bool authorized = request.find("Authorization: Basic dGVzdDp0ZXN0") != std::string::npos;
  const std::string response =
      authorized ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                 : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n"
                   "Content-Length: 0\r\nConnection: close\r\n\r\n";
  if (ssl != nullptr) {
    SSL_write(ssl, response.data(), static_cast<int>(response.size()));
    SSL_shutdown(ssl);
    SSL_free(ssl);
  } else {
    [[maybe_unused]] ssize_t n = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  }
}

}  // namespace connectivity::connect::testing
