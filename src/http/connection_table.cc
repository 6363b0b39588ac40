#include "src/http/connection_table.h"

#include <sys/socket.h>

#include <chrono>
#include <limits>
#include <string>
#include <utility>

#include "src/http/http_errors.h"

namespace connectivity::http {
namespace {

constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

int64_t After(int64_t now_us, int64_t timeout_us) {
  return timeout_us >= kNoDeadline - now_us ? kNoDeadline : now_us + timeout_us;
}

}  // namespace

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// --- HttpConnection ---------------------------------------------------------------------------

HttpConnection::HttpConnection(int fd, bool admitted, const ConnectionLimits& limits, int64_t now_us)
    : fd_(fd),
      admitted_(admitted),
      limits_(limits),
      framer_(limits.framing),
      phase_(Phase::kIdle),
      deadline_us_(After(now_us, limits.header_timeout_us)) {}

void HttpConnection::set_error_answer(ErrorAnswer answer) { error_answer_ = std::move(answer); }

bool HttpConnection::AcceptInput() {
  MutexLock lock(mutex_);
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kHead:
    case Phase::kBody:
      return true;
    case Phase::kAnswering:
    case Phase::kWriting:
      pipelined_ = true;
      return false;
    case Phase::kClosing:
      return false;
  }
  return false;
}

bool HttpConnection::BeginRequest(int64_t now_us) {
  MutexLock lock(mutex_);
  if (phase_ != Phase::kIdle) return phase_ == Phase::kHead || phase_ == Phase::kBody;
  phase_ = Phase::kHead;
  deadline_us_ = After(now_us, limits_.header_timeout_us);
  return true;
}

void HttpConnection::BeginBody(int64_t now_us) {
  MutexLock lock(mutex_);
  if (phase_ != Phase::kHead) return;
  phase_ = Phase::kBody;
  deadline_us_ = After(now_us, limits_.body_timeout_us);
}

bool HttpConnection::Dispatch(bool keep_alive) {
  MutexLock lock(mutex_);
  if (phase_ == Phase::kClosing) return false;
  phase_ = Phase::kAnswering;
  deadline_us_ = kNoDeadline;
  keep_alive_ = keep_alive;
  pipelined_ = false;
  return true;
}

bool HttpConnection::AnswerDecided() {
  MutexLock lock(mutex_);
  if (phase_ == Phase::kAnswering) phase_ = Phase::kWriting;
  return keep_alive_ && !pipelined_;
}

bool HttpConnection::QueueLastWrite(bool keep_alive, int64_t now_us, const std::function<void()>& write) {
  MutexLock lock(mutex_);
  const bool keep = keep_alive && !pipelined_ && phase_ == Phase::kWriting;
  if (phase_ != Phase::kClosing) {
    phase_ = keep ? Phase::kIdle : Phase::kClosing;
    deadline_us_ = After(now_us, limits_.idle_timeout_us);
  }
  write();
  return keep;
}

bool HttpConnection::StartClosing(int64_t now_us) {
  MutexLock lock(mutex_);
  if (phase_ == Phase::kClosing) return false;
  phase_ = Phase::kClosing;
  deadline_us_ = After(now_us, limits_.idle_timeout_us);
  return true;
}

void HttpConnection::ShutdownWrite() {
  MutexLock lock(mutex_);
  ShutdownLocked(SHUT_WR);
  deadline_us_ = std::min(deadline_us_, After(MonotonicMicros(), kLingerUs));
}

void HttpConnection::MarkClosed() {
  MutexLock lock(mutex_);
  closed_ = true;
}

HttpConnection::Phase HttpConnection::phase() const {
  MutexLock lock(mutex_);
  return phase_;
}

