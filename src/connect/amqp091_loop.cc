#include "src/connect/amqp091_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/mutex.h"
#include "src/connect/amqp091_session.h"
#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

constexpr uint64_t kWakeId = 0;
constexpr int kEventsMax = 256;
constexpr int64_t kTickUs = 100'000;            // how often due heartbeat polls are looked for
constexpr int64_t kNoHeartbeatPollUs = 5'000'000;  // poll interval when no heartbeat was negotiated

ConnectOutcome ClosedBeforeConnected() {
  ConnectOutcome closed;
  closed.failure = FailureKind::kOther;
  closed.description = "Closed before the connection was established";
  return closed;
}

}  // namespace

// One client: created by CreateClient, its handshake and close on the pool, its open phase on
// the loop. `session` is used by one thread at a time (handed over through the queues).
struct Amqp091Connection {
  Amqp091Connection(uint64_t id_in, ConnectTarget target_in, SharedSettings settings_in,
                    ClientCallbacks callbacks)
      : id(id_in), target(std::move(target_in)), settings(std::move(settings_in)),
        context(std::move(callbacks), settings->timeout_us) {}

  const uint64_t id;
  const ConnectTarget target;
  const SharedSettings settings;
  SessionContext context;
  std::unique_ptr<Amqp091Session> session;
  Completion completion;
  // Loop thread only, while open.
  int fd = -1;
  int64_t poll_every_us = kNoHeartbeatPollUs;
  int64_t next_poll_us = 0;
};

class Amqp091Loop::Impl {
 public:
  explicit Impl(size_t handshake_threads) : handshake_threads_(std::max<size_t>(1, handshake_threads)) {}
  ~Impl() {
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  Status Start() EXCLUDES(mutex_) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) return Status::IOError("epoll/eventfd failed");
    epoll_event wake{EPOLLIN, {.u64 = kWakeId}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
    {
      MutexLock lock(mutex_);
      running_ = true;
    }
    loop_thread_ = std::thread([this] { Run(); });
    for (size_t i = 0; i < handshake_threads_; ++i) pool_.emplace_back([this] { RunPool(); });
    return Status::Ok();
  }

