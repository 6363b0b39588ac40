#include "src/model/connection_uri.h"

#include <cctype>
#include <charconv>
#include <limits>

namespace connectivity::model {
namespace {

// Punctuation of java.net.URI's character classes (RFC 2396); letters and digits are added by
// the predicates below.
constexpr std::string_view kMark = "-_.!~*'()";
constexpr std::string_view kReserved = ";/?:@&=+$,[]";
constexpr std::string_view kPathPunctuation = ":@&=+$,;/";
constexpr std::string_view kUserInfoPunctuation = ";:&=+$,";
constexpr std::string_view kSchemePunctuation = "+-.";

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlphanumeric(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) { return IsAlphanumeric(c) || kMark.find(c) != std::string_view::npos; }

enum class CharClass { kUric, kPath, kUserInfo };

bool InClass(char c, CharClass char_class) {
  if (IsUnreserved(c)) return true;
  switch (char_class) {
    case CharClass::kUric:
      return kReserved.find(c) != std::string_view::npos;
    case CharClass::kPath:
      return kPathPunctuation.find(c) != std::string_view::npos;
    case CharClass::kUserInfo:
      return kUserInfoPunctuation.find(c) != std::string_view::npos;
  }
  return false;
}

// Decodes the UTF-8 sequence at `text[position]`; returns its length, or 0 if malformed.
size_t DecodeUtf8(std::string_view text, size_t position, uint32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[position]);
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || position + length > text.size()) return 0;
  code_point = lead & (0x3F >> (length - 1));
  for (size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[position + i]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  return length;
}

// java.net.URI accepts "other" characters unescaped: above U+0080, not a space separator
// (Character.isSpaceChar) and not an ISO control character.
bool IsOtherCharacter(uint32_t code_point) {
  if (code_point <= 0x9F) return false;
  switch (code_point) {
    case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return false;
    default:
      return !(code_point >= 0x2000 && code_point <= 0x200A);
  }
}

// True if every character of `text` is in `char_class`, a valid `%XX` escape, or an "other"
// character (java.net.URI#checkChars with an escape-permitting class).
bool AllInClass(std::string_view text, CharClass char_class) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (c == '%') {
        if (i + 2 >= text.size() || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) return false;
        i += 3;
        continue;
      }
      if (!InClass(c, char_class)) return false;
      ++i;
      continue;
    }
    uint32_t code_point = 0;
    const size_t length = DecodeUtf8(text, i, code_point);
    if (length == 0 || !IsOtherCharacter(code_point)) return false;
    i += length;
  }
  return true;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && IsHex(text[i + 1]) && IsHex(text[i + 2])) {
      unsigned value = 0;
      std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Length of a dotted-quad IPv4 address at the start of `text` that is followed by the end or a
// ':' (java.net.URI#parseIPv4Address); 0 if there is none.
size_t ScanIpv4(std::string_view text) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == start) return 0;
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data() + start, text.data() + i, value);
    if (error != std::errc() || value > 255) return 0;
  }
  if (i < text.size() && text[i] != ':') return 0;
  return i;
}

// Length of a hostname at the start of `text` (java.net.URI#parseHostname): labels of letters,
// digits and inner '-', separated by '.', the last one starting with a letter; 0 if invalid.
size_t ScanHostname(std::string_view text) {
  size_t i = 0;
  size_t last_label = std::string_view::npos;
  while (i < text.size() && IsAlphanumeric(text[i])) {
    last_label = i;
    while (i < text.size() && (IsAlphanumeric(text[i]) || text[i] == '-')) ++i;
    if (text[i - 1] == '-') return 0;
    if (i >= text.size() || text[i] != '.') break;
    ++i;
  }
  if (last_label == std::string_view::npos) return 0;
  if (i < text.size() && text[i] != ':') return 0;
  if (last_label > 0 && !IsAlpha(text[last_label])) return 0;
  return i;
}

// Length of a bracketed IPv6 literal at the start of `text`; 0 if invalid. A simplified check
// (hex digits, ':', '.', and a '%' zone id), enough to tell a literal from garbage.
size_t ScanIpv6Literal(std::string_view text) {
  const size_t close = text.find(']');
  if (close == std::string_view::npos || close < 3) return 0;
  std::string_view inner = text.substr(1, close - 1);
  if (inner.find(':') == std::string_view::npos) return 0;
  for (char c : inner) {
    if (!IsHex(c) && c != ':' && c != '.' && c != '%' && !IsAlphanumeric(c)) return 0;
  }
  return close + 1;
}

