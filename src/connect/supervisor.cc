#include "src/connect/supervisor.h"

#include <deque>
#include <map>
#include <thread>
#include <unordered_map>

#include "src/base/mutex.h"
#include "src/connect/amqp091_loop.h"
#include "src/connect/clients.h"
#include "src/connect/mqtt_loop.h"
#include "src/connect/resolver.h"
#include "src/connect/supervisor_internal.h"
#include "src/connect/task_pool.h"

namespace connectivity::connect {
namespace {

constexpr int64_t kReapEveryUs = 100'000;

// Work collected under the lock and run after it is released (user callbacks).
using Deferred = std::vector<std::function<void()>>;

void RunDeferred(Deferred& deferred) {
  for (auto& task : deferred) task();
  deferred.clear();
}

ConnectOutcome Closed(std::string why) {
  ConnectOutcome outcome;
  outcome.failure = FailureKind::kOther;
  outcome.description = std::move(why);
  return outcome;
}

}  // namespace

class Supervisor::Impl {
 public:
  Impl(Options options, const Clock& clock)
      : options_(std::move(options)), clock_(clock),
        settings_(MakeClientSettings(options_.connect)), amqp091_loop_(options_.handshake_threads),
        check_pool_(options_.check_threads),
        random_(std::random_device{}()) {}

