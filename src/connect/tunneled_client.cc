// A client through the connection's SSH tunnel (ssh_tunnel.h): on a thread of its own it
// establishes the tunnel within the attempt's bound, then starts the protocol client with
// ConnectTarget::connect_to set to the tunnel's local end and the rest of the bound, and serves
// the forward until close. As in Ditto, the tunnel is established first and its failure is the
// attempt's; a tunnel that breaks later is the loss of the connection ("SSH Tunnel failed: ...").
// Kafka clients learn their brokers from metadata, which a single forward cannot follow: like
// Ditto's, they connect directly (the tunnel is still established and reported).
//
// Threading: the inner client's callbacks and this client's own thread may both decide the
// outcome; the first to claim a report (atomic flags) makes it, so on_result comes once and
// on_lost at most once and only after a successful result. Callbacks run without a lock held.
#include <atomic>
#include <thread>

#include "src/base/mutex.h"

#include "src/connect/clients.h"
#include "src/connect/resolver.h"
#include "src/connect/ssh_tunnel.h"

namespace connectivity::connect {
namespace {

constexpr std::string_view kEstablished = "SSH tunnel established successfully";

class TunneledClient final : public Client {
 public:
  TunneledClient(ConnectTarget target, SharedSettings settings, ClientCallbacks callbacks, const ClientLoops& loops)
      : target_(std::move(target)), settings_(std::move(settings)), callbacks_(std::move(callbacks)),
        loops_(loops), tunnel_(target_, settings_) {}

  ~TunneledClient() override {
    RequestClose();
    WaitFinished();
  }

  bool Start() override {
    start_us_ = SteadyMicros();
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error&) {
      finished_.store(true);
      return false;
    }
    return true;
  }

  // The protocol client closes first, through the tunnel (a clean, protocol-level close); the
  // tunnel follows once it finished. Before the client exists, the tunnel is cut short.
  void RequestClose() override EXCLUDES(inner_mutex_) {
    stop_.store(true);
    MutexLock lock(inner_mutex_);
    if (inner_) {
      inner_->RequestClose();
    } else {
      tunnel_.Stop();
    }
  }

  bool Finished() const override { return finished_.load(); }

  void WaitFinished() override EXCLUDES(join_mutex_) {
    MutexLock lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() EXCLUDES(inner_mutex_) {
    BlockSigpipeInThisThread();
    const int64_t deadline_us = start_us_ + settings_->timeout_us;
    if (std::optional<ConnectOutcome> failure = tunnel_.Establish(deadline_us)) {
      if (!stop_.load()) ReportResult(std::move(*failure));
    } else if (StartInner(deadline_us)) {
      const std::optional<std::string> broken = tunnel_.Serve([this] { return stop_.load() && InnerFinished(); });
      if (broken && !stop_.load()) TunnelBroke(*broken);
    }
    std::unique_ptr<Client> inner;
    {
      MutexLock lock(inner_mutex_);
      inner = std::move(inner_);
    }
    if (inner) {
      inner->RequestClose();
      inner->WaitFinished();
    }
    ConnectOutcome closed;
    closed.failure = FailureKind::kOther;
    closed.description = "Closed before the connection was established";
    ReportResult(std::move(closed));  // only if nothing was reported
    finished_.store(true);
  }

  bool InnerFinished() EXCLUDES(inner_mutex_) {
    MutexLock lock(inner_mutex_);
    return !inner_ || inner_->Finished();
  }

  // The protocol client, to the tunnel's local end, with what is left of the bound.
  bool StartInner(int64_t deadline_us) EXCLUDES(inner_mutex_) {
    ConnectTarget inner_target = target_;
    if (target_.protocol != Protocol::kKafka) inner_target.connect_to = HostPort{"127.0.0.1", tunnel_.local_port()};
    auto settings = std::make_shared<ClientSettings>(*settings_);
    settings->timeout_us = std::max<int64_t>(1000, deadline_us - SteadyMicros());
    ClientCallbacks callbacks;
    callbacks.on_result = [this](const ConnectOutcome& outcome) { OnInnerResult(outcome); };
    callbacks.on_lost = [this](const ConnectOutcome& cause) { OnInnerLost(cause); };
    std::unique_ptr<Client> inner = CreateClient(std::move(inner_target), settings, std::move(callbacks), loops_);
    MutexLock lock(inner_mutex_);
    if (stop_.load() || !inner || !inner->Start()) {
      if (!stop_.load()) ReportResult(Failure(FailureKind::kOther, target_, "the client could not be started"));
      return false;
    }
    inner_ = std::move(inner);
    return true;
  }

  // The tunnel stops after the report, so that its end is not taken for a broken tunnel.
  void OnInnerResult(ConnectOutcome outcome) {
    const bool ok = outcome.ok;
    if (!ok) {
      // A refused channel (sshd could not reach the host) shows as the peer hanging up.
      if (std::string forward = tunnel_.TakeForwardError(); !forward.empty()) {
        const FailureKind kind = forward.find("refused") != std::string::npos ? FailureKind::kRefused : outcome.failure;
        outcome = Failure(kind, target_, "through the SSH tunnel: " + forward);
      }
    }
    outcome.tunnel = TunnelReport{true, std::string(kEstablished), ""};
    ReportResult(std::move(outcome));
    if (!ok) tunnel_.Stop();
  }

  void OnInnerLost(const ConnectOutcome& cause) {
    ReportLost(cause);
    tunnel_.Stop();
  }

  void TunnelBroke(const std::string& why) {
    ConnectOutcome broken = Failure(FailureKind::kTunnel, target_, "SSH Tunnel failed: " + why);
    broken.tunnel = TunnelReport{false, "SSH Tunnel failed: " + why, why};
    if (!ReportResult(broken)) ReportLost(broken);
  }

  // The first report wins; false if a result was reported already.
  bool ReportResult(ConnectOutcome outcome) {
    if (result_reported_.exchange(true)) return false;
    outcome.duration_us = SteadyMicros() - start_us_;
    result_ok_.store(outcome.ok);
    if (callbacks_.on_result) callbacks_.on_result(outcome);
    return true;
  }

  void ReportLost(const ConnectOutcome& cause) {
    if (!result_ok_.load() || lost_reported_.exchange(true)) return;
    if (callbacks_.on_lost) callbacks_.on_lost(cause);
  }

  const ConnectTarget target_;
  const SharedSettings settings_;
  const ClientCallbacks callbacks_;
  const ClientLoops loops_;
  SshTunnel tunnel_;
  int64_t start_us_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> result_reported_{false};
  std::atomic<bool> result_ok_{false};
  std::atomic<bool> lost_reported_{false};
  std::atomic<bool> finished_{false};
  Mutex inner_mutex_;
  std::unique_ptr<Client> inner_ GUARDED_BY(inner_mutex_);
  Mutex join_mutex_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Client> MakeTunneledClient(ConnectTarget target, SharedSettings settings, ClientCallbacks callbacks,
                                           const ClientLoops& loops) {
  return std::make_unique<TunneledClient>(std::move(target), std::move(settings), std::move(callbacks), loops);
}

}  // namespace connectivity::connect
