// LiveConnections: the service's side of real connections (REF §2.1, §8;
// SPEC §4.4): test connection on a worker thread, and the hand-over of
// desired-open connections to the connect::Supervisor after their events are
// committed. Connect successes and failures go to the connection logs, and
// closing a connection (close, delete, modify to closed) ends its logging:
// Ditto's logs live in the client actors a close stops, so a closed
// connection answers no entries and no enabledSince/enabledUntil until it is
// opened again (ditto-testing RestConnectionsIT).
//
// Without a Supervisor (unit tests of the journal path) open and close only
// change the desired status, and test connection answers 503.
#ifndef CONNECTIVITY_SERVICE_LIVE_CONNECTIONS_H_
#define CONNECTIVITY_SERVICE_LIVE_CONNECTIONS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/cluster/placement.h"
#include "src/connect/outcome.h"
#include "src/connect/supervisor.h"
#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/service/connection_logs.h"
#include "src/service/registry.h"
#include "src/service/worker_pool.h"

namespace connectivity::service {

inline constexpr std::string_view kTestSuccess = "Success(successfully connected + initialized mapper)";

class LiveConnections {
 public:
  // `supervisor` may be null; it must outlive this object.
  LiveConnections(connect::Supervisor* supervisor, connect::ConnectSettings test_settings,
                  ConnectionLogs& logs);
  ~LiveConnections();  // Stop()
  LiveConnections(const LiveConnections&) = delete;
  LiveConnections& operator=(const LiveConnections&) = delete;

  // Connects every desired-open connection, in the background and at the
  // Supervisor's bounded pace, so start-up and /health are not held up.
  void OpenAtStartup(std::vector<StatePtr> states);
  // Stops the start-up thread and the test workers (not the Supervisor).
  void Stop();

  // Connect and keep connected; `first_attempt` gets nullopt on success or
  // the 504 connection.failed with the cause.
  void Open(std::shared_ptr<const model::Connection> connection,
            std::function<void(std::optional<model::DittoError>)> first_attempt);
  // Disconnects and ends the connection's logging session (entries dropped).
  void Close(std::string_view id);
  // A real connect + handshake + close on a worker thread: nullopt on
  // success, else the error (504 with the cause).
  void Test(std::shared_ptr<const model::Connection> connection,
            std::function<void(std::optional<model::DittoError>)> done);

  // Cluster mode: src/cluster decides which instance runs each client, and
  // opens and closes them on the Supervisor itself. Set before any Open.
  void SetPlacement(cluster::Placement* placement) { placement_ = placement; }
  // Another instance changed the connection: in cluster mode its clients
  // may be this instance's to run (or not any more).
  void OnExternal(const StatePtr& state);

  bool has_supervisor() const { return supervisor_ != nullptr; }
  std::optional<connect::LiveStatus> Status(std::string_view id) const;
  void ResetMetrics(std::string_view id);

 private:
  connect::Supervisor* const supervisor_;
  cluster::Placement* placement_ = nullptr;
  const connect::ConnectSettings test_settings_;
  ConnectionLogs& logs_;
  WorkerPool test_workers_;
  std::atomic<bool> stopping_{false};
  std::thread startup_;
};

// 504 connectivity:connection.failed whose description names the cause.
model::DittoError ConnectFailure(std::string_view id, const connect::ConnectOutcome& outcome);

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_LIVE_CONNECTIONS_H_
