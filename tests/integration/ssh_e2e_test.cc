// SSH tunnels through the real server (issue 12): test connection and an open connection go
// through a real sshd the test starts (tests/connect/ssh_server.h) to the local brokers; a host
// key that does not match and refused credentials answer Ditto's errors; the tunnel shows in
// the status (sshTunnelStatus) and the logs.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "tests/connect/broker_env.h"
#include "tests/connect/ssh_server.h"
#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

namespace brokers = connect::testing;

class SshE2eTest : public ServerTest {
 protected:
  void SetUp() override {
    if (!BrokersAvailable()) GTEST_SKIP() << "needs the local brokers (run scripts/test)";
    ssh_.emplace();
    if (!ssh_->ok()) GTEST_SKIP() << "no sshd: " << ssh_->error();
    ServerTest::SetUp();
  }

  // An MQTT connection to the local Mosquitto through the test's sshd.
  std::string Connection(const std::string& id, const std::string& status, const std::string& password,
                         const std::string& known_host = "") {
    const std::string tunnel =
        R"({"enabled":true,"credentials":{"type":"plain","username":")" + ssh_->user() + R"(","password":")" +
        password + R"("},"validateHost":)" + (known_host.empty() ? "false" : "true") + R"(,"knownHosts":[)" +
        (known_host.empty() ? "" : "\"" + known_host + "\"") + R"(],"uri":")" + ssh_->uri() + R"("})";
    return R"({"id":")" + id + R"(","connectionType":"mqtt","connectionStatus":")" + status + R"(","uri":")" +
           MqttUri() + R"(","sources":[{"addresses":["devices/#"],"qos":1,"authorizationContext":["ditto:inbound"]}],)"
           R"("targets":[],"sshTunnel":)" + tunnel + "}";
  }
  Json Test(const std::string& connection) {
    return Json(Send(Command("connectivity.commands:testConnection", R"("connection":)" + connection)).body);
  }

  std::optional<brokers::SshServer> ssh_;
};

TEST_F(SshE2eTest, TestConnectionGoesThroughTheTunnelOrAnswersDittosError) {
  const Json ok = Test(Connection("t1", "closed", ssh_->password(), ssh_->host_sha256()));
  EXPECT_EQ(ok.Int("/status"), 200) << ok.Raw("");
  EXPECT_EQ(ssh_->ForwardsTo(brokers::MosquittoAnonPort()), 1) << ssh_->Log();

  const Json mismatch = Test(Connection("t2", "closed", ssh_->password(), "MD5:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"));
  EXPECT_EQ(mismatch.Int("/status"), 504);
  EXPECT_EQ(mismatch.String("/error"), "connectivity:connection.failed");
  EXPECT_EQ(mismatch.String("/message"), "The Connection with ID 't2' failed to connect.");
  EXPECT_EQ(mismatch.String("/description"), "Cause: Server key did not validate");

  const Json refused = Test(Connection("t3", "closed", "wrong-Passw0rd"));
  EXPECT_EQ(refused.Int("/status"), 504);
  EXPECT_EQ(refused.String("/description"), "Cause: No more authentication methods available");
  EXPECT_EQ(refused.Raw("").find("wrong-Passw0rd"), std::string::npos);
}

TEST_F(SshE2eTest, OpenConnectionShowsItsTunnelInStatusAndLogs) {
  ASSERT_EQ(Json(Create(Connection("o1", "open", ssh_->password(), ssh_->host_md5())).body).Int("/status"), 201);
  std::string live;
  for (int i = 0; i < 100 && live != "open"; ++i) {
    live = Json(Rest(port(), "GET", "/o1/status").body).String("/liveStatus").value_or("");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const Json status(Rest(port(), "GET", "/o1/status").body);
  EXPECT_EQ(live, "open") << status.Raw("");
  EXPECT_EQ(status.String("/sshTunnelStatus/0/type"), "ssh");
  EXPECT_EQ(status.String("/sshTunnelStatus/0/status"), "open");
  EXPECT_EQ(status.String("/sshTunnelStatus/0/statusDetails"), "ssh tunnel established.");
  const std::string logs = Json(Rest(port(), "GET", "/o1/logs").body).Raw("/connectionLogs");
  EXPECT_NE(logs.find("SSH tunnel established successfully"), std::string::npos) << logs;
  EXPECT_GE(ssh_->ForwardsTo(brokers::MosquittoAnonPort()), 1);
}

}  // namespace
}  // namespace connectivity::testing
