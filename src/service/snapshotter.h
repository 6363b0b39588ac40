// Snapshotter: keeps the snapshots recovery and history queries start from.
//
// Invariant (recovery depends on it, at every instant a crash can observe):
//   the state rows on disk plus the watermark W on disk are exactly the fold
//   of every event with sequence <= W.
// How it is kept:
//   * applied_sequence_ = A: every event with sequence <= A is folded into
//     the in-memory states;
//   * every connection with an event in (W, A] is in dirty_, or in a pass
//     in flight (which puts it back if it fails);
//   * a pass writes the states in dirty_ and A as the new W in one atomic
//     batch; so W never moves past an event whose connection it does not
//     write.
// The paths that keep it:
//   * live writes: OnApplied adds each connection, in sequence order, on the
//     journal's completion thread;
//   * start-up: the constructor takes every connection the replayed tail
//     changed, however short the tail (recovery found them);
//   * a failed pass: its states return to dirty_ (newer ones win) and W stays;
//   * shutdown: Stop(), after the journal has completed everything, writes a
//     last pass;
//   * journal-replay rebuild-snapshots writes every row with W = the end of
//     the journal (src/tools/rebuild.cc).
// Passes never write after the journal has failed a write (RocksDB must not
// be written again, storage/store.h), and the free-space guard may refuse
// them; either way the states stay dirty and W stays.
//
// Operation
//   A pass runs every `interval`, when `dirty_max` connections have changed,
//   at start-up after a long replay (RequestPass), and at shutdown. Every
//   `historical_every` revisions of a connection, the state at that revision
//   is also kept as a historical snapshot (written by the next pass), so
//   "state at revision N" replays at most that many events.
// Secrets
//   Every state written has its secrets sealed with the current settings
//   (a fresh nonce each time); the states in memory stay in plaintext. A
//   seal that fails fails the pass like a failed write. A pass that seals
//   first makes sure the journal carries the encryption mark
//   (encryption_mark.h). A state whose JSON the write path has just sealed
//   for its event (create, modify) comes with that sealed form, and the
//   pass stores it instead of encrypting again: one encryption per write.
// Durability
//   Passes write with sync=false: a pass lost to a power loss only means a
//   longer replay, since rows and watermark go together.
// Threads
//   OnApplied: the journal's completion thread. WritePass: the "snapshotter"
//   thread, or the caller (Stop, tests). All methods are thread-safe.
#ifndef CONNECTIVITY_SERVICE_SNAPSHOTTER_H_
#define CONNECTIVITY_SERVICE_SNAPSHOTTER_H_

#include <cstdint>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "journal/journal.h"
#include "journal/snapshot_store.h"
#include "src/base/mutex.h"
#include "src/projector/secret_codec.h"
#include "src/service/encryption_mark.h"
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
  // Seals the secrets of every row and historical snapshot written
  // (src/projector/secret_codec.h). Must outlive the snapshotter.
  const projector::SecretCodec* secrets = &projector::PlainSecrets();
};

struct SnapshotterStats {
  uint64_t passes = 0;
  uint64_t state_rows_written = 0;
  uint64_t historical_written = 0;
  uint64_t failures = 0;
};

// Where the snapshots stand when the service starts: recovery folded every
// event up to `applied_sequence` into memory, on top of state rows current
// to an older watermark; `replayed` are the states of every connection the
// events after that watermark changed. They are dirty from the start: a
// pass may move the watermark past their events only by writing them.
struct SnapshotStart {
  uint64_t applied_sequence = 0;
  std::vector<StatePtr> replayed;
};

class Snapshotter {
 public:
  Snapshotter(journal::Journal& journal, SnapshotterOptions options, SnapshotStart start);
  ~Snapshotter();
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  void Start();
  // Stops the thread and writes a last pass.
  void Stop() EXCLUDES(mutex_);

  // `sealed_json`: the stored form of state->json if the caller has it
  // (the payload just appended), else null.
  void OnApplied(const StatePtr& state, uint64_t sequence,
                 std::shared_ptr<const std::string> sealed_json = nullptr) EXCLUDES(mutex_);
  // Adds states to the next pass unless a state of the same connection is
  // already waiting (which is then the same or newer). REQUIRES: each is
  // its connection's newest published state and was reported through
  // OnApplied (or recovered) before: it is not newer than what the
  // watermark of the next pass covers (the encryption migration takes
  // them under the service's publish lock).
  void AddDirty(const std::vector<StatePtr>& states) EXCLUDES(mutex_);
  // Writes everything changed so far. Returns the first error, if any.
  Status WritePass() EXCLUDES(mutex_, pass_mutex_);
  // Asks the thread for a pass as soon as it runs (after a long replay).
  void RequestPass() EXCLUDES(mutex_);

  SnapshotterStats stats() const EXCLUDES(mutex_);

 private:
  // A state to write, with its sealed JSON when known.
  struct Pending {
    StatePtr state;
    std::shared_ptr<const std::string> sealed_json;
  };
  using DirtyMap = std::unordered_map<std::string, Pending>;

  void Run() EXCLUDES(mutex_);
  // The snapshot blob of a state, sealed.
  Result<std::string> Encode(const Pending& pending) const;
  // The blobs of a pass, sealed.
  Status EncodePass(const std::vector<Pending>& historical, const DirtyMap& dirty,
                    std::vector<journal::HistoricalSnapshot>& snapshots,
                    std::vector<journal::StateRow>& rows) const;
  // Logs a failed pass once, not at every retry, and its end.
  void ReportPass(const Status& status) EXCLUDES(mutex_);

  journal::Journal& journal_;
  const SnapshotterOptions options_;

  mutable Mutex mutex_;
  CondVar wake_;
  DirtyMap dirty_ GUARDED_BY(mutex_);
  std::vector<Pending> historical_ GUARDED_BY(mutex_);
  uint64_t applied_sequence_ GUARDED_BY(mutex_) = 0;
  bool pass_requested_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool failing_ GUARDED_BY(mutex_) = false;  // the last pass failed
  SnapshotterStats stats_ GUARDED_BY(mutex_);

  EncryptionMark mark_;
  Mutex pass_mutex_;  // one pass at a time
  std::thread thread_;
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_SNAPSHOTTER_H_
