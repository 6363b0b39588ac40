// The Supervisor against the real brokers: an open connection is seen by the broker, turns
// failed with the cause when the broker stops, reconnects by itself when it is back, and goes
// away from the broker on Close and on Stop. Broker restarts are few (RabbitMQ takes seconds).
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>
#include <vector>
#include <optional>

#include "src/connect/supervisor.h"
#include "tests/connect/broker_admin.h"
#include "tests/connect/broker_env.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;
using testing::WaitUntil;

Supervisor::Options Options() {
  Supervisor::Options options;
  options.connect.timeout_us = 2'000'000;
  options.connect.heartbeat_us = 5'000'000;
  options.connect.recheck_interval_us = 300'000;
  options.backoff_min_us = 100'000;
  options.backoff_max_us = 500'000;
  return options;
}

class SupervisorBrokers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  void SetUp() override { REQUIRE_BROKERS(); }

  std::string Live(const std::string& id) {
    std::optional<LiveStatus> status = supervisor_.Status(id);
    return status ? status->live_status : "none";
  }
  std::string Details(const std::string& id) {
    std::optional<LiveStatus> status = supervisor_.Status(id);
    return status ? status->client_status.at(0).status_details : "";
  }

  SystemClock clock_;
  Supervisor supervisor_{Options(), clock_};
};

TEST_F(SupervisorBrokers, MqttOpenRestartReconnectAndClose) {
  const int port = testing::MosquittoPort();
  std::optional<testing::MosquittoClientsWatcher> watcher(std::in_place);
  ASSERT_TRUE(watcher->WaitFor(0)) << watcher->clients();
  supervisor_.Start();
  supervisor_.Open(MakeConnection("mqtt-live", ConnectionType::kMqtt,
                                  "tcp://test:test@127.0.0.1:" + std::to_string(port)),
                   [](const ConnectOutcome&) {});
  ASSERT_TRUE(WaitUntil([&] { return Live("mqtt-live") == "open"; }, 3000)) << Details("mqtt-live");
  EXPECT_TRUE(watcher->WaitFor(1)) << watcher->clients();
  EXPECT_EQ(testing::ServerSideConnections(port), 1);

  watcher.reset();
  ASSERT_EQ(testing::Brokers("stop mosquitto"), 0);
  ASSERT_TRUE(WaitUntil([&] { return Live("mqtt-live") == "failed"; }, 3000));
  EXPECT_NE(Details("mqtt-live").find("connection lost"), std::string::npos) << Details("mqtt-live");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // retries meet a closed port
  EXPECT_NE(Details("mqtt-live").find("Connection refused"), std::string::npos) << Details("mqtt-live");
  EXPECT_EQ(supervisor_.Status("mqtt-live")->recovery_status, "backOffLimitReached");

  ASSERT_EQ(testing::Brokers("start mosquitto"), 0);
  ASSERT_TRUE(WaitUntil([&] { return Live("mqtt-live") == "open"; }, 5000)) << Details("mqtt-live");
  EXPECT_EQ(supervisor_.Status("mqtt-live")->recovery_status, "succeeded");
  watcher.emplace();
  EXPECT_TRUE(watcher->WaitFor(1)) << watcher->clients();
  supervisor_.Close("mqtt-live");
  EXPECT_TRUE(watcher->WaitFor(0)) << watcher->clients();
  EXPECT_EQ(testing::ServerSideConnections(port), 0);
}

TEST_F(SupervisorBrokers, AmqpBothProtocolsSurviveARabbitMqRestart) {
  const int port = testing::RabbitPort();
  const std::string uri = "amqp://guest:guest@127.0.0.1:" + std::to_string(port);
  std::mutex mutex;
  std::vector<ConnectEvent> events;
  supervisor_.SetEventListener([&](const ConnectEvent& event) {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(event);
  });
  supervisor_.Start();
  supervisor_.Open(MakeConnection("amqp091-live", ConnectionType::kAmqp091, uri), [](const ConnectOutcome&) {});
  supervisor_.Open(MakeConnection("amqp10-live", ConnectionType::kAmqp10, uri), [](const ConnectOutcome&) {});
  ASSERT_TRUE(WaitUntil([&] { return Live("amqp091-live") == "open" && Live("amqp10-live") == "open"; }, 5000))
      << Details("amqp091-live") << " / " << Details("amqp10-live");
  EXPECT_EQ(testing::RabbitConnectionsNamed("amqp091-live"), 1);
  EXPECT_EQ(testing::ServerSideConnections(port), 2);  // the AMQP 1.0 client too

  ASSERT_EQ(testing::Brokers("stop rabbitmq"), 0);
  ASSERT_TRUE(WaitUntil([&] { return Live("amqp091-live") == "failed" && Live("amqp10-live") == "failed"; }, 5000));
  {
    // The loss names the broker's reason before the retries meet a closed port.
    std::lock_guard<std::mutex> lock(mutex);
    bool forced = false;
    for (const ConnectEvent& event : events) {
      forced |= event.connection_id == "amqp091-live" && !event.success &&
                event.message.find("CONNECTION_FORCED") != std::string::npos;
    }
    EXPECT_TRUE(forced);
  }

  ASSERT_EQ(testing::Brokers("start rabbitmq"), 0);
  ASSERT_TRUE(WaitUntil([&] { return Live("amqp091-live") == "open" && Live("amqp10-live") == "open"; }, 10000))
      << Details("amqp091-live") << " / " << Details("amqp10-live");
  EXPECT_EQ(testing::ServerSideConnections(port), 2);
  supervisor_.Close("amqp091-live");
  EXPECT_TRUE(WaitUntil([&] { return testing::RabbitConnectionsNamed("amqp091-live") == 0; }, 5000));
  EXPECT_TRUE(WaitUntil([&] { return testing::ServerSideConnections(port) == 1; }, 2000));
  // Stop closes the rest at the protocol level: the broker sees them go.
  supervisor_.Stop();
  EXPECT_TRUE(WaitUntil([&] { return testing::ServerSideConnections(port) == 0; }, 2000));
}

