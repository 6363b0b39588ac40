#include "bench/bench_util.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>

#include "storage/skip_sync_fs.h"

namespace connectivity::bench {
namespace {

#ifndef NDEBUG
// Static initialiser: this object file is always linked (the suites call its
// functions), so every connectivity-bench binary warns once.
const bool kDebugBuildWarned = [] {
  std::fprintf(stderr,
               "WARNING: connectivity-bench built without NDEBUG: timings include assertions; "
               "use a Release build (scripts/build)\n");
  return true;
}();
#endif

}  // namespace

bool SmokeMode() {
  const char* smoke = std::getenv("CONNECTIVITY_BENCH_SMOKE");
  return smoke != nullptr && smoke[0] != '\0' && std::string_view(smoke) != "0";
}

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> byte(' ', '~');  // JSON-like printable bytes
  std::string bytes(size, ' ');
  for (char& c : bytes) c = static_cast<char>(byte(random));
  return bytes;
}

std::unique_ptr<rocksdb::Env> NewNoSyncEnv() {
  return rocksdb::NewCompositeEnv(storage::NewSkipSyncFileSystem());
}

namespace {

// Upper bound of the bucket holding the `fraction` quantile of the values.
double HistogramQuantile(const journal::HistogramSnapshot& histogram, double fraction) {
  if (histogram.count == 0) return 0;
  const double rank = fraction * static_cast<double>(histogram.count);
  uint64_t seen = 0;
  for (size_t i = 0; i < histogram.counts.size(); ++i) {
    seen += histogram.counts[i];
    if (static_cast<double>(seen) >= rank) {
      // The +Inf bucket has no bound; report the largest finite one.
      return static_cast<double>(i < histogram.bounds.size() ? histogram.bounds[i]
                                                             : histogram.bounds.back());
    }
  }
  return static_cast<double>(histogram.bounds.back());
}

}  // namespace

void ReportBatchHistogram(const journal::JournalMetrics& metrics, benchmark::State& state) {
  const journal::HistogramSnapshot& batches = metrics.batch_events;
  const double count = std::max<double>(static_cast<double>(batches.count), 1.0);
  state.counters["events_per_batch"] = static_cast<double>(batches.sum) / count;
  state.counters["batch_p50"] = HistogramQuantile(batches, 0.50);
  state.counters["batch_p90"] = HistogramQuantile(batches, 0.90);
  state.counters["batch_p99"] = HistogramQuantile(batches, 0.99);
  for (size_t i = 0; i < batches.counts.size(); ++i) {
    // Zero-padded so that the counters sort by bound in every report.
    char name[32];
    if (i < batches.bounds.size()) {
      std::snprintf(name, sizeof(name), "batch_le_%04llu",
                    static_cast<unsigned long long>(batches.bounds[i]));
    } else {
      std::snprintf(name, sizeof(name), "batch_gt_%04llu",
                    static_cast<unsigned long long>(batches.bounds.back()));
    }
    state.counters[name] = static_cast<double>(batches.counts[i]) / count;
  }
  const journal::HistogramSnapshot& sync = metrics.sync_write_latency_us;
  state.counters["sync_write_us"] =
      static_cast<double>(sync.sum) / std::max<double>(static_cast<double>(sync.count), 1.0);
  // The pipelined group commit's two halves: the write (sync=false) per
  // batch, the WAL sync per sync round, and how many batches a sync covers.
  const journal::HistogramSnapshot& write = metrics.write_latency_us;
  const journal::HistogramSnapshot& wal_sync = metrics.wal_sync_latency_us;
  state.counters["write_us"] =
      static_cast<double>(write.sum) / std::max<double>(static_cast<double>(write.count), 1.0);
  state.counters["wal_sync_us"] = static_cast<double>(wal_sync.sum) /
                                  std::max<double>(static_cast<double>(wal_sync.count), 1.0);
  state.counters["batches_per_sync"] =
      static_cast<double>(metrics.batches_written) /
      std::max<double>(static_cast<double>(metrics.wal_syncs), 1.0);
  state.counters["syncs_per_s"] =
      benchmark::Counter(static_cast<double>(metrics.wal_syncs), benchmark::Counter::kIsRate);
}

}  // namespace connectivity::bench
