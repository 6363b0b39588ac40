// AMQP 0.9.1 live connections on a fixed set of threads: a small handshake pool and one epoll
// loop, so that thousands of open connections cost no thread each (a thread per connection took
// 200 connections from 22 to 222 server threads and ~220 KB RSS each).
//
// rabbitmq-c's connect, login, channel.open and the passive queue declares (address.h) are
// blocking RPCs: they run on the pool (`handshake_threads` threads; attempts beyond that queue,
// and each attempt's deadline starts when a pool thread takes it up). An established connection
// is handed to the loop, which watches amqp_get_sockfd with epoll and reads its frames without
// blocking (Amqp091Session::Poll). rabbitmq-c sends heartbeats only inside its own calls, so the
// loop also polls every open connection at least every third of the negotiated heartbeat (well
// within the half-heartbeat rabbitmq-c's and the broker's timeouts allow); a missed broker
// heartbeat, a socket error or a close from the broker is the loss (on_lost on the loop thread).
// A clean close (channel.close + connection.close, waiting up to 1 s each for the broker) goes
// back to the pool, so a slow broker never stalls the loop.
//
// Threads: on_result runs on a pool thread, on_lost on the loop thread. CreateClient and the
// Client methods may be called from any thread. Clients must be finished (the Supervisor waits
// for them) before the loop is stopped or destroyed.
//
// Limits: a heartbeat frame is written with rabbitmq-c's blocking send; with a broker whose
// receive window is full this would stall the loop (8 bytes to a peer that reads: never seen).
// With TLS, records OpenSSL has buffered beyond the socket's readiness are read at the next
// heartbeat poll rather than at once (only heartbeats and closes arrive: no messages are consumed).
#ifndef CONNECTIVITY_CONNECT_AMQP091_LOOP_H_
#define CONNECTIVITY_CONNECT_AMQP091_LOOP_H_

#include <cstddef>
#include <memory>

#include "src/base/status.h"
#include "src/connect/clients.h"

namespace connectivity::connect {

class Amqp091Loop {
 public:
  explicit Amqp091Loop(size_t handshake_threads);
  ~Amqp091Loop();  // Stop()
  Amqp091Loop(const Amqp091Loop&) = delete;
  Amqp091Loop& operator=(const Amqp091Loop&) = delete;

  Status Start();  // the loop thread and the handshake pool
  // Closes every open client cleanly, answers clients still waiting for a handshake with a closed
  // result, and joins the threads. Idempotent.
  void Stop();

  // nullptr if the loop is not running.
  std::unique_ptr<Client> CreateClient(ConnectTarget target, SharedSettings settings,
                                       ClientCallbacks callbacks);

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_AMQP091_LOOP_H_
