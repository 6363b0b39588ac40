// Real connections through the real server against the local brokers
// (issue 5; scripts/test starts RabbitMQ, Mosquitto and the Kafka mock):
// test connection per protocol with good credentials, a wrong password, a
// closed port and a silent peer; open connections the broker really sees,
// that turn failed when the broker stops and come back by themselves, that
// go away on close, and that return after a restart of the service.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "tests/connect/broker_env.h"
#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

namespace brokers = connect::testing;

// Ditto's bootstrap-servers pattern (src/model/kafka_specific_config.cc) rejects ports
// 60000-60999, which lie in Linux's ephemeral range (32768-60999): a Kafka connection to such a
// port is invalid (400), not unreachable. Every port below 60000 is accepted.
bool KafkaPatternAccepts(uint16_t port) { return port > 0 && port < 60000; }

// A listener on 127.0.0.1 that accepts (in the kernel) and never speaks, on a port every
// protocol's validation accepts (the kernel's ports it did not want stay bound until then, so
// that each try gets another one).
class SilentPeer {
 public:
  SilentPeer() {
    std::vector<int> rejected;
    for (int attempt = 0; attempt < 100; ++attempt) {
      fd_ = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
      socklen_t size = sizeof(address);
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
      port_ = ntohs(address.sin_port);
      if (KafkaPatternAccepts(port_)) break;
      rejected.push_back(fd_);
    }
    for (int fd : rejected) close(fd);
    listen(fd_, 16);
  }
  ~SilentPeer() { close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

uint16_t ClosedPort() {
  SilentPeer peer;
  return peer.port();  // closed when `peer` goes
}

struct Protocol {
  std::string name;
  std::string type;
  // The connection JSON for "user:password" at port (empty user info: none).
  std::function<std::string(const std::string& id, const std::string& user_info, uint16_t port)> json;
  uint16_t port;
  std::string good_user_info;
  std::string wrong_user_info;  // empty: the broker has no authentication to get wrong
};

std::string Uri(const std::string& scheme, const std::string& user_info, uint16_t port,
                const std::string& path = "") {
  return scheme + "://" + (user_info.empty() ? "" : user_info + "@") + "127.0.0.1:" + std::to_string(port) + path;
}

std::string WithTarget(const std::string& id, const std::string& type, const std::string& uri,
                       const std::string& address, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","connectionType":")" + type + R"(","connectionStatus":"closed","uri":")" + uri +
         R"(","targets":[{"address":")" + address +
         R"(","topics":["_/_/things/twin/events"],"qos":0,"authorizationContext":["integration:test"]}])" + extra + "}";
}

class BrokersE2eTest : public ServerTest {
 protected:
  void SetUp() override {
    if (!BrokersAvailable()) GTEST_SKIP() << "needs the local brokers (run scripts/test)";
    ServerOptions options;
    // 4 s: RabbitMQ answers a wrong AMQP 1.0 password only after 3 s.
    options.env = {{"CONNECTIVITY_CLIENT_CONNECT_TIMEOUT", "4s"},
                   {"CONNECTIVITY_CLIENT_BACKOFF_MIN", "200ms"},
                   {"CONNECTIVITY_CLIENT_BACKOFF_MAX", "1s"}};
    StartServer(options);
  }

