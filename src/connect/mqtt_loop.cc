#include "src/base/mutex.h"
#include "src/connect/mqtt_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <thread>
#include <unordered_map>

#include "src/connect/mqtt_session.h"
#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

constexpr uint64_t kWakeId = 0;
constexpr int kWaitMs = 20;
constexpr int64_t kTickUs = 50'000;       // deadline and keep-alive checks
constexpr int64_t kMiscEveryUs = 1'000'000;  // loop_misc per open client

}  // namespace

class MqttLoop::Impl {
 public:
  ~Impl() {
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  Status Start() {
    InitMosquittoOnce();
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) return Status::IOError("epoll/eventfd failed");
    epoll_event wake{EPOLLIN, {.u64 = kWakeId}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
    {
      MutexLock lock(mutex_);
      running_ = true;
    }
    thread_ = std::thread([this] { Run(); });
    resolver_ = std::thread([this] { RunResolver(); });
    return Status::Ok();
  }

  void Stop() {
    {
      MutexLock lock(resolve_mutex_);
      resolver_stop_ = true;
      resolve_cv_.NotifyAll();
    }
    if (resolver_.joinable()) resolver_.join();
    {
      MutexLock lock(mutex_);
      if (!running_) return;
      stopping_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
  }

  // Runs `task` on the loop thread; false if the loop is not running.
  bool Post(std::function<void()> task) {
    {
      MutexLock lock(mutex_);
      if (!running_ || stopping_) return false;
      posted_.push_back(std::move(task));
    }
    Wake();
    return true;
  }

  bool running() {
    MutexLock lock(mutex_);
    return running_ && !stopping_;
  }

  uint64_t NextId() { return next_id_.fetch_add(1); }

  void StartSession(std::unique_ptr<MqttSession> owned) {
    MqttSession& session = *owned;
    sessions_[session.id] = std::move(owned);
    session.start_us = SteadyMicros();
    session.deadline_us = session.start_us + session.settings->timeout_us;
    if (session.target.connect_to) {  // an SSH tunnel's local end: connect there, unchecked
      CheckedAddresses local;
      if (std::optional<IpAddress> address = ParseIpAddress(session.target.connect_to->host)) {
        local.addresses.push_back(*address);
      }
      OnResolved(session.id, std::move(local));
    } else if (ParseIpAddress(session.target.endpoint.host)) {
      OnResolved(session.id,
                 CheckedResolve(*session.settings, session.target.endpoint.host, session.deadline_us));
    } else {
      ResolveAsync(session);
    }
  }

  void CloseSession(uint64_t id) {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->phase == MqttSession::Phase::kDone) return;
    Finish(*it->second, Connected(*it->second));
    sessions_.erase(it);
  }

 private:
  // CONNACK accepted: a close says DISCONNECT.
  static bool Connected(const MqttSession& session) {
    return session.phase == MqttSession::Phase::kChecking || session.phase == MqttSession::Phase::kOpen;
  }

  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  }

