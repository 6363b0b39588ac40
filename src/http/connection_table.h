// ConnectionTable: every open HTTP connection, the phase it is in and the deadline of that phase;
// admission against --max-connections; a watchdog thread that acts on passed deadlines.
//
// Phases of one connection (HttpConnection::Phase) and their deadlines:
//   kIdle      no request byte yet: --header-timeout on a new connection, --idle-timeout after an
//              answer (keep-alive). Passed: the socket is shut down, without an answer.
//   kHead      request line and headers arriving: --header-timeout from their first byte.
//   kBody      body arriving: --body-timeout from the end of the head.
//              Passed (kHead, kBody): 408 gateway:request.timeout, then close.
//   kAnswering the request is with the router; no deadline: the service bounds its own work
//              (connect and test wait at most CONNECTIVITY_CLIENT_CONNECT_TIMEOUT).
//   kWriting   the answer is being queued; bytes arriving now or in kAnswering are a pipelined
//              request: the answer says `Connection: close` and the connection closes after it.
//   kClosing   an answer with `Connection: close` is on its way (written within --idle-timeout,
//              else both sides are shut down); once written, the write side is shut down (FIN
//              after the answer) and the client has kLingerUs to close its side (its late bytes
//              are read and dropped, so no RST destroys the answer); then both sides are shut down.
// A shut-down socket reaches Pistache as end of stream; Pistache then calls onDisconnection,
// which removes the connection here, and only then closes the descriptor. shutdown(2) is called
// under the connection's mutex and never after that removal, so it never hits a reused descriptor.
// Pistache's own header, body and keep-alive timeouts are set beyond reach (server.cc): a peer it
// closed itself would skip onDisconnection.
//
// Admission: a connection over --max-connections is still accepted by Pistache; it is answered
// 503 gateway:service.unavailable and closed, so the client learns why. Until closed it holds a
// descriptor but no admission slot.
//
// Threads: Open, Close and the phase changes of a request run on the connection's Pistache
// worker; AnswerDecided/QueueLastWrite on whichever thread answers (HTTP, commit or completion
// thread); Tick on the watchdog thread. HttpConnection's mutex guards its phase and flags; the
// table's mutex guards the set. Lock order: table before connection. The framer belongs to the
// Pistache worker.
#ifndef CONNECTIVITY_HTTP_CONNECTION_TABLE_H_
#define CONNECTIVITY_HTTP_CONNECTION_TABLE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/mutex.h"
#include "src/http/request_framing.h"
#include "src/model/errors.h"

namespace connectivity::http {

struct ConnectionLimits {
  size_t connections_max = 10000;             // --max-connections
  int64_t idle_timeout_us = 60'000'000;       // --idle-timeout
  int64_t header_timeout_us = 10'000'000;     // --header-timeout
  int64_t body_timeout_us = 30'000'000;       // --body-timeout
  FramingLimits framing;
};

// After a `Connection: close` answer is written, how long the client may take to close its side.
inline constexpr int64_t kLingerUs = 2'000'000;
// How often the watchdog looks at the deadlines (their resolution).
inline constexpr int64_t kWatchdogTickUs = 100'000;

// Monotonic microseconds (std::chrono::steady_clock).
int64_t MonotonicMicros();

class HttpConnection {
 public:
  enum class Phase { kIdle, kHead, kBody, kAnswering, kWriting, kClosing };
  // Answers `error` on the connection and closes it (set by server.cc; called by the watchdog).
  using ErrorAnswer = std::function<void(const model::DittoError& error)>;

  HttpConnection(int fd, bool admitted, const ConnectionLimits& limits, int64_t now_us);
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool admitted() const { return admitted_; }
  RequestFramer& framer() { return framer_; }  // the Pistache worker only
  void set_error_answer(ErrorAnswer answer);

