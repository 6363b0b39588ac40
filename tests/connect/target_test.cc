// From model::Connection to what a client connects to, and the wording of outcomes.
#include "src/connect/target.h"

#include <gtest/gtest.h>

#include "src/connect/attempt.h"
#include "tests/connect/broker_env.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;

ConnectTarget TargetOf(const model::Connection& connection) {
  Result<ConnectTarget> target = MakeConnectTarget(connection);
  EXPECT_TRUE(target.ok()) << target.status().ToString();
  return target.ok() ? *target : ConnectTarget{};
}

TEST(ConnectTarget, UriUserInfoAndPath) {
  const ConnectTarget t = TargetOf(MakeConnection("a", ConnectionType::kAmqp091,
                                                  "amqps://us%40er:p%3Ass@localhost:5671/vhost"));
  EXPECT_EQ(t.protocol, Protocol::kAmqp091);
  EXPECT_EQ(t.endpoint.host, "localhost");
  EXPECT_EQ(t.endpoint.port, 5671);
  EXPECT_EQ(t.username, "us@er");
  EXPECT_EQ(t.password, "p:ss");
  EXPECT_EQ(t.path, "/vhost");
  EXPECT_TRUE(t.tls.enabled);
  EXPECT_TRUE(t.tls.validate_certificates);
}

TEST(ConnectTarget, CredentialsObjects) {
  model::Connection plain = MakeConnection("p", ConnectionType::kMqtt5, "tcp://[::1]:1883");
  plain.credentials = model::UserPasswordCredentials{"alice", "secret"};
  ConnectTarget t = TargetOf(plain);
  EXPECT_EQ(t.endpoint.host, "::1");
  EXPECT_EQ(t.username, "alice");
  EXPECT_EQ(t.client_id, "p");
  model::Connection cert = MakeConnection("c", ConnectionType::kHttpPush, "https://localhost:443");
  cert.credentials = model::ClientCertificateCredentials{"CERT", "KEY"};
  cert.validate_certificates = false;
  cert.ca = "CA";
  t = TargetOf(cert);
  EXPECT_EQ(t.tls.client_cert_pem, "CERT");
  EXPECT_EQ(t.tls.client_key_pem, "KEY");
  EXPECT_EQ(t.tls.ca_pem, "CA");
  EXPECT_FALSE(t.tls.validate_certificates);
  EXPECT_FALSE(t.username);
}

TEST(ConnectTarget, MqttSpecificConfig) {
  model::Connection c = MakeConnection("m", ConnectionType::kMqtt, "ssl://localhost:8883");
  c.specific_config = {{"clientId", "device-7"}, {"keepAlive", "30s"}};
  const ConnectTarget t = TargetOf(c);
  EXPECT_EQ(t.protocol, Protocol::kMqtt311);
  EXPECT_EQ(t.client_id, "device-7");
  EXPECT_EQ(t.keep_alive_s, 30);
  EXPECT_TRUE(t.tls.enabled);
  c.specific_config = {{"keepAlive", "soon"}};
  EXPECT_FALSE(MakeConnectTarget(c).ok());
}

TEST(ConnectTarget, KafkaMergesBootstrapServers) {
  model::Connection c = MakeConnection("k", ConnectionType::kKafka, "tcp://u:p@localhost:9092");
  c.specific_config = {{"bootstrapServers", "localhost:9092, 127.0.0.1:9093,[::1]:9094"},
                       {"saslMechanism", "SCRAM-SHA-256"}};
  const ConnectTarget t = TargetOf(c);
  ASSERT_EQ(t.bootstrap.size(), 3u);
  EXPECT_EQ(t.bootstrap[1].host, "127.0.0.1");
  EXPECT_EQ(t.bootstrap[2].host, "::1");
  EXPECT_EQ(t.sasl_mechanism, "SCRAM-SHA-256");
  c.specific_config = {{"bootstrapServers", "localhost"}};
  EXPECT_FALSE(MakeConnectTarget(c).ok());
}

