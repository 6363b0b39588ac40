#include "src/service/snapshotter.h"

#include <chrono>
#include <cstdio>

#include "journal/snapshot_store.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::service {

Snapshotter::Snapshotter(journal::Journal& journal, SnapshotterOptions options,
                         uint64_t applied_sequence)
    : journal_(journal), options_(options), applied_sequence_(applied_sequence) {}

Snapshotter::~Snapshotter() { Stop(); }

void Snapshotter::Start() { thread_ = std::thread([this] { Run(); }); }

void Snapshotter::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  const Status status = WritePass();
  if (!status.ok()) std::fprintf(stderr, "snapshotter: last pass failed: %s\n", status.ToString().c_str());
}

void Snapshotter::OnApplied(const StatePtr& state, uint64_t sequence) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    dirty_[state->id] = state;
    applied_sequence_ = sequence;
    if (options_.historical_every > 0 && state->revision % options_.historical_every == 0) {
      historical_.push_back(state);
    }
    wake = dirty_.size() >= options_.dirty_max;
  }
  if (wake) wake_.notify_one();
}

void Snapshotter::MarkAllDirty(const std::vector<StatePtr>& states, uint64_t applied_sequence) {
  std::lock_guard lock(mutex_);
  for (const StatePtr& state : states) dirty_[state->id] = state;
  applied_sequence_ = applied_sequence;
}

Status Snapshotter::WritePass() {
  std::lock_guard pass_lock(pass_mutex_);
  std::unordered_map<std::string, StatePtr> dirty;
  std::vector<StatePtr> historical;
  uint64_t watermark = 0;
  {
    std::lock_guard lock(mutex_);
    if (dirty_.empty() && historical_.empty()) return Status::Ok();
    dirty.swap(dirty_);
    historical.swap(historical_);
    watermark = applied_sequence_;
  }
  std::vector<journal::HistoricalSnapshot> snapshots;
  snapshots.reserve(historical.size());
  for (const StatePtr& state : historical) {
    snapshots.push_back({state->id, state->revision, projector::EncodeSnapshot(*state)});
  }
  std::vector<journal::StateRow> rows;
  rows.reserve(dirty.size());
  for (const auto& [id, state] : dirty) rows.push_back({id, projector::EncodeSnapshot(*state)});

  Status status = journal_.snapshots().PutHistorical(snapshots, /*sync=*/false);
  if (status.ok()) status = journal_.snapshots().WriteStateRows(rows, watermark, /*sync=*/false);
  std::lock_guard lock(mutex_);
  ++stats_.passes;
  if (!status.ok()) {
    ++stats_.failures;
    // Keep what was not written for the next pass; newer states win.
    for (auto& [id, state] : dirty) dirty_.try_emplace(id, std::move(state));
    return status;
  }
  stats_.state_rows_written += rows.size();
  stats_.historical_written += snapshots.size();
  return Status::Ok();
}

void Snapshotter::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::microseconds(options_.interval_us),
                   [this] { return stopping_ || dirty_.size() >= options_.dirty_max; });
    if (stopping_) break;
    lock.unlock();
    const Status status = WritePass();
    if (!status.ok()) std::fprintf(stderr, "snapshotter: pass failed: %s\n", status.ToString().c_str());
    lock.lock();
  }
}

SnapshotterStats Snapshotter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace connectivity::service
