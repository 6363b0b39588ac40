// TestConnection against the real brokers of scripts/brokers (RabbitMQ, Mosquitto, the Kafka mock)
// and the in-process HTTP server: good credentials succeed, a wrong password is an
// authentication failure that names the endpoint and never the password, and TLS honours
// validateCertificates and `ca`.
#include <gtest/gtest.h>
#include <signal.h>

#include "src/connect/test_connection.h"
#include "tests/connect/broker_env.h"
#include "tests/connect/test_servers.h"
#include "tests/model/fake_host_resolver.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;

constexpr char kWrongPassword[] = "wrong-Passw0rd";

ConnectSettings Settings(int64_t timeout_us = 3'000'000) {
  ConnectSettings settings;
  settings.timeout_us = timeout_us;
  return settings;
}

std::string Uri(const std::string& scheme, const std::string& user_info, int port,
                const std::string& host = "127.0.0.1", const std::string& path = "") {
  return scheme + "://" + (user_info.empty() ? "" : user_info + "@") + host + ":" +
         std::to_string(port) + path;
}

void ExpectConnected(const ConnectOutcome& outcome) {
  EXPECT_TRUE(outcome.ok) << outcome.description;
  EXPECT_EQ(outcome.failure, FailureKind::kNone);
}

void ExpectAuthenticationFailure(const ConnectOutcome& outcome, int port, int64_t bound_us) {
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failure, FailureKind::kAuthentication) << outcome.description;
  EXPECT_NE(outcome.description.find("Authentication failure"), std::string::npos) << outcome.description;
  EXPECT_NE(outcome.description.find(":" + std::to_string(port)), std::string::npos) << outcome.description;
  EXPECT_EQ(outcome.description.find(kWrongPassword), std::string::npos) << outcome.description;
  EXPECT_LT(outcome.duration_us, bound_us);
}

class Brokers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  void SetUp() override { REQUIRE_BROKERS(); }
};

TEST_F(Brokers, Amqp091) {
  const int port = testing::RabbitPort();
  ExpectConnected(TestConnection(
      MakeConnection("amqp091", ConnectionType::kAmqp091, Uri("amqp", "guest:guest", port, "127.0.0.1", "/")),
      Settings()));
  const ConnectOutcome wrong = TestConnection(
      MakeConnection("amqp091", ConnectionType::kAmqp091,
                     Uri("amqp", std::string("guest:") + kWrongPassword, port)),
      Settings());
  ExpectAuthenticationFailure(wrong, port, 5'000'000);
  EXPECT_NE(wrong.description.find("ACCESS_REFUSED"), std::string::npos) << wrong.description;
  const ConnectOutcome vhost = TestConnection(
      MakeConnection("amqp091", ConnectionType::kAmqp091, Uri("amqp", "guest:guest", port, "127.0.0.1", "/nope")),
      Settings());
  EXPECT_EQ(vhost.failure, FailureKind::kProtocol) << vhost.description;
  EXPECT_NE(vhost.description.find("530"), std::string::npos) << vhost.description;
}

TEST_F(Brokers, Amqp10) {
  const int port = testing::RabbitPort();
  ExpectConnected(TestConnection(
      MakeConnection("amqp10", ConnectionType::kAmqp10, Uri("amqp", "guest:guest", port)), Settings()));
  // RabbitMQ holds a failed AMQP 1.0 login for 3 s before it answers.
  const ConnectOutcome wrong = TestConnection(
      MakeConnection("amqp10", ConnectionType::kAmqp10,
                     Uri("amqp", std::string("guest:") + kWrongPassword, port)),
      Settings(6'000'000));
  ExpectAuthenticationFailure(wrong, port, 8'000'000);
}

TEST_F(Brokers, Mqtt3And5) {
  const int port = testing::MosquittoPort();
  for (ConnectionType type : {ConnectionType::kMqtt, ConnectionType::kMqtt5}) {
    SCOPED_TRACE(std::string(model::ConnectionTypeName(type)));
    ExpectConnected(TestConnection(MakeConnection("mqtt", type, Uri("tcp", "test:test", port)), Settings()));
    ExpectAuthenticationFailure(
        TestConnection(MakeConnection("mqtt", type, Uri("tcp", std::string("test:") + kWrongPassword, port)),
                       Settings()),
        port, 3'000'000);
    ExpectConnected(TestConnection(
        MakeConnection("mqtt", type, Uri("tcp", "", testing::MosquittoAnonPort())), Settings()));
  }
}

TEST_F(Brokers, Kafka) {
  const std::string bootstrap = testing::KafkaBootstrap();
  ASSERT_FALSE(bootstrap.empty());
  ExpectConnected(TestConnection(MakeConnection("kafka", ConnectionType::kKafka, "tcp://" + bootstrap),
                                 Settings()));
  // The URI's server is down, the cluster is reachable through specificConfig.bootstrapServers.
  testing::ClosedPort closed;
  model::Connection both = MakeConnection("kafka", ConnectionType::kKafka, Uri("tcp", "", closed.port()));
  both.specific_config.emplace_back("bootstrapServers", bootstrap);
  ExpectConnected(TestConnection(both, Settings()));
  // The mock cluster has no SASL: a wrong password cannot be tested against it.
}

