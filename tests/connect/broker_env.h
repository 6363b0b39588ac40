// What the connect tests know about the brokers scripts/brokers starts (scripts/test exports
// CONNECTIVITY_BROKERS=1 and the ports), and small helpers around them.
//
// Tests that need a broker start with REQUIRE_BROKERS(): without CONNECTIVITY_BROKERS they skip
// with a message, so a plain `ctest` on a developer machine still passes.
#ifndef CONNECTIVITY_TESTS_CONNECT_BROKER_ENV_H_
#define CONNECTIVITY_TESTS_CONNECT_BROKER_ENV_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "src/model/connection.h"

namespace connectivity::connect::testing {

bool BrokersAvailable();

#define REQUIRE_BROKERS()                                                                   \
  do {                                                                                      \
    if (!::connectivity::connect::testing::BrokersAvailable()) {                            \
      GTEST_SKIP() << "needs the local brokers: run scripts/test, or scripts/brokers start " \
                      "and eval \"$(scripts/brokers env)\"";                                \
    }                                                                                       \
  } while (0)

int EnvInt(const char* name, int fallback);
std::string EnvString(const char* name);
int RabbitPort();         // 5672
int RabbitTlsPort();      // 5671
int MosquittoPort();      // 1883, user test/test
int MosquittoAnonPort();  // 1884
int MosquittoTlsPort();   // 8883
std::string KafkaBootstrap();  // 127.0.0.1:<port>
// A topic the Kafka mock answers "unknown topic or partition" for (scripts/brokers; the Debian
// mock creates every other topic it is asked about).
std::string KafkaMissingTopic();
std::string TlsCaPem();        // the test CA of scripts/brokers
std::string TlsDir();          // .brokers/tls

// Runs `scripts/brokers <args>`; returns its exit status. Output goes to the test's log.
int Brokers(const std::string& args);
// The output of `scripts/brokers <args>` (e.g. "rabbitmqctl list_connections ...").
std::string BrokersOutput(const std::string& args);
// Mosquitto's own count of connected clients: a mosquitto_sub on the anonymous listener follows
// $SYS/broker/clients/connected (published every second when it changes) for the watcher's life.
// The count includes the watcher itself; clients() subtracts it. A fresh subscriber per question
// would not do: the retained value may still count the previous one.
class MosquittoClientsWatcher {
 public:
  MosquittoClientsWatcher();
  ~MosquittoClientsWatcher();  // stops its mosquitto_sub by PID
  int clients() const;         // -1 until the first value arrived
  bool WaitFor(int clients, int timeout_ms = 5000) const;

 private:
  int pid_ = -1;
  int pipe_ = -1;
  std::atomic<int> value_{-1};
  std::atomic<bool> stop_{false};
  std::thread reader_;
};
// RabbitMQ AMQP 0.9.1 connections whose client-provided connection_name is `name`
// (rabbitmqctl list_connections).
int RabbitConnectionsNamed(const std::string& name);
// Established TCP connections whose local end is 127.0.0.1:`port`, i.e. the server side of every
// client connected to a broker on this port, read from /proc/net/tcp. RabbitMQ 3.10 does not list
// AMQP 1.0 connections without links in rabbitmqctl, so this is how a test sees them.
int ServerSideConnections(int port);

// Polls `condition` every 20 ms until it holds or `timeout_ms` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& condition, int timeout_ms);

// A connection as the model parser would give it: desired status open, one target (or, for
// types that need one, one source), the given type and URI.
model::Connection MakeConnection(std::string id, model::ConnectionType type, std::string uri);

}  // namespace connectivity::connect::testing

#endif  // CONNECTIVITY_TESTS_CONNECT_BROKER_ENV_H_
