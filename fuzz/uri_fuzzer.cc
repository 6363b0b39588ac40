// Fuzz target `uri`: connection URIs (src/model/connection_uri.cc: java.net.URI's RFC 2396
// dialect with a server authority, its ASCII form, the server URIs of SSH tunnels, java.net.URL
// for OAuth token endpoints) and the masking of passwords in error messages.
//
// Input: bytes taken as a URI.
// Properties, beyond "no crash, no sanitizer report":
//   - a valid connection URI has a host and a port > 0 (unless blank), and its ASCII form is
//     valid and parses to the same parts;
//   - the password of a valid URI never survives MaskUriPassword, on the URI as given or on its
//     ASCII form; a masked UTF-8 URI is UTF-8.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz/fuzz_support.h"
#include "src/model/connection_uri.h"

namespace connectivity::fuzz {
namespace {

bool SameParts(const model::ConnectionUri& a, const model::ConnectionUri& b) {
  return a.ascii == b.ascii && a.scheme == b.scheme && a.user_name == b.user_name &&
         a.password == b.password && a.host == b.host && a.port == b.port && a.path == b.path;
}

// The password as written in `uri` (user-info after its first ':'), if the authority has one.
std::optional<std::string_view> RawPassword(std::string_view uri) {
  // A URI without scheme ("//authority/path", as java.net.URI takes it) or "scheme://".
  const size_t scheme_end = uri.substr(0, 2) == "//" ? 0 : uri.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const size_t start = scheme_end == 0 && uri[0] == '/' ? 2 : scheme_end + 3;
  const size_t authority_end = std::min(uri.find_first_of("/?#", start), uri.size());
  const std::string_view authority = uri.substr(start, authority_end - start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const size_t colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::nullopt;
  return authority.substr(colon + 1, at - colon - 1);
}

void ExpectMasked(std::string_view uri) {
  const std::optional<std::string_view> password = RawPassword(uri);
  if (!password || password->empty() || *password == "*****") return;
  const std::string masked = model::MaskUriPassword(uri);
  Expect(masked.find(":" + std::string(*password) + "@") == std::string::npos,
         "MaskUriPassword hides the password", std::string(uri) + "\n" + masked);
}

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  const std::string_view text = fuzz::AsText(data, size);
  model::IsBlank(text);
  model::UriHasUserInfo(text);
  model::ParseServerUri(text);
  model::ParseJavaUrl(text);
  if (fuzz::IsUtf8(text)) {
    fuzz::ExpectUtf8(model::MaskUriPassword(text), "a masked UTF-8 URI is UTF-8");
  }
  const std::optional<model::ConnectionUri> uri = model::ParseConnectionUri(text);
  if (!uri) return 0;
  if (!model::IsBlank(text)) {
    fuzz::Expect(!uri->host.empty() && uri->port > 0, "a connection URI has a host and a port",
                 uri->ascii);
  }
  const std::optional<model::ConnectionUri> again = model::ParseConnectionUri(uri->ascii);
  fuzz::Expect(again && fuzz::SameParts(*again, *uri), "the ASCII form parses to the same parts",
               std::string(text) + "\n" + uri->ascii);
  fuzz::ExpectMasked(text);
  fuzz::ExpectMasked(uri->ascii);
  return 0;
}
