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
  std::unique_lock<std::mutex> lock(mutex_);
  return stop_cv_.wait_for(lock, std::chrono::microseconds(timeout_us),
                           [this] { return stop_requested(); });
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
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_requested()) {
    hook();  // close was requested before the hook existed: cut short at once
    return;
  }
  abort_hook_ = std::move(hook);
}

void SessionContext::ClearAbortHook() {
  std::lock_guard<std::mutex> lock(mutex_);
  abort_hook_ = nullptr;
}

void SessionContext::RequestStop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_.exchange(true)) return;
  if (abort_hook_) abort_hook_();
  stop_cv_.notify_all();
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
  void WaitFinished() override {
    std::lock_guard<std::mutex> lock(join_mutex_);
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
  std::mutex join_mutex_;
  std::thread thread_;
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
