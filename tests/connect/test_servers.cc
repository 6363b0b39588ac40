#include "tests/connect/test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <utility>
#include <vector>

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
    accepted_.fetch_add(1);
    const timeval bound{2, 0};  // a client that never sends must not stall the server
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
    Answer(fd);
    ::close(fd);
  }
}

namespace {

// "test:test" in Basic auth is dGVzdDp0ZXN0.
std::string BasicAuthAnswer(const std::string& request) {
  const bool authorized = request.find("Authorization: Basic dGVzdDp0ZXN0") != std::string::npos;
  return authorized ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n"
                      "Content-Length: 0\r\nConnection: close\r\n\r\n";
}

std::string JsonAnswer(const char* status, const std::string& body) {
  return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// The token endpoint (see the header): reads the form, then answers by its client secret.
template <typename ReadMore>
std::string TokenAnswer(std::string& request, ReadMore read_more) {
  const size_t header_end = request.find("\r\n\r\n") + 4;
  const size_t length_at = request.find("Content-Length: ");
  const size_t length = length_at == std::string::npos ? 0 : std::stoul(request.substr(length_at + 16));
  while (request.size() < header_end + length && read_more()) {
  }
  const std::string form = request.substr(header_end);
  if (form.find("client_secret=" + std::string(HttpTestServer::kGoodClientSecret)) != std::string::npos) {
    return JsonAnswer("200 OK", std::string(R"({"access_token":")") + HttpTestServer::kValidJwt +
                                    R"(","token_type":"Bearer","expires_in":300})");
  }
  if (form.find("client_secret=not-a-jwt") != std::string::npos) {
    return JsonAnswer("200 OK", R"({"access_token":"not-a-jwt","token_type":"Bearer"})");
  }
  return JsonAnswer("401 Unauthorized", R"({"error":"invalid_client"})");
}

}  // namespace

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
  auto read_more = [&] {
    const int n = ssl != nullptr ? SSL_read(ssl, buffer, sizeof(buffer))
                                 : static_cast<int>(::recv(fd, buffer, sizeof(buffer), 0));
    if (n > 0) request.append(buffer, static_cast<size_t>(n));
    return n > 0;
  };
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    if (!read_more()) break;
  }
  if (request.empty()) {  // a connect-only check: nothing was asked
    if (ssl != nullptr) SSL_free(ssl);
    return;
  }
  requests_.fetch_add(1);
  const std::string response = request.rfind("POST /token", 0) == 0 ? TokenAnswer(request, read_more)
                                                                    : BasicAuthAnswer(request);
  if (ssl != nullptr) {
    SSL_write(ssl, response.data(), static_cast<int>(response.size()));
    SSL_shutdown(ssl);
    SSL_free(ssl);
  } else {
    [[maybe_unused]] ssize_t n = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  }
}

// --- MqttRefusingBroker ------------------------------------------------------------------------

namespace {

// Reads exactly `size` bytes; false on EOF, error or stop.
bool ReadFull(int fd, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::recv(fd, out + done, size - done, 0);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// One MQTT control packet: the first byte and the rest after the remaining length.
bool ReadPacket(int fd, uint8_t* type, std::vector<uint8_t>* body) {
  if (!ReadFull(fd, type, 1)) return false;
  size_t length = 0;
  for (int shift = 0; shift < 28; shift += 7) {
    uint8_t byte;
    if (!ReadFull(fd, &byte, 1)) return false;
    length |= static_cast<size_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  body->resize(length);
  return length == 0 || ReadFull(fd, body->data(), length);
}

void WritePacket(int fd, uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> packet{type};
  size_t length = body.size();
  do {
    uint8_t byte = length & 0x7F;
    length >>= 7;
    if (length > 0) byte |= 0x80;
    packet.push_back(byte);
  } while (length > 0);
  packet.insert(packet.end(), body.begin(), body.end());
  [[maybe_unused]] ssize_t n = ::send(fd, packet.data(), packet.size(), MSG_NOSIGNAL);
}

// Skips an MQTT 5 property block at `at`.
size_t SkipProperties(const std::vector<uint8_t>& body, size_t at) {
  size_t length = 0;
  for (int shift = 0; at < body.size(); shift += 7) {
    const uint8_t byte = body[at++];
    length |= static_cast<size_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return at + length;
}

// The topic filters of a SUBSCRIBE / UNSUBSCRIBE body from `at`, with their option bytes.
std::vector<std::pair<std::string, uint8_t>> Filters(const std::vector<uint8_t>& body, size_t at, bool options) {
  std::vector<std::pair<std::string, uint8_t>> filters;
  while (at + 2 <= body.size()) {
    const size_t length = (static_cast<size_t>(body[at]) << 8) | body[at + 1];
    at += 2;
    if (at + length > body.size()) break;
    std::string filter(body.begin() + static_cast<long>(at), body.begin() + static_cast<long>(at + length));
    at += length;
    uint8_t option = 0;
    if (options && at < body.size()) option = body[at++];
    filters.emplace_back(std::move(filter), option);
  }
  return filters;
}

}  // namespace

MqttRefusingBroker::MqttRefusingBroker(int refusal) : refusal_(refusal) {
  listener_ = BindLoopback(0, 16, &port_);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      if (!Readable(listener_)) continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const timeval bound{5, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
      Serve(fd);
      ::close(fd);
    }
  });
}

MqttRefusingBroker::~MqttRefusingBroker() {
  stop_.store(true);
  thread_.join();
  ::close(listener_);
}

void MqttRefusingBroker::Serve(int fd) {
  bool v5 = false;
  uint8_t type;
  std::vector<uint8_t> body;
  while (!stop_.load() && ReadPacket(fd, &type, &body)) {
    switch (type >> 4) {
      case 1: {  // CONNECT: protocol name, then the level
        const size_t name = body.size() >= 2 ? ((static_cast<size_t>(body[0]) << 8) | body[1]) : 0;
        v5 = body.size() > 2 + name && body[2 + name] == 5;
        WritePacket(fd, 0x20, v5 ? std::vector<uint8_t>{0, 0, 0} : std::vector<uint8_t>{0, 0});
        break;
      }
      case 8: {  // SUBSCRIBE: packet id, [properties], filters with options
        subscribes_.fetch_add(1);
        std::vector<uint8_t> ack{body[0], body[1]};
        if (v5) ack.push_back(0);
        for (const auto& [filter, option] : Filters(body, v5 ? SkipProperties(body, 2) : 2, true)) {
          ack.push_back(filter.rfind("denied", 0) == 0 ? static_cast<uint8_t>(refusal_) : (option & 3));
        }
        WritePacket(fd, 0x90, ack);
        break;
      }
      case 10: {  // UNSUBSCRIBE
        unsubscribes_.fetch_add(1);
        std::vector<uint8_t> ack{body[0], body[1]};
        if (v5) {
          ack.push_back(0);
          ack.resize(ack.size() + Filters(body, SkipProperties(body, 2), false).size(), 0);
        }
        WritePacket(fd, 0xB0, ack);
        break;
      }
      case 12:  // PINGREQ
        WritePacket(fd, 0xD0, {});
        break;
      case 14:  // DISCONNECT
        return;
      default:
        break;
    }
  }
}

}  // namespace connectivity::connect::testing
