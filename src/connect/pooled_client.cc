#include "src/connect/pooled_client.h"

#include <atomic>

#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

ConnectOutcome ClosedBeforeConnected() {
  ConnectOutcome closed;
  closed.failure = FailureKind::kOther;
  closed.description = "Closed before the connection was established";
  return closed;
}

// Everything a pooled client's tasks share; kept alive by them and by the client handle.
struct PooledState {
  PooledState(TaskPool& pool_in, ConnectTarget target_in, SharedSettings settings_in,
              CheckSessionFactory factory_in, ClientCallbacks callbacks)
      : pool(pool_in), target(std::move(target_in)), settings(std::move(settings_in)),
        factory(std::move(factory_in)), context(std::move(callbacks), settings->timeout_us) {}

  TaskPool& pool;
  const ConnectTarget target;
  const SharedSettings settings;
  const CheckSessionFactory factory;
  SessionContext context;
  std::unique_ptr<CheckSession> session;  // used by the one task running at a time
  std::atomic<uint64_t> timer{0};         // the pending recheck (TaskPool id), 0 if none
  Completion completion;
};

void Finish(PooledState& state) {
  state.session.reset();
  if (!state.context.result_reported()) state.context.ReportResult(ClosedBeforeConnected());
  state.completion.Set();
}

void Recheck(const std::shared_ptr<PooledState>& state);

// Arms the next recheck. A RequestClose that raced with it either cancels this timer or is seen
// here (it sets stop before it reads `timer`), so the client never waits a whole interval to close.
void Schedule(const std::shared_ptr<PooledState>& state) {
  const uint64_t id =
      state->pool.PostAt(SteadyMicros() + state->settings->recheck_interval_us, [state] { Recheck(state); });
  if (id == 0) {  // the pool is stopping
    Finish(*state);
    return;
  }
  state->timer.store(id);
  if (state->context.stop_requested() && state->pool.Cancel(id)) Finish(*state);
}

void FirstCheck(const std::shared_ptr<PooledState>& state) {
  SessionContext& context = state->context;
  context.Begin();
  if (context.stop_requested()) return Finish(*state);
  state->session = state->factory(state->target, *state->settings, context);
  ConnectOutcome outcome = state->session->Connect();
  if (!outcome.ok && context.stop_requested()) return Finish(*state);  // reported as closed
  const bool ok = outcome.ok;
  context.ReportResult(std::move(outcome));
  if (!ok) return Finish(*state);
  Schedule(state);
}

void Recheck(const std::shared_ptr<PooledState>& state) {
  if (state->context.stop_requested()) return Finish(*state);
  std::optional<ConnectOutcome> lost = state->session->Recheck();
  if (state->context.stop_requested()) return Finish(*state);
  if (lost) {
    state->context.ReportLost(*lost);
    return Finish(*state);
  }
  Schedule(state);
}

class PooledClient final : public Client {
 public:
  explicit PooledClient(std::shared_ptr<PooledState> state) : state_(std::move(state)) {}
  ~PooledClient() override {
    RequestClose();
    WaitFinished();
  }

  bool Start() override {
    started_ = state_->pool.Post([state = state_] { FirstCheck(state); });
    if (!started_) state_->completion.Set();
    return started_;
  }

  void RequestClose() override {
    if (!started_) {
      state_->completion.Set();
      return;
    }
    state_->context.RequestStop();
    // Between checks: nothing runs, and the result was reported before the timer existed, so
    // finishing here calls no callback.
    const uint64_t timer = state_->timer.load();
    if (timer != 0 && state_->pool.Cancel(timer)) Finish(*state_);
  }

  bool Finished() const override { return state_->completion.IsDone(); }
  void WaitFinished() override { state_->completion.Wait(); }

 private:
  std::shared_ptr<PooledState> state_;
  bool started_ = false;
};

void RunThreaded(const ConnectTarget& target, const ClientSettings& settings, const CheckSessionFactory& factory,
                 SessionContext& context) {
  std::unique_ptr<CheckSession> session = factory(target, settings, context);
  ConnectOutcome outcome = session->Connect();
  if (!outcome.ok && context.stop_requested()) return;
  const bool connected = outcome.ok;
  context.ReportResult(std::move(outcome));
  if (!connected) return;
  while (!context.WaitForStop(settings.recheck_interval_us)) {
    std::optional<ConnectOutcome> lost = session->Recheck();
    if (context.stop_requested()) return;
    if (lost) {
      context.ReportLost(*lost);
      return;
    }
  }
}

}  // namespace

std::unique_ptr<Client> MakePooledClient(TaskPool& pool, ConnectTarget target, SharedSettings settings,
                                         CheckSessionFactory factory, ClientCallbacks callbacks) {
  return std::make_unique<PooledClient>(std::make_shared<PooledState>(
      pool, std::move(target), std::move(settings), std::move(factory), std::move(callbacks)));
}

std::unique_ptr<Client> MakeThreadedCheckClient(ConnectTarget target, SharedSettings settings,
                                                CheckSessionFactory factory, ClientCallbacks callbacks) {
  const int64_t timeout_us = settings->timeout_us;
  return MakeThreadedClient(
      [target = std::move(target), settings = std::move(settings), factory = std::move(factory)](
          SessionContext& context) { RunThreaded(target, *settings, factory, context); },
      std::move(callbacks), timeout_us);
}

}  // namespace connectivity::connect