  void Run() {
    BlockSigpipeInThisThread();
    epoll_event events[256];
    int64_t next_tick_us = SteadyMicros();
    for (;;) {
      const int n = epoll_wait(epoll_fd_, events, 256, kWaitMs);
      for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 == kWakeId) {
          uint64_t count;
          [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof(count));
        } else {
          HandleEvent(events[i].data.u64, events[i].events);
        }
      }
      const bool stopping = RunPosted();
      if (SteadyMicros() >= next_tick_us) {
        Tick();
        next_tick_us = SteadyMicros() + kTickUs;
      }
      Sweep();
      if (stopping) break;
    }
    for (auto& [id, session] : sessions_) Finish(*session, Connected(*session));
    sessions_.clear();
    MutexLock lock(mutex_);
    running_ = false;
  }

  bool RunPosted() {
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

  void RunResolver() {
    for (;;) {
      std::function<void()> task;
      {
        MutexLock lock(resolve_mutex_);
        while (!resolver_stop_ && resolve_queue_.empty()) resolve_cv_.Wait(lock);
        if (resolver_stop_) return;  // sessions still resolving are closed by the loop's stop
        task = std::move(resolve_queue_.front());
        resolve_queue_.pop_front();
      }
      task();
    }
  }

  void ResolveAsync(MqttSession& session) {
    MutexLock lock(resolve_mutex_);
    resolve_queue_.push_back([this, id = session.id, settings = session.settings,
                              host = session.target.endpoint.host,
                              deadline = session.deadline_us] {
      CheckedAddresses checked = CheckedResolve(*settings, host, deadline);
      Post([this, id, checked = std::move(checked)]() mutable { OnResolved(id, std::move(checked)); });
    });
    resolve_cv_.NotifyOne();
  }

  void OnResolved(uint64_t id, CheckedAddresses checked) {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->phase != MqttSession::Phase::kResolving) return;
    MqttSession& session = *it->second;
    if (checked.failure != FailureKind::kNone) {
      ReportResult(session, Failure(checked.failure, session.target, checked.detail));
      Finish(session, false);
      return;
    }
    session.addresses = std::move(checked.addresses);
    session.phase = MqttSession::Phase::kConnecting;
    ConnectNext(session);
  }

  // Starts connecting to the next address; on an immediate failure tries the following ones.
  void ConnectNext(MqttSession& session) {
    std::optional<ConnectOutcome> failure = StartMosquittoConnect(session);
    if (failure) {
      ConnectFailed(session, std::move(*failure));
      return;
    }
    SyncEpoll(session);
  }

  void ConnectFailed(MqttSession& session, ConnectOutcome failure) {
    if (failure.failure == FailureKind::kRefused && session.next_address < session.addresses.size()) {
      Unregister(session);
      DestroyMosquitto(session, false);
      ConnectNext(session);
      return;
    }
    ReportResult(session, std::move(failure));
    Finish(session, false);
  }

  void HandleEvent(uint64_t id, uint32_t revents) {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->mosq == nullptr) return;
    MqttSession& session = *it->second;
    if (session.phase != MqttSession::Phase::kConnecting && session.phase != MqttSession::Phase::kChecking &&
        session.phase != MqttSession::Phase::kOpen) {
      return;
    }
    const bool error = (revents & (EPOLLERR | EPOLLHUP)) != 0;
    if (session.phase == MqttSession::Phase::kConnecting && error && !session.connack) {
      int so_error = 0;
      socklen_t size = sizeof(so_error);
      getsockopt(session.fd, SOL_SOCKET, SO_ERROR, &so_error, &size);
      if (so_error != 0) {
        ConnectFailed(session, SocketLostOutcome(session, MOSQ_ERR_ERRNO, so_error));
        return;
      }
    }
    if ((revents & EPOLLOUT) && !error) session.tcp_connected = true;
    // While connecting, reads also drive a TLS handshake (libmosquitto continues it there).
    int rc = MOSQ_ERR_SUCCESS;
    if ((revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) || session.phase == MqttSession::Phase::kConnecting) {
      rc = mosquitto_loop_read(session.mosq, 1);
    }
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(session.mosq) >= 0 &&
        mosquitto_want_write(session.mosq)) {
      rc = mosquitto_loop_write(session.mosq, 1);
    }
    NoteSilentClose(session, rc);
    Advance(session);
  }

  // A failed TLS handshake closes the socket without the disconnect callback: treat any error
  // that left no socket behind as a disconnect.
  static void NoteSilentClose(MqttSession& session, int rc) {
    if (session.disconnect_rc || session.mosq == nullptr) return;
    if (rc != MOSQ_ERR_SUCCESS && mosquitto_socket(session.mosq) < 0) {
      session.disconnect_errno = errno;
      session.disconnect_rc = rc;
    }
  }

  void Advance(MqttSession& session) {
    if (session.phase == MqttSession::Phase::kConnecting) {
      if (session.connack) {
        ConnectOutcome outcome = ConnackOutcome(session);
        if (!outcome.ok) {
          ReportResult(session, std::move(outcome));
          Finish(session, false);
        } else if (std::optional<ConnectOutcome> failure = StartSubscriptionChecks(session)) {
          ReportResult(session, std::move(*failure));
          Finish(session, true);
        } else {
          session.phase = MqttSession::Phase::kChecking;
          session.connected = std::move(outcome);
        }
      } else if (session.disconnect_rc) {
        ConnectFailed(session,
                      SocketLostOutcome(session, *session.disconnect_rc, session.disconnect_errno));
      }
    }
    if (session.phase == MqttSession::Phase::kChecking) {
      if (session.disconnect_rc) {
        ReportResult(session, SocketLostOutcome(session, *session.disconnect_rc, session.disconnect_errno));
        Finish(session, false);
      } else if (SubscriptionChecksDone(session)) {
        ConnectOutcome outcome = ConcludeSubscriptionChecks(session, std::move(session.connected));
        const bool ok = outcome.ok;
        if (ok) {
          session.phase = MqttSession::Phase::kOpen;
          session.next_misc_us = SteadyMicros() + kMiscEveryUs;
        }
        ReportResult(session, std::move(outcome));
        if (!ok) Finish(session, true);
      }
    } else if (session.phase == MqttSession::Phase::kOpen && session.disconnect_rc) {
      const ConnectOutcome lost =
          SocketLostOutcome(session, *session.disconnect_rc, session.disconnect_errno);
      Unregister(session);
      session.phase = MqttSession::Phase::kDone;  // no DISCONNECT: the socket is gone
      if (session.callbacks.on_lost) session.callbacks.on_lost(lost);
      Finish(session, false);
    }
    if (session.phase == MqttSession::Phase::kConnecting || session.phase == MqttSession::Phase::kChecking ||
        session.phase == MqttSession::Phase::kOpen) {
      SyncEpoll(session);
    }
  }

  void Tick() {
    const int64_t now = SteadyMicros();
    for (auto& [id, owned] : sessions_) {
      MqttSession& session = *owned;
      if (session.phase == MqttSession::Phase::kResolving ||
          session.phase == MqttSession::Phase::kConnecting) {
        if (now < session.deadline_us) continue;
        ReportResult(session, Failure(FailureKind::kTimeout, session.target,
                                      "no CONNACK from the peer, " +
                                          WithinSeconds(session.settings->timeout_us)));
        Finish(session, false);
      } else if (session.phase == MqttSession::Phase::kChecking) {
        if (now < session.deadline_us) continue;
        ReportResult(session, Failure(FailureKind::kTimeout, session.target,
                                      "no SUBACK for every subscription, " +
                                          WithinSeconds(session.settings->timeout_us)));
        Finish(session, true);
      } else if (session.phase == MqttSession::Phase::kOpen && now >= session.next_misc_us) {
        session.next_misc_us = now + kMiscEveryUs;
        // PINGREQ when due; closes on a missing PINGRESP.
        NoteSilentClose(session, mosquitto_loop_misc(session.mosq));
        Advance(session);
      }
    }
  }

  void Sweep() {
    std::erase_if(sessions_, [](const auto& entry) {
      return entry.second->phase == MqttSession::Phase::kDone;
    });
  }

  void SyncEpoll(MqttSession& session) {
    const int socket = session.mosq != nullptr ? mosquitto_socket(session.mosq) : -1;
    if (socket != session.fd) {
      // libmosquitto closed the old socket (closing removed it from epoll): never DEL it, the
      // number may already belong to another client's new socket.
      session.fd = -1;
      session.events = 0;
      if (socket < 0) return;
      epoll_event event{DesiredEvents(session), {.u64 = session.id}};
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket, &event) == 0) {
        session.fd = socket;
        session.events = event.events;
      }
      return;
    }
    if (socket < 0) return;
    const uint32_t wanted = DesiredEvents(session);
    if (wanted == session.events) return;
    epoll_event event{wanted, {.u64 = session.id}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, socket, &event);
    session.events = wanted;
  }

  void Unregister(MqttSession& session) {
    if (session.fd >= 0 && session.mosq != nullptr && mosquitto_socket(session.mosq) == session.fd) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, session.fd, nullptr);
    }
    session.fd = -1;
    session.events = 0;
  }

  void ReportResult(MqttSession& session, ConnectOutcome outcome) {
    if (session.result_reported) return;
    session.result_reported = true;
    outcome.duration_us = SteadyMicros() - session.start_us;
    if (session.callbacks.on_result) session.callbacks.on_result(outcome);
  }

  // Closes the client (DISCONNECT if asked), reports a closed result if none was reported yet,
  // and marks it done; Sweep() frees it.
  void Finish(MqttSession& session, bool send_disconnect) {
    if (session.completion->IsDone()) return;
    Unregister(session);
    DestroyMosquitto(session, send_disconnect);
    if (!session.result_reported) {
      ConnectOutcome closed;
      closed.failure = FailureKind::kOther;
      closed.description = "Closed before the connection was established";
      ReportResult(session, std::move(closed));
    }
    session.phase = MqttSession::Phase::kDone;
    session.completion->Set();
  }

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  Mutex mutex_;
  std::vector<std::function<void()>> posted_ GUARDED_BY(mutex_);
  bool running_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::atomic<uint64_t> next_id_{1};
  std::unordered_map<uint64_t, std::unique_ptr<MqttSession>> sessions_;  // loop thread only

  std::thread resolver_;
  Mutex resolve_mutex_;
  CondVar resolve_cv_;
  std::deque<std::function<void()>> resolve_queue_ GUARDED_BY(resolve_mutex_);
  bool resolver_stop_ GUARDED_BY(resolve_mutex_) = false;
};