  void Stop() EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      if (!running_ || stopping_) return;
      stopping_ = true;
    }
    Wake();
    if (loop_thread_.joinable()) loop_thread_.join();  // hands every open client to the pool
    {
      MutexLock lock(mutex_);
      pool_stop_ = true;
      pool_wake_.NotifyAll();
    }
    for (std::thread& thread : pool_) thread.join();  // drains the queue first
    pool_.clear();
  }

  bool running() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return running_ && !stopping_;
  }

  uint64_t NextId() { return next_id_.fetch_add(1); }

  // From the client handle: queues the handshake; false if the loop is not running.
  bool StartHandshake(std::shared_ptr<Amqp091Connection> connection) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    if (!running_ || stopping_) return false;
    pool_queue_.push_back([this, connection = std::move(connection)] { Handshake(connection); });
    pool_wake_.NotifyOne();
    return true;
  }

  // From the client handle, after RequestStop on its context: closes it if it is open on the
  // loop (if it is not there yet, Adopt sees the stop).
  void RequestClose(uint64_t id) EXCLUDES(mutex_) {
    Post([this, id] {
      auto it = open_.find(id);
      if (it == open_.end()) return;
      std::shared_ptr<Amqp091Connection> connection = std::move(it->second);
      open_.erase(it);
      Unregister(*connection);
      QueueClose(std::move(connection));
    });
  }

 private:
  // Runs `task` on the loop thread; false if the loop is stopping.
  bool Post(std::function<void()> task) EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      if (!running_ || stopping_) return false;
      posted_.push_back(std::move(task));
    }
    Wake();
    return true;
  }

  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  }

  // --- the handshake pool ----------------------------------------------------------------------

  void RunPool() EXCLUDES(mutex_) {
    BlockSigpipeInThisThread();
    for (;;) {
      std::function<void()> job;
      {
        MutexLock lock(mutex_);
        while (pool_queue_.empty() && !pool_stop_) pool_wake_.Wait(lock);
        if (pool_queue_.empty()) return;  // stopping, and nothing left to close
        job = std::move(pool_queue_.front());
        pool_queue_.pop_front();
      }
      job();
    }
  }

  // Pool thread: connect, report, and hand an established connection to the loop.
  void Handshake(const std::shared_ptr<Amqp091Connection>& connection) EXCLUDES(mutex_) {
    SessionContext& context = connection->context;
    context.Begin();
    if (!context.stop_requested() && running()) {
      connection->session = std::make_unique<Amqp091Session>(connection->target, *connection->settings, context);
      ConnectOutcome outcome = connection->session->Handshake();
      const bool ok = outcome.ok;
      if (ok || !context.stop_requested()) context.ReportResult(std::move(outcome));
      if (ok) {
        if (Post([this, connection] { Adopt(connection); })) return;  // the loop owns it now
        connection->session->Close();  // the loop is stopping
      }
    }
    Finish(*connection);
  }

  // Pool thread: the clean protocol-level close.
  void Close(Amqp091Connection& connection) {
    if (connection.session) connection.session->Close();
    Finish(connection);
  }

  // Frees the session, reports a closed result if none was reported, and marks the client done.
  static void Finish(Amqp091Connection& connection) {
    connection.session.reset();
    if (!connection.context.result_reported()) connection.context.ReportResult(ClosedBeforeConnected());
    connection.completion.Set();
  }

  // Any thread: queues the clean close on the pool (also while stopping: the pool drains it).
  void QueueClose(std::shared_ptr<Amqp091Connection> connection) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    pool_queue_.push_back([this, connection = std::move(connection)] { Close(*connection); });
    pool_wake_.NotifyOne();
  }

  // --- the loop thread -------------------------------------------------------------------------

  void Run() {
    BlockSigpipeInThisThread();
    epoll_event events[kEventsMax];
    int64_t next_tick_us = SteadyMicros() + kTickUs;
    for (;;) {
      const int wait_ms = static_cast<int>(std::max<int64_t>(0, next_tick_us - SteadyMicros()) / 1000);
      const int n = epoll_wait(epoll_fd_, events, kEventsMax, wait_ms);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 == kWakeId) {
          uint64_t count;
          [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof(count));
        } else if (auto it = open_.find(events[i].data.u64); it != open_.end()) {
          PollConnection(it->second);
        }
      }
      const bool stopping = RunPosted();
      if (SteadyMicros() >= next_tick_us) {
        PollDue();
        next_tick_us = SteadyMicros() + kTickUs;
      }
      if (stopping) break;
    }
    for (auto& [id, connection] : open_) {
      Unregister(*connection);
      QueueClose(std::move(connection));
    }
    open_.clear();
  }

  bool RunPosted() EXCLUDES(mutex_) {
    std::vector<std::function<void()>> tasks;
    bool stopping;
    {
      MutexLock lock(mutex_);
      tasks.swap(posted_);
      stopping = stopping_;
    }
    for (auto& task : tasks) task();
    return stopping;
  }

  // Loop thread: an established connection starts being watched.
  void Adopt(const std::shared_ptr<Amqp091Connection>& connection) {
    if (connection->context.stop_requested()) {  // RequestClose came before the hand-over
      QueueClose(connection);
      return;
    }
    const int heartbeat_s = connection->session->heartbeat_s();
    connection->poll_every_us = heartbeat_s > 0 ? heartbeat_s * 1'000'000LL / 3 : kNoHeartbeatPollUs;
    connection->fd = connection->session->fd();
    epoll_event event{EPOLLIN, {.u64 = connection->id}};
    if (connection->fd < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, connection->fd, &event) != 0) {
      connection->fd = -1;
      Lose(*connection, Failure(FailureKind::kOther, connection->target, "connection lost: no socket to watch"));
      return;
    }
    std::shared_ptr<Amqp091Connection>& slot = open_[connection->id];
    slot = connection;
    PollConnection(slot);  // frames that came with the handshake's last reply are buffered already
  }

  // Loop thread: reads what arrived, sends a heartbeat if due; on a loss, reports and frees it.
  void PollConnection(std::shared_ptr<Amqp091Connection>& slot) {
    std::optional<ConnectOutcome> lost = slot->session->Poll();
    if (!lost) {
      slot->next_poll_us = SteadyMicros() + slot->poll_every_us;
      return;
    }
    std::shared_ptr<Amqp091Connection> connection = slot;  // `slot` dies with the erase
    open_.erase(connection->id);
    Unregister(*connection);
    Lose(*connection, *lost);
  }

  void PollDue() {
    const int64_t now = SteadyMicros();
    std::vector<uint64_t> due;
    for (const auto& [id, connection] : open_) {
      if (connection->next_poll_us <= now) due.push_back(id);
    }
    for (uint64_t id : due) {
      if (auto it = open_.find(id); it != open_.end()) PollConnection(it->second);
    }
  }

  void Lose(Amqp091Connection& connection, const ConnectOutcome& cause) {
    connection.context.ReportLost(cause);
    Finish(connection);  // no protocol close: the connection is gone
  }

  void Unregister(Amqp091Connection& connection) {
    if (connection.fd >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection.fd, nullptr);
    connection.fd = -1;
  }

  const size_t handshake_threads_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<uint64_t> next_id_{1};

  Mutex mutex_;
  bool running_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool pool_stop_ GUARDED_BY(mutex_) = false;
  std::vector<std::function<void()>> posted_ GUARDED_BY(mutex_);    // run on the loop thread
  std::deque<std::function<void()>> pool_queue_ GUARDED_BY(mutex_);  // handshakes and closes
  CondVar pool_wake_;

  std::thread loop_thread_;
  std::vector<std::thread> pool_;  // started by Start, joined by Stop
  std::unordered_map<uint64_t, std::shared_ptr<Amqp091Connection>> open_;  // loop thread only
};

