// Factories of the protocol clients (see client.h for the contract they all keep).
//
//   AMQP 0.9.1  rabbitmq-c       handshakes on a small pool, open connections on one epoll loop
//                                (amqp091_loop.h); heartbeats; test connection: a thread
//   AMQP 1.0    Qpid Proton C++  a container per connection on its own thread; idle timeout
//   HTTP        libcurl          TCP/TLS reach per check; periodic re-check while open, on the
//                                shared check pool (pooled_client.h); test connection: a thread
//   Kafka       librdkafka       metadata request on a fresh handle per check; error_cb fails
//                                fast; periodic re-check on the check pool; test: a thread
//   MQTT        libmosquitto     driven by an epoll loop shared by all MQTT clients (mqtt_loop.h)
//
// AMQP 1.0 (a thread each, mostly asleep) suits hundreds of open connections; the others scale to
// thousands on a fixed set of threads. Every client resolves its host once per attempt, checks the outbound rules, and
// connects to the checked address only (TLS still verifies the configured host name).
#ifndef CONNECTIVITY_CONNECT_CLIENTS_H_
#define CONNECTIVITY_CONNECT_CLIENTS_H_

#include <memory>

#include "src/connect/attempt.h"
#include "src/connect/client.h"
#include "src/connect/target.h"

namespace connectivity::connect {

using SharedSettings = std::shared_ptr<const ClientSettings>;

std::unique_ptr<Client> MakeAmqp091Client(ConnectTarget target, SharedSettings settings,
                                          ClientCallbacks callbacks);
std::unique_ptr<Client> MakeAmqp10Client(ConnectTarget target, SharedSettings settings,
                                         ClientCallbacks callbacks);
std::unique_ptr<Client> MakeHttpClient(ConnectTarget target, SharedSettings settings,
                                       ClientCallbacks callbacks);
std::unique_ptr<Client> MakeKafkaClient(ConnectTarget target, SharedSettings settings,
                                        ClientCallbacks callbacks);

class MqttLoop;
class Amqp091Loop;
class TaskPool;
// The shared loops and pools clients run on.
struct ClientLoops {
  MqttLoop& mqtt;
  Amqp091Loop* amqp091 = nullptr;  // nullptr: AMQP 0.9.1 on a thread of its own (test connection)
  TaskPool* checks = nullptr;      // HTTP push and Kafka (pooled_client.h); nullptr: a thread each
};

// The client for `target.protocol`, through the connection's SSH tunnel when it has one (and
// `connect_to` is not set yet); MQTT clients run on `loops.mqtt`, AMQP 0.9.1 ones on
// `loops.amqp091` and HTTP push and Kafka ones on `loops.checks` if set. Returns nullptr only if that loop is not running (then no callback
// will ever run).
std::unique_ptr<Client> CreateClient(ConnectTarget target, SharedSettings settings,
                                     ClientCallbacks callbacks, const ClientLoops& loops);
// The tunnel first, then the protocol client to its local end (tunneled_client.cc).
std::unique_ptr<Client> MakeTunneledClient(ConnectTarget target, SharedSettings settings,
                                           ClientCallbacks callbacks, const ClientLoops& loops);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_CLIENTS_H_