HttpConnection::Expiry HttpConnection::Expire(int64_t now_us) {
  MutexLock lock(mutex_);
  if (closed_ || now_us < deadline_us_) return Expiry::kNone;
  switch (phase_) {
    case Phase::kHead:
    case Phase::kBody: {
      const Expiry expiry = phase_ == Phase::kHead ? Expiry::kHeadTimeout : Expiry::kBodyTimeout;
      phase_ = Phase::kClosing;
      deadline_us_ = After(now_us, limits_.idle_timeout_us);
      return expiry;
    }
    case Phase::kIdle:
    case Phase::kClosing:
      ShutdownLocked(SHUT_RDWR);
      deadline_us_ = kNoDeadline;
      return Expiry::kShutdown;
    case Phase::kAnswering:
    case Phase::kWriting:
      deadline_us_ = kNoDeadline;
      return Expiry::kNone;
  }
  return Expiry::kNone;
}

void HttpConnection::CallErrorAnswer(const model::DittoError& error) const {
  if (error_answer_) error_answer_(error);
}

void HttpConnection::ShutdownLocked(int how) {
  // After MarkClosed the descriptor may already belong to another connection.
  if (closed_ || shut_) return;
  if (how == SHUT_WR) {
    if (write_shut_) return;
    write_shut_ = true;
  } else {
    shut_ = true;
  }
  ::shutdown(fd_, how);
}

// --- ConnectionTable --------------------------------------------------------------------------

ConnectionTable::ConnectionTable(ConnectionLimits limits) : limits_(std::move(limits)) {}

ConnectionTable::~ConnectionTable() { Stop(); }

void ConnectionTable::Start() {
  MutexLock lock(run_mutex_);
  if (watchdog_.joinable()) return;
  stopping_ = false;
  watchdog_ = std::thread([this] { Run(); });
}

void ConnectionTable::Stop() {
  {
    MutexLock lock(run_mutex_);
    stopping_ = true;
  }
  run_wakeup_.NotifyAll();
  if (watchdog_.joinable()) watchdog_.join();
}

void ConnectionTable::Run() {
  MutexLock lock(run_mutex_);
  while (!stopping_) {
    run_wakeup_.WaitFor(lock, std::chrono::microseconds(kWatchdogTickUs));
    if (stopping_) return;
    lock.Unlock();
    Tick(MonotonicMicros());
    lock.Lock();
  }
}

std::shared_ptr<HttpConnection> ConnectionTable::Open(int fd) {
  MutexLock lock(mutex_);
  const bool admitted = admitted_ < limits_.connections_max;
  if (admitted) {
    ++admitted_;
  } else {
    rejected_total_.fetch_add(1, std::memory_order_relaxed);
  }
  auto connection = std::make_shared<HttpConnection>(fd, admitted, limits_, MonotonicMicros());
  connections_.emplace(connection.get(), connection);
  return connection;
}

void ConnectionTable::Close(const std::shared_ptr<HttpConnection>& connection) {
  connection->MarkClosed();
  MutexLock lock(mutex_);
  if (connections_.erase(connection.get()) > 0 && connection->admitted()) --admitted_;
}

void ConnectionTable::Tick(int64_t now_us) {
  std::vector<std::pair<std::shared_ptr<HttpConnection>, HttpConnection::Expiry>> timed_out;
  {
    MutexLock lock(mutex_);
    for (const auto& [key, connection] : connections_) {
      const HttpConnection::Expiry expiry = connection->Expire(now_us);
      if (expiry == HttpConnection::Expiry::kHeadTimeout || expiry == HttpConnection::Expiry::kBodyTimeout) {
        timed_out.emplace_back(connection, expiry);
      }
    }
  }
  // Answered outside the table's mutex: the answer is queued on the connection's Pistache worker.
  for (const auto& [connection, expiry] : timed_out) {
    timeouts_total_.fetch_add(1, std::memory_order_relaxed);
    const bool head = expiry == HttpConnection::Expiry::kHeadTimeout;
    const int64_t timeout_us = head ? limits_.header_timeout_us : limits_.body_timeout_us;
    connection->CallErrorAnswer(RequestTimeout(
        std::string(head ? "The request line and headers were" : "The request body was") +
        " not received within " + std::to_string(timeout_us / 1000) + " ms."));
  }
}

size_t ConnectionTable::open() const {
  MutexLock lock(mutex_);
  return connections_.size();
}

}  // namespace connectivity::http
