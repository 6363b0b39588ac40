// Helpers shared by the connectivity-bench suites (library `bench_util`).
//
//   SmokeMode()      CONNECTIVITY_BENCH_SMOKE=1: tiny data sets, so that the
//                    ctest smoke run (tests/bench) finishes in seconds.
//   RandomBytes()    deterministic printable bytes for a seed.
//   NewNoSyncEnv()   an Env whose files ignore Sync/Fsync/RangeSync: the
//                    journal's own code path with the disk flush taken out,
//                    which shows what the journal costs besides the fsync.
//   ReportBatchHistogram()  the group-commit histogram as benchmark counters.
//
// Loading this library prints a warning on stderr if it was built without
// NDEBUG: timings of a debug build include assertions and mean little.
#ifndef CONNECTIVITY_BENCH_BENCH_UTIL_H_
#define CONNECTIVITY_BENCH_BENCH_UTIL_H_

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "journal/metrics.h"

namespace rocksdb {
class Env;
}

namespace connectivity::bench {

inline constexpr uint32_t kBenchSeed = 301;

bool SmokeMode();

// `size` printable ASCII bytes ('\x20'..'\x7e'), the same for the same seed.
std::string RandomBytes(size_t size, uint32_t seed);

// An Env on the local file system whose writable files (the WAL included)
// accept Sync, Fsync and RangeSync without doing them. Benchmarks only:
// nothing written through it survives a power loss.
std::unique_ptr<rocksdb::Env> NewNoSyncEnv();

// Adds the group-commit figures of `metrics` to `state.counters`:
//   events_per_batch           mean events per batch written (one WriteBatch)
//   batch_p50, batch_p90, batch_p99
//                              upper bound of the histogram bucket that holds
//                              that percentile of batches
//   batch_le_<bound>           share of batches with <= bound events (per
//                              bucket, not cumulative), so the whole histogram
//                              survives into the JSON output
//   sync_write_us              per batch, mean time from its write's start to
//                              the end of the WAL sync that covered it
//   write_us                   mean duration of one batch's write (sync=false)
//   wal_sync_us                mean duration of one WAL sync (Store::SyncWal)
//   batches_per_sync           batches one WAL sync covered, on average
//   syncs_per_s                WAL syncs per second: events/s = this x
//                              batches_per_sync x events_per_batch
void ReportBatchHistogram(const journal::JournalMetrics& metrics, benchmark::State& state);

}  // namespace connectivity::bench

#endif  // CONNECTIVITY_BENCH_BENCH_UTIL_H_