// Hono connects through the Kafka connection its settings resolve it into. Ditto's resolution always
// puts the Hono credentials into the URI, so the client always authenticates with SASL: a Hono
// configuration without SASL cannot be expressed, and the mock cluster has no SASL. What the mock
// shows end to end: the hono connection goes to the settings' bootstrap servers, with SASL.
TEST_F(Brokers, HonoGoesToTheResolvedKafkaWithSasl) {
  const std::string bootstrap = testing::KafkaBootstrap();
  ASSERT_FALSE(bootstrap.empty());
  model::Connection hono = MakeConnection("hono", ConnectionType::kHono, "");
  ConnectSettings settings = Settings();
  settings.hono.base_uri = "tcp://" + bootstrap;
  settings.hono.bootstrap_servers = bootstrap;
  settings.hono.password = kWrongPassword;
  const ConnectOutcome outcome = TestConnection(hono, settings);
  // "Authentication failure on '127.0.0.1:<port>' (Kafka): sasl_plaintext://...: Failed to
  // initialize SASL authentication: SASL Handshake not supported by broker (required by
  // mechanism PLAIN)"
  EXPECT_EQ(outcome.failure, FailureKind::kAuthentication) << outcome.description;
  EXPECT_NE(outcome.description.find(bootstrap), std::string::npos) << outcome.description;
  EXPECT_NE(outcome.description.find("(Kafka)"), std::string::npos) << outcome.description;
  EXPECT_NE(outcome.description.find("PLAIN"), std::string::npos) << outcome.description;
  EXPECT_EQ(outcome.description.find(kWrongPassword), std::string::npos) << outcome.description;
}

TEST_F(Brokers, ConnectsToTheAddressTheRulesChecked) {
  // Neither name exists in DNS: only the injected resolver knows them. Success proves that the
  // clients connected to the checked address instead of resolving the name again.
  auto resolver = std::make_shared<model::testing::FakeHostResolver>();
  resolver->Set("mqtt.test", {"127.0.0.1"});
  resolver->Set("kafka.test", {"127.0.0.1"});
  ConnectSettings settings = Settings();
  settings.resolver = resolver;
  ExpectConnected(TestConnection(
      MakeConnection("m", ConnectionType::kMqtt, Uri("tcp", "", testing::MosquittoAnonPort(), "mqtt.test")),
      settings));
  const std::string port = testing::KafkaBootstrap().substr(testing::KafkaBootstrap().rfind(':') + 1);
  ExpectConnected(TestConnection(MakeConnection("k", ConnectionType::kKafka, "tcp://kafka.test:" + port),
                                 settings));
  EXPECT_GE(resolver->LookupCount("kafka.test"), 1);
}

TEST_F(Brokers, TlsHonoursCaAndValidateCertificates) {
  const std::string ca = testing::TlsCaPem();
  ASSERT_FALSE(ca.empty());
  auto resolver = std::make_shared<model::testing::FakeHostResolver>();
  resolver->Set("localhost", {"127.0.0.1"});
  resolver->Set("wrong.test", {"127.0.0.1"});  // the certificate does not name it
  ConnectSettings settings = Settings();
  settings.resolver = resolver;
  struct Case {
    ConnectionType type;
    std::string scheme, user_info;
    int port;
  };
  const Case cases[] = {
      {ConnectionType::kMqtt, "ssl", "", testing::MosquittoTlsPort()},
      {ConnectionType::kAmqp091, "amqps", "guest:guest", testing::RabbitTlsPort()},
      {ConnectionType::kAmqp10, "amqps", "guest:guest", testing::RabbitTlsPort()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(model::ConnectionTypeName(c.type)));
    model::Connection good = MakeConnection("tls", c.type, Uri(c.scheme, c.user_info, c.port, "localhost"));
    good.ca = ca;
    ExpectConnected(TestConnection(good, settings));
    model::Connection wrong_name = good;
    wrong_name.uri = Uri(c.scheme, c.user_info, c.port, "wrong.test");
    EXPECT_EQ(TestConnection(wrong_name, settings).failure, FailureKind::kTls);
    model::Connection untrusted = good;
    untrusted.ca.reset();  // the system store does not know the test CA
    const ConnectOutcome outcome = TestConnection(untrusted, settings);
    EXPECT_EQ(outcome.failure, FailureKind::kTls) << outcome.description;
    untrusted.validate_certificates = false;
    ExpectConnected(TestConnection(untrusted, settings));
  }
}

