// Clients whose open connection is a check repeated every recheck interval (HTTP push: a TCP/TLS
// reach of the endpoint; Kafka: a metadata request), run on a shared TaskPool instead of a thread
// each: the first check and every recheck are pool tasks, and the wait in between is a timer.
// Checks block (libcurl easy, librdkafka) within the settings' timeout, so the pool's size bounds
// how many run at once; rechecks due while every pool thread is busy start late, never early.
//
// Threading: on_result and on_lost run on a pool thread. RequestClose cancels the pending timer
// (the client is finished at once) or, during a check, cuts it short through the session's
// context (stop_requested) and the client finishes when the check returns.
#ifndef CONNECTIVITY_CONNECT_POOLED_CLIENT_H_
#define CONNECTIVITY_CONNECT_POOLED_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>

#include "src/connect/attempt.h"
#include "src/connect/client.h"
#include "src/connect/clients.h"
#include "src/connect/task_pool.h"

namespace connectivity::connect {

// One protocol's checks; used by one thread at a time.
class CheckSession {
 public:
  virtual ~CheckSession() = default;
  // The first check: resolve, connect, handshake, address checks; within the context's deadline.
  virtual ConnectOutcome Connect() = 0;
  // A recheck of an open connection (within the settings' timeout from now): the loss, if any.
  virtual std::optional<ConnectOutcome> Recheck() = 0;
};

using CheckSessionFactory =
    std::function<std::unique_ptr<CheckSession>(const ConnectTarget&, const ClientSettings&, SessionContext&)>;

// Runs `factory`'s session on `pool` (which must outlive the client).
std::unique_ptr<Client> MakePooledClient(TaskPool& pool, ConnectTarget target, SharedSettings settings,
                                         CheckSessionFactory factory, ClientCallbacks callbacks);

// Runs it on a thread of its own (test connection): the same checks, with WaitForStop in between.
std::unique_ptr<Client> MakeThreadedCheckClient(ConnectTarget target, SharedSettings settings,
                                                CheckSessionFactory factory, ClientCallbacks callbacks);

// The sessions of http_client.cc and kafka_client.cc.
std::unique_ptr<CheckSession> MakeHttpCheckSession(const ConnectTarget& target, const ClientSettings& settings,
                                                   SessionContext& context);
std::unique_ptr<CheckSession> MakeKafkaCheckSession(const ConnectTarget& target, const ClientSettings& settings,
                                                    SessionContext& context);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_POOLED_CLIENT_H_
