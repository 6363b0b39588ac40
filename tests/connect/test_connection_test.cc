// TestConnection against every protocol: success with good credentials, and the right failure
// kind with a clear description for a wrong password, a closed port and a silent peer, each
// within its bound. Closed ports and silent peers are in-process and always run; the broker
// cases need scripts/brokers (REQUIRE_BROKERS).
#include "src/connect/test_connection.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "tests/connect/broker_env.h"
#include "tests/connect/test_servers.h"
#include "tests/model/fake_host_resolver.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;

constexpr int64_t kTimeoutUs = 1'500'000;
constexpr int64_t kSlackUs = 2'000'000;  // loose: speed is measured in benchmarks

ConnectSettings Settings(int64_t timeout_us = kTimeoutUs) {
  ConnectSettings settings;
  settings.timeout_us = timeout_us;
  return settings;
}

std::string Loopback(const std::string& scheme, int port, const std::string& user_info = "") {
  return scheme + "://" + (user_info.empty() ? "" : user_info + "@") + "127.0.0.1:" +
         std::to_string(port);
}

struct ProtocolCase {
  const char* name;
  ConnectionType type;
  const char* scheme;
};

// Keeps ctest's test names readable (gtest would print the raw bytes).
void PrintTo(const ProtocolCase& c, std::ostream* out) { *out << c.name; }

const ProtocolCase kProtocols[] = {
    {"Amqp091", ConnectionType::kAmqp091, "amqp"}, {"Amqp10", ConnectionType::kAmqp10, "amqp"},
    {"Mqtt3", ConnectionType::kMqtt, "tcp"},       {"Mqtt5", ConnectionType::kMqtt5, "tcp"},
    {"Http", ConnectionType::kHttpPush, "http"},   {"Kafka", ConnectionType::kKafka, "tcp"},
};

class EveryProtocol : public ::testing::TestWithParam<ProtocolCase> {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  model::Connection ConnectionTo(int port) {
    return MakeConnection(std::string("test-") + GetParam().name, GetParam().type,
                          Loopback(GetParam().scheme, port, "user:s3cret-pass"));
  }
};

TEST_P(EveryProtocol, ClosedPortIsRefusedQuickly) {
  testing::ClosedPort closed;
  const ConnectOutcome outcome = TestConnection(ConnectionTo(closed.port()), Settings());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failure, FailureKind::kRefused) << outcome.description;
  EXPECT_NE(outcome.description.find("Connection refused"), std::string::npos) << outcome.description;
  EXPECT_NE(outcome.description.find("127.0.0.1:" + std::to_string(closed.port())), std::string::npos);
  EXPECT_EQ(outcome.description.find("s3cret-pass"), std::string::npos);
  EXPECT_LT(outcome.duration_us, kTimeoutUs + kSlackUs);
}

TEST_P(EveryProtocol, SilentPeerTimesOutWithinItsBound) {
  testing::SilentPeer silent;
  model::Connection connection = ConnectionTo(silent.port());
  if (GetParam().type == ConnectionType::kHttpPush) {
    // Plain HTTP checks the TCP connection only (as Ditto), which a silent peer accepts; the TLS
    // handshake of https waits for an answer.
    connection.uri = Loopback("https", silent.port(), "user:s3cret-pass");
  }
  const ConnectOutcome outcome = TestConnection(connection, Settings());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failure, FailureKind::kTimeout) << outcome.description;
  EXPECT_NE(outcome.description.find("Timeout"), std::string::npos) << outcome.description;
  EXPECT_NE(outcome.description.find("127.0.0.1:" + std::to_string(silent.port())), std::string::npos);
  EXPECT_GE(outcome.duration_us, kTimeoutUs - 100'000);
  EXPECT_LT(outcome.duration_us, kTimeoutUs + kSlackUs);
  EXPECT_GE(silent.accepted(), 1);  // it really reached the peer
}

TEST_P(EveryProtocol, BlockedLoopbackHostIsNeverContacted) {
  testing::SilentPeer silent;
  ConnectSettings settings = Settings();
  settings.outbound.blocked_hostnames = {"localhost"};  // any resolvable entry turns rules on
  const ConnectOutcome outcome = TestConnection(ConnectionTo(silent.port()), settings);
  EXPECT_EQ(outcome.failure, FailureKind::kBlockedHost) << outcome.description;
  EXPECT_NE(outcome.description.find("The configured host '127.0.0.1' may not be used for the "
                                     "connection because the host is blocked: the hostname "
                                     "resolved to a loopback address (127.0.0.1)."),
            std::string::npos)
      << outcome.description;
  EXPECT_EQ(silent.accepted(), 0);
}

TEST_P(EveryProtocol, AllowedHostnameOverridesTheRules) {
  testing::ClosedPort closed;
  ConnectSettings settings = Settings();
  settings.outbound.blocked_hostnames = {"localhost"};
  settings.outbound.allowed_hostnames = {"127.0.0.1"};
  const ConnectOutcome outcome = TestConnection(ConnectionTo(closed.port()), settings);
  EXPECT_EQ(outcome.failure, FailureKind::kRefused) << outcome.description;
}

TEST_P(EveryProtocol, UnresolvableHostFailsWithoutTraffic) {
  auto resolver = std::make_shared<model::testing::FakeHostResolver>();
  ConnectSettings settings = Settings();
  settings.resolver = resolver;
  model::Connection connection =
      MakeConnection("unresolvable", GetParam().type, std::string(GetParam().scheme) + "://nowhere.test:1234");
  const ConnectOutcome outcome = TestConnection(connection, settings);
  EXPECT_EQ(outcome.failure, FailureKind::kUnresolvable) << outcome.description;
  EXPECT_NE(outcome.description.find("nowhere.test"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Protocols, EveryProtocol, ::testing::ValuesIn(kProtocols),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TestConnection, InvalidConfigurationFailsWithoutNetwork) {
  model::Connection connection = MakeConnection("bad", ConnectionType::kMqtt, "amqp://127.0.0.1:1");
  const ConnectOutcome outcome = TestConnection(connection, Settings());
  EXPECT_EQ(outcome.failure, FailureKind::kOther);
  EXPECT_NE(outcome.description.find("scheme 'amqp' is not valid"), std::string::npos)
      << outcome.description;
}

// A hono connection has no endpoint of its own: it goes where the service's Hono settings say.
TEST(TestConnection, HonoConnectsWhereTheHonoSettingsSay) {
  testing::ClosedPort closed;
  model::Connection connection = MakeConnection("hono", ConnectionType::kHono, "");
  ConnectSettings settings = Settings();
  settings.hono.base_uri = "tcp://127.0.0.1:" + std::to_string(closed.port());
  settings.hono.bootstrap_servers = "127.0.0.1:" + std::to_string(closed.port());
  const ConnectOutcome outcome = TestConnection(connection, settings);
  EXPECT_EQ(outcome.failure, FailureKind::kRefused) << outcome.description;
  EXPECT_NE(outcome.description.find("127.0.0.1:" + std::to_string(closed.port())), std::string::npos)
      << outcome.description;
  EXPECT_NE(outcome.description.find("(Kafka)"), std::string::npos) << outcome.description;
  EXPECT_EQ(outcome.description.find("honoPassword"), std::string::npos) << outcome.description;
}

}  // namespace
}  // namespace connectivity::connect
