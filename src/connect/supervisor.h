// Supervisor: keeps connections whose desired status is open really connected.
//
// Open() connects (bounded concurrency: at most concurrent_connects_max attempts in flight, the
// rest queue; Open never blocks), and after a failure or a loss reconnects with exponential
// backoff and jitter between backoff_min and backoff_max (Backoff). The backoff state shows as
// recoveryStatus: ongoing while retrying, backOffLimitReached once the delay reached the maximum
// (it keeps retrying at that pace), succeeded when connected. The backoff step is reset when a
// connection had stayed up for at least backoff_max.
//
// One physical client per connection: this service is one instance, so for clientCount > 1 the
// other clients are reported "misconfigured" with Ditto's message for a cluster too small.
// Every attempt checks the sources and targets as Ditto's client for the protocol does
// (address.h); a refused address fails the attempt (retried with backoff, so rechecked at every
// reconnect), and each checked address is reported with its own status and the broker's words.
// Addresses a protocol does not check follow their client's state (this service moves no
// messages, so there are no consumers or producers of its own).
//
// Threading: every method is thread-safe and returns quickly; callbacks (first_attempt, the event
// listener) run on client threads without any Supervisor lock held, so they may call back into
// the Supervisor; they should not block for long. Time: statuses and metrics use the Clock;
// deadlines and backoff use the steady clock.
#ifndef CONNECTIVITY_CONNECT_SUPERVISOR_H_
#define CONNECTIVITY_CONNECT_SUPERVISOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/clock.h"
#include "src/connect/live_status.h"
#include "src/connect/outcome.h"
#include "src/model/connection.h"

namespace connectivity::connect {

struct ConnectEvent {
  std::string connection_id;
  bool success = false;
  std::string message;  // the outcome's description; a loss reads "... connection lost: ..."
  int64_t timestamp_us = 0;
  std::vector<AddressCheck> refused;  // the addresses the broker refused in this attempt
  std::optional<TunnelReport> tunnel;  // the SSH tunnel's part, if the connection has one
};

class Supervisor {
 public:
  struct Options {
    ConnectSettings connect;
    int64_t backoff_min_us = 1'000'000;
    int64_t backoff_max_us = 120'000'000;
    size_t concurrent_connects_max = 256;
    // Threads running AMQP 0.9.1 handshakes and closes (amqp091_loop.h); open connections share
    // one loop thread whatever their number.
    size_t handshake_threads = 4;
    // Threads running the checks of HTTP push and Kafka connections (pooled_client.h): their
    // first connect and every recheck; between checks an open connection costs no thread.
    // Each Kafka check runs 3-4 librdkafka threads of its own while it lasts: 2 keeps the peak low.
    size_t check_threads = 2;
    std::string instance = "0";  // the `client` of every resource status
    // One server runs one client per connection and reports the others of clientCount > 1 as
    // misconfigured; in cluster mode (false) they run on other instances, which report them.
    bool single_instance = true;
  };

  Supervisor(Options options, const Clock& clock);
  ~Supervisor();  // Stop()
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts the MQTT loop and the timer thread; connections opened before Start connect now.
  void Start();
  // Closes every client cleanly (protocol-level close), answers pending first_attempt callbacks
  // with a failure, and joins every thread. Open() after Stop() fails at once. Idempotent.
  void Stop();

  // Desired open: connect, and keep connected. `first_attempt` is called exactly once with the
  // outcome of the first connect attempt (or a kOther failure if the connection is closed,
  // replaced or the Supervisor stopped first). For an id already supervised this replaces its
  // configuration (modify): the old client is closed and the new one connected; live metrics
  // are kept.
  void Open(const model::Connection& connection,
            std::function<void(const ConnectOutcome&)> first_attempt);
  // Disconnect and stop reconnecting; forgets the connection (and its live metrics). Idempotent.
  void Close(std::string_view connection_id);
  // The same, and `closed` runs (on a Supervisor thread) once the client has closed and its
  // thread ended, or at once if none ran: an instance of a cluster hands a connection over only
  // then (src/cluster).
  void Close(std::string_view connection_id, std::function<void()> closed);

  std::optional<LiveStatus> Status(std::string_view connection_id) const;  // nullopt: unknown id
  void ResetMetrics(std::string_view connection_id);  // zero the live counters
  // Every connect success and failure, and every loss of an open connection.
  void SetEventListener(std::function<void(const ConnectEvent&)> listener);

  size_t supervised_count() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_SUPERVISOR_H_