TEST_F(SupervisorBrokers, KafkaBrokerDownAndUp) {
  supervisor_.Start();
  supervisor_.Open(MakeConnection("kafka-live", ConnectionType::kKafka, "tcp://" + testing::KafkaBootstrap()),
                   [](const ConnectOutcome&) {});
  ASSERT_TRUE(WaitUntil([&] { return Live("kafka-live") == "open"; }, 3000)) << Details("kafka-live");
  ASSERT_EQ(testing::Brokers("kafka-broker down"), 0);
  const bool failed = WaitUntil([&] { return Live("kafka-live") == "failed"; }, 6000);
  ASSERT_EQ(testing::Brokers("kafka-broker up"), 0);
  ASSERT_TRUE(failed) << Details("kafka-live");
  ASSERT_TRUE(WaitUntil([&] { return Live("kafka-live") == "open"; }, 6000)) << Details("kafka-live");
}

TEST_F(SupervisorBrokers, StopClosesMqttClientsAtTheBroker) {
  testing::MosquittoClientsWatcher watcher;
  ASSERT_TRUE(watcher.WaitFor(0)) << watcher.clients();
  supervisor_.Start();
  for (int i = 0; i < 3; ++i) {
    supervisor_.Open(MakeConnection("mqtt-stop-" + std::to_string(i), ConnectionType::kMqtt5,
                                    "tcp://127.0.0.1:" + std::to_string(testing::MosquittoAnonPort())),
                     [](const ConnectOutcome&) {});
  }
  ASSERT_TRUE(WaitUntil([&] {
    return Live("mqtt-stop-0") == "open" && Live("mqtt-stop-1") == "open" && Live("mqtt-stop-2") == "open";
  }, 3000));
  EXPECT_TRUE(watcher.WaitFor(3)) << watcher.clients();
  supervisor_.Stop();
  EXPECT_TRUE(watcher.WaitFor(0)) << watcher.clients();
}

// Each source address has its own status and the broker's words; a missing queue fails the
// attempt, and every reconnect checks again, so the connection opens once the queue exists.
TEST_F(SupervisorBrokers, AddressesHaveTheirOwnStatusRecheckedAtEveryReconnect) {
  ASSERT_TRUE(testing::RabbitDeclareQueue("live-here"));
  ASSERT_TRUE(testing::RabbitDeleteQueue("live-later"));
  model::Connection connection = MakeConnection(
      "addresses", ConnectionType::kAmqp091, "amqp://guest:guest@127.0.0.1:" + std::to_string(testing::RabbitPort()));
  model::Source source;
  source.addresses = {"live-here", "live-later"};
  source.authorization_context = {"integration:test"};
  connection.sources.push_back(source);
  std::vector<ConnectEvent> events;
  std::mutex mutex;
  supervisor_.SetEventListener([&](const ConnectEvent& event) {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(event);
  });
  supervisor_.Start();
  std::optional<ConnectOutcome> first;
  supervisor_.Open(connection, [&](const ConnectOutcome& outcome) {
    std::lock_guard<std::mutex> lock(mutex);
    first = outcome;
  });
  ASSERT_TRUE(WaitUntil([&] { return Live("addresses") == "failed"; }, 3000)) << Details("addresses");
  LiveStatus failed = *supervisor_.Status("addresses");
  EXPECT_EQ(failed.client_status[0].status_details, "The queues [live-later] to connect to are missing.");
  ASSERT_EQ(failed.source_status.size(), 2u);
  EXPECT_EQ(failed.source_status[0].address, "live-here");
  EXPECT_EQ(failed.source_status[0].status, "open");
  EXPECT_EQ(failed.source_status[1].status, "failed");
  EXPECT_EQ(failed.source_status[1].status_details, "404 NOT_FOUND - no queue 'live-later' in vhost '/'");
  EXPECT_EQ(failed.target_status[0].status, "failed") << "unchecked targets follow the client";
  {
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->failure, FailureKind::kAddress);
    ASSERT_FALSE(events.empty());
    ASSERT_EQ(events.front().refused.size(), 1u);
    EXPECT_EQ(events.front().refused[0].address, "live-later");
  }

  ASSERT_TRUE(testing::RabbitDeclareQueue("live-later"));
  ASSERT_TRUE(WaitUntil([&] { return Live("addresses") == "open"; }, 5000)) << Details("addresses");
  const LiveStatus open = *supervisor_.Status("addresses");
  EXPECT_EQ(open.source_status[1].status, "open");
  EXPECT_NE(open.source_status[1].status_details.find("Queue exists"), std::string::npos);
  EXPECT_EQ(open.target_status[0].status, "open");
  supervisor_.Close("addresses");
  ASSERT_TRUE(testing::RabbitDeleteQueue("live-here"));
  ASSERT_TRUE(testing::RabbitDeleteQueue("live-later"));
}

}  // namespace
}  // namespace connectivity::connect
