// Benchmarks of the journal's hot paths, with a plain RocksDB baseline in the
// same run (part of build/connectivity-bench).
//
// Workloads
//   BM_JournalAppendDurable/threads:{1,16,64}
//       Each thread appends 1 KiB events to its own stream with
//       AppendAndWait: durable, group-committed by the journal (each batch
//       written with sync=false on its commit thread, one WAL sync per round
//       on its sync thread). items/s = acknowledged appends per second of
//       wall time. Counters: the group-commit histogram (events_per_batch
//       mean, batch_p50/p90/p99, batch_le_<n> shares), sync_write_us,
//       write_us, wal_sync_us, batches_per_sync, syncs_per_s (see
//       ReportBatchHistogram).
//   BM_JournalAppendNoSync/threads:{1,16,64}
//       The same appends through the same journal code (group commit, codec,
//       one WriteBatch and one WAL sync per round) on a file system whose syncs are
//       no-ops (bench_util.h, NewNoSyncEnv): the journal's cost without the
//       disk flush. The gap to BM_JournalAppendDurable is the fsync.
//   BM_RocksDbSyncPutLoop/threads:{1,16,64}
//       The baseline: each thread calls rocksdb::DB::Put(sync=true) with the
//       same 1 KiB values on a plain RocksDB (default options), one Put per
//       item, as a server that writes from its request threads would.
//   BM_RecordEncode / BM_RecordDecode
//       The codec on a 1 KiB record (checksum over key and value included).
//   BM_JournalScanAll
//       ForEachEvent over a journal of 100k events of 512 bytes on 1000
//       streams (the copy-free full replay); items/s = events per second.
//   BM_JournalScanAllCursor
//       The same scan through ScanAll(), one Event (two strings) per event.
//
// Conventions: fixed seeds; data made outside the timed region; UseRealTime
// for everything that fsyncs; SkipWithError on any non-OK status; data dirs
// under $TEST_TMPDIR, $TMPDIR or /tmp, removed afterwards. With
// CONNECTIVITY_BENCH_SMOKE=1 the data sets are small, for a quick check that
// every benchmark runs (`--benchmark_min_time=0.01`).
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "journal/codec.h"
#include "journal/journal.h"
#include "storage/temp_dir.h"

