#include "src/service/snapshotter.h"

#include <pthread.h>

#include <chrono>

#include "journal/snapshot_store.h"
#include "src/base/log.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::service {

Snapshotter::Snapshotter(journal::Journal& journal, SnapshotterOptions options,
                         SnapshotStart start)
    : journal_(journal), options_(options), applied_sequence_(start.applied_sequence), mark_(journal) {
  for (StatePtr& state : start.replayed) {
    const std::string id = state->id;
    dirty_[id] = Pending{std::move(state), nullptr};
  }
}

Snapshotter::~Snapshotter() { Stop(); }

void Snapshotter::Start() {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "snapshotter");
}

void Snapshotter::Stop() {
  {
    MutexLock lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
  ReportPass(WritePass());
}

void Snapshotter::OnApplied(const StatePtr& state, uint64_t sequence,
                            std::shared_ptr<const std::string> sealed_json) {
  bool wake = false;
  {
    MutexLock lock(mutex_);
    const Pending pending{state, std::move(sealed_json)};
    dirty_[state->id] = pending;
    applied_sequence_ = sequence;
    if (options_.historical_every > 0 && state->revision % options_.historical_every == 0) {
      historical_.push_back(pending);
    }
    wake = dirty_.size() >= options_.dirty_max;
  }
  if (wake) wake_.NotifyOne();
}

void Snapshotter::AddDirty(const std::vector<StatePtr>& states) {
  MutexLock lock(mutex_);
  for (const StatePtr& state : states) dirty_.try_emplace(state->id, Pending{state, nullptr});
}

void Snapshotter::RequestPass() {
  {
    MutexLock lock(mutex_);
    pass_requested_ = true;
  }
  wake_.NotifyOne();
}

Result<std::string> Snapshotter::Encode(const Pending& pending) const {
  if (!pending.sealed_json || !options_.secrets->Seals()) {
    return projector::EncodeSealedSnapshot(*pending.state, *options_.secrets);
  }
  return projector::EncodeSnapshot(*pending.state, *pending.sealed_json);
}

Status Snapshotter::EncodePass(const std::vector<Pending>& historical, const DirtyMap& dirty,
                               std::vector<journal::HistoricalSnapshot>& snapshots,
                               std::vector<journal::StateRow>& rows) const {
  snapshots.reserve(historical.size());
  for (const Pending& pending : historical) {
    Result<std::string> blob = Encode(pending);
    if (!blob.ok()) return blob.status();
    snapshots.push_back({pending.state->id, pending.state->revision, std::move(*blob)});
  }
  rows.reserve(dirty.size());
  for (const auto& [id, pending] : dirty) {
    Result<std::string> blob = Encode(pending);
    if (!blob.ok()) return blob.status();
    rows.push_back({id, std::move(*blob)});
  }
  return Status::Ok();
}

Status Snapshotter::WritePass() {
  MutexLock pass_lock(pass_mutex_);
  // After a failed journal write RocksDB must not be written again; the
  // states stay dirty for a later process (which replays them anyway).
  if (Status health = journal_.health(); !health.ok() && !health.IsNoSpace()) return health;
  DirtyMap dirty;
  std::vector<Pending> historical;
  uint64_t watermark = 0;
  {
    MutexLock lock(mutex_);
    pass_requested_ = false;
    if (dirty_.empty() && historical_.empty()) return Status::Ok();
    dirty.swap(dirty_);
    historical.swap(historical_);
    watermark = applied_sequence_;
  }
  std::vector<journal::HistoricalSnapshot> snapshots;
  std::vector<journal::StateRow> rows;
  Status status = options_.secrets->Seals() ? mark_.Ensure() : Status::Ok();
  if (status.ok()) status = EncodePass(historical, dirty, snapshots, rows);
  if (status.ok()) status = journal_.snapshots().PutHistorical(snapshots, /*sync=*/false);
  if (status.ok()) status = journal_.snapshots().WriteStateRows(rows, watermark, /*sync=*/false);
  MutexLock lock(mutex_);
  ++stats_.passes;
  if (!status.ok()) {
    ++stats_.failures;
    // Not written: keep them for the next pass; newer states win. The
    // historical snapshots are only a shortcut for history reads: a lost
    // one means a longer replay there, never a wrong answer.
    for (auto& [id, pending] : dirty) dirty_.try_emplace(id, std::move(pending));
    return status;
  }
  stats_.state_rows_written += rows.size();
  stats_.historical_written += snapshots.size();
  return Status::Ok();
}

void Snapshotter::ReportPass(const Status& status) {
  bool was_failing = false;
  {
    MutexLock lock(mutex_);
    was_failing = failing_;
    failing_ = !status.ok();
  }
  if (!status.ok() && !was_failing) {
    log::Warn("snapshotter", "a snapshot pass failed (the journal has every event; the next start-up "
                             "replays more): " + status.ToString());
  } else if (status.ok() && was_failing) {
    log::Info("snapshotter", "snapshot passes succeed again");
  }
}

void Snapshotter::Run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    // After a failed pass (a full disk), only the interval: retrying at
    // once would spin while the refusal lasts.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(options_.interval_us);
    while (!stopping_ && (failing_ || (!pass_requested_ && dirty_.size() < options_.dirty_max))) {
      if (!wake_.WaitUntil(lock, deadline)) break;
    }
    if (stopping_) break;
    lock.Unlock();
    ReportPass(WritePass());
    lock.Lock();
  }
}

SnapshotterStats Snapshotter::stats() const {
  MutexLock lock(mutex_);
  return stats_;
}

}  // namespace connectivity::service
