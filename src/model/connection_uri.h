// Connection URIs (REF §3.3), parsed with the semantics of Ditto's ConnectionUri, which relies on
// java.net.URI with a server-based authority:
//   - the URI must parse as RFC 2396 (Java's dialect: escapes must be `%XX`, visible non-ASCII
//     characters are allowed outside the host), with an authority `[user-info@]host[:port]`;
//   - it must name a host and an explicit port > 0, and carry no query (not even an empty `?`);
//   - a blank string (only characters <= U+0020) is valid and stands for "no URI".
// The stored form is the ASCII form: non-ASCII characters become UTF-8 percent escapes.
//
// Passwords: error messages must never contain one (SPEC §4.3). MaskUriPassword() is the one way
// to put a URI into a message.
#ifndef CONNECTIVITY_MODEL_CONNECTION_URI_H_
#define CONNECTIVITY_MODEL_CONNECTION_URI_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace connectivity::model {

struct ConnectionUri {
  // The ASCII form, as stored and returned; "" for a blank URI.
  std::string ascii;
  // Empty for a blank URI (and for a URI without scheme, which java.net.URI accepts).
  std::string scheme;
  // Percent-decoded user-info parts; set only if the user-info contains ':' (as Ditto does).
  std::optional<std::string> user_name;
  std::optional<std::string> password;
  std::string host;  // as written; an IPv6 literal keeps its brackets
  int32_t port = 9999;  // Ditto's value for a blank URI
  std::string path;  // percent-decoded; may be empty
};

// Returns nullopt if `uri` is not a valid connection URI (-> connection.uri.invalid).
std::optional<ConnectionUri> ParseConnectionUri(std::string_view uri);

// java.net.URI(uri).parseServerAuthority() without ConnectionUri's extra rules: the port may be
// missing (-1), a query is allowed, an opaque URI ("scheme:rest") has no host. For the URIs of SSH
// tunnels. nullopt if `uri` is not a valid URI.
std::optional<ConnectionUri> ParseServerUri(std::string_view uri);

// True if the authority of `uri` ("scheme://authority/...") has a user-info part.
bool UriHasUserInfo(std::string_view uri);

// java.net.URL(spec), as Ditto reads OAuth token endpoints: the protocol (lower case) and host, or
// the message of the MalformedURLException, e.g. "no protocol: token" or "unknown protocol: tcp".
struct JavaUrl {
  std::string protocol;
  std::string host;   // IPv6 literals keep their brackets; "" if there is no authority
  std::string error;  // non-empty if the URL is malformed
};
JavaUrl ParseJavaUrl(std::string_view spec);

// True if `text` holds only characters <= U+0020 (Java's `trim().isEmpty()`).
bool IsBlank(std::string_view text);

// `uri` with the password of its user-info replaced by `*****`, for error messages. Works on
// invalid URIs too and errs on the side of masking more: with an '@', everything between the
// first ':' after "://" (or the start) and the last '@' (the whole user-info if it has no ':');
// without an '@', whatever follows a ':' in the authority unless it is a numeric port.
std::string MaskUriPassword(std::string_view uri);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_CONNECTION_URI_H_
