// A small blocking HTTP client (libcurl) for tests against the real server.
#ifndef CONNECTIVITY_TESTS_INTEGRATION_HTTP_CLIENT_H_
#define CONNECTIVITY_TESTS_INTEGRATION_HTTP_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace connectivity::testing {

struct HttpResponse {
  long status = 0;  // 0: no answer (connection failed or timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string error;                           // curl's error text when status == 0

  std::string Header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpRequestSpec {
  std::string method = "GET";
  std::string path = "/";
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  // "user:password" for Basic auth; empty: no Authorization header.
  std::string basic_auth = "devops:foobar";
  long timeout_ms = 30000;
  // HTTPS: set ca_file (the CA that signed the server's certificate); a
  // client certificate and key when the server asks for one.
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
};

HttpResponse Fetch(uint16_t port, const HttpRequestSpec& spec);

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_INTEGRATION_HTTP_CLIENT_H_