  std::vector<Protocol> Protocols() {
    const std::string kafka = brokers::KafkaBootstrap();
    const uint16_t kafka_port = static_cast<uint16_t>(std::stoi(kafka.substr(kafka.rfind(':') + 1)));
    const auto amqp = [](const std::string& type) {
      return [type](const std::string& id, const std::string& user_info, uint16_t port) {
        return WithTarget(id, type, Uri("amqp", user_info, port), "events");
      };
    };
    const auto mqtt = [](const std::string& type) {
      return [type](const std::string& id, const std::string& user_info, uint16_t port) {
        return WithTarget(id, type, Uri("tcp", user_info, port), "events");
      };
    };
    return {
        {"AMQP 0.9.1", "amqp-091", amqp("amqp-091"), static_cast<uint16_t>(brokers::RabbitPort()), "guest:guest", "guest:wrong"},
        {"AMQP 1.0", "amqp-10", amqp("amqp-10"), static_cast<uint16_t>(brokers::RabbitPort()), "guest:guest", "guest:wrong"},
        {"MQTT 3.1.1", "mqtt", mqtt("mqtt"), static_cast<uint16_t>(brokers::MosquittoPort()), "test:test", "test:wrong"},
        {"MQTT 5", "mqtt-5", mqtt("mqtt-5"), static_cast<uint16_t>(brokers::MosquittoPort()), "test:test", "test:wrong"},
        {"Kafka", "kafka",
         [](const std::string& id, const std::string&, uint16_t port) {
           const std::string servers = "127.0.0.1:" + std::to_string(port);
           return WithTarget(id, "kafka", "tcp://" + servers, "events",
                             R"(,"specificConfig":{"bootstrapServers":")" + servers + R"("})");
         },
         kafka_port, "", ""},
        // HTTP push against this server's own port. As in Ditto, a test checks the TCP
        // connection and not the Basic credentials (they go with each message).
        {"HTTP", "http-push",
         [](const std::string& id, const std::string& user_info, uint16_t port) {
           return WithTarget(id, "http-push", Uri("http", user_info, port, "/api/2/connections"), "POST:/events");
         },
         port(), "devops:foobar", ""},
    };
  }

  // testConnection through piggyback: the answer and how long it took.
  std::pair<Json, double> Test(const std::string& connection) {
    const auto start = std::chrono::steady_clock::now();
    const HttpResponse response = Send(Command("connectivity.commands:testConnection", R"("connection":)" + connection));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {Json(response.body), seconds};
  }

  void ExpectFailure(const Protocol& protocol, const std::string& connection, const std::string& cause) {
    const auto [json, seconds] = Test(connection);
    EXPECT_EQ(json.Int("/status"), 504) << protocol.name << " " << cause << ": " << json.Raw("");
    EXPECT_EQ(json.String("/error"), "connectivity:connection.failed") << protocol.name;
    std::string description = json.String("/description").value_or("");
    for (char& c : description) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(description.find(cause), std::string::npos) << protocol.name << ": " << description;
    EXPECT_EQ(description.find("wrong"), std::string::npos) << "no password in " << description;
    EXPECT_LT(seconds, 4.0 + 3.0) << protocol.name << " " << cause << " took too long";
  }

  std::string LiveStatus(const std::string& id) {
    return Json(Rest(port(), "GET", "/" + id + "/status").body).String("/liveStatus").value_or("");
  }
  bool WaitForLiveStatus(const std::string& id, const std::string& status, int timeout_ms = 10000) {
    return brokers::WaitUntil([&] { return LiveStatus(id) == status; }, timeout_ms);
  }
};

TEST_F(BrokersE2eTest, TestConnectionPerProtocol) {
  for (const Protocol& protocol : Protocols()) {
    const auto [ok, seconds] = Test(protocol.json("t-" + protocol.type, protocol.good_user_info, protocol.port));
    EXPECT_EQ(ok.Int("/status"), 200) << protocol.name << ": " << ok.Raw("");
    EXPECT_EQ(ok.String("/testResult"), "Success(successfully connected + initialized mapper)") << protocol.name;
    if (!protocol.wrong_user_info.empty()) {
      ExpectFailure(protocol, protocol.json("w-" + protocol.type, protocol.wrong_user_info, protocol.port), "authentication");
    }
    ExpectFailure(protocol, protocol.json("c-" + protocol.type, protocol.good_user_info, ClosedPort()), "refused");
    SilentPeer silent;
    if (protocol.type == "http-push") {  // plain HTTP: the TCP connection is the whole check
      const auto [reached, _] = Test(protocol.json("s-" + protocol.type, protocol.good_user_info, silent.port()));
      EXPECT_EQ(reached.Int("/status"), 200) << reached.Raw("");
      continue;
    }
    ExpectFailure(protocol, protocol.json("s-" + protocol.type, protocol.good_user_info, silent.port()), "timeout");
  }
  EXPECT_EQ(Rest(port(), "GET", "?ids-only=true").body, "[]") << "a test persists nothing";
}

