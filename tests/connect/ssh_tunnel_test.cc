// SSH tunnels (src/connect/ssh_tunnel.h) through a real sshd the test starts (SshServer) to the
// brokers of scripts/brokers: password and public-key credentials, host keys checked against
// MD5 and SHA256 fingerprints, and Ditto's answers when the host key does not match, the
// credentials are refused, no SSH server listens, or sshd cannot reach the target. sshd's own
// log proves that the traffic went through it. The Supervisor keeps a connection open through a
// tunnel, reports it (sshTunnelStatus), and reconnects after the SSH server came back.
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>
#include <optional>
#include <vector>

#include "src/connect/ssh_tunnel.h"
#include "src/connect/supervisor.h"
#include "src/connect/test_connection.h"
#include "tests/connect/broker_env.h"
#include "tests/connect/ssh_server.h"
#include "tests/connect/test_servers.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;
using testing::WaitUntil;

ConnectSettings Settings() {
  ConnectSettings settings;
  settings.timeout_us = 5'000'000;
  return settings;
}

model::SshTunnel Tunnel(const testing::SshServer& server, model::Credentials credentials) {
  model::SshTunnel tunnel;
  tunnel.enabled = true;
  tunnel.uri = server.uri();
  tunnel.credentials = std::move(credentials);
  return tunnel;
}

model::Credentials Password(const testing::SshServer& server, const std::string& password) {
  return model::UserPasswordCredentials{server.user(), password};
}

model::Credentials PublicKey(const testing::SshServer& server) {
  return model::SshPublicKeyCredentials{server.user(), server.public_key_pem(), server.private_key_pem()};
}

TEST(KnownHosts, FingerprintsMatchAsMinaComparesThem) {
  const std::vector<std::string> fingerprints = {"MD5:ba:41:78:c5", "SHA1:QHudQb7M",
                                                 "SHA256:DiCgHZuJU+V6h0S3FhqwK9qV0EUvx/suk7g0GX8yKdo"};
  EXPECT_TRUE(MatchesKnownHost(fingerprints, {"MD5:BA:41:78:C5"}));
  EXPECT_TRUE(MatchesKnownHost(fingerprints, {"nope", "SHA256:DiCgHZuJU+V6h0S3FhqwK9qV0EUvx/suk7g0GX8yKdo"}));
  EXPECT_TRUE(MatchesKnownHost(fingerprints, {"DiCgHZuJU+V6h0S3FhqwK9qV0EUvx/suk7g0GX8yKdo"})) << "SHA256 by default";
  EXPECT_FALSE(MatchesKnownHost(fingerprints, {"SHA256:dicghzuju+v6h0s3fhqwk9qv0euvx/suk7g0gx8ykdo"}));
  EXPECT_FALSE(MatchesKnownHost(fingerprints, {"MD5:ba:41:78:c6"}));
  EXPECT_FALSE(MatchesKnownHost(fingerprints, {}));
}

class SshTunnels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  void SetUp() override {
    REQUIRE_BROKERS();
    server_.emplace();
    if (!server_->ok()) GTEST_SKIP() << "no sshd: " << server_->error();
  }
  model::Connection Amqp(model::Credentials credentials) {
    model::Connection connection = MakeConnection(
        "tunneled", ConnectionType::kAmqp091, "amqp://guest:guest@127.0.0.1:" + std::to_string(testing::RabbitPort()));
    connection.ssh_tunnel = Tunnel(*server_, std::move(credentials));
    return connection;
  }

  std::optional<testing::SshServer> server_;
};

