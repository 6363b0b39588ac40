// One MQTT client's state on the MQTT loop, and the libmosquitto calls that act on it (internal
// to mqtt_loop.cc; every function here runs on the loop thread).
#ifndef CONNECTIVITY_CONNECT_MQTT_SESSION_H_
#define CONNECTIVITY_CONNECT_MQTT_SESSION_H_

#include <mosquitto.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "src/connect/clients.h"
#include "src/connect/tls.h"

namespace connectivity::connect {

// Set once a client is closed and its last callback has returned.
// One SUBSCRIBE of the address checks (address.h): a source's filters and the SUBACK's codes.
struct SubscriptionCheck {
  std::vector<std::string> filters;
  int qos = 2;
  int mid = 0;
  std::optional<std::vector<int>> codes;  // one per filter once the SUBACK arrived
};

struct MqttSession {
  // kChecking: CONNACK accepted, the SUBACKs of the address checks are awaited.
  enum class Phase { kResolving, kConnecting, kChecking, kOpen, kDone };

  uint64_t id = 0;
  ConnectTarget target;
  SharedSettings settings;
  ClientCallbacks callbacks;
  std::shared_ptr<Completion> completion;

  Phase phase = Phase::kResolving;
  bool result_reported = false;
  int64_t start_us = 0;
  int64_t deadline_us = 0;
  int64_t next_misc_us = 0;  // when loop_misc (keep-alive) is due
  std::vector<IpAddress> addresses;
  size_t next_address = 0;

  mosquitto* mosq = nullptr;
  SslContextPtr ssl_context;
  int fd = -1;           // the socket registered in epoll, -1 if none
  uint32_t events = 0;   // its registered interest
  bool tcp_connected = false;

  // Written by libmosquitto's callbacks during loop_read/loop_write/loop_misc.
  std::optional<int> connack;
  std::optional<int> disconnect_rc;
  int disconnect_errno = 0;
  std::vector<SubscriptionCheck> subscriptions;  // the address checks of this attempt
  ConnectOutcome connected;                       // the CONNACK's success, while kChecking
};

void InitMosquittoOnce();

// Creates the mosquitto handle for the next address and starts the non-blocking connect; the
// failure if it could not even start (e.g. refused at once).
std::optional<ConnectOutcome> StartMosquittoConnect(MqttSession& session);

// The verdict of a CONNACK reason code.
ConnectOutcome ConnackOutcome(const MqttSession& session);

// After CONNACK: queues one SUBSCRIBE per source with the source's qos (shared subscriptions
// left out; MQTT 5 asks for no retained messages). The failure if libmosquitto refused one.
std::optional<ConnectOutcome> StartSubscriptionChecks(MqttSession& session);
// True once every SUBSCRIBE has its SUBACK.
bool SubscriptionChecksDone(const MqttSession& session);
// The verdict of the SUBACKs (address.h), given the CONNACK's success; queues an UNSUBSCRIBE of
// every granted filter (not awaited: the broker handles packets in order).
ConnectOutcome ConcludeSubscriptionChecks(MqttSession& session, ConnectOutcome connected);
// A failed TLS handshake, with the verification error if there was one.
ConnectOutcome TlsFailure(const MqttSession& session);
// Why the socket went away: `errno_value` from SO_ERROR or the disconnect callback.
ConnectOutcome SocketLostOutcome(const MqttSession& session, int rc, int errno_value);

// Sends DISCONNECT if asked and open, then frees the handle (closing its socket). The caller
// must have removed the socket from epoll first.
void DestroyMosquitto(MqttSession& session, bool send_disconnect);

// EPOLLIN, plus EPOLLOUT while the TCP connect, a TLS handshake write, or a packet is pending.
uint32_t DesiredEvents(const MqttSession& session);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_MQTT_SESSION_H_
