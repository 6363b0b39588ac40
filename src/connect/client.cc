#include "src/connect/client.h"

#include <signal.h>

#include <chrono>
#include <system_error>

#include "src/connect/resolver.h"

namespace connectivity::connect {

SessionContext::SessionContext(ClientCallbacks callbacks, int64_t timeout_us)
    : callbacks_(std::move(callbacks)), timeout_us_(timeout_us) {}

void SessionContext::Begin() {
  start_us_ = SteadyMicros();
  deadline_us_ = start_us_ + timeout_us_;
}

bool SessionContext::WaitForStop(int64_t timeout_us) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout_us);
  MutexLock lock(mutex_);
  while (!stop_requested()) {
    if (!stop_cv_.WaitUntil(lock, deadline)) return stop_requested();
  }
  return true;
}

void SessionContext::ReportResult(ConnectOutcome outcome) {
  if (result_reported_) return;
  result_reported_ = true;
  outcome.duration_us = SteadyMicros() - start_us_;
  if (callbacks_.on_result) callbacks_.on_result(outcome);
}

void SessionContext::ReportLost(const ConnectOutcome& cause) {
  if (callbacks_.on_lost) callbacks_.on_lost(cause);
}

void SessionContext::SetAbortHook(std::function<void()> hook) {
  MutexLock lock(mutex_);
  if (stop_requested()) {
    hook();  // close was requested before the hook existed: cut short at once
    return;
  }
  abort_hook_ = std::move(hook);
}

void SessionContext::ClearAbortHook() {
  MutexLock lock(mutex_);
  abort_hook_ = nullptr;
}

void SessionContext::RequestStop() {
  MutexLock lock(mutex_);
  if (stop_.exchange(true)) return;
  if (abort_hook_) abort_hook_();
  stop_cv_.NotifyAll();
}

class ThreadedClient final : public Client {
 public:
  ThreadedClient(SessionBody body, ClientCallbacks callbacks, int64_t timeout_us)
      : body_(std::move(body)), context_(std::move(callbacks), timeout_us) {}
  ~ThreadedClient() override {
    RequestClose();
    WaitFinished();
  }

  bool Start() override {
    context_.Begin();
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error&) {  // out of threads: no exception leaves this library
      finished_.store(true, std::memory_order_release);
      return false;
    }
    return true;
  }
  void RequestClose() override { context_.RequestStop(); }
  bool Finished() const override { return finished_.load(std::memory_order_acquire); }
  void WaitFinished() override EXCLUDES(join_mutex_) {
    MutexLock lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    BlockSigpipeInThisThread();
    body_(context_);
    if (!context_.result_reported()) {
      ConnectOutcome closed;
      closed.failure = FailureKind::kOther;
      closed.description = "Closed before the connection was established";
      context_.ReportResult(std::move(closed));
    }
    finished_.store(true, std::memory_order_release);
  }

  SessionBody body_;
  SessionContext context_;
  std::atomic<bool> finished_{false};
  Mutex join_mutex_;
  std::thread thread_;  // started by Start(); joined under join_mutex_
};

std::unique_ptr<Client> MakeThreadedClient(SessionBody body, ClientCallbacks callbacks,
                                           int64_t timeout_us) {
  return std::make_unique<ThreadedClient>(std::move(body), std::move(callbacks), timeout_us);
}

void BlockSigpipeInThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace connectivity::connect
