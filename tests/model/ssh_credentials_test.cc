// Goal: items 8-10 of REF §4.2: kafka refuses SSH tunnels; a tunnel (enabled or not) needs an
// ssh:// URI, plain credentials with user and password or an RSA key pair, and fingerprints when
// the host is validated; HMAC credentials only for amqp-10/http-push, without URI user-info, with
// a configured algorithm; OAuth credentials only for http-push, with a URL token endpoint and
// RFC 6749 scopes (https checked by the http-push validator). Passwords never appear in messages.
// Method: ValidateConnection on amqp-091 / http-push connections with tunnels and credentials.
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"
#include "tests/support/test_pki.h"

namespace connectivity::model {
namespace {

std::string WithTunnel(std::string_view uri, std::string_view credentials, bool validate_host = false,
                       std::string_view known_hosts = "[]") {
  return WithMember(BaseConnectionOfType("amqp-091"), "sshTunnel",
                    R"({"enabled":false,"credentials":)" + std::string(credentials) +
                        R"(,"validateHost":)" + (validate_host ? "true" : "false") +
                        R"(,"knownHosts":)" + std::string(known_hosts) + R"(,"uri":")" + std::string(uri) + "\"}");
}

constexpr std::string_view kPlain = R"({"type":"plain","username":"user","password":"pw"})";

TEST(SshTunnelTest, KafkaDoesNotSupportTunnels) {
  std::string json = WithMember(BaseConnectionOfType("kafka"), "sshTunnel",
                                R"({"enabled":true,"credentials":{"type":"plain","username":"u","password":"p"},)"
                                R"("validateHost":false,"uri":"ssh://127.0.0.1:22"})");
  ExpectError(json, kConfigInvalid, "SSH tunneling not supported.",
              "SSH tunneling is not supported for the connection type <kafka>.");
}

TEST(SshTunnelTest, Uri) {
  ExpectValid(WithTunnel("ssh://127.0.0.1:2222", kPlain));
  ExpectValid(WithTunnel("ssh://tunnel.example", kPlain));  // the port may be left out
  ExpectError(WithTunnel("", kPlain), kConfigInvalid, "The URI of the ssh server must not be empty.");
  ExpectError(WithTunnel("http://127.0.0.1:22", kPlain), kConfigInvalid,
              "The SSH server URI 'http://127.0.0.1:22' is not valid: The scheme for the ssh endpoint must be 'ssh'.");
  ExpectError(WithTunnel("ssh://u:secret@host_name:22", kPlain), kConfigInvalid,
              "The SSH server URI 'ssh://u:*****@host_name:22' is not valid: Malformed URI, expected the form "
              "ssh://{hostname}:{port}.");
}

TEST(SshTunnelTest, Credentials) {
  ExpectError(WithTunnel("ssh://h:22", R"({"type":"plain","username":"","password":"pw"})"), kConfigInvalid,
              "SSH tunnel username must not be empty.");
  ExpectError(WithTunnel("ssh://h:22", R"({"type":"plain","username":"u","password":""})"), kConfigInvalid,
              "SSH tunnel password must not be empty.");
  ExpectError(WithTunnel("ssh://h:22", R"({"type":"client-cert"})"), kConfigInvalid,
              "Credentials type client-cert cannot be used for an ssh tunnel.");
  ExpectError(WithTunnel("ssh://h:22", R"({"type":"hmac","algorithm":"az-sasl","parameters":{}})"), kConfigInvalid,
              "Credentials type hmac cannot be used for an ssh tunnel.");
  const auto& pki = test_support::GetTestPki();
  auto json_string = [](std::string text) {
    std::string out;
    for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return "\"" + out + "\"";
  };
  ExpectValid(WithTunnel("ssh://h:22", R"({"type":"public-key","username":"u","publicKey":)" +
                                           json_string(pki.rsa_public_key_pem) + R"(,"privateKey":)" +
                                           json_string(pki.rsa_private_key_pem) + "}"));
  ExpectError(WithTunnel("ssh://h:22", R"({"type":"public-key","username":"u","publicKey":"x","privateKey":"y"})"),
              kConfigInvalid,
              "/credentials/privateKey: bad format. Expect PEM-encoded PKCS #8 data specified by RFC-7468 "
              "starting with '-----BEGIN PRIVATE KEY-----'");
}

TEST(SshTunnelTest, KnownHostsWhenValidatingTheHost) {
  ExpectValid(WithTunnel("ssh://h:22", kPlain, true, R"(["MD5:e0:3a"])"));
  ExpectError(WithTunnel("ssh://h:22", kPlain, true), kConfigInvalid,
              "Specify at least one fingerprint if host validationis enabled.");
  // The URI is checked before the credentials and the fingerprints.
  ExpectError(WithTunnel("", R"({"type":"plain","username":"","password":""})", true), kConfigInvalid,
              "The URI of the ssh server must not be empty.");
}

std::string WithHmac(std::string_view type, std::string_view uri, std::string_view algorithm) {
  std::string json = WithMember(BaseConnectionOfType(type), "uri", "\"" + std::string(uri) + "\"");
  return WithMember(json, "credentials",
                    R"({"type":"hmac","algorithm":")" + std::string(algorithm) + R"(","parameters":{}})");
}

TEST(CredentialsTest, Hmac) {
  ExpectValid(WithHmac("http-push", "https://127.0.0.1:443", "aws4-hmac-sha256"));
  ExpectValid(WithHmac("amqp-10", "amqps://127.0.0.1:5671", "az-sasl"));
  ExpectError(WithHmac("amqp-091", "amqp://127.0.0.1:5672", "az-sasl"), kConfigInvalid,
              "HMAC credentials are not supported for the connection type.",
              "Only HTTP and AMQP 1.0 connections support HMAC credentials.");
  ExpectError(WithHmac("http-push", "https://user:pw@127.0.0.1:443", "az-sasl"), kConfigInvalid,
              "There are conflicting authentication mechanisms.",
              "HMAC credentials and URI userinfo may not be present at the same time.");
  ExpectError(WithHmac("http-push", "https://127.0.0.1:443", "az-monitor-2016-04-02"), kConfigInvalid,
              "Unsupported HMAC algorithm: az-monitor-2016-04-02",
              "Supported algorithms: az-sasl, az-monitor-2016-04-01, aws4-hmac-sha256");
  ValidationConfig config;
  config.hmac_algorithms = {"custom"};
  ExpectValid(WithHmac("http-push", "https://127.0.0.1:443", "custom"), config);
}

std::string WithOAuth(std::string_view type, std::string_view endpoint, std::string_view scopes,
                      std::string_view flow = "oauth-client-credentials") {
  std::string extra = flow == "oauth-password" ? R"(,"username":"u","password":"secret-pw")" : "";
  return WithMember(BaseConnectionOfType(type), "credentials",
                    R"({"type":")" + std::string(flow) + R"(","tokenEndpoint":")" + std::string(endpoint) +
                        R"(","clientId":"id","clientSecret":"very-secret","requestedScopes":")" +
                        std::string(scopes) + "\"" + extra + "}");
}

TEST(CredentialsTest, OAuth) {
  ExpectValid(WithOAuth("http-push", "https://127.0.0.1/oauth/token", "scope-1 scope-2"));
  ExpectValid(WithOAuth("http-push", "https://127.0.0.1/oauth/token", "a", "oauth-password"));
  ExpectError(WithOAuth("mqtt-5", "https://127.0.0.1/token", "a"), kConfigInvalid,
              "OAuth client credentials are only supported for HTTP connection type.",
              "Only HTTP connections support OAuth client credentials.");
  ExpectError(WithOAuth("http-push", "token-endpoint", "a"), kConfigInvalid,
              "Invalid token endpoint 'token-endpoint' provided: no protocol: token-endpoint",
              "Provide a valid URL as token endpoint.");
  ExpectError(WithOAuth("http-push", "tcp://127.0.0.1/token", "a"), kConfigInvalid,
              "Invalid token endpoint 'tcp://127.0.0.1/token' provided: unknown protocol: tcp");
  ExpectError(WithOAuth("http-push", "https://user:pass@127.0.0.1:x/t", "a"), kConfigInvalid,
              "Invalid token endpoint 'https://user:*****@127.0.0.1:x/t' provided: Error at index 0 in: \"x\"");
  const std::optional<DittoError> scopes = Validate(WithOAuth("http-push", "https://127.0.0.1/t", "a  b"));
  ASSERT_TRUE(scopes.has_value());
  EXPECT_EQ(scopes->message, "Invalid format of requested scopes: a  b");
  EXPECT_EQ(scopes->description, "Provide scopes as space separated list (RFC6749 section 3.3).");
  EXPECT_EQ(scopes->href, "https://datatracker.ietf.org/doc/html/rfc6749#section-3.3");
  ExpectError(WithOAuth("http-push", "https://127.0.0.1/t", "a\\\"b"), kConfigInvalid,
              "Invalid format of requested scopes: a\"b");
}

TEST(CredentialsTest, TokenEndpointMustBeHttpsUnlessConfiguredOtherwise) {
  const std::string message =
      "The OAuth2 token endpoint must be accessed via HTTPS in order not to transmit the client secret in "
      "plain text.";
  ExpectError(WithOAuth("http-push", "http://127.0.0.1/token", "a"), kConfigInvalid, message);
  ExpectError(WithOAuth("http-push", "http://127.0.0.1/token", "a", "oauth-password"), kConfigInvalid, message);
  ValidationConfig lenient;
  lenient.oauth2_enforce_https = false;
  ExpectValid(WithOAuth("http-push", "http://127.0.0.1/token", "a"), lenient);
}

TEST(CredentialsTest, NoMessageContainsAPassword) {
  for (const std::string& json :
       {WithOAuth("http-push", "https://u:secret-pw@127.0.0.1:bad/t", "a", "oauth-password"),
        WithTunnel("ssh://u:secret-pw@bad_host:22", kPlain),
        WithMember(BaseConnectionOfType("kafka"), "specificConfig", R"({"bootstrapServers":"u:secret-pw@h:1;x"})"),
        WithMember(BaseConnectionOfType("mqtt"), "uri", R"("amqp://u:secret-pw@127.0.0.1:1883")")}) {
    const std::optional<DittoError> error = Validate(json);
    ASSERT_TRUE(error.has_value()) << json;
    EXPECT_EQ(error->ToJson().find("secret-pw"), std::string::npos) << error->ToJson();
  }
}

}  // namespace
}  // namespace connectivity::model
