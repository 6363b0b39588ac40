// One AMQP 0.9.1 connection with rabbitmq-c (internal to amqp091_client.cc and amqp091_loop.cc):
// the blocking handshake (connect, login, channel.open, the passive queue declares of address.h),
// then either a blocking Watch() on a thread of its own, or non-blocking Poll() calls from the
// shared loop, and the clean Close().
//
// Threading: one thread at a time uses a session (the session thread; or a pool thread for the
// handshake and the close and the loop thread in between, handed over through the loop's queue).
#ifndef CONNECTIVITY_CONNECT_AMQP091_SESSION_H_
#define CONNECTIVITY_CONNECT_AMQP091_SESSION_H_

#include <amqp.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/connect/attempt.h"
#include "src/connect/client.h"

namespace connectivity::connect {

class Amqp091Session {
 public:
  Amqp091Session(const ConnectTarget& target, const ClientSettings& settings, SessionContext& context);
  ~Amqp091Session();  // frees the connection (closes the socket) without a protocol close
  Amqp091Session(const Amqp091Session&) = delete;
  Amqp091Session& operator=(const Amqp091Session&) = delete;

  // Resolves and checks the host, then connects to each checked address in turn until one
  // answers; blocking, within the context's deadline. A RequestClose cuts it short.
  ConnectOutcome Handshake();

  // Blocking: until the connection is lost (the cause) or close is requested (nullopt).
  std::optional<ConnectOutcome> Watch();

  // Non-blocking: reads every frame that has arrived, and sends a heartbeat if one is due (the
  // only place rabbitmq-c sends them). The loss (socket error, missed heartbeats, a close from
  // the broker) if the connection broke, else nullopt.
  std::optional<ConnectOutcome> Poll();

  // The socket while connected (-1 before and after); the negotiated heartbeat (0: none).
  int fd() const;
  int heartbeat_s() const;

  // channel.close + connection.close, each waiting at most 1 s for the broker's answer.
  void Close();

 private:
  ConnectOutcome Connect(const std::vector<IpAddress>& addresses);
  ConnectOutcome ConnectTo(const IpAddress& address);
  ConnectOutcome CheckQueues(ConnectOutcome connected);
  ConnectOutcome ReopenChannel();
  amqp_socket_t* OpenSocket();
  ConnectOutcome SocketFailure(int rc, const IpAddress& address);
  ConnectOutcome Login();
  ConnectOutcome OpenChannel();
  ConnectOutcome FromReply(const amqp_rpc_reply_t& reply, std::string_view stage);
  // The loss a received frame means, if it is a close from the broker.
  std::optional<ConnectOutcome> CloseFrame(const amqp_frame_t& frame) const;
  void Destroy();

  const ConnectTarget& target_;
  const ClientSettings& settings_;
  SessionContext& context_;
  amqp_connection_state_t connection_ = nullptr;
  amqp_channel_t channel_ = 1;  // the open channel (a refused passive declare closes one)
  ConnectOutcome tls_failure_;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_AMQP091_SESSION_H_
