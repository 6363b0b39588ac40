// Benchmarks of the journal's group commit as the server drives it (part of
// build/connectivity-bench).
//
// Workloads
//   BM_GroupCommitInFlight/in_flight:{1,16,64}
//       One submitting thread keeps `in_flight` durable appends outstanding
//       with Journal::Append and a callback, as the HTTP threads do: they
//       hand a command to the journal and answer from the callback, never
//       blocking on the disk. Every append is a new stream (expected
//       revision 0), like a create. items/s = acknowledged appends per
//       second of wall time. Counters: the batch-size histogram
//       (events_per_batch mean, batch_p50/p90/p99, batch_le_<n> shares of
//       batches; bench_util.h), sync_write_us, and the pipeline's halves
//       (write_us, wal_sync_us, batches_per_sync, syncs_per_s). With
//       in_flight = K a sync can cover at most K events; with the sync
//       thread busy all the time (syncs_per_s x wal_sync_us near 1 s) the
//       events of one sync are those that arrived during the previous one.
//
// Conventions: a fresh journal per run under $TEST_TMPDIR (or $TMPDIR,
// /tmp); the payload is made before the timed loop; UseRealTime (fsync);
// SkipWithError on any failed append. The last `in_flight` appends are
// drained after the timed loop (a negligible share of many iterations).
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "bench/bench_util.h"
#include "journal/journal.h"
#include "storage/temp_dir.h"

namespace connectivity::journal {
namespace {

constexpr size_t kPayloadBytes = 1024;

// Bounds the appends in flight and keeps the first failure.
class InFlightWindow {
 public:
  explicit InFlightWindow(uint64_t limit) : limit_(limit) {}

  void Acquire() {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [this] { return in_flight_ < limit_; });
    ++in_flight_;
  }

  void Release(const Status& status) {
    std::lock_guard lock(mutex_);
    if (!status.ok() && first_error_.ok()) first_error_ = status;
    --in_flight_;
    space_.notify_one();
  }

  // Waits for every outstanding append; returns the first failure.
  Status Drain() {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [this] { return in_flight_ == 0; });
    return first_error_;
  }

  Status first_error() {
    std::lock_guard lock(mutex_);
    return first_error_;
  }

 private:
  const uint64_t limit_;
  std::mutex mutex_;
  std::condition_variable space_;
  uint64_t in_flight_ = 0;
  Status first_error_;
};

void BM_GroupCommitInFlight(benchmark::State& state) {
  const storage::ScopedTempDir dir("group-commit-bench");
  Result<std::unique_ptr<Journal>> opened = Journal::Open(dir.path(), {});
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  Journal& journal = **opened;
  const std::string payload = bench::RandomBytes(kPayloadBytes, bench::kBenchSeed);
  InFlightWindow window(static_cast<uint64_t>(state.range(0)));
  uint64_t next_stream = 0;
  for (auto _ : state) {
    window.Acquire();
    journal.Append(AppendRequest{"gc-" + std::to_string(next_stream++), 0, 1, payload},
                   [&window](const Status& status, const Event&) { window.Release(status); });
    // Checked now and then: a lock per append would distort the figure.
    if ((next_stream & 1023) == 0 && !window.first_error().ok()) {
      state.SkipWithError(window.first_error().ToString().c_str());
      break;
    }
  }
  const Status drained = window.Drain();
  if (!drained.ok()) state.SkipWithError(drained.ToString().c_str());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kPayloadBytes);
  bench::ReportBatchHistogram(journal.metrics(), state);
  journal.Close();
}
BENCHMARK(BM_GroupCommitInFlight)->ArgName("in_flight")->Arg(1)->Arg(16)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace connectivity::journal
