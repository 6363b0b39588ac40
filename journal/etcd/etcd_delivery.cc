// EtcdJournal's delivery thread ("journal-done"): it takes the watch's batches in etcd's revision
// order, numbers each event, completes the appends of this instance (their callbacks run here)
// and hands other instances' events to the external handler; it also runs the timers and the
// read barrier (AwaitCurrent). Appends are in etcd_journal.cc, opening in etcd_journal_open.cc.
#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <algorithm>

#include "journal/etcd/etcd_journal.h"
#include "journal/etcd/etcd_pending.h"
#include "src/base/log.h"

namespace connectivity::journal::etcd {

using SteadyClock = std::chrono::steady_clock;

// --- delivery ----------------------------------------------------------------

void EtcdJournal::SetExternalEventHandler(ExternalEventHandler handler) {
  {
    std::lock_guard lock(mutex_);
    external_ = std::move(handler);
  }
  StartDelivery();
}

void EtcdJournal::StartDelivery() {
  if (options_.mode != OpenMode::kReadWrite) return;
  std::lock_guard lock(mutex_);
  if (delivering_ || closing_) return;
  delivering_ = true;
  // What open read for recovery is stale from here on.
  tail_.reset();
  ranks_.reset();
  watch_ = std::make_unique<EtcdWatch>(client_, PrefixBegin(), PrefixEnd(), delivered_revision_ + 1,
                                       [this](WatchBatch&& batch) {
                                         {
                                           std::lock_guard inner(mutex_);
                                           batches_.push_back(std::move(batch));
                                         }
                                         wake_.notify_one();
                                       });
  watch_->Start();
  delivery_thread_ = std::thread([this] { RunDelivery(); });
  pthread_setname_np(delivery_thread_.native_handle(), "journal-done");
}

void EtcdJournal::Post(Task task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void EtcdJournal::PostAt(SteadyClock::time_point at, Task task) {
  {
    std::lock_guard lock(mutex_);
    timers_.emplace(at, std::move(task));
  }
  wake_.notify_one();
}

void EtcdJournal::WhenDelivered(int64_t revision, Task task) {
  bool ask = false;
  {
    std::lock_guard lock(mutex_);
    if (delivered_revision_ >= revision) {
      tasks_.push_back(std::move(task));
    } else {
      waiters_.emplace(revision, std::move(task));
      ask = true;
    }
  }
  wake_.notify_one();
  if (ask) RequestMarker();
}

// The revision waited for may belong to a key outside the journal's prefix
// (the watch never sees it): a marker written now comes after it and is
// seen. (etcd 3.4.23 answers progress requests before a watch caught up,
// so they cannot serve.) One marker at a time.
void EtcdJournal::RequestMarker() {
  {
    std::lock_guard lock(mutex_);
    if (marker_in_flight_ || closing_) return;
    marker_in_flight_ = true;
  }
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    etcdserverpb::PutRequest request;
    etcdserverpb::PutResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context = client_->NewContext();
  call->request.set_key(SyncMarkerKey());
  call->request.set_value("sync");
  client_->kv().async()->Put(call->context.get(), &call->request, &call->response, [this, call](grpc::Status) {
    std::lock_guard lock(mutex_);
    marker_in_flight_ = false;
  });
}

void EtcdJournal::RunDelivery() {
  std::deque<WatchBatch> batches;
  std::deque<Task> tasks;
  std::vector<Task> due;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      while ((batches_.empty() || hold_delivery_) && tasks_.empty()) {
        const auto now = SteadyClock::now();
        if (!timers_.empty() && timers_.begin()->first <= now) break;
        if (closing_ && pending_.empty()) return;
        // Waiters left: their revision may be of a key the watch never
        // sees; a marker is written every 50 ms while they wait.
        auto until = now + std::chrono::milliseconds(waiters_.empty() ? 1000 : 50);
        if (!timers_.empty()) until = std::min(until, timers_.begin()->first);
        if (wake_.wait_until(lock, until) == std::cv_status::timeout && !waiters_.empty()) {
          lock.unlock();
          RequestMarker();
          lock.lock();
        }
        if (closing_ && batches_.empty() && tasks_.empty()) return;
      }
      if (!hold_delivery_) batches.swap(batches_);
      tasks.swap(tasks_);
      const auto now = SteadyClock::now();
      while (!timers_.empty() && timers_.begin()->first <= now) {
        due.push_back(std::move(timers_.begin()->second));
        timers_.erase(timers_.begin());
      }
    }
    for (WatchBatch& batch : batches) OnWatch(std::move(batch));
    batches.clear();
    for (Task& task : tasks) task();
    tasks.clear();
    for (Task& task : due) task();
    due.clear();
  }
}

