// Real connections without a broker (REF §7.1, §8; issue 5): test
// connection and open against a closed port fail with 504 naming the cause
// and persist nothing (test) or keep the desired status (open); status
// answers come from the live client, or Ditto's synthetic closed form.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

// A loopback port with nothing listening: bind, read the port, close.
uint16_t ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

std::string MqttAt(const std::string& id, uint16_t port, const std::string& status = "closed") {
  return R"({"id":")" + id + R"(","connectionType":"mqtt","connectionStatus":")" + status +
         R"(","uri":"tcp://127.0.0.1:)" + std::to_string(port) +
         R"(","sources":[{"addresses":["devices/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
}

class LiveTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.env = {{"CONNECTIVITY_CLIENT_CONNECT_TIMEOUT", "2s"}, {"CONNECTIVITY_CLIENT_BACKOFF_MIN", "200ms"}};
    StartServer(options);
  }
};

TEST_F(LiveTest, TestConnectionToAClosedPortIs504AndPersistsNothing) {
  const Json json(Send(Command("connectivity.commands:testConnection", R"("connection":)" + MqttAt("t1", ClosedPort()))).body);
  EXPECT_EQ(json.Int("/status"), 504);
  EXPECT_EQ(json.String("/error"), "connectivity:connection.failed");
  EXPECT_NE(json.String("/description").value_or("").find("refused"), std::string::npos) << json.Raw("");
  EXPECT_EQ(Json(Retrieve("t1").body).Int("/status"), 404);
}

TEST_F(LiveTest, TestConnectionOfAnExistingOrDeletedIdIs409) {
  ASSERT_EQ(Json(Create(MqttConnection("exists")).body).Int("/status"), 201);
  const std::string test = Command("connectivity.commands:testConnection", R"("connection":)" + MqttConnection("exists"));
  EXPECT_EQ(Send(test).body,
            R"({"type":"connectivity.responses:testConnection","status":409,"connectionId":"exists",)"
            R"("testResult":"Connection was already created - no test possible"})");
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:deleteConnection", "exists")).body).Int("/status"), 204);
  EXPECT_EQ(Json(Send(test).body).Int("/status"), 409);
}

TEST_F(LiveTest, TestConnectionValidatesFirst) {
  std::string invalid = MqttAt("bad", ClosedPort());
  invalid.replace(invalid.find("\"qos\":1,"), 8, "");
  const Json json(Send(Command("connectivity.commands:testConnection", R"("connection":)" + invalid)).body);
  EXPECT_EQ(json.Int("/status"), 400);
  EXPECT_EQ(json.String("/error"), "connectivity:connection.configuration.invalid");
}

TEST_F(LiveTest, RestDryRunAnswersLikeTestConnection) {
  std::string body = MqttAt("ignored", ClosedPort());
  const HttpResponse failed = Rest(port(), "POST", "?dry-run=true", body);
  EXPECT_EQ(failed.status, 504);
  EXPECT_EQ(Json(failed.body).String("/error"), "connectivity:connection.failed");
  EXPECT_EQ(Rest(port(), "GET", "?ids-only=true").body, "[]");
}

TEST_F(LiveTest, OpenToAClosedPortIs504ButStaysDesiredOpenAndStatusSaysFailed) {
  const uint16_t closed = ClosedPort();
  ASSERT_EQ(Json(Create(MqttAt("o1", closed)).body).Int("/status"), 201);
  const Json opened(Send(IdCommand("connectivity.commands:openConnection", "o1")).body);
  EXPECT_EQ(opened.Int("/status"), 504) << opened.Raw("");
  EXPECT_EQ(opened.String("/error"), "connectivity:connection.failed");
  EXPECT_EQ(Json(Retrieve("o1").body).String("/connection/connectionStatus"), "open");
  const Json status(Send(IdCommand("connectivity.commands:retrieveConnectionStatus", "o1")).body);
  EXPECT_EQ(status.String("/type"), "connectivity.responses:retrieveConnectionStatus");
  EXPECT_EQ(status.String("/connectionStatus"), "open");
  EXPECT_EQ(status.String("/liveStatus"), "failed");
  EXPECT_EQ(status.String("/clientStatus/0/type"), "client");
  EXPECT_EQ(status.String("/clientStatus/0/client"), "0");
  EXPECT_NE(status.String("/clientStatus/0/statusDetails").value_or("").find("refused"), std::string::npos);
  // Reconnect attempts go on with backoff, counted in the live metrics.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const Json metrics(Rest(port(), "GET", "/o1/metrics").body);
  EXPECT_GE(metrics.Int("/live/connectAttempts/PT1M").value_or(0), 2);
  EXPECT_GE(metrics.Int("/live/connectFailures/PT1M").value_or(0), 2);
  EXPECT_EQ(metrics.Int("/live/connectSuccesses/PT1M"), 0);
  ASSERT_EQ(Rest(port(), "POST", "/o1/command", "connectivity.commands:resetConnectionMetrics", {}, "text/plain").status, 200);
  EXPECT_LE(Json(Rest(port(), "GET", "/o1/metrics").body).Int("/live/connectAttempts/PT1M").value_or(99), 1);
  const Json logs(Rest(port(), "GET", "/o1/logs").body);
  EXPECT_NE(logs.Raw("/connectionLogs").find("Connection failed"), std::string::npos) << logs.Raw("");
  // Close: no client any more; Ditto's synthetic closed status.
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:closeConnection", "o1")).body).Int("/status"), 200);
  const Json closed_status(Rest(port(), "GET", "/o1/status").body);
  EXPECT_EQ(closed_status.String("/liveStatus"), "closed");
  EXPECT_EQ(closed_status.String("/clientStatus/0/statusDetails"), "[DISCONNECTED] connection is closed");
  EXPECT_EQ(closed_status.Raw("/live"), "");
  // SPEC §4.5: the four members, zero, without a client.
  const std::string zero = R"({"PT1M":0,"PT1H":0,"PT24H":0,"lastAt":null})";
  EXPECT_EQ(Json(Rest(port(), "GET", "/o1/metrics").body).Raw("/live"),
            R"({"connectAttempts":)" + zero + R"(,"connectSuccesses":)" + zero + R"(,"connectFailures":)" + zero +
                R"(,"connectedSince":null})");
}

}  // namespace
}  // namespace connectivity::testing
