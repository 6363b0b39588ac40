// Benchmarks of snapshots: the projector's snapshot codec and the state rows
// of journal::SnapshotStore, written by the snapshotter's passes and loaded
// by recovery (part of build/connectivity-bench).
//
// Workloads (connections of about 1 KiB of canonical JSON, bench/dataset.h)
//   BM_SnapshotEncode            projector::EncodeSnapshot of one state.
//   BM_SnapshotDecode            projector::DecodeSnapshot of one blob.
//   BM_SnapshotWritePass/rows:{1000,20000}
//       One snapshotter pass: encode `rows` dirty states and write them with
//       the watermark in one batch, sync=false as the snapshotter does
//       (20000 = its dirty_max). items/s = rows per second.
//   BM_SnapshotLoad/rows:{1000,20000}
//       What recovery does first: read every state row (ReadStateRows, the
//       store's checksum checked) and decode it. The rows are flushed to
//       table files before timing, so they are read as after a restart
//       (from the page cache). items/s = rows per second.
// Smoke mode (CONNECTIVITY_BENCH_SMOKE=1): rows:{100}.
//
// Conventions: fixed seeds; states and journals are made outside the timed
// loop (cached per size for the whole process, removed at exit);
// UseRealTime for everything that touches RocksDB; SkipWithError on any
// non-OK Status.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/dataset.h"
#include "journal/journal.h"
#include "journal/journal_testing.h"
#include "journal/snapshot_store.h"
#include "src/projector/connection_state.h"
#include "src/projector/snapshot_codec.h"
#include "storage/temp_dir.h"

namespace connectivity::projector {
namespace {

// Connection `index` of the data set as the projector holds it.
Result<ConnectionState> BenchState(uint64_t index) {
  Result<std::string> json = bench::CanonicalConnectionJson(index, 1, bench::kBenchSeed);
  if (!json.ok()) return json.status();
  ConnectionState state;
  state.id = "bench-connection-" + std::to_string(index);
  state.revision = 4;
  state.connection_revision = 2;
  state.created_us = 1'764'158'400'000'000;
  state.modified_us = state.created_us + 1000;
  state.json = std::move(*json);
  for (size_t type = 0; type < kEventTypeCount; ++type) state.stats[type] = {1, state.modified_us};
  return state;
}

// `count` states, made once per count for the whole process.
const Result<std::vector<ConnectionState>>& BenchStates(size_t count) {
  static std::map<size_t, Result<std::vector<ConnectionState>>> cache;
  auto found = cache.find(count);
  if (found != cache.end()) return found->second;
  std::vector<ConnectionState> states;
  states.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Result<ConnectionState> state = BenchState(i);
    if (!state.ok()) return cache.emplace(count, state.status()).first->second;
    states.push_back(std::move(*state));
  }
  return cache.emplace(count, std::move(states)).first->second;
}

void BM_SnapshotEncode(benchmark::State& state) {
  Result<ConnectionState> connection = BenchState(0);
  if (!connection.ok()) {
    state.SkipWithError(connection.status().ToString().c_str());
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string blob = EncodeSnapshot(*connection);
    bytes = blob.size();
    benchmark::DoNotOptimize(blob.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["blob_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SnapshotEncode);

void BM_SnapshotDecode(benchmark::State& state) {
  Result<ConnectionState> connection = BenchState(0);
  if (!connection.ok()) {
    state.SkipWithError(connection.status().ToString().c_str());
    return;
  }
  const std::string blob = EncodeSnapshot(*connection);
  for (auto _ : state) {
    Result<ConnectionState> decoded = DecodeSnapshot(blob);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(decoded->json.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * blob.size());
}
BENCHMARK(BM_SnapshotDecode);

void SnapshotSizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgName("rows");
  if (bench::SmokeMode()) {
    benchmark->Arg(100);
  } else {
    benchmark->Arg(1000)->Arg(20000);
  }
}

void BM_SnapshotWritePass(benchmark::State& state) {
  const auto& states = BenchStates(static_cast<size_t>(state.range(0)));
  if (!states.ok()) {
    state.SkipWithError(states.status().ToString().c_str());
    return;
  }
  const storage::ScopedTempDir dir("snapshot-bench");
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(dir.path(), {});
  if (!journal.ok()) {
    state.SkipWithError(journal.status().ToString().c_str());
    return;
  }
  journal::SnapshotStore& store = (*journal)->snapshots();
  uint64_t watermark = 0;
  int64_t bytes = 0;
  std::vector<journal::StateRow> rows;
  for (auto _ : state) {
    rows.clear();
    rows.reserve(states->size());
    for (const ConnectionState& connection : *states) {
      rows.push_back({connection.id, EncodeSnapshot(connection)});
      bytes += static_cast<int64_t>(rows.back().blob.size());
    }
    const Status written = store.WriteStateRows(rows, ++watermark, /*sync=*/false);
    if (!written.ok()) {
      state.SkipWithError(written.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(states->size()));
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_SnapshotWritePass)->Apply(SnapshotSizes)->UseRealTime()->Unit(benchmark::kMillisecond);

// A data dir holding `rows` state rows, flushed to table files and closed;
// made once per size for the whole process (only directories are cached, so
// nothing of RocksDB is left to destroy at exit).
struct FilledSnapshots {
  storage::ScopedTempDir dir{"snapshot-load-bench"};
  std::string error;
};

Status FillSnapshots(const std::string& dir, size_t count) {
  const auto& states = BenchStates(count);
  if (!states.ok()) return states.status();
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(dir, {});
  if (!journal.ok()) return journal.status();
  std::vector<journal::StateRow> rows;
  rows.reserve(states->size());
  for (const ConnectionState& connection : *states) {
    rows.push_back({connection.id, EncodeSnapshot(connection)});
  }
  CONNECTIVITY_RETURN_IF_ERROR((*journal)->snapshots().WriteStateRows(rows, 1, /*sync=*/true));
  CONNECTIVITY_RETURN_IF_ERROR(journal::TEST_Flush(**journal));
  (*journal)->Close();
  return Status::Ok();
}

const FilledSnapshots& Filled(size_t count) {
  static std::map<size_t, std::unique_ptr<FilledSnapshots>> cache;
  std::unique_ptr<FilledSnapshots>& filled = cache[count];
  if (!filled) {
    filled = std::make_unique<FilledSnapshots>();
    const Status status = FillSnapshots(filled->dir.path(), count);
    if (!status.ok()) filled->error = status.ToString();
  }
  return *filled;
}

void BM_SnapshotLoad(benchmark::State& state) {
  const size_t count = static_cast<size_t>(state.range(0));
  const FilledSnapshots& filled = Filled(count);
  if (!filled.error.empty()) {
    state.SkipWithError(filled.error.c_str());
    return;
  }
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(filled.dir.path(), {});
  if (!journal.ok()) {
    state.SkipWithError(journal.status().ToString().c_str());
    return;
  }
  int64_t bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<journal::StateRowCursor> cursor = (*journal)->snapshots().ReadStateRows();
    size_t loaded = 0;
    Result<std::optional<journal::StateRow>> row = cursor->Next();
    for (; row.ok() && row->has_value(); row = cursor->Next()) {
      Result<ConnectionState> decoded = DecodeSnapshot((*row)->blob);
      if (!decoded.ok()) {
        row = decoded.status();
        break;
      }
      bytes += static_cast<int64_t>((*row)->blob.size());
      ++loaded;
    }
    if (!row.ok() || loaded != count) {
      state.SkipWithError(row.ok() ? "the load missed rows" : row.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(count));
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_SnapshotLoad)->Apply(SnapshotSizes)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace connectivity::projector
