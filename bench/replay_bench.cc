// Benchmarks of journal-replay (SPEC §6 figures), with a plain RocksDB
// baseline on the same data in the same run (part of build/connectivity-bench).
//
// Workloads
//   BM_ReplayPlainScan
//       The baseline: open the data dir as a secondary instance and iterate
//       every key and value of the events column family, without decoding
//       (src/tools/plain_scan.h). items/s = keys per second.
//   BM_ReplayState
//       `journal-replay state` on the same data dir, output discarded:
//       open, full scan with every checksum checked, Apply of every event
//       through the projector, one retrieve-shaped line per connection.
//       items/s = events decoded and applied per second. Targets: >= 0.5x
//       the plain scan and >= 500,000 events/s.
//   BM_ReplayVerify
//       `journal-replay verify` on the same data dir. items/s = events.
//
// Data set: the generator's journal (bench/dataset.h), 100,000 connections x
// 10 events (1,000 x 10 with CONNECTIVITY_BENCH_SMOKE=1), generated once per
// process under $TEST_TMPDIR / $TMPDIR / /tmp (about 25 s) and removed at
// exit; or the data dir named by $CONNECTIVITY_REPLAY_BENCH_DATA_DIR (e.g.
// made by `connectivity-datagen`), which is only read.
//
// Conventions as in journal_bench.cc: SkipWithError on any failure,
// UseRealTime, release builds only (bench_util warns otherwise).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

#include "bench/bench_util.h"
#include "bench/dataset.h"
#include "src/tools/commands.h"
#include "src/tools/open.h"
#include "src/tools/plain_scan.h"
#include "storage/temp_dir.h"

namespace connectivity::tools {
namespace {

// Discards everything written to it (the benchmark's /dev/null, without
// the system calls).
class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize count) override { return count; }
};

struct DataSet {
  std::unique_ptr<storage::ScopedTempDir> dir;  // null when given by the environment
  std::string data_dir;
  uint64_t events = 0;
  std::string error;
};

const DataSet& Data() {
  static const std::unique_ptr<DataSet> data = [] {
    auto result = std::make_unique<DataSet>();
    bench::DatasetSpec spec;
    spec.connections = bench::SmokeMode() ? 1'000 : 100'000;
    spec.events_per_connection = 10;
    if (const char* given = std::getenv("CONNECTIVITY_REPLAY_BENCH_DATA_DIR")) {
      result->data_dir = given;
    } else {
      result->dir = std::make_unique<storage::ScopedTempDir>("replay-bench");
      result->data_dir = result->dir->Sub("data");
      const Status generated = bench::GenerateDataset(result->data_dir, spec);
      if (!generated.ok()) result->error = generated.ToString();
    }
    Result<std::unique_ptr<OpenedJournal>> opened = OpenJournalForReading(result->data_dir);
    if (!opened.ok() && result->error.empty()) result->error = opened.status().ToString();
    if (opened.ok()) result->events = (**opened)->last_sequence();
    return result;
  }();
  return *data;
}

void BM_ReplayPlainScan(benchmark::State& state) {
  const DataSet& data = Data();
  if (!data.error.empty()) state.SkipWithError(data.error.c_str());
  uint64_t keys = 0;
  for (auto _ : state) {
    Result<std::unique_ptr<OpenedStore>> store = OpenStoreForReading(data.data_dir);
    Result<ScanFigures> figures =
        store.ok() ? PlainScanEvents(*(*store)->store) : Result<ScanFigures>(store.status());
    if (!figures.ok()) {
      state.SkipWithError(figures.status().ToString().c_str());
      break;
    }
    keys += figures->keys;
  }
  state.SetItemsProcessed(static_cast<int64_t>(keys));
}
BENCHMARK(BM_ReplayPlainScan)->UseRealTime()->Unit(benchmark::kMillisecond);

// Runs one command of the tool on the data set, its output discarded.
void RunCommand(benchmark::State& state, Command command) {
  const DataSet& data = Data();
  if (!data.error.empty()) state.SkipWithError(data.error.c_str());
  NullBuffer null_buffer;
  std::ostream discard(&null_buffer);
  Output output{discard, discard, /*progress=*/false};
  Invocation invocation;
  invocation.command = command;
  invocation.data_dir = data.data_dir;
  for (auto _ : state) {
    const ExitCode code =
        command == Command::kState ? RunState(invocation, output) : RunVerify(invocation, output);
    if (code != ExitCode::kOk) {
      state.SkipWithError("the command did not exit 0");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * data.events));
  state.counters["events"] = static_cast<double>(data.events);
}

void BM_ReplayState(benchmark::State& state) { RunCommand(state, Command::kState); }
BENCHMARK(BM_ReplayState)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ReplayVerify(benchmark::State& state) { RunCommand(state, Command::kVerify); }
BENCHMARK(BM_ReplayVerify)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace connectivity::tools
