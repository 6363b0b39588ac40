#include "src/connect/target.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "src/model/connection_uri.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;

bool IsTlsScheme(std::string_view scheme) {
  return scheme == "amqps" || scheme == "ssl" || scheme == "https";
}

std::optional<int> ParsePort(std::string_view digits) {
  int port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port <= 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

std::optional<HostPort> ParseHostPort(std::string_view item) {
  const size_t colon = item.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = item.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal needs brackets
  }
  const std::optional<int> port = ParsePort(item.substr(colon + 1));
  if (!port) return std::nullopt;
  return HostPort{std::string(host), *port};
}

std::string StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::string(host);
}

// The protocol a connection type connects with, given its URI scheme; nullopt if unknown.
std::optional<Protocol> ProtocolFor(const model::Connection& c, std::string_view scheme) {
  const bool amqp = scheme == "amqp" || scheme == "amqps";
  const bool tcp = scheme == "tcp" || scheme == "ssl";
  switch (c.connection_type) {
    case ConnectionType::kAmqp091: return amqp ? std::optional(Protocol::kAmqp091) : std::nullopt;
    case ConnectionType::kAmqp10: return amqp ? std::optional(Protocol::kAmqp10) : std::nullopt;
    case ConnectionType::kMqtt: return tcp ? std::optional(Protocol::kMqtt311) : std::nullopt;
    case ConnectionType::kMqtt5: return tcp ? std::optional(Protocol::kMqtt5) : std::nullopt;
    case ConnectionType::kKafka: return tcp ? std::optional(Protocol::kKafka) : std::nullopt;
    case ConnectionType::kHttpPush:
      return scheme == "http" || scheme == "https" ? std::optional(Protocol::kHttp) : std::nullopt;
    case ConnectionType::kHono:
      if (amqp) return Protocol::kAmqp10;
      if (tcp || scheme.empty()) return Protocol::kKafka;
      return std::nullopt;
  }
  return std::nullopt;
}

// UriEncoding.encodeAllButUnreserved: everything but ALPHA / DIGIT / "-" / "." / "_" / "~".
std::string FormEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

OAuthTokenRequest ClientCredentialsGrant(const model::OAuthClientCredentials& oauth) {
  OAuthTokenRequest request{oauth.token_endpoint, "grant_type=client_credentials&client_id=" +
                                                      FormEncode(oauth.client_id) +
                                                      "&client_secret=" + FormEncode(oauth.client_secret) +
                                                      "&scope=" + FormEncode(oauth.requested_scopes),
                            {oauth.client_secret}};
  if (oauth.audience) request.form += "&audience=" + FormEncode(*oauth.audience);
  return request;
}

OAuthTokenRequest PasswordGrant(const model::OAuthPasswordCredentials& oauth) {
  OAuthTokenRequest request{oauth.token_endpoint,
                            "grant_type=password&client_id=" + FormEncode(oauth.client_id) +
                                "&scope=" + FormEncode(oauth.requested_scopes),
                            {oauth.password}};
  if (oauth.client_secret) {
    request.form += "&client_secret=" + FormEncode(*oauth.client_secret);
    request.secrets.push_back(*oauth.client_secret);
  }
  if (oauth.audience) request.form += "&audience=" + FormEncode(*oauth.audience);
  request.form += "&username=" + FormEncode(oauth.username) + "&password=" + FormEncode(oauth.password);
  return request;
}

void ApplyCredentials(const model::Connection& c, ConnectTarget& target) {
  if (!c.credentials) return;
  if (const auto* plain = std::get_if<model::UserPasswordCredentials>(&*c.credentials)) {
    if (!target.username) {
      target.username = plain->username;
      target.password = plain->password;
    }
  } else if (const auto* cert = std::get_if<model::ClientCertificateCredentials>(&*c.credentials)) {
    target.tls.client_cert_pem = cert->cert;
    target.tls.client_key_pem = cert->key;
  } else if (const auto* client = std::get_if<model::OAuthClientCredentials>(&*c.credentials)) {
    target.oauth = ClientCredentialsGrant(*client);
  } else if (const auto* password = std::get_if<model::OAuthPasswordCredentials>(&*c.credentials)) {
    target.oauth = PasswordGrant(*password);
  }
}

Status ApplyKafka(const model::Connection& c, ConnectTarget& target) {
  if (!target.endpoint.host.empty()) target.bootstrap.push_back(target.endpoint);
  if (const std::string* servers = model::FindInStringMap(c.specific_config, "bootstrapServers")) {
    std::optional<std::vector<HostPort>> list = ParseHostPortList(*servers);
    if (!list) return Status::InvalidArgument("specificConfig.bootstrapServers is malformed");
    for (HostPort& server : *list) {
      bool known = false;
      for (const HostPort& b : target.bootstrap) known |= b.host == server.host && b.port == server.port;
      if (!known) target.bootstrap.push_back(std::move(server));
    }
  }
  if (target.bootstrap.empty()) {
    return Status::InvalidArgument(
        "no endpoint to connect to: set the URI or specificConfig.bootstrapServers");
  }
  target.endpoint = target.bootstrap.front();
  // Upper case, as Ditto's KafkaAuthenticationSpecificConfig (a resolved Hono connection says
  // "plain"); librdkafka knows PLAIN, SCRAM-SHA-256, SCRAM-SHA-512.
  const std::string* mechanism = model::FindInStringMap(c.specific_config, "saslMechanism");
  target.sasl_mechanism = mechanism != nullptr ? *mechanism : "PLAIN";
  for (char& ch : target.sasl_mechanism) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return Status::Ok();
}

