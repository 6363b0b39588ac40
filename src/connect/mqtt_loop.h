// MQTT 3.1.1 and 5 clients (libmosquitto) driven by one epoll loop thread, so that thousands of
// open connections cost one thread: a thread per client does not scale on 2 cores.
//
// Each client: resolve + check the host (IP literals inline; names on a resolver thread, so DNS
// never stalls the loop), mosquitto_connect_async to the checked address (non-blocking TCP
// connect; the CONNECT packet goes out when the socket turns writable), then CONNACK decides:
// 0 is success, "bad user name or password" / "not authorised" are authentication failures. A
// silent peer hits the deadline. While open, mosquitto_loop_misc sends PINGREQ every keep-alive
// and closes on a missing PINGRESP; a socket error or EOF is the loss. Close sends DISCONNECT.
// TLS ("ssl" scheme) uses our own SSL_CTX (MOSQ_OPT_SSL_CTX) that verifies the configured host,
// since the socket connects to an address.
//
// Thread-safety: CreateClient and the Client methods may be called from any thread; everything
// else runs on the loop thread, which also runs the callbacks. Clients must be destroyed before
// the loop is stopped or destroyed.
#ifndef CONNECTIVITY_CONNECT_MQTT_LOOP_H_
#define CONNECTIVITY_CONNECT_MQTT_LOOP_H_

#include <memory>

#include "src/base/status.h"
#include "src/connect/clients.h"

namespace connectivity::connect {

class MqttLoop {
 public:
  MqttLoop();
  ~MqttLoop();  // Stop()
  MqttLoop(const MqttLoop&) = delete;
  MqttLoop& operator=(const MqttLoop&) = delete;

  Status Start();  // the loop and resolver threads
  // Closes every client cleanly (DISCONNECT; clients still connecting report a closed result),
  // then joins the threads. Idempotent.
  void Stop();

  std::unique_ptr<Client> CreateClient(ConnectTarget target, SharedSettings settings,
                                       ClientCallbacks callbacks);

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_MQTT_LOOP_H_
