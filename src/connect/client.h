// The one small interface every protocol client implements (internal to src/connect), and the
// threaded adapter used by the protocols whose libraries block (AMQP 0.9.1, AMQP 1.0, HTTP,
// Kafka). MQTT clients run on an event loop instead (mqtt_loop.h).
//
// Life of a client: Start() connects within the settings' timeout and reports on_result exactly
// once; after a successful connect it keeps the connection (heartbeats) until RequestClose()
// closes it cleanly at the protocol level, or reports on_lost at most once if the connection
// breaks. A client makes one attempt: reconnecting means a new client (the Supervisor's job).
//
// Threading: callbacks run on the client's own thread (its session thread, a handshake pool
// thread or an event loop), never inside Start() or RequestClose(), and never after Finished() is
// true. RequestClose() never blocks, so callbacks may call it (and Supervisor methods) freely.
#ifndef CONNECTIVITY_CONNECT_CLIENT_H_
#define CONNECTIVITY_CONNECT_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "src/base/mutex.h"
#include "src/connect/outcome.h"

namespace connectivity::connect {

struct ClientCallbacks {
  // Exactly once: the outcome of the connect (kOther if closed before it was decided).
  std::function<void(const ConnectOutcome&)> on_result;
  // At most once, only after a successful on_result: the connection broke (not on RequestClose).
  std::function<void(const ConnectOutcome&)> on_lost;
};

class Client {
 public:
  virtual ~Client() = default;  // implementations close and wait, as RequestClose + WaitFinished
  // Returns at once; false if the client could not even start (no thread, loop stopped): then
  // no callback will ever run and the client is already finished.
  virtual bool Start() = 0;
  virtual void RequestClose() = 0;  // returns at once; idempotent; thread-safe
  virtual bool Finished() const = 0;  // closed, and no callback is running or will run
  virtual void WaitFinished() = 0;    // blocks until Finished()
};

// A one-shot "finished" flag that threads can wait for. Thread-safe.
class Completion {
 public:
  void Set() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    done_ = true;
    cv_.NotifyAll();
  }
  bool IsDone() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return done_;
  }
  void Wait() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    while (!done_) cv_.Wait(lock);
  }

 private:
  Mutex mutex_;
  CondVar cv_;
  bool done_ GUARDED_BY(mutex_) = false;
};

// What a blocking protocol session sees of its thread (or of the pool thread running its
// handshake). Thread-safe.
class SessionContext {
 public:
  SessionContext(ClientCallbacks callbacks, int64_t timeout_us);

  // The client adapter's side: Begin() when the attempt starts (its deadline and duration count
  // from here), RequestStop() on RequestClose (runs the abort hook).
  void Begin();
  void RequestStop() EXCLUDES(mutex_);

  int64_t deadline_us() const { return deadline_us_; }  // SteadyMicros() time
  int64_t timeout_us() const { return timeout_us_; }
  bool stop_requested() const { return stop_.load(std::memory_order_acquire); }
  // Sleeps until RequestClose or until `timeout_us` passed; true if close was requested.
  bool WaitForStop(int64_t timeout_us) EXCLUDES(mutex_);
  // The first call wins; the duration is measured from Start.
  void ReportResult(ConnectOutcome outcome);
  bool result_reported() const { return result_reported_; }
  void ReportLost(const ConnectOutcome& cause);

  // A session blocked in a library call can register how to cut it short on RequestClose (e.g.
  // shutdown() of its socket). The hook runs under a lock that ClearAbortHook also takes, so a
  // session clears the hook before it frees what the hook touches.
  void SetAbortHook(std::function<void()> hook) EXCLUDES(mutex_);
  void ClearAbortHook() EXCLUDES(mutex_);

 private:
  ClientCallbacks callbacks_;
  const int64_t timeout_us_;
  int64_t start_us_ = 0;
  int64_t deadline_us_ = 0;
  bool result_reported_ = false;  // only touched by the thread running the session
  std::atomic<bool> stop_{false};
  Mutex mutex_;
  CondVar stop_cv_;
  std::function<void(void)> abort_hook_ GUARDED_BY(mutex_);
};

using SessionBody = std::function<void(SessionContext&)>;

// A Client that runs `body` on a thread of its own. The body must report a result (the adapter
// reports kOther if it does not) and return when the connection is lost or close was requested.
std::unique_ptr<Client> MakeThreadedClient(SessionBody body, ClientCallbacks callbacks,
                                           int64_t timeout_us);

// Blocks SIGPIPE in the calling thread: a write to a socket the peer closed then fails with
// EPIPE instead of killing the process (libmosquitto writes with write(), not MSG_NOSIGNAL).
void BlockSigpipeInThisThread();

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_CLIENT_H_
