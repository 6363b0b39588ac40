// RawConnection: a TCP connection to the server that sends bytes exactly as given and reads
// answers exactly as they come, for the framing cases no HTTP library would send (issue 11).
#ifndef CONNECTIVITY_TESTS_INTEGRATION_RAW_HTTP_H_
#define CONNECTIVITY_TESTS_INTEGRATION_RAW_HTTP_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace connectivity::testing {

struct RawAnswer {
  int status = 0;
  std::string version;                         // "HTTP/1.1"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends every byte (false if the server closed the connection first).
  bool Send(const std::string& bytes);
  // The next answer (status line, headers, Content-Length or chunked body); nullopt if none
  // arrives within `timeout_ms` or the connection ends first.
  std::optional<RawAnswer> Read(int timeout_ms = 5000);
  // True if the server ends the connection (EOF or reset) within `timeout_ms`, with no further
  // bytes before the end.
  bool ClosedWithin(int timeout_ms);
  // Bytes received and not yet consumed by Read.
  const std::string& buffered() const { return buffer_; }

 private:
  // Appends what arrives within `timeout_ms`; false at the end of the connection or on timeout.
  bool Receive(int timeout_ms);

  int fd_ = -1;
  bool ended_ = false;
  std::string buffer_;
};

// Milliseconds for a GET /health on a new connection to be answered 200 (the best of three, so a
// scheduler hiccup on this shared machine is not taken for a stuck server); -1 if it never is.
double HealthMillis(uint16_t port);

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_INTEGRATION_RAW_HTTP_H_