namespace {

class MqttClientHandle final : public Client {
 public:
  MqttClientHandle(std::shared_ptr<MqttLoop::Impl> loop, std::unique_ptr<MqttSession> session)
      : loop_(std::move(loop)), id_(session->id), completion_(session->completion),
        session_(std::move(session)) {}
  ~MqttClientHandle() override {
    RequestClose();
    WaitFinished();
  }

  bool Start() override {
    MqttSession* session = session_.release();
    started_ = loop_->Post([loop = loop_.get(), session] {
      loop->StartSession(std::unique_ptr<MqttSession>(session));
    });
    if (!started_) {
      delete session;
      completion_->Set();  // the loop stopped: nothing runs, nothing to wait for
    }
    return started_;
  }

  void RequestClose() override {
    if (!started_) {
      completion_->Set();
      return;
    }
    loop_->Post([loop = loop_.get(), id = id_] { loop->CloseSession(id); });
  }

  bool Finished() const override { return completion_->IsDone(); }
  void WaitFinished() override { completion_->Wait(); }

 private:
  std::shared_ptr<MqttLoop::Impl> loop_;
  const uint64_t id_;
  std::shared_ptr<Completion> completion_;
  std::unique_ptr<MqttSession> session_;
  bool started_ = false;
};

}  // namespace

MqttLoop::MqttLoop() : impl_(std::make_shared<Impl>()) {}
MqttLoop::~MqttLoop() { Stop(); }

Status MqttLoop::Start() { return impl_->Start(); }
void MqttLoop::Stop() { impl_->Stop(); }

std::unique_ptr<Client> MqttLoop::CreateClient(ConnectTarget target, SharedSettings settings,
                                               ClientCallbacks callbacks) {
  if (!impl_->running()) return nullptr;
  auto session = std::make_unique<MqttSession>();
  session->id = impl_->NextId();
  session->target = std::move(target);
  session->settings = std::move(settings);
  session->callbacks = std::move(callbacks);
  session->completion = std::make_shared<Completion>();
  return std::make_unique<MqttClientHandle>(impl_, std::move(session));
}

}  // namespace connectivity::connect