void EtcdJournal::OnWatch(WatchBatch&& batch) {
  if (batch.compacted_revision != 0) return ReadMissed();
  for (const mvccpb::Event& event : batch.events) {
    Deliver(event);
    Advance(event.kv().mod_revision());
  }
  // Progress notifications are not trusted (etcd 3.4.23 sends them before
  // the watch caught up); markers do their job.
}

void EtcdJournal::Deliver(const mvccpb::Event& event) {
  if (!IsEventKey(event.kv().key())) return;  // heads, src/cluster's keys
  if (event.type() != mvccpb::Event::PUT || event.kv().version() != 1) {
    std::lock_guard lock(mutex_);
    if (sticky_.ok()) {
      sticky_ = Status::Corruption(DescribeEtcdKey(event.kv().key()) +
                                   ": an event was deleted or rewritten in etcd (revision " +
                                   std::to_string(event.kv().mod_revision()) + ")");
      log::Error("journal", sticky_.message() + "; writes are refused until a restart");
    }
    return;
  }
  DeliverEvent(event.kv());
}

void EtcdJournal::DeliverEvent(const mvccpb::KeyValue& kv) {
  Event event;
  CommandId command_id{};
  Status decoded = DecodeEtcdEvent(kv, 0, &event, &command_id);
  std::shared_ptr<Pending> mine;
  ExternalEventHandler external;
  {
    std::lock_guard lock(mutex_);
    if (decoded.ok()) {
      const auto known = known_.find(event.stream);
      if (known != known_.end() && known->second.revision + 1 != event.revision) {
        decoded = Status::Corruption(DescribeEtcdKey(kv.key()) + ": follows revision " +
                                     std::to_string(known->second.revision) + " of its stream (a gap)");
      }
    }
    if (!decoded.ok()) {
      if (sticky_.ok()) {
        sticky_ = decoded;
        log::Error("journal", decoded.message() + "; writes are refused until a restart");
      }
      return;
    }
    event.sequence = ++last_sequence_;
    known_[event.stream] = Known{event.revision, kv.mod_revision(), event.timestamp_us};
    recent_.emplace_back(event.sequence, kv.mod_revision());
    if (recent_.size() > kRecentMax) recent_.pop_front();
    const auto it = pending_.find(command_id);
    if (it != pending_.end() && !it->second->completed) {
      mine = it->second;
    }
    external = external_;
  }
  last_sequence_published_.store(event.sequence, std::memory_order_release);
  if (mine != nullptr) {
    Complete(mine, Status::Ok(), std::move(event));
    return;
  }
  if (external) external(event);
}

void EtcdJournal::Advance(int64_t revision) {
  std::vector<Task> ready;
  {
    std::lock_guard lock(mutex_);
    if (revision <= delivered_revision_) return;
    delivered_revision_ = revision;
    while (!waiters_.empty() && waiters_.begin()->first <= revision) {
      ready.push_back(std::move(waiters_.begin()->second));
      waiters_.erase(waiters_.begin());
    }
  }
  for (Task& task : ready) task();
}

