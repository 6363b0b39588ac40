// What a client needs from a model::Connection: the effective protocol, endpoint(s), credentials
// and TLS material, derived once per attempt by MakeConnectTarget.
//
// Credentials: the URI's user info wins; otherwise `credentials` of type "plain" gives user and
// password; "client-cert" gives the TLS client certificate; OAuth credentials give the token
// request an HTTP push test makes. HMAC credentials are not used by connect (they sign messages,
// which this service does not send).
//
// Hono (Ditto 3 connects Hono through Kafka, configured service-wide): a `hono` connection is
// first resolved with the service's Hono settings (model::ResolveHonoConnection, as Ditto's
// HonoConnectionFactory), which gives it the settings' URI, bootstrap servers and SASL
// mechanism; a tcp/ssl URI is then Kafka, an amqp/amqps one AMQP 1.0 (Hono's AMQP messaging
// network).
#ifndef CONNECTIVITY_CONNECT_TARGET_H_
#define CONNECTIVITY_CONNECT_TARGET_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/model/connection.h"
#include "src/model/hono_connection.h"

namespace connectivity::connect {

enum class Protocol { kAmqp091, kAmqp10, kMqtt311, kMqtt5, kHttp, kKafka };
// "AMQP 0.9.1", "AMQP 1.0", "MQTT 3.1.1", "MQTT 5", "HTTP", "Kafka".
std::string_view ProtocolName(Protocol protocol);

struct HostPort {
  std::string host;  // as configured, IPv6 without brackets
  int port = 0;
};

struct TlsOptions {
  bool enabled = false;
  bool validate_certificates = true;  // peer chain and host name
  std::optional<std::string> ca_pem;  // trusted CAs instead of the system store
  std::optional<std::string> client_cert_pem;
  std::optional<std::string> client_key_pem;
};

// A source as the address checks see it (address.h): its addresses, in configuration order.
struct SourceAddresses {
  std::vector<std::string> addresses;
  int qos = 2;             // MQTT: the source's qos (Ditto subscribes with 2 when it has none)
  int consumer_count = 1;  // AMQP 1.0: Ditto names each consumer "<address>-<index>"
};

// HTTP push with OAuth credentials: the token request Ditto's AsyncJwtLoader sends (a form POST
// of the grant, Accept: application/json).
struct OAuthTokenRequest {
  std::string token_endpoint;        // as configured
  std::string form;                  // the encoded grant; holds the client secret / password
  std::vector<std::string> secrets;  // never in a description
};

// An enabled `sshTunnel` of the connection (ssh_tunnel.h).
struct SshTunnelConfig {
  HostPort server;  // of its ssh:// URI; port 22 if the URI names none
  std::string user;
  std::optional<std::string> password;         // `plain` credentials
  std::optional<std::string> private_key_pem;  // `public-key` credentials (PKCS#8 PEM)
  bool validate_host = false;
  std::vector<std::string> known_hosts;  // fingerprints, "MD5:..." / "SHA256:..."
};

struct ConnectTarget {
  Protocol protocol = Protocol::kAmqp091;
  std::string connection_id;
  std::string scheme;
  HostPort endpoint;               // the URI's host and port (Kafka: the first bootstrap server)
  std::vector<HostPort> bootstrap;  // Kafka: the URI's server, then specificConfig.bootstrapServers
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string path;  // decoded URI path: the AMQP 0.9.1 vhost, the HTTP base path
  TlsOptions tls;
  std::string client_id;       // MQTT: specificConfig.clientId, else the connection id
  int keep_alive_s = 0;        // MQTT: specificConfig.keepAlive; 0 = the settings' heartbeat
  std::string sasl_mechanism;  // Kafka: specificConfig.saslMechanism, default PLAIN
  std::optional<OAuthTokenRequest> oauth;  // HTTP push: OAuth credentials
  std::optional<SshTunnelConfig> ssh_tunnel;  // set if the connection's tunnel is enabled
  // The local end of the SSH tunnel's port forward: clients connect here (without resolving or
  // checking it) instead of to the endpoint, which stays the name TLS and the protocols use.
  std::optional<HostPort> connect_to;
  // What the client checks after connecting (address.h): the sources, and the target addresses.
  std::vector<SourceAddresses> sources;
  std::vector<std::string> targets;
};

// InvalidArgument (message without any password) if the connection cannot be connected as
// configured: invalid URI, unknown scheme, malformed bootstrap servers, Hono without endpoint.
// A `hono` connection is taken as it is (already resolved, or with its own endpoint).
Result<ConnectTarget> MakeConnectTarget(const model::Connection& connection);
// The same after resolving a `hono` connection with `hono` (what test connection and the
// Supervisor connect to); other types as above.
Result<ConnectTarget> MakeConnectTarget(const model::Connection& connection, const model::HonoSettings& hono);

// Parses "host:port[,host:port]" ("[v6]:port" allowed); nullopt if any item is malformed.
std::optional<std::vector<HostPort>> ParseHostPortList(std::string_view list);

// Parses a keep-alive such as "30", "30s", "2m", "1500ms" into whole seconds (rounded up);
// nullopt if malformed.
std::optional<int> ParseDurationSeconds(std::string_view text);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_TARGET_H_
