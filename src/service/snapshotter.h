// Snapshotter: keeps the snapshots recovery and history queries start from.
//
// Operation
//   The write path reports every applied event (OnApplied, on the commit
//   thread, in sequence order). The snapshotter remembers the newest state
//   of each changed connection and the last applied sequence S. A pass
//   writes those states as state rows together with the watermark S in one
//   batch, so recovery = state rows + replay from S + 1. A pass runs every
//   `interval`, when `dirty_max` connections have changed, at shutdown, and
//   after a long replay at start-up.
//   Every `historical_every` revisions of a connection, the state at that
//   revision is also kept as a historical snapshot (written by the next
//   pass), so "state at revision N" replays at most that many events.
// Durability
//   Passes write with sync=false: a lost pass only means a longer replay.
// Thread safety
//   OnApplied and WritePass may be called from any thread.
#ifndef CONNECTIVITY_SERVICE_SNAPSHOTTER_H_
#define CONNECTIVITY_SERVICE_SNAPSHOTTER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "journal/journal.h"
#include "src/service/registry.h"

namespace connectivity::service {

struct SnapshotterOptions {
  uint64_t historical_every = 25;  // CONNECTION_SNAPSHOT_THRESHOLD
  int64_t interval_us = 5'000'000;
  // A pass is one RocksDB write, and the journal's synced writes queue
  // behind it in RocksDB's write group: 20,000 rows (~30 MB) held creates
  // for ~100 ms (p99 82 ms at 16 connections); 1,000 rows (~1.5 MB) cut
  // that p99 to 21 ms and raised creates/s at 64 connections by a quarter.
  size_t dirty_max = 1'000;
};

struct SnapshotterStats {
  uint64_t passes = 0;
  uint64_t state_rows_written = 0;
  uint64_t historical_written = 0;
  uint64_t failures = 0;
};

class Snapshotter {
 public:
  Snapshotter(journal::Journal& journal, SnapshotterOptions options, uint64_t applied_sequence);
  ~Snapshotter();
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  void Start();
  // Stops the thread and writes a last pass.
  void Stop();

  void OnApplied(const StatePtr& state, uint64_t sequence);
  // Writes everything changed so far. Returns the first error, if any.
  Status WritePass();
  // Marks every given state as changed, e.g. after a long replay at start-up.
  void MarkAllDirty(const std::vector<StatePtr>& states, uint64_t applied_sequence);

  SnapshotterStats stats() const;

 private:
  void Run();

  journal::Journal& journal_;
  const SnapshotterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::string, StatePtr> dirty_;      // guarded by mutex_
  std::vector<StatePtr> historical_;                     // guarded by mutex_
  uint64_t applied_sequence_ = 0;                        // guarded by mutex_
  bool stopping_ = false;                                // guarded by mutex_
  SnapshotterStats stats_;                               // guarded by mutex_

  std::mutex pass_mutex_;  // one pass at a time
  std::thread thread_;
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_SNAPSHOTTER_H_