namespace connectivity::journal {
namespace {

constexpr size_t kPayloadBytes = 1024;
constexpr uint32_t kSeed = bench::kBenchSeed;

using bench::RandomBytes;
using bench::SmokeMode;

// --- the journal under test, opened fresh for every run ---

struct JournalUnderTest {
  std::unique_ptr<storage::ScopedTempDir> dir;
  std::unique_ptr<rocksdb::Env> env;  // set for the no-sync variant; outlives the journal
  std::unique_ptr<Journal> journal;
  std::string error;
};
JournalUnderTest* g_journal = nullptr;

void SetupJournalWith(std::unique_ptr<rocksdb::Env> env) {
  g_journal = new JournalUnderTest;
  g_journal->dir = std::make_unique<storage::ScopedTempDir>("journal-bench");
  g_journal->env = std::move(env);
  JournalOptions options;
  options.env = g_journal->env.get();
  Result<std::unique_ptr<Journal>> journal = Journal::Open(g_journal->dir->path(), options);
  if (journal.ok()) {
    g_journal->journal = std::move(*journal);
  } else {
    g_journal->error = journal.status().ToString();
  }
}

void SetupJournal(const benchmark::State&) { SetupJournalWith(nullptr); }
void SetupJournalNoSync(const benchmark::State&) { SetupJournalWith(bench::NewNoSyncEnv()); }

void TeardownJournal(const benchmark::State&) {
  // Members go in reverse order: the journal closes, then its env, then the dir.
  delete g_journal;
  g_journal = nullptr;
}

// Each thread appends to its own stream and waits for every append.
void JournalAppendLoop(benchmark::State& state) {
  Journal* journal = g_journal->journal.get();
  if (journal == nullptr) state.SkipWithError(g_journal->error.c_str());
  const std::string stream = "bench-stream-" + std::to_string(state.thread_index());
  const std::string payload = RandomBytes(kPayloadBytes, kSeed + state.thread_index());
  uint64_t revision = 0;
  for (auto _ : state) {
    Result<Event> event = journal->AppendAndWait(AppendRequest{stream, revision, 1, payload});
    if (!event.ok()) {
      state.SkipWithError(event.status().ToString().c_str());
      break;
    }
    ++revision;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kPayloadBytes);
  if (state.thread_index() == 0 && journal != nullptr) {
    // After the loop every thread has finished (the loop ends at a barrier).
    bench::ReportBatchHistogram(journal->metrics(), state);
  }
}

void BM_JournalAppendDurable(benchmark::State& state) { JournalAppendLoop(state); }
BENCHMARK(BM_JournalAppendDurable)
    ->Setup(SetupJournal)
    ->Teardown(TeardownJournal)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

void BM_JournalAppendNoSync(benchmark::State& state) { JournalAppendLoop(state); }
BENCHMARK(BM_JournalAppendNoSync)
    ->Setup(SetupJournalNoSync)
    ->Teardown(TeardownJournal)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

// --- the baseline: a plain RocksDB, one synced Put per item ---

struct PlainRocksDb {
  std::unique_ptr<storage::ScopedTempDir> dir;
  std::unique_ptr<rocksdb::DB> db;
  std::string error;
};
PlainRocksDb* g_plain = nullptr;

void SetupPlainRocksDb(const benchmark::State&) {
  g_plain = new PlainRocksDb;
  g_plain->dir = std::make_unique<storage::ScopedTempDir>("rocksdb-bench");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, g_plain->dir->path(), &db);
  g_plain->db.reset(db);
  if (!s.ok()) g_plain->error = s.ToString();
}

void TeardownPlainRocksDb(const benchmark::State&) {
  delete g_plain;
  g_plain = nullptr;
}

void BM_RocksDbSyncPutLoop(benchmark::State& state) {
  rocksdb::DB* db = g_plain->db.get();
  if (db == nullptr) state.SkipWithError(g_plain->error.c_str());
  const std::string prefix = "bench-stream-" + std::to_string(state.thread_index()) + "-";
  const std::string payload = RandomBytes(kPayloadBytes, kSeed + state.thread_index());
  rocksdb::WriteOptions write;
  write.sync = true;
  std::string key;
  uint64_t item = 0;
  for (auto _ : state) {
    key = prefix + std::to_string(item++);
    const rocksdb::Status s = db->Put(write, key, payload);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * kPayloadBytes);
}
BENCHMARK(BM_RocksDbSyncPutLoop)
    ->Setup(SetupPlainRocksDb)
    ->Teardown(TeardownPlainRocksDb)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

// --- codec ---

void BM_RecordEncode(benchmark::State& state) {
  const std::string key = StreamKey("bench-connection-0001", 42);
  const std::string payload = RandomBytes(kPayloadBytes, kSeed);
  std::string value;
  for (auto _ : state) {
    EncodeRecord(key, RecordFields{1, 1'764'158'400'000'000, 123456, payload}, &value);
    benchmark::DoNotOptimize(value.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * value.size());
}
BENCHMARK(BM_RecordEncode);

void BM_RecordDecode(benchmark::State& state) {
  const std::string key = StreamKey("bench-connection-0001", 42);
  std::string value;
  EncodeRecord(key, RecordFields{1, 1'764'158'400'000'000, 123456, RandomBytes(kPayloadBytes, kSeed)},
               &value);
  RecordFields fields;
  for (auto _ : state) {
    const Status decoded = DecodeRecord(key, value, &fields);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(fields);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * value.size());
}
BENCHMARK(BM_RecordDecode);

// --- full scan ---

// A journal filled once per process (filling is slow; scanning does not
// change it); removed at exit.
struct FilledJournal {
  storage::ScopedTempDir dir{"journal-scan-bench"};
  std::unique_ptr<Journal> journal;
  uint64_t events = 0;
  std::string error;
};

// Appends without waiting for each event, so the writer batches thousands
// of events per fsync; waits for the last one.
Status Fill(Journal& journal, uint64_t events, uint64_t streams) {
  const std::string payload = RandomBytes(512, kSeed);
  Result<Event> last = Status::Internal("nothing appended");
  for (uint64_t i = 0; i + 1 < events; ++i) {
    journal.Append(AppendRequest{"scan-stream-" + std::to_string(i % streams), i / streams, 1, payload},
                   [](const Status&, const Event&) {});
  }
  const uint64_t i = events - 1;
  last = journal.AppendAndWait(
      AppendRequest{"scan-stream-" + std::to_string(i % streams), i / streams, 1, payload});
  if (!last.ok()) return last.status();
  if (journal.last_sequence() != events) return Status::Internal("some appends failed");
  return Status::Ok();
}

FilledJournal& Filled() {
  // Destroyed at exit, before RocksDB's own statics (which it constructed).
  static const std::unique_ptr<FilledJournal> filled = [] {
    auto result = std::make_unique<FilledJournal>();
    const uint64_t events = SmokeMode() ? 2'000 : 100'000;
    Result<std::unique_ptr<Journal>> journal = Journal::Open(result->dir.path(), {});
    if (!journal.ok()) {
      result->error = journal.status().ToString();
      return result;
    }
    result->journal = std::move(*journal);
    const Status filled_status = Fill(*result->journal, events, 1000);
    if (!filled_status.ok()) result->error = filled_status.ToString();
    result->events = events;
    return result;
  }();
  return *filled;
}

void BM_JournalScanAll(benchmark::State& state) {
  FilledJournal& filled = Filled();
  if (!filled.error.empty()) state.SkipWithError(filled.error.c_str());
  uint64_t bytes = 0;
  for (auto _ : state) {
    uint64_t seen = 0;
    const Status scanned = filled.journal->ForEachEvent([&](const EventView& event) {
      ++seen;
      bytes += event.payload.size();
      return Status::Ok();
    });
    if (!scanned.ok() || seen != filled.events) {
      state.SkipWithError(scanned.ok() ? "the scan missed events" : scanned.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * filled.events);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_JournalScanAll)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_JournalScanAllCursor(benchmark::State& state) {
  FilledJournal& filled = Filled();
  if (!filled.error.empty()) state.SkipWithError(filled.error.c_str());
  uint64_t bytes = 0;
  for (auto _ : state) {
    uint64_t seen = 0;
    const std::unique_ptr<EventCursor> cursor = filled.journal->ScanAll();
    Result<std::optional<Event>> next = cursor->Next();
    for (; next.ok() && next->has_value(); next = cursor->Next()) {
      ++seen;
      bytes += (*next)->payload.size();
    }
    if (!next.ok() || seen != filled.events) {
      state.SkipWithError(next.ok() ? "the scan missed events" : next.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * filled.events);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_JournalScanAllCursor)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace connectivity::journal
