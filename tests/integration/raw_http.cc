#include "tests/integration/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

namespace connectivity::testing {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(0, left));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

RawConnection::RawConnection(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ >= 0 && connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool RawConnection::Receive(int timeout_ms) {
  if (ended_) return false;
  pollfd poll_fd{fd_, POLLIN, 0};
  if (poll(&poll_fd, 1, timeout_ms) != 1) return false;
  char chunk[16384];
  const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    ended_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<RawAnswer> RawConnection::Read(int timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t head_end = std::string::npos;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Receive(MillisLeft(deadline))) return std::nullopt;
  }
  RawAnswer answer;
  const std::string head = buffer_.substr(0, head_end + 2);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  answer.version = status_line.substr(0, status_line.find(' '));
  answer.status = std::atoi(status_line.substr(status_line.find(' ') + 1).c_str());
  for (size_t start = line_end + 2; start < head.size(); start = line_end + 2) {
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    answer.headers[Lower(line.substr(0, colon))] = value == std::string::npos ? "" : line.substr(value);
  }
  buffer_.erase(0, head_end + 4);
  if (Lower(answer.Header("transfer-encoding")) == "chunked") {
    while (true) {
      size_t size_end;
      while ((size_end = buffer_.find("\r\n")) == std::string::npos) {
        if (!Receive(MillisLeft(deadline))) return std::nullopt;
      }
      const size_t size = std::strtoul(buffer_.substr(0, size_end).c_str(), nullptr, 16);
      while (buffer_.size() < size_end + 2 + size + 2) {
        if (!Receive(MillisLeft(deadline))) return std::nullopt;
      }
      answer.body += buffer_.substr(size_end + 2, size);
      buffer_.erase(0, size_end + 2 + size + 2);
      if (size == 0) return answer;
    }
  }
  const size_t length = std::strtoul(answer.Header("content-length").c_str(), nullptr, 10);
  while (buffer_.size() < length) {
    if (!Receive(MillisLeft(deadline))) return std::nullopt;
  }
  answer.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return answer;
}

bool RawConnection::ClosedWithin(int timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  const size_t before = buffer_.size();
  while (!ended_) {
    if (!Receive(MillisLeft(deadline)) && !ended_) return false;
  }
  return buffer_.size() == before;
}

double HealthMillis(uint16_t port) {
  double best = -1;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const Clock::time_point start = Clock::now();
    RawConnection connection(port);
    if (!connection.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) continue;
    const std::optional<RawAnswer> answer = connection.Read(2000);
    if (!answer || answer->status != 200) continue;
    const double millis = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (best < 0 || millis < best) best = millis;
  }
  return best;
}

}  // namespace connectivity::testing