// HttpPushClientActor.doTestConnection: the TCP connection, nothing requested, Basic credentials
// not checked (Ditto sends them with each message, not at connect).
TEST(HttpPush, ChecksTheTcpConnectionOnly) {
  signal(SIGPIPE, SIG_IGN);
  testing::HttpTestServer server;
  const int port = server.port();
  const ConnectOutcome ok = TestConnection(
      MakeConnection("http", ConnectionType::kHttpPush, Uri("http", "test:test", port, "127.0.0.1", "/api")),
      Settings());
  ExpectConnected(ok);
  EXPECT_NE(ok.description.find("TCP connection to '127.0.0.1:" + std::to_string(port) +
                                "' established successfully"),
            std::string::npos)
      << ok.description;
  ExpectConnected(TestConnection(MakeConnection("http", ConnectionType::kHttpPush,
                                                Uri("http", std::string("test:") + kWrongPassword, port)),
                                 Settings()));
  // The server thread may accept after the client has closed (the kernel completed the handshake).
  EXPECT_TRUE(testing::WaitUntil([&] { return server.accepted() == 2; }, 2000)) << server.accepted();
  EXPECT_EQ(server.requests(), 0);
}

model::Connection WithOAuth(const std::string& endpoint, const std::string& secret) {
  model::Connection connection = MakeConnection("oauth", ConnectionType::kHttpPush, endpoint);
  model::OAuthClientCredentials oauth;
  oauth.token_endpoint = endpoint + "/token";
  oauth.client_id = "connectivity";
  oauth.client_secret = secret;
  oauth.requested_scopes = "push";
  connection.credentials = oauth;
  return connection;
}

// AsyncJwtLoader: the token request, and Ditto's words when it fails; never the secret.
TEST(HttpPush, FetchesTheOAuthToken) {
  signal(SIGPIPE, SIG_IGN);
  testing::HttpTestServer server;
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  ExpectConnected(TestConnection(WithOAuth(endpoint, testing::HttpTestServer::kGoodClientSecret), Settings()));
  EXPECT_EQ(server.requests(), 1);

  const ConnectOutcome wrong = TestConnection(WithOAuth(endpoint, kWrongPassword), Settings());
  EXPECT_EQ(wrong.failure, FailureKind::kAuthentication);
  EXPECT_EQ(wrong.description, "Cause: Received invalid JSON web token response from <" + endpoint + "/token>.");
  const ConnectOutcome not_jwt = TestConnection(WithOAuth(endpoint, "not-a-jwt"), Settings());
  EXPECT_EQ(not_jwt.description, "Cause: The JSON Web Token is not valid.");

  model::OAuthPasswordCredentials password;
  password.token_endpoint = endpoint + "/token";
  password.client_id = "connectivity";
  password.client_secret = testing::HttpTestServer::kGoodClientSecret;
  password.requested_scopes = "push";
  password.username = "user";
  password.password = kWrongPassword;
  model::Connection password_grant = MakeConnection("oauth", ConnectionType::kHttpPush, endpoint);
  password_grant.credentials = password;
  ExpectConnected(TestConnection(password_grant, Settings()));

  testing::ClosedPort closed;
  model::Connection unreachable = WithOAuth(endpoint, kWrongPassword);
  std::get<model::OAuthClientCredentials>(*unreachable.credentials).token_endpoint =
      "http://127.0.0.1:" + std::to_string(closed.port()) + "/token";
  const ConnectOutcome failed = TestConnection(unreachable, Settings());
  EXPECT_EQ(failed.description,
            "Cause: Request to token endpoint <http://127.0.0.1:" + std::to_string(closed.port()) + "/token> failed.");
  for (const ConnectOutcome* outcome : {&wrong, &not_jwt, &failed}) {
    EXPECT_EQ(outcome->description.find(kWrongPassword), std::string::npos) << outcome->description;
  }
}

TEST_F(Brokers, HttpsHonoursCaAndValidateCertificates) {
  testing::HttpTestServer server(/*tls=*/true);
  auto resolver = std::make_shared<model::testing::FakeHostResolver>();
  resolver->Set("localhost", {"127.0.0.1"});
  resolver->Set("wrong.test", {"127.0.0.1"});
  ConnectSettings settings = Settings();
  settings.resolver = resolver;
  model::Connection good = MakeConnection("https", ConnectionType::kHttpPush,
                                          Uri("https", "test:test", server.port(), "localhost"));
  good.ca = testing::TlsCaPem();
  ExpectConnected(TestConnection(good, settings));
  model::Connection wrong_name = good;
  wrong_name.uri = Uri("https", "test:test", server.port(), "wrong.test");
  EXPECT_EQ(TestConnection(wrong_name, settings).failure, FailureKind::kTls);
  model::Connection untrusted = good;
  untrusted.ca.reset();
  EXPECT_EQ(TestConnection(untrusted, settings).failure, FailureKind::kTls);
  untrusted.validate_certificates = false;
  ExpectConnected(TestConnection(untrusted, settings));
}

}  // namespace
}  // namespace connectivity::connect
