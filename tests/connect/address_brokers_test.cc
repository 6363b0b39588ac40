// Sources and targets checked at connect (src/connect/address.h) against the real brokers of
// scripts/brokers, each with its passing case and every refusal that broker can make: a missing
// queue (AMQP 0.9.1), a missing node or exchange (AMQP 1.0), a missing topic (Kafka: the mock of
// Debian's librdkafka speaks Metadata v2 only, which cannot say "do not create", so it creates
// any topic it is asked about; scripts/brokers makes it answer "unknown topic" for
// KafkaMissingTopic()). MQTT refusals come from MqttRefusingBroker, since Mosquitto 2.0.11 grants
// every subscription. No check takes a message: the queue's message stays where it was.
#include <gtest/gtest.h>
#include <signal.h>

#include "src/connect/test_connection.h"
#include "tests/connect/broker_admin.h"
#include "tests/connect/broker_env.h"
#include "tests/connect/test_servers.h"

namespace connectivity::connect {
namespace {

using model::ConnectionType;
using testing::MakeConnection;

ConnectSettings Settings() {
  ConnectSettings settings;
  settings.timeout_us = 5'000'000;
  return settings;
}

model::Connection WithSources(model::Connection connection, std::vector<std::string> addresses,
                              int qos = 1) {
  model::Source source;
  source.addresses = std::move(addresses);
  source.qos = qos;
  source.authorization_context = {"integration:test"};
  connection.sources.push_back(std::move(source));
  return connection;
}

model::Connection WithTargets(model::Connection connection, const std::vector<std::string>& addresses) {
  model::Target base = connection.targets.at(0);
  connection.targets.clear();
  for (const std::string& address : addresses) {
    base.address = address;
    connection.targets.push_back(base);
  }
  return connection;
}

const AddressCheck* Check(const ConnectOutcome& outcome, bool source, const std::string& address) {
  for (const AddressCheck& check : outcome.addresses) {
    if (check.source == source && check.address == address) return &check;
  }
  return nullptr;
}

class AddressChecks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signal(SIGPIPE, SIG_IGN); }
  void SetUp() override { REQUIRE_BROKERS(); }
  std::string Amqp() { return "amqp://guest:guest@127.0.0.1:" + std::to_string(testing::RabbitPort()); }
};

TEST_F(AddressChecks, Amqp091DeclaresQueuesPassivelyAndTakesNothing) {
  ASSERT_TRUE(testing::RabbitDeclareQueue("checked-here"));
  ASSERT_TRUE(testing::RabbitDeleteQueue("checked-gone"));
  ASSERT_TRUE(testing::RabbitDeleteQueue("checked-lost"));
  ASSERT_TRUE(testing::RabbitPublish("checked-here", "stays"));
  const int before = testing::RabbitQueueMessages("checked-here");
  ASSERT_GE(before, 1);

  const ConnectOutcome ok = TestConnection(
      WithSources(MakeConnection("a091", ConnectionType::kAmqp091, Amqp()), {"checked-here"}), Settings());
  ASSERT_TRUE(ok.ok) << ok.description;
  ASSERT_NE(Check(ok, true, "checked-here"), nullptr);
  EXPECT_TRUE(Check(ok, true, "checked-here")->ok);
  EXPECT_NE(Check(ok, true, "checked-here")->detail.find("Queue exists"), std::string::npos);
  EXPECT_EQ(Check(ok, false, "events"), nullptr) << "AMQP 0.9.1 targets are not checked, as in Ditto";

  const ConnectOutcome missing = TestConnection(
      WithSources(MakeConnection("a091", ConnectionType::kAmqp091, Amqp()),
                  {"checked-here", "checked-gone", "checked-lost"}),
      Settings());
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.failure, FailureKind::kAddress);
  EXPECT_EQ(missing.description, "The queues [checked-gone, checked-lost] to connect to are missing.");
  ASSERT_NE(Check(missing, true, "checked-lost"), nullptr) << "checked on a new channel after the 404";
  EXPECT_EQ(Check(missing, true, "checked-lost")->detail,
            "404 NOT_FOUND - no queue 'checked-lost' in vhost '/'");
  EXPECT_TRUE(Check(missing, true, "checked-here")->ok);
  EXPECT_EQ(testing::RabbitQueueMessages("checked-here"), before) << "no message was taken";
  EXPECT_EQ(testing::RabbitQueueMessages("checked-gone"), -1) << "a passive declare creates nothing";
  ASSERT_TRUE(testing::RabbitDeleteQueue("checked-here"));
}

