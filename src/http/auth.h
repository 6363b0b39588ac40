// DevOps authentication (REF §1.6): HTTP Basic, user `devops`, password from
// DEVOPS_PASSWORD (default foobar); DEVOPS_SECURED=false turns it off.
// Applies to /devops/** and /api/2/connections/**.
#ifndef CONNECTIVITY_HTTP_AUTH_H_
#define CONNECTIVITY_HTTP_AUTH_H_

#include <optional>
#include <string>
#include <string_view>

#include "src/http/http_types.h"

namespace connectivity::http {

// The one user the DevOps authentication knows.
inline constexpr std::string_view kDevOpsUser = "devops";

struct DevOpsAuth {
  bool secured = true;
  std::string password = "foobar";
};

// nullopt if the request may proceed; else the 401 answer (plain text and
// `WWW-Authenticate: Basic realm="DITTO-DEVOPS",charset=UTF-8`).
std::optional<HttpAnswer> Authenticate(const DevOpsAuth& auth, const HttpRequest& request);

// Standard base64 (RFC 4648) decoding; nullopt on invalid input.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_AUTH_H_