TEST_F(BrokersE2eTest, OpenConnectionsAreSeenByTheBrokerAndGoneAfterClose) {
  brokers::MosquittoClientsWatcher watcher;
  ASSERT_TRUE(watcher.WaitFor(0));
  const std::string mqtt = WithTarget("live-mqtt", "mqtt", Uri("tcp", "", static_cast<uint16_t>(brokers::MosquittoAnonPort())), "events");
  ASSERT_EQ(Json(Create(mqtt).body).Int("/status"), 201);
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:openConnection", "live-mqtt")).body).Int("/status"), 200);
  EXPECT_EQ(LiveStatus("live-mqtt"), "open");
  EXPECT_TRUE(watcher.WaitFor(1)) << "Mosquitto sees the client";

  const std::string amqp = WithTarget("live-amqp", "amqp-091", Uri("amqp", "guest:guest", static_cast<uint16_t>(brokers::RabbitPort())), "events");
  ASSERT_EQ(Json(Create(amqp).body).Int("/status"), 201);
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:openConnection", "live-amqp")).body).Int("/status"), 200);
  EXPECT_TRUE(brokers::WaitUntil([] { return brokers::RabbitConnectionsNamed("live-amqp") == 1; }, 10000))
      << "RabbitMQ lists the connection by its id";
  const Json status(Rest(port(), "GET", "/live-amqp/status").body);
  EXPECT_EQ(status.String("/clientStatus/0/status"), "open");
  EXPECT_TRUE(status.String("/connectedSince").has_value());

  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:closeConnection", "live-mqtt")).body).Int("/status"), 200);
  EXPECT_TRUE(watcher.WaitFor(0)) << "Mosquitto sees the client go";
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:deleteConnection", "live-amqp")).body).Int("/status"), 204);
  EXPECT_TRUE(brokers::WaitUntil([] { return brokers::RabbitConnectionsNamed("live-amqp") == 0; }, 10000));
}

TEST_F(BrokersE2eTest, BrokerStopTurnsStatusFailedAndTheServiceReconnects) {
  const std::string mqtt = WithTarget("flaky", "mqtt", Uri("tcp", "", static_cast<uint16_t>(brokers::MosquittoAnonPort())), "events");
  ASSERT_EQ(Json(Create(mqtt).body).Int("/status"), 201);
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:openConnection", "flaky")).body).Int("/status"), 200);
  ASSERT_EQ(brokers::Brokers("stop mosquitto"), 0);
  EXPECT_TRUE(WaitForLiveStatus("flaky", "failed")) << LiveStatus("flaky");
  const Json failed(Rest(port(), "GET", "/flaky/status").body);
  EXPECT_FALSE(failed.String("/clientStatus/0/statusDetails").value_or("").empty());
  ASSERT_EQ(brokers::Brokers("start mosquitto"), 0);
  EXPECT_TRUE(WaitForLiveStatus("flaky", "open")) << "reconnected without a command";
  const Json logs(Rest(port(), "GET", "/flaky/logs").body);
  EXPECT_NE(logs.Raw("/connectionLogs").find("Connection failed"), std::string::npos);
}