// The watch could not resume (etcd compacted past it, after a long cut):
// read every event it missed in revision order, then watch again.
void EtcdJournal::ReadMissed() {
  int64_t delivered = 0;
  {
    std::lock_guard lock(mutex_);
    delivered = delivered_revision_;
  }
  int64_t now_revision = 0;
  Result<RankTable> ranks = ReadRankTable(*client_, 0, &now_revision);
  if (!ranks.ok()) {
    log::Warn("journal", "re-reading the events the watch missed failed (" + ranks.status().message() +
                             "); trying again in 1 s");
    return PostAt(SteadyClock::now() + std::chrono::seconds(1), [this] { ReadMissed(); });
  }
  auto missed = std::make_shared<RankTable>();
  for (RankedKey& ranked : *ranks) {
    if (ranked.mod_revision > delivered) missed->push_back(std::move(ranked));
  }
  std::vector<mvccpb::KeyValue> values;
  for (size_t first = 0; first < missed->size();) {
    values.clear();
    Status read = ReadValues(*client_, *missed, first, &values);
    if (!read.ok()) {
      log::Warn("journal", "re-reading the events the watch missed failed (" + read.message() + "); trying again in 1 s");
      return PostAt(SteadyClock::now() + std::chrono::seconds(1), [this] { ReadMissed(); });
    }
    for (const mvccpb::KeyValue& kv : values) {
      DeliverEvent(kv);
      Advance(kv.mod_revision());
    }
    first += values.size();
  }
  log::Info("journal", "re-read " + std::to_string(missed->size()) + " events the watch missed; watching from revision " +
                           std::to_string(now_revision + 1));
  Advance(now_revision);
  std::unique_ptr<EtcdWatch> old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(watch_);
  }
  if (old != nullptr) old->Stop();
  std::lock_guard lock(mutex_);
  if (closing_) return;
  watch_ = std::make_unique<EtcdWatch>(client_, PrefixBegin(), PrefixEnd(), now_revision + 1,
                                       [this](WatchBatch&& batch) {
                                         {
                                           std::lock_guard inner(mutex_);
                                           batches_.push_back(std::move(batch));
                                         }
                                         wake_.notify_one();
                                       });
  watch_->Start();
}

// --- read barrier --------------------------------------------------------------

void EtcdJournal::AwaitCurrent(std::function<void(const Status&)> callback) {
  StartDelivery();
  // Answered once: by the delivery, or by the request timeout (a watch that
  // cannot catch up, a member cut off from the others).
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto shared = std::make_shared<std::function<void(const Status&)>>(std::move(callback));
  std::function<void(const Status&)> done = [once, shared](const Status& status) {
    if (!once->exchange(true)) (*shared)(status);
  };
  bool start = false;
  {
    std::unique_lock lock(mutex_);
    if (closing_ || !delivering_) {
      // Read-only (tools): nothing is delivered, there is nothing to wait for.
      const Status status = closing_ ? Status::Unavailable("the journal is closed") : Status::Ok();
      lock.unlock();
      return done(status);
    }
    timers_.emplace(SteadyClock::now() + std::chrono::microseconds(options_.request_timeout_us), [done] {
      done(Status::Unavailable("this instance could not catch up with etcd within the request timeout"));
    });
    {
      barrier_next_.push_back(std::move(done));
      start = !barrier_reading_;
      if (start) barrier_reading_ = true;
    }
  }
  wake_.notify_one();
  if (start) StartBarrierRead();
}

// One quorum read serves every barrier that arrived before it was sent.
void EtcdJournal::StartBarrierRead() {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    etcdserverpb::RangeRequest request;
    etcdserverpb::RangeResponse response;
    std::vector<std::function<void(const Status&)>> waiting;
  };
  auto call = std::make_shared<Call>();
  {
    std::lock_guard lock(mutex_);
    call->waiting.swap(barrier_next_);
  }
  call->context = client_->NewContext();
  call->request.set_key(FormatKey());
  call->request.set_count_only(true);
  client_->kv().async()->Range(call->context.get(), &call->request, &call->response, [this, call](grpc::Status status) {
    if (status.ok()) {
      SetReachable(Status::Ok());
      const int64_t revision = call->response.header().revision();
      for (auto& waiting : call->waiting) {
        WhenDelivered(revision, [waiting = std::move(waiting)] { waiting(Status::Ok()); });
      }
    } else {
      const Status failed = ToStatus(status, "a linearizable read");
      if (failed.IsUnavailable()) SetReachable(failed);
      for (auto& waiting : call->waiting) Post([waiting = std::move(waiting), failed] { waiting(failed); });
    }
    bool again = false;
    {
      std::lock_guard lock(mutex_);
      again = !barrier_next_.empty();
      barrier_reading_ = again;
    }
    if (again) StartBarrierRead();
  });
}

}  // namespace connectivity::journal::etcd