TEST_F(AddressChecks, Amqp10AttachesLinksWithoutCredit) {
  ASSERT_TRUE(testing::RabbitDeclareQueue("checked-10"));
  ASSERT_TRUE(testing::RabbitDeleteQueue("checked-10-gone"));
  ASSERT_TRUE(testing::RabbitPublish("checked-10", "stays"));
  const int before = testing::RabbitQueueMessages("checked-10");

  model::Connection good = WithTargets(
      WithSources(MakeConnection("a10", ConnectionType::kAmqp10, Amqp()), {"/amq/queue/checked-10"}),
      {"/exchange/amq.topic/out", "/amq/queue/{{ thing:id }}"});
  const ConnectOutcome ok = TestConnection(good, Settings());
  ASSERT_TRUE(ok.ok) << ok.description;
  ASSERT_NE(Check(ok, true, "/amq/queue/checked-10"), nullptr);
  EXPECT_NE(Check(ok, true, "/amq/queue/checked-10")->detail.find("zero credit"), std::string::npos);
  ASSERT_NE(Check(ok, false, "/exchange/amq.topic/out"), nullptr);
  EXPECT_TRUE(Check(ok, false, "/exchange/amq.topic/out")->ok);
  EXPECT_EQ(Check(ok, false, "/amq/queue/{{ thing:id }}"), nullptr) << "placeholders are not checked";
  EXPECT_EQ(testing::RabbitQueueMessages("checked-10"), before) << "zero credit: nothing delivered";

  const ConnectOutcome source = TestConnection(
      WithSources(MakeConnection("a10", ConnectionType::kAmqp10, Amqp()),
                  {"/amq/queue/checked-10", "/amq/queue/checked-10-gone"}),
      Settings());
  EXPECT_EQ(source.failure, FailureKind::kAddress) << source.description;
  EXPECT_EQ(source.message, "Failed to consume sources: [/amq/queue/checked-10-gone-0]");
  EXPECT_EQ(source.description.rfind("/amq/queue/checked-10-gone-0: ", 0), 0u) << source.description;
  EXPECT_NE(source.description.find("[condition = amqp:not-found]"), std::string::npos) << source.description;
  EXPECT_TRUE(Check(source, true, "/amq/queue/checked-10")->ok);

  // RabbitMQ attaches a sender to a missing /amq/queue/ (and drops what it would get), but not to
  // a missing exchange.
  const ConnectOutcome target = TestConnection(
      WithTargets(MakeConnection("a10", ConnectionType::kAmqp10, Amqp()),
                  {"/amq/queue/checked-10", "/exchange/checked-no-exchange/key"}),
      Settings());
  EXPECT_EQ(target.failure, FailureKind::kAddress) << target.description;
  EXPECT_EQ(target.description.rfind("Cause: ", 0), 0u) << target.description;
  EXPECT_NE(target.description.find("[condition = amqp:not-found]"), std::string::npos) << target.description;
  EXPECT_TRUE(Check(target, false, "/amq/queue/checked-10")->ok);
  EXPECT_FALSE(Check(target, false, "/exchange/checked-no-exchange/key")->ok);
  EXPECT_EQ(testing::RabbitQueueMessages("checked-10-gone"), -1);
  ASSERT_TRUE(testing::RabbitDeleteQueue("checked-10"));
}

TEST_F(AddressChecks, MqttSubscribesWithTheSourceQosAndUnsubscribes) {
  const std::string uri = "tcp://127.0.0.1:" + std::to_string(testing::MosquittoAnonPort());
  for (ConnectionType type : {ConnectionType::kMqtt, ConnectionType::kMqtt5}) {
    SCOPED_TRACE(std::string(model::ConnectionTypeName(type)));
    const ConnectOutcome ok =
        TestConnection(WithSources(MakeConnection("m", type, uri), {"devices/#", "$share/g/shared/#"}, 1), Settings());
    ASSERT_TRUE(ok.ok) << ok.description;
    ASSERT_NE(Check(ok, true, "devices/#"), nullptr);
    EXPECT_NE(Check(ok, true, "devices/#")->detail.find(type == ConnectionType::kMqtt5 ? "GRANTED_QOS_1(1)"
                                                                                        : "SUCCESS_MAXIMUM_QOS_1(1)"),
              std::string::npos)
        << Check(ok, true, "devices/#")->detail;
    EXPECT_EQ(Check(ok, true, "$share/g/shared/#"), nullptr) << "shared subscriptions are never probed";
  }
}

