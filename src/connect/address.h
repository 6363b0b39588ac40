// The checks of sources and targets at connect, made the way Ditto's client for each protocol makes
// them when it connects (eclipse-ditto/ditto, connectivity/service/.../messaging/<protocol>/), and
// Ditto's error when one fails. No check takes a message from the broker:
//
//   AMQP 0.9.1  a passive queue.declare per source address (RabbitMQClientActor.ensureQueuesExist);
//               a refusal closes the channel, so the next check opens a new one. Error:
//               "The queues [a, b] to connect to are missing." (Ditto stops at the first missing
//               queue, since its channel is closed then; every queue is checked and listed here).
//               Targets (exchange/routing key) are not checked, as in Ditto.
//   AMQP 1.0    a receiver link with zero credit per source address (JMSConnectionHandlingActor
//               .createConsumers) and a sender link per target address without placeholders
//               (AmqpPublisherActor.createStaticTargetProducers, "queue://"/"topic://" stripped);
//               a refused attach fails the address. Error (sources): message "Failed to consume
//               sources: [q-0]", description "q-0: <broker text> [condition = amqp:not-found]",
//               one key per consumer as Ditto names them, in Java's HashMap order; targets only:
//               "Cause: <broker text> [condition = ...]" of the first refused target.
//   MQTT        one SUBSCRIBE per source with the source's qos, then UNSUBSCRIBE of what was
//               granted; an error code in the SUBACK fails that filter (ConnectionTesterActor).
//               Error: "Cause: [SubscriptionStatus[Topic filter: t => Error: NOT_AUTHORIZED(135)]]".
//               `$share/` filters are never subscribed (a shared subscription would take messages
//               from the group); MQTT 5 subscriptions ask for no retained messages.
//   Kafka       topic metadata of every source topic and every target topic without placeholders,
//               asked with allow.auto.create.topics=false so that the check creates nothing.
//               Error: "The topics [t] to connect to are missing." (Ditto's Kafka client does not
//               check topics; the words follow its AMQP 0.9.1 check.)
//   HTTP push   no address checks: HttpPushClientActor.doTestConnection checks the TCP connection
//               (or TLS handshake) and fetches an OAuth token when the credentials ask for one.
//
// Pure functions; thread-safe.
#ifndef CONNECTIVITY_CONNECT_ADDRESS_H_
#define CONNECTIVITY_CONNECT_ADDRESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/connect/outcome.h"
#include "src/connect/target.h"

namespace connectivity::connect {

// A target address with a placeholder ("{{ thing:id }}") names no fixed node: not checked.
bool HasPlaceholder(std::string_view address);
// AMQP 1.0: the node of a target address without Ditto's "queue://" / "topic://" prefix.
std::string AmqpNodeOfTarget(std::string_view address);
// Kafka: the topic of a target address "topic", "topic/key" or "topic#partition".
std::string KafkaTopicOfTarget(std::string_view address);
// MQTT: `$share/<group>/<filter>` (never subscribed by a check).
bool IsSharedSubscription(std::string_view filter);

// The addresses a client checks: every source address (once each, configuration order), then
// every target address the protocol checks (AMQP 1.0 and Kafka, without placeholders).
struct CheckPlan {
  std::vector<std::string> sources;
  std::vector<std::string> targets;  // as configured (strip with AmqpNodeOfTarget etc.)
};
CheckPlan PlanChecks(const ConnectTarget& target);

// MQTT SUBACK codes as Ditto's GenericMqttSubAckStatus prints them: "Success: GRANTED_QOS_1(1)",
// "Error: NOT_AUTHORIZED(135)" (MQTT 5 names), "Success: SUCCESS_MAXIMUM_QOS_0(0)",
// "Error: FAILURE(128)" (MQTT 3.1.1 names). Codes of 128 and above are errors.
bool IsSubAckError(int code);
std::string SubAckStatusText(int code, bool mqtt5);

// The text Qpid JMS (Ditto's AMQP 1.0 client) gives a link refusal: "<description> [condition =
// <condition>]", with its placeholder when the broker sent no description.
std::string AmqpLinkErrorText(std::string_view condition, std::string_view description);

// The verdict of an attempt whose client connected (`connected` is its success) and then made
// `checks`: `connected` with the checks attached if all passed, else a kAddress failure with
// Ditto's message and description for the protocol (see above).
ConnectOutcome ConcludeChecks(const ConnectTarget& target, ConnectOutcome connected,
                              std::vector<AddressCheck> checks);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_ADDRESS_H_