  void Start() EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      if (started_ || stopping_) return;
      if (!mqtt_loop_.Start().ok() || !amqp091_loop_.Start().ok() || !check_pool_.Start().ok()) return;
      started_ = true;
    }
    timer_thread_ = std::thread([this] { RunTimers(); });
    Deferred deferred;
    {
      MutexLock lock(mutex_);
      Dispatch(deferred);
    }
    RunDeferred(deferred);
  }

  void Stop() EXCLUDES(mutex_) {
    Deferred deferred;
    std::vector<Retired> retired;
    {
      MutexLock lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      for (auto& [id, entry] : entries_) {
        Retire(*entry);
        AnswerFirstAttempt(*entry, Closed("Closed: the service is shutting down"), deferred);
      }
      entries_.clear();
      pending_.clear();
      timers_.clear();
      retired.swap(graveyard_);
      timer_cv_.NotifyAll();
    }
    RunDeferred(deferred);
    for (auto& client : retired) client.client->WaitFinished();  // clean protocol-level closes
    for (auto& client : retired) {
      if (client.closed) client.closed();
    }
    retired.clear();
    if (timer_thread_.joinable()) timer_thread_.join();
    mqtt_loop_.Stop();
    amqp091_loop_.Stop();
    check_pool_.Stop();
  }

  void Open(const model::Connection& connection,
            std::function<void(const ConnectOutcome&)> first_attempt) EXCLUDES(mutex_) {
    Deferred deferred;
    {
      MutexLock lock(mutex_);
      if (stopping_) {
        deferred.push_back([f = std::move(first_attempt)] { f(Closed("Closed: the service is shutting down")); });
      } else {
        SupervisedEntry& entry = EntryFor(connection.id, deferred);
        entry.connection = connection;
        entry.first_attempt = std::move(first_attempt);
        Enqueue(entry);
        Dispatch(deferred);
      }
    }
    RunDeferred(deferred);
  }

  void Close(std::string_view id, std::function<void()> closed = nullptr) EXCLUDES(mutex_) {
    Deferred deferred;
    {
      MutexLock lock(mutex_);
      auto it = entries_.find(std::string(id));
      if (it == entries_.end()) {
        if (closed) deferred.push_back(std::move(closed));
      } else {
        Retire(*it->second, std::move(closed), &deferred);
        AnswerFirstAttempt(*it->second, Closed("Closed before the first connect attempt completed"),
                           deferred);
        entries_.erase(it);
      }
    }
    RunDeferred(deferred);
  }

  std::optional<LiveStatus> Status(std::string_view id) const EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    auto it = entries_.find(std::string(id));
    if (it == entries_.end()) return std::nullopt;
    return BuildLiveStatus(*it->second, options_.instance, options_.single_instance);
  }

  void ResetMetrics(std::string_view id) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    auto it = entries_.find(std::string(id));
    if (it == entries_.end()) return;
    LiveMetrics& metrics = it->second->metrics;
    metrics.connect_attempts.Reset();
    metrics.connect_successes.Reset();
    metrics.connect_failures.Reset();
  }

  void SetEventListener(std::function<void(const ConnectEvent&)> listener) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    listener_ = std::move(listener);
  }

  size_t supervised_count() const EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return entries_.size();
  }

 private:
  // The entry for `id`, new or (on modify) with its old client retired and a new generation.
  SupervisedEntry& EntryFor(const std::string& id, Deferred& deferred) REQUIRES(mutex_) {
    std::unique_ptr<SupervisedEntry>& slot = entries_[id];
    if (!slot) {
      slot = std::make_unique<SupervisedEntry>(options_.backoff_min_us, options_.backoff_max_us);
      slot->id = id;
      slot->in_state_since_us = clock_.NowMicros();
    } else {
      Retire(*slot);
      AnswerFirstAttempt(*slot, Closed("Superseded by a newer configuration"), deferred);
      slot->backoff.Reset();
      slot->address_checks.clear();
      slot->checks_current = false;
      slot->tunnel.reset();
      SetClientStatus(*slot, "unknown", "CONNECTING", clock_.NowMicros());
      slot->recovery_status = "unknown";
    }
    slot->generation = next_generation_++;
    slot->phase = SupervisedEntry::Phase::kWaiting;
    slot->queued = false;
    return *slot;
  }

  void Enqueue(SupervisedEntry& entry) REQUIRES(mutex_) {
    if (entry.queued) return;
    entry.queued = true;
    pending_.emplace_back(entry.id, entry.generation);
  }

  // Starts queued attempts while slots are free.
  void Dispatch(Deferred& deferred) REQUIRES(mutex_) {
    while (started_ && !stopping_ && in_flight_ < options_.concurrent_connects_max &&
           !pending_.empty()) {
      auto [id, generation] = std::move(pending_.front());
      pending_.pop_front();
      auto it = entries_.find(id);
      if (it == entries_.end() || it->second->generation != generation) continue;
      SupervisedEntry& entry = *it->second;
      entry.queued = false;
      if (entry.phase == SupervisedEntry::Phase::kWaiting) StartAttempt(entry, deferred);
    }
  }

  void StartAttempt(SupervisedEntry& entry, Deferred& deferred) REQUIRES(mutex_) {
    const int64_t now = clock_.NowMicros();
    entry.metrics.connect_attempts.Record(now);
    Result<ConnectTarget> target = MakeConnectTarget(entry.connection, options_.connect.hono);
    std::unique_ptr<Client> client;
    if (target.ok()) {
      client = CreateClient(std::move(*target), settings_, Callbacks(entry),
                            ClientLoops{mqtt_loop_, &amqp091_loop_, &check_pool_});
    }
    if (!target.ok()) {
      // Nothing to connect to as configured: no retry until the connection is modified.
      const ConnectOutcome failure =
          Closed("The connection cannot be connected as configured: " + target.status().message());
      entry.phase = SupervisedEntry::Phase::kMisconfigured;
      entry.metrics.connect_failures.Record(now);
      SetClientStatus(entry, "misconfigured", failure.description, now);
      AnswerFirstAttempt(entry, failure, deferred);
      Notify(entry.id, failure, now, deferred);
      return;
    }
    entry.phase = SupervisedEntry::Phase::kConnecting;
    if (!client || !client->Start()) {  // never calls back from inside
      // Out of threads, or stopping: a failed attempt, retried with backoff like any other.
      HandleResult(entry, Closed("The client could not be started"), deferred);
      return;
    }
    ++in_flight_;
    entry.client = std::move(client);
  }

  ClientCallbacks Callbacks(const SupervisedEntry& entry) {
    ClientCallbacks callbacks;
    callbacks.on_result = [this, id = entry.id, generation = entry.generation](
                              const ConnectOutcome& outcome) { OnResult(id, generation, outcome); };
    callbacks.on_lost = [this, id = entry.id, generation = entry.generation](
                            const ConnectOutcome& cause) { OnLost(id, generation, cause); };
    return callbacks;
  }

  void OnResult(const std::string& id, uint64_t generation, const ConnectOutcome& outcome) EXCLUDES(mutex_) {
    Deferred deferred;
    {
      MutexLock lock(mutex_);
      --in_flight_;
      SupervisedEntry* entry = Find(id, generation, SupervisedEntry::Phase::kConnecting);
      if (entry != nullptr) HandleResult(*entry, outcome, deferred);
      Dispatch(deferred);
    }
    RunDeferred(deferred);
  }

  void HandleResult(SupervisedEntry& entry, const ConnectOutcome& outcome, Deferred& deferred) REQUIRES(mutex_) {
    const int64_t now = clock_.NowMicros();
    entry.address_checks = outcome.addresses;
    entry.checks_current = outcome.ok || outcome.failure == FailureKind::kAddress;
    entry.checks_at_us = now;
    SetTunnel(entry, outcome.tunnel, now);
    if (outcome.ok) {
      entry.phase = SupervisedEntry::Phase::kOpen;
      entry.open_since_steady_us = SteadyMicros();
      entry.recovery_status = "succeeded";
      SetClientStatus(entry, "open", outcome.description, now);
      entry.in_state_since_us = now;
      entry.metrics.connect_successes.Record(now);
      entry.metrics.connected_since_us = now;
    } else {
      Retire(entry);
      entry.metrics.connect_failures.Record(now);
      SetClientStatus(entry, outcome.failure == FailureKind::kBlockedHost ? "misconfigured" : "failed",
                      outcome.description, now);
      ScheduleRetry(entry);
    }
    AnswerFirstAttempt(entry, outcome, deferred);
    Notify(entry.id, outcome, now, deferred);
  }

  void OnLost(const std::string& id, uint64_t generation, const ConnectOutcome& cause) EXCLUDES(mutex_) {
    Deferred deferred;
    {
      MutexLock lock(mutex_);
      SupervisedEntry* entry = Find(id, generation, SupervisedEntry::Phase::kOpen);
      if (entry == nullptr) return;
      const int64_t now = clock_.NowMicros();
      Retire(*entry);
      // A connection that stayed up for a while starts over at the shortest delay.
      if (SteadyMicros() - entry->open_since_steady_us >= options_.backoff_max_us) {
        entry->backoff.Reset();
      }
      entry->metrics.connected_since_us = 0;
      entry->checks_current = false;
      // The tunnel broke (the cause), or closes with the lost client.
      if (entry->tunnel) {
        SetTunnel(*entry, cause.tunnel ? *cause.tunnel : TunnelReport{false, "SSH Tunnel closed", ""}, now);
      }
      SetClientStatus(*entry, "failed", cause.description, now);
      ScheduleRetry(*entry);
      Notify(entry->id, cause, now, deferred);
    }
    RunDeferred(deferred);
  }

  static void SetTunnel(SupervisedEntry& entry, const std::optional<TunnelReport>& report, int64_t now) {
    if (!report) return;
    const bool changed = !entry.tunnel || entry.tunnel->ok != report->ok || entry.tunnel->cause != report->cause;
    entry.tunnel = report;
    if (changed) entry.tunnel_since_us = now;
  }

  SupervisedEntry* Find(const std::string& id, uint64_t generation, SupervisedEntry::Phase phase) REQUIRES(mutex_) {
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second->generation != generation ||
        it->second->phase != phase) {
      return nullptr;
    }
    return it->second.get();
  }

  void ScheduleRetry(SupervisedEntry& entry) REQUIRES(mutex_) {
    entry.phase = SupervisedEntry::Phase::kWaiting;
    const int64_t delay_us = entry.backoff.NextDelay(random_);
    entry.recovery_status = entry.backoff.at_limit() ? "backOffLimitReached" : "ongoing";
    timers_.emplace(SteadyMicros() + delay_us, std::make_pair(entry.id, entry.generation));
    timer_cv_.NotifyAll();
  }

  // Closes the entry's client without waiting: it finishes on its own thread and is reaped;
  // `closed` (if any) runs then, or at once if there is no client.
  void Retire(SupervisedEntry& entry, std::function<void()> closed = nullptr, Deferred* deferred = nullptr) REQUIRES(mutex_) {
    if (!entry.client) {
      if (closed && deferred != nullptr) deferred->push_back(std::move(closed));
      return;
    }
    entry.client->RequestClose();
    graveyard_.push_back(Retired{std::move(entry.client), std::move(closed)});
  }

  void AnswerFirstAttempt(SupervisedEntry& entry, const ConnectOutcome& outcome, Deferred& deferred) REQUIRES(mutex_) {
    if (!entry.first_attempt) return;
    deferred.push_back([f = std::move(entry.first_attempt), outcome] { f(outcome); });
    entry.first_attempt = nullptr;
  }

  void Notify(const std::string& id, const ConnectOutcome& outcome, int64_t now, Deferred& deferred) REQUIRES(mutex_) {
    if (!listener_) return;
    ConnectEvent event{id, outcome.ok, outcome.description, now, {}, outcome.tunnel};
    for (const AddressCheck& check : outcome.addresses) {
      if (!check.ok) event.refused.push_back(check);
    }
    deferred.push_back([listener = listener_, event = std::move(event)] { listener(event); });
  }

  // Fires due retries and destroys finished clients (joining their threads) off the lock.
  void RunTimers() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    while (!stopping_) {
      const int64_t now = SteadyMicros();
      while (!timers_.empty() && timers_.begin()->first <= now) {
        auto [id, generation] = timers_.begin()->second;
        timers_.erase(timers_.begin());
        SupervisedEntry* entry = Find(id, generation, SupervisedEntry::Phase::kWaiting);
        if (entry != nullptr) Enqueue(*entry);
      }
      Deferred deferred;
      Dispatch(deferred);
      std::vector<std::unique_ptr<Client>> finished = TakeFinished(deferred);
      lock.Unlock();
      finished.clear();  // joined first: `closed` callbacks run once the client is gone
      RunDeferred(deferred);
      lock.Lock();
      int64_t wake_us = SteadyMicros() + kReapEveryUs;
      if (!timers_.empty()) wake_us = std::min(wake_us, timers_.begin()->first);
      timer_cv_.WaitFor(lock, std::chrono::microseconds(std::max<int64_t>(0, wake_us - SteadyMicros())));
    }
  }

  std::vector<std::unique_ptr<Client>> TakeFinished(Deferred& deferred) REQUIRES(mutex_) {
    std::vector<std::unique_ptr<Client>> finished;
    std::erase_if(graveyard_, [&finished, &deferred](Retired& retired) {
      if (!retired.client->Finished()) return false;
      finished.push_back(std::move(retired.client));
      if (retired.closed) deferred.push_back(std::move(retired.closed));
      return true;
    });
    return finished;
  }

  const Options options_;
  const Clock& clock_;
  const SharedSettings settings_;
  MqttLoop mqtt_loop_;
  Amqp091Loop amqp091_loop_;
  TaskPool check_pool_;

  mutable Mutex mutex_;
  CondVar timer_cv_;
  std::unordered_map<std::string, std::unique_ptr<SupervisedEntry>> entries_ GUARDED_BY(mutex_);
  // (id, generation) waiting for a slot
  std::deque<std::pair<std::string, uint64_t>> pending_ GUARDED_BY(mutex_);
  // steady µs -> retry
  std::multimap<int64_t, std::pair<std::string, uint64_t>> timers_ GUARDED_BY(mutex_);
  struct Retired {
    std::unique_ptr<Client> client;
    std::function<void()> closed;  // Close(id, closed): runs once the client finished
  };
  std::vector<Retired> graveyard_ GUARDED_BY(mutex_);  // closing clients, reaped when finished
  std::function<void(const ConnectEvent&)> listener_ GUARDED_BY(mutex_);
  size_t in_flight_ GUARDED_BY(mutex_) = 0;
  uint64_t next_generation_ GUARDED_BY(mutex_) = 1;
  bool started_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::mt19937_64 random_ GUARDED_BY(mutex_);
  std::thread timer_thread_;
};

Supervisor::Supervisor(Options options, const Clock& clock)
    : impl_(std::make_shared<Impl>(std::move(options), clock)) {}
Supervisor::~Supervisor() { Stop(); }

void Supervisor::Start() { impl_->Start(); }
void Supervisor::Stop() { impl_->Stop(); }
void Supervisor::Open(const model::Connection& connection,
                      std::function<void(const ConnectOutcome&)> first_attempt) {
  impl_->Open(connection, std::move(first_attempt));
}
void Supervisor::Close(std::string_view connection_id) { impl_->Close(connection_id); }
void Supervisor::Close(std::string_view connection_id, std::function<void()> closed) {
  impl_->Close(connection_id, std::move(closed));
}
std::optional<LiveStatus> Supervisor::Status(std::string_view connection_id) const {
  return impl_->Status(connection_id);
}
void Supervisor::ResetMetrics(std::string_view connection_id) { impl_->ResetMetrics(connection_id); }
void Supervisor::SetEventListener(std::function<void(const ConnectEvent&)> listener) {
  impl_->SetEventListener(std::move(listener));
}
size_t Supervisor::supervised_count() const { return impl_->supervised_count(); }

}  // namespace connectivity::connect