TEST(MqttRefusals, SubAckErrorsFailTheirFilters) {
  signal(SIGPIPE, SIG_IGN);
  struct Case {
    ConnectionType type;
    int refusal;
    const char* status;
  };
  for (const Case& c : {Case{ConnectionType::kMqtt, 0x80, "Error: FAILURE(128)"},
                        Case{ConnectionType::kMqtt5, 0x87, "Error: NOT_AUTHORIZED(135)"}}) {
    SCOPED_TRACE(c.status);
    testing::MqttRefusingBroker broker(c.refusal);
    const std::string uri = "tcp://127.0.0.1:" + std::to_string(broker.port());
    model::Connection connection = WithSources(MakeConnection("m", c.type, uri), {"allowed/#", "denied/#"}, 2);
    connection = WithSources(std::move(connection), {"denied/b"}, 0);
    const ConnectOutcome refused = TestConnection(connection, Settings());
    EXPECT_EQ(refused.failure, FailureKind::kAddress) << refused.description;
    EXPECT_EQ(refused.description, std::string("Cause: [SubscriptionStatus[Topic filter: denied/# => ") + c.status +
                                       "], SubscriptionStatus[Topic filter: denied/b => " + c.status + "]]");
    ASSERT_NE(Check(refused, true, "allowed/#"), nullptr);
    EXPECT_TRUE(Check(refused, true, "allowed/#")->ok);
    EXPECT_EQ(Check(refused, true, "denied/b")->detail, c.status);
    EXPECT_EQ(broker.subscribes(), 2) << "one SUBSCRIBE per source";
    EXPECT_TRUE(testing::WaitUntil([&] { return broker.unsubscribes() == 1; }, 2000)) << "granted ones undone";

    const ConnectOutcome ok = TestConnection(WithSources(MakeConnection("m", c.type, uri), {"allowed/#"}), Settings());
    EXPECT_TRUE(ok.ok) << ok.description;
  }
}

TEST_F(AddressChecks, KafkaTopicsAreAskedForTheirMetadata) {
  const std::string uri = "tcp://" + testing::KafkaBootstrap();
  const std::string missing = testing::KafkaMissingTopic();
  ASSERT_TRUE(testing::KafkaCreateTopic("checked-in"));
  ASSERT_TRUE(testing::KafkaCreateTopic("checked-out"));
  ASSERT_FALSE(testing::KafkaTopicExists(missing));

  const ConnectOutcome ok = TestConnection(
      WithTargets(WithSources(MakeConnection("k", ConnectionType::kKafka, uri), {"checked-in"}),
                  {"checked-out/key", "checked-out#0", "{{ thing:id }}"}),
      Settings());
  ASSERT_TRUE(ok.ok) << ok.description;
  EXPECT_TRUE(Check(ok, true, "checked-in")->ok);
  EXPECT_NE(Check(ok, true, "checked-in")->detail.find("Topic exists"), std::string::npos);
  EXPECT_TRUE(Check(ok, false, "checked-out/key")->ok);
  EXPECT_TRUE(Check(ok, false, "checked-out#0")->ok);
  EXPECT_EQ(Check(ok, false, "{{ thing:id }}"), nullptr);

  const ConnectOutcome failed = TestConnection(
      WithTargets(WithSources(MakeConnection("k", ConnectionType::kKafka, uri), {"checked-in", missing}),
                  {missing + "/key"}),
      Settings());
  EXPECT_EQ(failed.failure, FailureKind::kAddress) << failed.description;
  EXPECT_EQ(failed.description, "The topics [" + missing + "] to connect to are missing.");
  EXPECT_EQ(Check(failed, true, missing)->detail, "Broker: Unknown topic or partition");
  EXPECT_FALSE(Check(failed, false, missing + "/key")->ok);
  EXPECT_TRUE(Check(failed, true, "checked-in")->ok);
}

}  // namespace
}  // namespace connectivity::connect
