// Factories of the protocol clients (see client.h for the contract they all keep).
//
//   AMQP 0.9.1  rabbitmq-c       blocking; a thread per connection; heartbeats
//   AMQP 1.0    Qpid Proton C++  a container per connection on its own thread; idle timeout
//   HTTP        libcurl          a HEAD request per check; periodic re-check while open
//   Kafka       librdkafka       metadata request; error_cb fails fast; periodic re-check
//   MQTT        libmosquitto     driven by an epoll loop shared by all MQTT clients (mqtt_loop.h)
//
// The threaded ones suit tens of open connections (a thread each, mostly asleep); MQTT scales to
// thousands. Every client resolves its host once per attempt, checks the outbound rules, and
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
// The client for `target.protocol`, through the connection's SSH tunnel when it has one (and
// `connect_to` is not set yet); MQTT clients run on `mqtt_loop`. Returns nullptr only if the
// MQTT loop is not running (then no callback will ever run).
std::unique_ptr<Client> CreateClient(ConnectTarget target, SharedSettings settings,
                                     ClientCallbacks callbacks, MqttLoop& mqtt_loop);
// The tunnel first, then the protocol client to its local end (tunneled_client.cc).
std::unique_ptr<Client> MakeTunneledClient(ConnectTarget target, SharedSettings settings,
                                           ClientCallbacks callbacks, MqttLoop& mqtt_loop);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_CLIENTS_H_