TEST_F(SshTunnels, PasswordTunnelCarriesAmqp) {
  const int before = server_->ForwardsTo(testing::RabbitPort());
  const ConnectOutcome outcome = TestConnection(Amqp(Password(*server_, server_->password())), Settings());
  ASSERT_TRUE(outcome.ok) << outcome.description;
  ASSERT_TRUE(outcome.tunnel.has_value());
  EXPECT_TRUE(outcome.tunnel->ok);
  EXPECT_EQ(outcome.tunnel->detail, "SSH tunnel established successfully");
  EXPECT_NE(outcome.description.find("127.0.0.1:" + std::to_string(testing::RabbitPort())), std::string::npos)
      << "descriptions name the configured endpoint, not the tunnel's local end";
  EXPECT_TRUE(WaitUntil([&] { return server_->ForwardsTo(testing::RabbitPort()) == before + 1; }, 2000))
      << server_->Log();
  EXPECT_NE(server_->Log().find("Accepted password for " + server_->user()), std::string::npos);
  // Every session goes with its test: sshd holds no connection of ours afterwards.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(TestConnection(Amqp(Password(*server_, server_->password())), Settings()).ok);
  EXPECT_EQ(TestConnection(Amqp(Password(*server_, "wrong")), Settings()).failure, FailureKind::kTunnel);
  EXPECT_TRUE(WaitUntil([&] { return testing::ServerSideConnections(server_->port()) == 0; }, 3000))
      << testing::ServerSideConnections(server_->port()) << " sessions left at sshd";
}

TEST_F(SshTunnels, PublicKeyTunnelWithKnownHostCarriesMqttAndHttp) {
  for (const std::string& fingerprint : {server_->host_md5(), server_->host_sha256()}) {
    SCOPED_TRACE(fingerprint);
    model::Connection mqtt = MakeConnection(
        "tunneled", ConnectionType::kMqtt5, "tcp://127.0.0.1:" + std::to_string(testing::MosquittoAnonPort()));
    mqtt.ssh_tunnel = Tunnel(*server_, PublicKey(*server_));
    mqtt.ssh_tunnel->validate_host = true;
    mqtt.ssh_tunnel->known_hosts = {"MD5:00:11:22", fingerprint};
    const ConnectOutcome outcome = TestConnection(mqtt, Settings());
    EXPECT_TRUE(outcome.ok) << outcome.description << "\nsshd: " << server_->Log();
  }
  EXPECT_EQ(server_->ForwardsTo(testing::MosquittoAnonPort()), 2);
  EXPECT_NE(server_->Log().find("Accepted publickey for " + server_->user()), std::string::npos);
  testing::HttpTestServer http;
  model::Connection push = MakeConnection("tunneled", ConnectionType::kHttpPush,
                                          "http://127.0.0.1:" + std::to_string(http.port()));
  push.ssh_tunnel = Tunnel(*server_, PublicKey(*server_));
  EXPECT_TRUE(TestConnection(push, Settings()).ok);
  EXPECT_TRUE(WaitUntil([&] { return server_->ForwardsTo(http.port()) == 1; }, 2000));
}

