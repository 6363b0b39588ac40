// JournalMetrics: what the journal's group-commit writer has done, for the
// server's /metrics (group-commit batch sizes, append and fsync latency) and
// for tests and benchmarks (batches < events shows that commits are shared).
//
// The writer records into a JournalCounters (lock-free atomics, written only
// by the commit thread); metrics() copies them into a JournalMetrics snapshot.
// Histogram buckets are per bucket (not cumulative): counts[i] counts values
// <= bounds[i] and > bounds[i-1]; the last count is for values above every
// bound (+Inf). Prometheus' cumulative form is a running sum of counts.
#ifndef CONNECTIVITY_JOURNAL_METRICS_H_
#define CONNECTIVITY_JOURNAL_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace connectivity::journal {

struct HistogramSnapshot {
  std::vector<uint64_t> bounds;  // ascending upper bounds
  std::vector<uint64_t> counts;  // bounds.size() + 1 entries, the last is +Inf
  uint64_t count = 0;            // number of values recorded
  uint64_t sum = 0;              // sum of the values recorded
};

// What the storage engine holds in memory, for /metrics and the soak: each part is capped by
// a configured budget (block cache: its capacity; memtables: the write buffer budget, plus the
// memtables being flushed), so memory growth beyond them is the process's own.
struct StorageMemory {
  uint64_t memtable_bytes = 0;        // active and not yet flushed memtables, every column family
  uint64_t block_cache_bytes = 0;     // the block cache's content (index and filter blocks too)
  uint64_t block_cache_capacity = 0;  // its cap
  uint64_t table_reader_bytes = 0;    // open table files' readers, outside the cache
};

struct JournalMetrics {
  uint64_t batches_written = 0;    // synced RocksDB writes that succeeded
  uint64_t events_written = 0;     // events in those writes
  uint64_t appends_rejected = 0;   // conflicts and invalid requests (nothing written)
  uint64_t appends_failed = 0;     // failed for a write error or the sticky error
  HistogramSnapshot batch_events;  // events per batch written
  HistogramSnapshot sync_write_latency_us;  // per batch: its write's start to the end of its WAL sync
  HistogramSnapshot append_latency_us;      // per event: Append() to durable
  // The two halves of the pipelined group commit (group_commit.h).
  uint64_t wal_syncs = 0;                   // WAL syncs that succeeded
  HistogramSnapshot write_latency_us;       // per batch: the write (sync=false)
  HistogramSnapshot wal_sync_latency_us;    // per WAL sync (covering one or more batches)
  StorageMemory storage_memory;             // the RocksDB journal's; zero for the etcd journal
};

// A fixed-bucket histogram of non-negative integers. Record() is wait-free;
// Snapshot() may interleave with Record() (each field is read atomically).
template <size_t kBucketCount>
class Histogram {
 public:
  explicit constexpr Histogram(const std::array<uint64_t, kBucketCount>& bounds)
      : bounds_(bounds) {}

  void Record(uint64_t value) {
    size_t bucket = 0;
    while (bucket < kBucketCount && value > bounds_[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }

  HistogramSnapshot Snapshot() const {
    HistogramSnapshot snapshot;
    snapshot.bounds.assign(bounds_.begin(), bounds_.end());
    snapshot.counts.reserve(kBucketCount + 1);
    for (const auto& count : counts_) snapshot.counts.push_back(count.load(std::memory_order_relaxed));
    snapshot.count = count_.load(std::memory_order_relaxed);
    snapshot.sum = sum_.load(std::memory_order_relaxed);
    return snapshot;
  }

 private:
  const std::array<uint64_t, kBucketCount> bounds_;
  std::array<std::atomic<uint64_t>, kBucketCount + 1> counts_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
};

inline constexpr std::array<uint64_t, 13> kBatchEventsBounds = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
inline constexpr std::array<uint64_t, 14> kLatencyBoundsUs = {
    50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000};

// The live counters behind JournalMetrics.
struct JournalCounters {
  std::atomic<uint64_t> batches_written{0};
  std::atomic<uint64_t> events_written{0};
  std::atomic<uint64_t> appends_rejected{0};
  std::atomic<uint64_t> appends_failed{0};
  Histogram<kBatchEventsBounds.size()> batch_events{kBatchEventsBounds};
  Histogram<kLatencyBoundsUs.size()> sync_write_latency_us{kLatencyBoundsUs};
  Histogram<kLatencyBoundsUs.size()> append_latency_us{kLatencyBoundsUs};
  std::atomic<uint64_t> wal_syncs{0};
  Histogram<kLatencyBoundsUs.size()> write_latency_us{kLatencyBoundsUs};
  Histogram<kLatencyBoundsUs.size()> wal_sync_latency_us{kLatencyBoundsUs};

  JournalMetrics Snapshot() const {
    JournalMetrics metrics;
    metrics.batches_written = batches_written.load(std::memory_order_relaxed);
    metrics.events_written = events_written.load(std::memory_order_relaxed);
    metrics.appends_rejected = appends_rejected.load(std::memory_order_relaxed);
    metrics.appends_failed = appends_failed.load(std::memory_order_relaxed);
    metrics.batch_events = batch_events.Snapshot();
    metrics.sync_write_latency_us = sync_write_latency_us.Snapshot();
    metrics.append_latency_us = append_latency_us.Snapshot();
    metrics.wal_syncs = wal_syncs.load(std::memory_order_relaxed);
    metrics.write_latency_us = write_latency_us.Snapshot();
    metrics.wal_sync_latency_us = wal_sync_latency_us.Snapshot();
    return metrics;
  }
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_METRICS_H_