  // Bytes arrived: true if the framer should read them. False while a request is answered (the
  // bytes are a pipelined request: noted, dropped) or the connection is closing.
  bool AcceptInput();
  // The first byte of a request arrived (kIdle -> kHead); false if the connection is closing.
  bool BeginRequest(int64_t now_us);
  // The head is complete and a body follows (kHead -> kBody).
  void BeginBody(int64_t now_us);
  // The request goes to the router (-> kAnswering); false if the connection is closing (a
  // deadline passed meanwhile): then the request is dropped.
  bool Dispatch(bool keep_alive);
  // The answer is about to be queued (-> kWriting): whether it says keep-alive.
  bool AnswerDecided();
  // Queues the answer's last write: -> kIdle, or kClosing (returns false: call ShutdownWrite once
  // written), then runs `write` (which only queues bytes on Pistache's write queue) under the
  // mutex. AcceptInput waits for it, so a request the client sends once it has read this answer
  // finds the connection idle: it is not taken for a pipelined one, even when the answer is
  // queued on another thread than the connection's Pistache worker.
  bool QueueLastWrite(bool keep_alive, int64_t now_us, const std::function<void()>& write);
  // -> kClosing for an error answer; false if it already was (answer nothing more).
  bool StartClosing(int64_t now_us);
  // The closing answer is written: FIN to the client, then linger.
  void ShutdownWrite();
  // Pistache saw the end of the connection (onDisconnection).
  void MarkClosed();

  Phase phase() const;
  // What a passed deadline means (for the watchdog; under the mutex).
  enum class Expiry {
    kNone,
    kShutdown,     // idle or lingering too long: both sides shut down
    kHeadTimeout,  // -> kClosing; the caller answers 408
    kBodyTimeout,  // -> kClosing; the caller answers 408
  };
  Expiry Expire(int64_t now_us);
  void CallErrorAnswer(const model::DittoError& error) const;

 private:
  void ShutdownLocked(int how) REQUIRES(mutex_);

  const int fd_;
  const bool admitted_;
  const ConnectionLimits& limits_;  // the table's; outlives every connection
  RequestFramer framer_;
  mutable Mutex mutex_;
  Phase phase_ GUARDED_BY(mutex_);
  int64_t deadline_us_ GUARDED_BY(mutex_);  // INT64_MAX: none
  bool keep_alive_ GUARDED_BY(mutex_) = true;   // the client of the current request keeps it
  bool pipelined_ GUARDED_BY(mutex_) = false;   // bytes arrived while answering
  bool write_shut_ GUARDED_BY(mutex_) = false;
  bool shut_ GUARDED_BY(mutex_) = false;        // both sides shut down
  bool closed_ GUARDED_BY(mutex_) = false;      // removed; the descriptor may be reused
  ErrorAnswer error_answer_;  // set once, before the connection is shared
};

class ConnectionTable {
 public:
  explicit ConnectionTable(ConnectionLimits limits);
  ~ConnectionTable();  // Stop()
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  // Starts and stops the watchdog thread (idempotent).
  void Start();
  void Stop();

  // A new connection on `fd`; admitted unless --max-connections are open.
  std::shared_ptr<HttpConnection> Open(int fd);
  // Pistache removes the connection (call before it closes the descriptor).
  void Close(const std::shared_ptr<HttpConnection>& connection);

  // One pass of the watchdog at `now_us` (public for tests).
  void Tick(int64_t now_us);

  const ConnectionLimits& limits() const { return limits_; }
  size_t open() const;
  uint64_t rejected_total() const { return rejected_total_.load(std::memory_order_relaxed); }
  uint64_t timeouts_total() const { return timeouts_total_.load(std::memory_order_relaxed); }
  // Requests refused for their framing (request_framing.h), counted by server.cc.
  void CountFramingError() { framing_errors_total_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t framing_errors_total() const { return framing_errors_total_.load(std::memory_order_relaxed); }

 private:
  // The "http-watchdog" thread: Tick every kWatchdogTickUs.
  void Run() EXCLUDES(run_mutex_);

  const ConnectionLimits limits_;
  // Lock order: the table's mutex_ before a connection's (Tick calls Expire under it).
  mutable Mutex mutex_;
  std::unordered_map<const HttpConnection*, std::shared_ptr<HttpConnection>> connections_ GUARDED_BY(mutex_);
  size_t admitted_ GUARDED_BY(mutex_) = 0;
  std::atomic<uint64_t> rejected_total_{0};
  std::atomic<uint64_t> timeouts_total_{0};
  std::atomic<uint64_t> framing_errors_total_{0};
  Mutex run_mutex_;
  CondVar run_wakeup_;
  bool stopping_ GUARDED_BY(run_mutex_) = false;
  std::thread watchdog_;
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_CONNECTION_TABLE_H_