TEST_F(SshTunnels, RefusalsAnswerAsDitto) {
  model::Connection mismatch = Amqp(PublicKey(*server_));
  mismatch.ssh_tunnel->validate_host = true;
  mismatch.ssh_tunnel->known_hosts = {"SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
  const ConnectOutcome host_key = TestConnection(mismatch, Settings());
  EXPECT_EQ(host_key.failure, FailureKind::kTunnel);
  EXPECT_EQ(host_key.description, "Cause: Server key did not validate");
  EXPECT_EQ(host_key.tunnel->detail, "SSH session authentication failed: Server key did not validate");

  const ConnectOutcome password = TestConnection(Amqp(Password(*server_, "wrong-Passw0rd")), Settings());
  EXPECT_EQ(password.failure, FailureKind::kTunnel);
  EXPECT_EQ(password.description, "Cause: No more authentication methods available");
  EXPECT_LT(password.duration_us, 4'000'000);

  testing::ClosedPort closed;
  model::Connection nobody = Amqp(Password(*server_, server_->password()));
  nobody.ssh_tunnel->uri = "ssh://127.0.0.1:" + std::to_string(closed.port());
  const ConnectOutcome refused = TestConnection(nobody, Settings());
  EXPECT_EQ(refused.failure, FailureKind::kTunnel);
  EXPECT_EQ(refused.description, "Cause: Connection refused");
  EXPECT_EQ(refused.tunnel->detail, "SSH connection failed: Connection refused");

  // The tunnel stands, but sshd cannot reach the connection's host.
  model::Connection unreachable = Amqp(Password(*server_, server_->password()));
  unreachable.uri = "amqp://guest:guest@127.0.0.1:" + std::to_string(closed.port());
  const ConnectOutcome target = TestConnection(unreachable, Settings());
  EXPECT_EQ(target.failure, FailureKind::kRefused) << target.description;
  EXPECT_NE(target.description.find("through the SSH tunnel"), std::string::npos) << target.description;
  EXPECT_NE(target.description.find("127.0.0.1:" + std::to_string(closed.port())), std::string::npos);
  for (const ConnectOutcome* outcome : {&host_key, &password, &refused, &target}) {
    EXPECT_EQ(outcome->description.find(server_->password()), std::string::npos) << outcome->description;
  }
}

TEST_F(SshTunnels, SupervisorKeepsTheTunnelAndReconnectsThroughIt) {
  Supervisor::Options options;
  options.connect.timeout_us = 3'000'000;
  options.connect.heartbeat_us = 5'000'000;
  options.backoff_min_us = 100'000;
  options.backoff_max_us = 500'000;
  SystemClock clock;
  Supervisor supervisor(options, clock);
  std::vector<ConnectEvent> events;
  std::mutex mutex;
  supervisor.SetEventListener([&](const ConnectEvent& event) {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(event);
  });
  supervisor.Start();
  model::Connection connection = MakeConnection(
      "tunneled", ConnectionType::kMqtt, "tcp://127.0.0.1:" + std::to_string(testing::MosquittoAnonPort()));
  connection.ssh_tunnel = Tunnel(*server_, Password(*server_, server_->password()));
  supervisor.Open(connection, [](const ConnectOutcome&) {});
  auto live = [&] { return supervisor.Status("tunneled").value_or(LiveStatus{}); };
  ASSERT_TRUE(WaitUntil([&] { return live().live_status == "open"; }, 5000)) << live().client_status.at(0).status_details;
  ASSERT_EQ(live().ssh_tunnel_status.size(), 1u);
  EXPECT_EQ(live().ssh_tunnel_status[0].type, "ssh");
  EXPECT_EQ(live().ssh_tunnel_status[0].status, "open");
  EXPECT_EQ(live().ssh_tunnel_status[0].status_details, "ssh tunnel established.");

  server_->Stop();  // sshd and its sessions: the tunnel breaks
  ASSERT_TRUE(WaitUntil([&] { return live().live_status == "failed"; }, 5000));
  EXPECT_TRUE(WaitUntil([&] {
    return live().ssh_tunnel_status.at(0).status_details == "SSH tunnel failed: Connection refused";
  }, 5000)) << "the reconnects meet the stopped server: " << live().ssh_tunnel_status.at(0).status_details;
  EXPECT_EQ(live().ssh_tunnel_status[0].status, "failed");
  ASSERT_TRUE(server_->Start());
  ASSERT_TRUE(WaitUntil([&] { return live().live_status == "open"; }, 5000)) << live().client_status.at(0).status_details;
  EXPECT_EQ(live().ssh_tunnel_status[0].status, "open");
  supervisor.Stop();
  std::lock_guard<std::mutex> lock(mutex);
  bool established = false, failed = false;
  for (const ConnectEvent& event : events) {
    if (!event.tunnel) continue;
    established |= event.tunnel->ok;
    failed |= event.tunnel->detail == "SSH connection failed: Connection refused";
  }
  EXPECT_TRUE(established);
  EXPECT_TRUE(failed);
}

}  // namespace
}  // namespace connectivity::connect
