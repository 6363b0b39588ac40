// Benchmarks of start-up recovery (src/recovery/recovery.h) on the benchmark
// data set (part of build/connectivity-bench).
//
// Workloads
//   BM_Recover/connections:{1000,10000,100000}
//       Journal::Open of a data dir + recovery::Recover: load every state
//       row, then replay the tail after the snapshot watermark through the
//       one Apply, as connectivityd does at start-up (its HTTP server and
//       service aside). The data dir holds N connections of about 1 KiB
//       with 2 events each and their state rows (bench/dataset.h), followed
//       by a replay tail of N/10 events (modified, then opened, ...) that no
//       state row covers: a server stopped without a last snapshot pass.
//       The journal is closed outside the timer. items/s = connections
//       recovered per second; counters: state_rows, events_replayed.
// Smoke mode (CONNECTIVITY_BENCH_SMOKE=1): connections:{100}.
//
// Conventions: fixed seed; the data dirs are generated before timing, once
// per size for the whole process, under $TEST_TMPDIR (or $TMPDIR, /tmp) and
// removed at exit; the page cache is warm (every iteration reads the same
// files), so this is the CPU and RocksDB cost, not the disk's; UseRealTime;
// SkipWithError on any non-OK Status.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "bench/dataset.h"
#include "journal/journal.h"
#include "src/base/clock.h"
#include "src/recovery/recovery.h"
#include "storage/temp_dir.h"

namespace connectivity::recovery {
namespace {

constexpr uint64_t kEventsPerConnection = 2;
constexpr uint64_t kTailDivisor = 10;  // tail = connections / 10 events

struct RecoveryDataset {
  storage::ScopedTempDir dir{"recovery-bench"};
  bench::DatasetSpec spec;
  uint64_t tail_events = 0;
  std::string error;
};

Status FillRecoveryDataset(RecoveryDataset& dataset) {
  CONNECTIVITY_RETURN_IF_ERROR(bench::GenerateDataset(dataset.dir.path(), dataset.spec));
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(dataset.dir.path(), {});
  if (!journal.ok()) return journal.status();
  CONNECTIVITY_RETURN_IF_ERROR(bench::AppendReplayTail(**journal, dataset.spec, dataset.tail_events));
  (*journal)->Close();
  return Status::Ok();
}

// Only directories are cached: nothing of RocksDB is left to destroy at exit.
const RecoveryDataset& Dataset(uint64_t connections) {
  static std::map<uint64_t, std::unique_ptr<RecoveryDataset>> cache;
  std::unique_ptr<RecoveryDataset>& dataset = cache[connections];
  if (!dataset) {
    dataset = std::make_unique<RecoveryDataset>();
    dataset->spec.connections = connections;
    dataset->spec.events_per_connection = kEventsPerConnection;
    dataset->spec.seed = bench::kBenchSeed;
    dataset->tail_events = connections / kTailDivisor;
    const Status status = FillRecoveryDataset(*dataset);
    if (!status.ok()) dataset->error = status.ToString();
  }
  return *dataset;
}

void RecoverySizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgName("connections");
  if (bench::SmokeMode()) {
    benchmark->Arg(100);
  } else {
    benchmark->Arg(1000)->Arg(10000)->Arg(100000);
  }
}

void BM_Recover(benchmark::State& state) {
  const uint64_t connections = static_cast<uint64_t>(state.range(0));
  const RecoveryDataset& dataset = Dataset(connections);
  if (!dataset.error.empty()) {
    state.SkipWithError(dataset.error.c_str());
    return;
  }
  RecoveryReport report;
  for (auto _ : state) {
    Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(dataset.dir.path(), {});
    if (!journal.ok()) {
      state.SkipWithError(journal.status().ToString().c_str());
      break;
    }
    Result<Recovered> recovered = Recover(**journal, *SystemClock::Instance());
    if (!recovered.ok() || recovered->states.size() != connections) {
      state.SkipWithError(recovered.ok() ? "recovery missed connections"
                                         : recovered.status().ToString().c_str());
      break;
    }
    report = recovered->report;
    state.PauseTiming();
    recovered->states.clear();  // freeing the states is not recovery's cost
    (*journal)->Close();
    journal->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(connections));
  state.counters["state_rows"] = static_cast<double>(report.state_rows_loaded);
  state.counters["events_replayed"] = static_cast<double>(report.events_replayed);
}
BENCHMARK(BM_Recover)->Apply(RecoverySizes)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace connectivity::recovery