namespace {

class Amqp091LoopClient final : public Client {
 public:
  Amqp091LoopClient(std::shared_ptr<Amqp091Loop::Impl> loop, std::shared_ptr<Amqp091Connection> connection)
      : loop_(std::move(loop)), connection_(std::move(connection)) {}
  ~Amqp091LoopClient() override {
    RequestClose();
    WaitFinished();
  }

  bool Start() override {
    started_ = loop_->StartHandshake(connection_);
    if (!started_) connection_->completion.Set();  // nothing runs, nothing to wait for
    return started_;
  }

  void RequestClose() override {
    if (!started_) {
      connection_->completion.Set();
      return;
    }
    connection_->context.RequestStop();  // cuts a handshake short (the session's abort hook)
    loop_->RequestClose(connection_->id);
  }

  bool Finished() const override { return connection_->completion.IsDone(); }
  void WaitFinished() override { connection_->completion.Wait(); }

 private:
  std::shared_ptr<Amqp091Loop::Impl> loop_;
  std::shared_ptr<Amqp091Connection> connection_;
  bool started_ = false;
};

}  // namespace

Amqp091Loop::Amqp091Loop(size_t handshake_threads) : impl_(std::make_shared<Impl>(handshake_threads)) {}
Amqp091Loop::~Amqp091Loop() { Stop(); }

Status Amqp091Loop::Start() { return impl_->Start(); }
void Amqp091Loop::Stop() { impl_->Stop(); }

std::unique_ptr<Client> Amqp091Loop::CreateClient(ConnectTarget target, SharedSettings settings,
                                                  ClientCallbacks callbacks) {
  if (!impl_->running()) return nullptr;
  auto connection = std::make_shared<Amqp091Connection>(impl_->NextId(), std::move(target), std::move(settings),
                                                        std::move(callbacks));
  return std::make_unique<Amqp091LoopClient>(impl_, std::move(connection));
}

}  // namespace connectivity::connect
