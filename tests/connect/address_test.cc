// The address checks' pure parts (src/connect/address.h): which addresses each protocol checks,
// how MQTT SUBACK codes read, and Ditto's error for refused addresses per protocol, byte for byte.
#include "src/connect/address.h"

#include <gtest/gtest.h>

namespace connectivity::connect {
namespace {

ConnectTarget TargetOf(Protocol protocol, std::vector<SourceAddresses> sources,
                       std::vector<std::string> targets = {}) {
  ConnectTarget target;
  target.protocol = protocol;
  target.sources = std::move(sources);
  target.targets = std::move(targets);
  return target;
}

ConnectOutcome Connected() {
  ConnectOutcome outcome;
  outcome.ok = true;
  outcome.description = "Connected";
  return outcome;
}

TEST(AddressNames, TargetsAndFilters) {
  EXPECT_TRUE(HasPlaceholder("events/{{ thing:id }}"));
  EXPECT_FALSE(HasPlaceholder("events/{thing}"));
  EXPECT_EQ(AmqpNodeOfTarget("queue://orders"), "orders");
  EXPECT_EQ(AmqpNodeOfTarget("topic://telemetry"), "telemetry");
  EXPECT_EQ(AmqpNodeOfTarget("/amq/queue/q"), "/amq/queue/q");
  EXPECT_EQ(KafkaTopicOfTarget("events/key"), "events");
  EXPECT_EQ(KafkaTopicOfTarget("events#3"), "events");
  EXPECT_EQ(KafkaTopicOfTarget("events"), "events");
  EXPECT_TRUE(IsSharedSubscription("$share/group/devices/#"));
  EXPECT_FALSE(IsSharedSubscription("devices/$share/x"));
}

TEST(AddressPlan, SourcesOnceEachAndOnlyTheTargetsAProtocolChecks) {
  const std::vector<SourceAddresses> sources = {{{"a", "b"}, 1, 1}, {{"b", "c"}, 1, 2}};
  const std::vector<std::string> targets = {"t1", "t/{{ thing:id }}", "t1", "queue://t2"};
  const CheckPlan amqp10 = PlanChecks(TargetOf(Protocol::kAmqp10, sources, targets));
  EXPECT_EQ(amqp10.sources, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(amqp10.targets, (std::vector<std::string>{"t1", "queue://t2"}));
  EXPECT_TRUE(PlanChecks(TargetOf(Protocol::kAmqp091, sources, targets)).targets.empty());
  EXPECT_TRUE(PlanChecks(TargetOf(Protocol::kMqtt5, sources, targets)).targets.empty());
  EXPECT_EQ(PlanChecks(TargetOf(Protocol::kKafka, sources, targets)).targets.size(), 2u);
}

TEST(SubAck, CodesReadAsDittoPrintsThem) {
  EXPECT_EQ(SubAckStatusText(0, false), "Success: SUCCESS_MAXIMUM_QOS_0(0)");
  EXPECT_EQ(SubAckStatusText(2, false), "Success: SUCCESS_MAXIMUM_QOS_2(2)");
  EXPECT_EQ(SubAckStatusText(128, false), "Error: FAILURE(128)");
  EXPECT_EQ(SubAckStatusText(1, true), "Success: GRANTED_QOS_1(1)");
  EXPECT_EQ(SubAckStatusText(0x80, true), "Error: UNSPECIFIED_ERROR(128)");
  EXPECT_EQ(SubAckStatusText(0x87, true), "Error: NOT_AUTHORIZED(135)");
  EXPECT_EQ(SubAckStatusText(0x8F, true), "Error: TOPIC_FILTER_INVALID(143)");
  EXPECT_EQ(SubAckStatusText(0x97, true), "Error: QUOTA_EXCEEDED(151)");
  EXPECT_EQ(SubAckStatusText(0x9E, true), "Error: SHARED_SUBSCRIPTIONS_NOT_SUPPORTED(158)");
  EXPECT_EQ(SubAckStatusText(0xA2, true), "Error: WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED(162)");
  EXPECT_FALSE(IsSubAckError(2));
  EXPECT_TRUE(IsSubAckError(0x80));
}

TEST(AmqpLinkError, QpidJmsWords) {
  EXPECT_EQ(AmqpLinkErrorText("amqp:not-found", "no queue 'q' in vhost '/'"),
            "no queue 'q' in vhost '/' [condition = amqp:not-found]");
  EXPECT_EQ(AmqpLinkErrorText("amqp:not-found", ""),
            "Received error from remote peer without description [condition = amqp:not-found]");
}

TEST(ConcludeChecks, AllPassedKeepsTheSuccessWithItsChecks) {
  const ConnectTarget target = TargetOf(Protocol::kAmqp091, {{{"q"}, 2, 1}});
  const ConnectOutcome outcome = ConcludeChecks(target, Connected(), {{true, "q", true, "Queue exists"}});
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.description, "Connected");
  ASSERT_EQ(outcome.addresses.size(), 1u);
  EXPECT_TRUE(outcome.addresses[0].ok);
}

TEST(ConcludeChecks, Amqp091ListsTheMissingQueues) {
  const ConnectTarget target = TargetOf(Protocol::kAmqp091, {{{"here", "gone", "lost"}, 2, 1}});
  const ConnectOutcome outcome = ConcludeChecks(
      target, Connected(),
      {{true, "here", true, "exists"}, {true, "gone", false, "404 NOT_FOUND - no queue 'gone' in vhost '/'"},
       {true, "lost", false, "404 NOT_FOUND - no queue 'lost' in vhost '/'"}});
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failure, FailureKind::kAddress);
  EXPECT_EQ(outcome.description, "The queues [gone, lost] to connect to are missing.");
  EXPECT_TRUE(outcome.message.empty());  // connection.failed's own message
  EXPECT_EQ(outcome.addresses.size(), 3u);
}

TEST(ConcludeChecks, Amqp10NamesEveryConsumerOfARefusedSource) {
  const ConnectTarget target = TargetOf(Protocol::kAmqp10, {{{"/amq/queue/x"}, 2, 2}});
  const std::string refused = "no queue 'x' in vhost '/' [condition = amqp:not-found]";
  const ConnectOutcome outcome = ConcludeChecks(target, Connected(), {{true, "/amq/queue/x", false, refused}});
  EXPECT_EQ(outcome.message, "Failed to consume sources: [/amq/queue/x-0, /amq/queue/x-1]");
  EXPECT_EQ(outcome.description, "/amq/queue/x-0: " + refused + ", /amq/queue/x-1: " + refused);
}

TEST(ConcludeChecks, Amqp10TargetsOnlyGiveTheFirstCause) {
  const ConnectTarget target = TargetOf(Protocol::kAmqp10, {}, {"a", "b"});
  const ConnectOutcome outcome =
      ConcludeChecks(target, Connected(), {{false, "a", false, "first [condition = amqp:not-found]"},
                                           {false, "b", false, "second [condition = amqp:not-found]"}});
  EXPECT_TRUE(outcome.message.empty());
  EXPECT_EQ(outcome.description, "Cause: first [condition = amqp:not-found]");
}

TEST(ConcludeChecks, MqttSubscriptionStatuses) {
  const ConnectTarget target = TargetOf(Protocol::kMqtt5, {{{"ok/#", "denied/#"}, 1, 1}, {{"denied/b"}, 0, 1}});
  const ConnectOutcome outcome = ConcludeChecks(
      target, Connected(),
      {{true, "ok/#", true, "granted"}, {true, "denied/#", false, "Error: NOT_AUTHORIZED(135)"},
       {true, "denied/b", false, "Error: UNSPECIFIED_ERROR(128)"}});
  EXPECT_EQ(outcome.description,
            "Cause: [SubscriptionStatus[Topic filter: denied/# => Error: NOT_AUTHORIZED(135)], "
            "SubscriptionStatus[Topic filter: denied/b => Error: UNSPECIFIED_ERROR(128)]]");
}

TEST(ConcludeChecks, KafkaNamesTheMissingTopicsOnce) {
  const ConnectTarget target = TargetOf(Protocol::kKafka, {{{"in"}, 2, 1}}, {"out/key", "out#1"});
  const ConnectOutcome outcome = ConcludeChecks(
      target, Connected(),
      {{true, "in", false, "Broker: Unknown topic or partition"},
       {false, "out/key", false, "Broker: Unknown topic or partition"},
       {false, "out#1", false, "Broker: Unknown topic or partition"}});
  EXPECT_EQ(outcome.description, "The topics [in, out] to connect to are missing.");
}

}  // namespace
}  // namespace connectivity::connect