TEST(ConnectTarget, HonoPicksKafkaOrAmqp) {
  model::Connection kafka = MakeConnection("h", ConnectionType::kHono, "");
  kafka.specific_config = {{"bootstrapServers", "localhost:9092"}};
  EXPECT_EQ(TargetOf(kafka).protocol, Protocol::kKafka);
  EXPECT_EQ(TargetOf(kafka).endpoint.host, "localhost");
  EXPECT_EQ(TargetOf(MakeConnection("h", ConnectionType::kHono, "amqps://localhost:5671")).protocol,
            Protocol::kAmqp10);
  EXPECT_FALSE(MakeConnectTarget(MakeConnection("h", ConnectionType::kHono, "")).ok());
}

// A hono connection connects as the Kafka connection the service's Hono settings make of it.
TEST(ConnectTarget, HonoResolvesToTheSettingsKafka) {
  model::Connection hono = MakeConnection("h", ConnectionType::kHono, "amqps://127.0.0.1:5671");
  hono.specific_config = {{"bootstrapServers", "127.0.0.1:1"}, {"honoTenantId", "t"}};
  model::HonoSettings settings;
  settings.base_uri = "tcp://127.0.0.1:9092";
  settings.bootstrap_servers = "127.0.0.1:9092,127.0.0.1:9093";
  settings.username = "hono-user";
  settings.password = "hono-secret";
  settings.sasl_mechanism = "SCRAM_SHA_512";
  Result<ConnectTarget> target = MakeConnectTarget(hono, settings);
  ASSERT_TRUE(target.ok()) << target.status().message();
  EXPECT_EQ(target->protocol, Protocol::kKafka);
  ASSERT_EQ(target->bootstrap.size(), 2u);
  EXPECT_EQ(target->bootstrap[0].host, "127.0.0.1");
  EXPECT_EQ(target->bootstrap[0].port, 9092);
  EXPECT_EQ(target->bootstrap[1].port, 9093);
  EXPECT_EQ(target->username, "hono-user");
  EXPECT_EQ(target->password, "hono-secret");
  EXPECT_EQ(target->sasl_mechanism, "SCRAM-SHA-512");
  EXPECT_FALSE(target->tls.validate_certificates);  // Ditto's default for Hono
}

TEST(ConnectTarget, ErrorsNeverShowThePassword) {
  Result<ConnectTarget> target =
      MakeConnectTarget(MakeConnection("x", ConnectionType::kMqtt, "http://u:topsecret@localhost:80"));
  ASSERT_FALSE(target.ok());
  EXPECT_EQ(target.status().message().find("topsecret"), std::string::npos);
}

TEST(Parsing, HostPortListsAndDurations) {
  EXPECT_FALSE(ParseHostPortList(""));
  EXPECT_FALSE(ParseHostPortList("h:0"));
  EXPECT_FALSE(ParseHostPortList("::1:9092"));  // IPv6 needs brackets
  EXPECT_TRUE(ParseHostPortList("h:1,i:65535"));
  EXPECT_EQ(ParseDurationSeconds("45"), 45);
  EXPECT_EQ(ParseDurationSeconds("2m"), 120);
  EXPECT_EQ(ParseDurationSeconds("1500ms"), 2);
  EXPECT_FALSE(ParseDurationSeconds("1h"));
  EXPECT_FALSE(ParseDurationSeconds("-1"));
}

TEST(Descriptions, NameCauseEndpointAndProtocolButNoSecret) {
  EXPECT_EQ(DescribeFailure(FailureKind::kTimeout, Protocol::kMqtt5, "h:1", "no CONNACK"),
            "Timeout on 'h:1' (MQTT 5): no CONNACK");
  ConnectTarget target;
  target.protocol = Protocol::kAmqp10;
  target.endpoint = {"::1", 5672};
  target.password = "hunter22";
  const ConnectOutcome outcome = Failure(FailureKind::kAuthentication, target, "bad hunter22");
  EXPECT_EQ(outcome.description, "Authentication failure on '[::1]:5672' (AMQP 1.0): bad *****");
  EXPECT_EQ(ScrubSecret("abc", std::string("abc")), "abc");  // too short to scrub safely
}

}  // namespace
}  // namespace connectivity::connect