// Parses `[user-info@]host[:port]`; false if it is not a server-based authority.
bool ParseServerAuthority(std::string_view authority, ConnectionUri& uri) {
  const size_t at = authority.find('@');
  if (at != std::string_view::npos) {
    std::string_view user_info = authority.substr(0, at);
    if (!AllInClass(user_info, CharClass::kUserInfo)) return false;
    const size_t colon = user_info.find(':');
    if (colon != std::string_view::npos) {
      uri.user_name = PercentDecode(user_info.substr(0, colon));
      uri.password = PercentDecode(user_info.substr(colon + 1));
    }
    authority.remove_prefix(at + 1);
  }
  size_t host_length = 0;
  if (!authority.empty() && authority[0] == '[') {
    host_length = ScanIpv6Literal(authority);
  } else {
    host_length = ScanIpv4(authority);
    if (host_length == 0) host_length = ScanHostname(authority);
  }
  if (host_length == 0) return false;
  uri.host.assign(authority.substr(0, host_length));
  authority.remove_prefix(host_length);
  uri.port = -1;
  if (authority.empty()) return true;
  if (authority[0] != ':') return false;
  authority.remove_prefix(1);
  if (authority.empty()) return true;  // "host:" has no port
  int32_t port = 0;
  auto [end, error] = std::from_chars(authority.data(), authority.data() + authority.size(), port);
  if (error != std::errc() || end != authority.data() + authority.size()) return false;
  if (authority[0] == '-' || authority[0] == '+') return false;
  uri.port = port;
  return true;
}

std::string ToAsciiForm(std::string_view text) {
  static constexpr char kHexDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHexDigits[byte >> 4]);
      out.push_back(kHexDigits[byte & 0x0F]);
    }
  }
  return out;
}

// Splits off and checks the scheme; returns false on an invalid scheme. Leaves `rest` at the
// scheme-specific part (or the whole text if there is no scheme).
bool ParseScheme(std::string_view text, ConnectionUri& uri, std::string_view& rest) {
  rest = text;
  const size_t delimiter = text.find_first_of(":/?#");
  if (delimiter == std::string_view::npos || text[delimiter] != ':') return true;
  if (delimiter == 0 || !IsAlpha(text[0])) return false;
  for (size_t i = 1; i < delimiter; ++i) {
    if (!IsAlphanumeric(text[i]) && kSchemePunctuation.find(text[i]) == std::string_view::npos) {
      return false;
    }
  }
  uri.scheme.assign(text.substr(0, delimiter));
  rest = text.substr(delimiter + 1);
  return !rest.empty();
}

// java.net.URI(text).parseServerAuthority(); `connection` adds ConnectionUri's rules: a blank
// text is valid, and a valid URI needs an authority with a port > 0 and no query.
std::optional<ConnectionUri> ParseUri(std::string_view text, bool connection) {
  ConnectionUri uri;
  if (connection && IsBlank(text)) return uri;
  std::string_view rest;
  if (!ParseScheme(text, uri, rest)) return std::nullopt;
  uri.port = -1;
  if (!uri.scheme.empty() && rest[0] != '/') {
    // An opaque URI ("mailto:x") has no authority, hence no port: never a valid connection URI.
    if (connection || !AllInClass(rest, CharClass::kUric)) return std::nullopt;
    uri.ascii = ToAsciiForm(text);
    return uri;
  }
  if (rest.size() >= 2 && rest[0] == '/' && rest[1] == '/') {
    rest.remove_prefix(2);
    const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    if (authority_end == 0 && connection) return std::nullopt;  // no host
    if (authority_end > 0 && !ParseServerAuthority(rest.substr(0, authority_end), uri)) {
      return std::nullopt;
    }
    rest.remove_prefix(authority_end);
  }
  const size_t path_end = std::min(rest.find_first_of("?#"), rest.size());
  if (!AllInClass(rest.substr(0, path_end), CharClass::kPath)) return std::nullopt;
  uri.path = PercentDecode(rest.substr(0, path_end));
  rest.remove_prefix(path_end);
  if (connection && !rest.empty() && rest[0] == '?') return std::nullopt;  // even an empty query
  if (!rest.empty() && !AllInClass(rest.substr(1), CharClass::kUric)) return std::nullopt;
  if (connection && uri.port <= 0) return std::nullopt;
  uri.ascii = ToAsciiForm(text);
  return uri;
}

bool IsKnownUrlProtocol(std::string_view protocol) {
  for (std::string_view known : {"http", "https", "ftp", "file", "jar", "mailto", "jrt"}) {
    if (protocol == known) return true;
  }
  return false;
}