// An enabled sshTunnel: its server (port 22 unless named) and credentials.
Status ApplySshTunnel(const model::Connection& c, ConnectTarget& target) {
  if (!c.ssh_tunnel || !c.ssh_tunnel->enabled) return Status::Ok();
  const model::SshTunnel& tunnel = *c.ssh_tunnel;
  const std::optional<model::ConnectionUri> uri = model::ParseServerUri(tunnel.uri);
  if (!uri || uri->host.empty()) return Status::InvalidArgument("the URI of the SSH tunnel is invalid");
  SshTunnelConfig config;
  config.server = {StripBrackets(uri->host), uri->port > 0 ? uri->port : 22};
  if (const auto* plain = std::get_if<model::UserPasswordCredentials>(&tunnel.credentials)) {
    config.user = plain->username;
    config.password = plain->password;
  } else if (const auto* keys = std::get_if<model::SshPublicKeyCredentials>(&tunnel.credentials)) {
    config.user = keys->username;
    config.private_key_pem = keys->private_key;
  } else {
    return Status::InvalidArgument("the credentials of the SSH tunnel are neither plain nor public-key");
  }
  config.validate_host = tunnel.validate_host;
  config.known_hosts = tunnel.known_hosts;
  target.ssh_tunnel = std::move(config);
  return Status::Ok();
}

Status ApplyMqtt(const model::Connection& c, ConnectTarget& target) {
  const std::string* client_id = model::FindInStringMap(c.specific_config, "clientId");
  target.client_id = client_id != nullptr && !client_id->empty() ? *client_id : c.id;
  if (const std::string* keep_alive = model::FindInStringMap(c.specific_config, "keepAlive")) {
    std::optional<int> seconds = ParseDurationSeconds(*keep_alive);
    if (!seconds) return Status::InvalidArgument("specificConfig.keepAlive is malformed");
    target.keep_alive_s = *seconds;
  }
  return Status::Ok();
}

}  // namespace

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kAmqp091: return "AMQP 0.9.1";
    case Protocol::kAmqp10: return "AMQP 1.0";
    case Protocol::kMqtt311: return "MQTT 3.1.1";
    case Protocol::kMqtt5: return "MQTT 5";
    case Protocol::kHttp: return "HTTP";
    case Protocol::kKafka: return "Kafka";
  }
  return "unknown";
}

std::optional<std::vector<HostPort>> ParseHostPortList(std::string_view list) {
  std::vector<HostPort> items;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    std::optional<HostPort> host_port = ParseHostPort(item);
    if (!host_port) return std::nullopt;
    items.push_back(std::move(*host_port));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (items.empty()) return std::nullopt;
  return items;
}

std::optional<int> ParseDurationSeconds(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0 || value > 65535 * 1000LL) return std::nullopt;
  const std::string_view unit = text.substr(end - text.data());
  if (unit.empty() || unit == "s") return static_cast<int>(value);
  if (unit == "m") return value * 60 <= 65535 ? std::optional<int>(value * 60) : std::nullopt;
  if (unit == "ms") return static_cast<int>((value + 999) / 1000);
  return std::nullopt;
}

Result<ConnectTarget> MakeConnectTarget(const model::Connection& c) {
  ConnectTarget target;
  target.connection_id = c.id;
  std::optional<model::ConnectionUri> uri;
  if (!model::IsBlank(c.uri)) {
    uri = model::ParseConnectionUri(c.uri);
    if (!uri) {
      return Status::InvalidArgument("the URI '" + model::MaskUriPassword(c.uri) + "' is invalid");
    }
    target.scheme = uri->scheme;
    target.endpoint = {StripBrackets(uri->host), uri->port};
    target.username = uri->user_name;
    target.password = uri->password;
    target.path = uri->path;
  }
  const std::optional<Protocol> protocol = ProtocolFor(c, target.scheme);
  if (!protocol) {
    return Status::InvalidArgument("the URI scheme '" + target.scheme + "' is not valid for " +
                                   std::string(model::ConnectionTypeName(c.connection_type)));
  }
  target.protocol = *protocol;
  target.tls.enabled = IsTlsScheme(target.scheme);
  target.tls.validate_certificates = c.validate_certificates;
  target.tls.ca_pem = c.ca;
  ApplyCredentials(c, target);
  if (target.protocol == Protocol::kKafka) CONNECTIVITY_RETURN_IF_ERROR(ApplyKafka(c, target));
  if (target.protocol == Protocol::kMqtt311 || target.protocol == Protocol::kMqtt5) {
    CONNECTIVITY_RETURN_IF_ERROR(ApplyMqtt(c, target));
  }
  if (target.endpoint.host.empty()) return Status::InvalidArgument("no endpoint to connect to");
  CONNECTIVITY_RETURN_IF_ERROR(ApplySshTunnel(c, target));
  for (const model::Source& source : c.sources) {
    target.sources.push_back(SourceAddresses{source.addresses, source.qos.value_or(2),
                                             std::max<int32_t>(1, source.consumer_count)});
  }
  for (const model::Target& t : c.targets) target.targets.push_back(t.address);
  return target;
}

Result<ConnectTarget> MakeConnectTarget(const model::Connection& connection, const model::HonoSettings& hono) {
  if (connection.connection_type != model::ConnectionType::kHono) return MakeConnectTarget(connection);
  return MakeConnectTarget(model::ResolveHonoConnection(connection, hono));
}

}  // namespace connectivity::connect