TEST_F(BrokersE2eTest, OpenConnectionsComeBackAfterARestart) {
  brokers::MosquittoClientsWatcher watcher;
  ASSERT_TRUE(watcher.WaitFor(0));
  for (const char* id : {"back-1", "back-2"}) {
    const std::string mqtt = WithTarget(id, "mqtt", Uri("tcp", "", static_cast<uint16_t>(brokers::MosquittoAnonPort())), "events");
    ASSERT_EQ(Json(Create(mqtt).body).Int("/status"), 201);
    ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:openConnection", id)).body).Int("/status"), 200);
  }
  EXPECT_TRUE(watcher.WaitFor(2));
  ServerOptions options;
  options.env = {{"CONNECTIVITY_CLIENT_CONNECT_TIMEOUT", "2s"}};
  RestartServer(options);
  EXPECT_TRUE(WaitForLiveStatus("back-1", "open"));
  EXPECT_TRUE(WaitForLiveStatus("back-2", "open"));
  EXPECT_TRUE(watcher.WaitFor(2)) << "both clients back at the broker, no command sent";
}

// Issue 12's walk-through: a source queue that does not exist fails the test with Ditto's error,
// and an open connection reports that source failed with RabbitMQ's words, in status and logs.
TEST_F(BrokersE2eTest, MissingSourceQueueFailsTestStatusAndLogs) {
  const std::string amqp = Uri("amqp", "guest:guest", static_cast<uint16_t>(brokers::RabbitPort()));
  const std::string body = R"({"connectionType":"amqp-091","connectionStatus":"open","uri":")" + amqp +
                           R"(","sources":[{"addresses":["no-such-queue"],"authorizationContext":["ditto:inbound"]}]})";
  const HttpResponse dry_run = Rest(port(), "POST", "?dry-run=true", body);
  EXPECT_EQ(dry_run.status, 504) << dry_run.body;
  const Json failure(dry_run.body);
  EXPECT_EQ(failure.String("/error"), "connectivity:connection.failed");
  EXPECT_EQ(failure.String("/description"), "The queues [no-such-queue] to connect to are missing.");

  EXPECT_EQ(Rest(port(), "PUT", "/amqp1", body).status, 201);
  ASSERT_TRUE(WaitForLiveStatus("amqp1", "failed")) << LiveStatus("amqp1");
  const Json status(Rest(port(), "GET", "/amqp1/status").body);
  EXPECT_EQ(status.String("/sourceStatus/0/address"), "no-such-queue");
  EXPECT_EQ(status.String("/sourceStatus/0/status"), "failed");
  EXPECT_EQ(status.String("/sourceStatus/0/statusDetails"), "404 NOT_FOUND - no queue 'no-such-queue' in vhost '/'");
  EXPECT_EQ(status.String("/clientStatus/0/statusDetails"), "The queues [no-such-queue] to connect to are missing.");
  const std::string logs = Json(Rest(port(), "GET", "/amqp1/logs").body).Raw("/connectionLogs");
  EXPECT_NE(logs.find(R"("category":"source")"), std::string::npos) << logs;
  EXPECT_NE(logs.find(R"("address":"no-such-queue")"), std::string::npos) << logs;
  EXPECT_NE(logs.find("404 NOT_FOUND"), std::string::npos) << logs;

  // AMQP 1.0: Ditto's own message names the consumer it could not start.
  const std::string amqp10 = R"({"id":"t-10","connectionType":"amqp-10","connectionStatus":"closed","uri":")" +
                             amqp + R"(","sources":[{"addresses":["/amq/queue/no-such-queue"],)"
                             R"("authorizationContext":["ditto:inbound"]}]})";
  const auto [refused, seconds] = Test(amqp10);
  EXPECT_EQ(refused.Int("/status"), 504) << refused.Raw("");
  EXPECT_EQ(refused.String("/message"), "Failed to consume sources: [/amq/queue/no-such-queue-0]");
  EXPECT_NE(refused.String("/description").value_or("").find("[condition = amqp:not-found]"), std::string::npos)
      << refused.Raw("");
  EXPECT_LT(seconds, 3.0);
}

}  // namespace
}  // namespace connectivity::testing