// URL's protocol: the text before the first ':' if it comes before any '/' and is a valid scheme.
std::string UrlProtocol(std::string_view spec, size_t& after) {
  for (size_t i = 0; i < spec.size() && spec[i] != '/'; ++i) {
    if (spec[i] != ':') continue;
    if (!IsAlpha(spec[0])) return "";
    for (size_t k = 1; k < i; ++k) {
      if (!IsAlphanumeric(spec[k]) && kSchemePunctuation.find(spec[k]) == std::string_view::npos) {
        return "";
      }
    }
    after = i + 1;
    std::string protocol(spec.substr(0, i));
    for (char& c : protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return protocol;
  }
  return "";
}

// URLStreamHandler#parseURL for the authority "user@host:port": sets the host or an error.
void ParseUrlAuthority(std::string_view authority, JavaUrl& url) {
  const size_t at = authority.find('@');
  if (at != std::string_view::npos) {
    if (at != authority.rfind('@')) return;  // not server based: no host
    authority.remove_prefix(at + 1);
  }
  size_t colon = authority.find(':');
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close <= 2) {
      url.error = "Invalid host: " + std::string(authority);
      return;
    }
    colon = close + 1 < authority.size() ? close + 1 : std::string_view::npos;
    if (colon != std::string_view::npos && authority[colon] != ':') {
      url.error = "Invalid authority field: " + std::string(authority);
      return;
    }
  }
  url.host = std::string(authority.substr(0, colon));
  if (colon == std::string_view::npos || colon + 1 >= authority.size()) return;
  const std::string_view port = authority.substr(colon + 1);
  for (size_t i = 0; i < port.size(); ++i) {
    const bool sign = i == 0 && port.size() > 1 && (port[0] == '-' || port[0] == '+');
    if (!sign && !IsDigit(port[i])) {
      url.error = "Error at index " + std::to_string(i) + " in: \"" + std::string(port) + "\"";
      return;
    }
  }
  if (port[0] == '-' && port != "-1") url.error = "Invalid port number :" + std::string(port);
}

}  // namespace

JavaUrl ParseJavaUrl(std::string_view spec) {
  JavaUrl url;
  std::string_view text = spec;
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= 0x20) text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= 0x20) text.remove_suffix(1);
  if (text.size() >= 4 && (text[0] | 0x20) == 'u' && (text[1] | 0x20) == 'r' &&
      (text[2] | 0x20) == 'l' && text[3] == ':') {
    text.remove_prefix(4);
  }
  size_t after = 0;
  url.protocol = UrlProtocol(text, after);
  if (url.protocol.empty()) {
    url.error = "no protocol: " + std::string(spec);
  } else if (!IsKnownUrlProtocol(url.protocol)) {
    url.error = "unknown protocol: " + url.protocol;
  } else if (text.substr(after, 2) == "//") {
    std::string_view authority = text.substr(after + 2);
    authority = authority.substr(0, std::min(authority.find_first_of("/?#"), authority.size()));
    ParseUrlAuthority(authority, url);
  }
  return url;
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) > 0x20) return false;
  }
  return true;
}

std::optional<ConnectionUri> ParseConnectionUri(std::string_view text) {
  return ParseUri(text, /*connection=*/true);
}

std::optional<ConnectionUri> ParseServerUri(std::string_view text) {
  return ParseUri(text, /*connection=*/false);
}

bool UriHasUserInfo(std::string_view uri) {
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return false;
  const size_t start = scheme_end + 3;
  const size_t authority_end = std::min(uri.find_first_of("/?#", start), uri.size());
  return uri.substr(start, authority_end - start).find('@') != std::string_view::npos;
}

// Where the authority of `uri` starts: after "scheme://" when the text before the "://" is a
// scheme (RFC 2396: a letter, then letters, digits, '+', '-', '.'), after a leading "//" (a
// network-path reference, which java.net.URI accepts), else 0. A "://" further on, in a path
// or a query, starts nothing.
size_t AuthorityStart(std::string_view uri) {
  if (uri.substr(0, 2) == "//") return 2;
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0 ||
      !std::isalpha(static_cast<unsigned char>(uri[0]))) {
    return 0;
  }
  for (char c : uri.substr(0, scheme_end)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return 0;
  }
  return scheme_end + 3;
}

std::string MaskUriPassword(std::string_view uri) {
  constexpr std::string_view kMask = "*****";
  const size_t start = AuthorityStart(uri);
  auto masked = [&](size_t from, size_t to) {
    return std::string(uri.substr(0, from)) + std::string(kMask) + std::string(uri.substr(to));
  };
  const size_t at = uri.rfind('@');
  if (at != std::string_view::npos && at >= start) {
    // User-info: mask what follows its first ':'; without ':' mask all of it (a token, or a
    // password whose ':' was mistyped).
    const size_t colon = uri.find(':', start);
    return colon < at ? masked(colon + 1, at) : masked(start, at);
  }
  // No '@': a port is the only thing that may follow ':' in the authority. Anything else may be
  // a password whose '@' was mistyped.
  const size_t authority_end = std::min(uri.find_first_of("/?#", start), uri.size());
  const size_t colon = uri.find(':', start);
  if (colon >= authority_end) return std::string(uri);
  std::string_view after_colon = uri.substr(colon + 1, authority_end - colon - 1);
  const bool is_port = after_colon.find_first_not_of("0123456789") == std::string_view::npos;
  return is_port ? std::string(uri) : masked(colon + 1, authority_end);
}

}  // namespace connectivity::model
