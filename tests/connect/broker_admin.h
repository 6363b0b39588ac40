// What the address-check tests set up on the brokers of scripts/brokers, through the brokers' own
// protocols (rabbitmq-c for RabbitMQ queues, librdkafka for Kafka topics): queues and topics that
// exist, messages in them, and questions about them afterwards. Every call connects, acts and
// disconnects; false / -1 on any failure.
#ifndef CONNECTIVITY_TESTS_CONNECT_BROKER_ADMIN_H_
#define CONNECTIVITY_TESTS_CONNECT_BROKER_ADMIN_H_

#include <string>

namespace connectivity::connect::testing {

// A non-durable queue (guest/guest on RabbitPort()); deleting a missing queue succeeds.
bool RabbitDeclareQueue(const std::string& queue);
bool RabbitDeleteQueue(const std::string& queue);
// Publishes `body` to `queue` through the default exchange.
bool RabbitPublish(const std::string& queue, const std::string& body);
// The messages ready in `queue` (passive declare); -1 if it does not exist.
int RabbitQueueMessages(const std::string& queue);

// Creates `topic` on the Kafka mock (a metadata request that allows auto-creation).
bool KafkaCreateTopic(const std::string& topic);
// Whether the cluster has `topic`, asked without auto-creation (the Debian mock creates it anyway,
// except KafkaMissingTopic()).
bool KafkaTopicExists(const std::string& topic);

}  // namespace connectivity::connect::testing

#endif  // CONNECTIVITY_TESTS_CONNECT_BROKER_ADMIN_H_
