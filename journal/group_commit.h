// GroupCommitter: the journal's single writer (internal to journal/).
//
// Operation, in order, for every batch (see journal.h for the contract):
//   1. Append() queues the request and returns; it never blocks on I/O.
//   2. The commit thread waits while a written batch still waits for the
//      next sync to begin, or while more than unsynced_bytes_max bytes are
//      written but not yet synced (the bound below), then takes every
//      waiting request, at most batch_events_max requests and
//      batch_bytes_max bytes (at least one). So at most one batch is
//      written per running sync: the requests that arrive meanwhile gather
//      into the next batch instead of being written in many small ones
//      (each write has a fixed CPU cost: measured under HTTP creates, eager
//      writes of ~9 events cost ~10% more CPU per create than one batch per
//      sync).
//   3. For each request in queue order: validate it, check its expected
//      revision against the stream's last revision (a map filled lazily from
//      storage and advanced within the batch, so several requests for one
//      stream chain - also across batches written but not yet synced), and
//      on success give it the next sequence and a timestamp
//      max(now, previous + 1). A failed check fails only that request, and
//      nothing of it is written.
//   4. Encode every admitted event (record + order entry) into ONE
//      WriteBatch and write it with sync=false (memtable + WAL record, no
//      fsync), hand the batch to the sync thread, and go on with the next
//      batch: the next batch's write overlaps the running fsync.
//   5. The sync thread takes every batch handed over meanwhile and makes all
//      of them durable with ONE Store::SyncWal(). Only after it succeeded,
//      it publishes last_sequence() (the watermark readers stop at) and
//      hands the batches, in order, to the completion thread, which calls
//      every callback in queue order (= sequence order, batch after batch).
//      Synced before the reply: a callback runs only after a WAL sync that
//      began after its batch's write returned.
//   Failures: if a write or a sync fails, every request of the batches not
//      yet synced and every later one fails with a sticky kUnavailable (the
//      unsynced ones are in doubt: a restart may or may not find them), and
//      RocksDB is never written or synced again by this process
//      (storage/store.h, storage/wal_gate_fs.h say why). If the free-space
//      guard refused a batch (kNoSpace), nothing of it was written: the
//      batch fails with kNoSpace, the streams' cached revisions are
//      forgotten, and the next batch tries again.
// Three threads, so that the next batch's write overlaps the running fsync,
// and the callers' work in callbacks (applying the event, answering the
// client) overlaps both. Threads: Append() on any thread; steps 2-4 on
// "journal-commit"; the sync of step 5 on "journal-sync"; the callbacks on
// "journal-done".
//
// Limits: the queue is not bounded here (callers bound their in-flight
// commands: the service queues one command per connection); the revision
// map holds one entry per stream written since open (~100 bytes each);
// written-but-unsynced batches are bounded by
// JournalOptions::unsynced_bytes_max (WriteBatch bytes; at least one batch
// is always allowed), which bounds their memory and the in-doubt window of
// a failed sync.
#ifndef CONNECTIVITY_JOURNAL_GROUP_COMMIT_H_
#define CONNECTIVITY_JOURNAL_GROUP_COMMIT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "journal/journal.h"
#include "journal/metrics.h"
#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/base/status.h"
#include "storage/store.h"

namespace connectivity::journal {

class GroupCommitter {
 public:
  // Where the journal left off at open (from the last order entry).
  struct Position {
    uint64_t last_sequence = 0;
    int64_t last_timestamp_us = 0;
  };

  // `store`, `clock` and `counters` must outlive this object.
  GroupCommitter(storage::Store* store, const Clock* clock, const JournalOptions& options,
                 Position position, JournalCounters* counters);
  ~GroupCommitter();  // Close()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void Start();
  // After Close(), completes `done` at once, on the caller's thread, with
  // kUnavailable.
  void Append(AppendRequest request, AppendCallback done);
  // Appends and blocks until the outcome is known. Cheaper than Append with
  // a waiting callback: one futex wake per event, and the event is moved to
  // the caller rather than copied on the commit thread.
  Result<Event> AppendAndWait(AppendRequest request);
  // Completes everything queued, then stops the thread. Idempotent.
  void Close() EXCLUDES(close_mutex_, mutex_, sync_mutex_, completion_mutex_);
  // OK; the sticky error after a failed write; or, while the free-space
  // guard refuses writes, its kNoSpace (as of the last batch or
  // RefreshSpace()).
  Status health() const EXCLUDES(mutex_);
  // Asks the free-space guard again, so that health() follows the disk
  // while no batch is written. Any thread.
  void RefreshSpace() EXCLUDES(mutex_);
  // The last sequence made durable (published after the WAL sync that
  // covers it, before its callback runs): the readers' watermark.
  uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }

 private:
  // The outcome of one AppendAndWait. Shared by the waiting thread and the
  // commit thread, so that neither can outlive it. `ready` is a futex word
  // (0: pending, 1: done): the waiter sleeps in the kernel at once and the
  // commit thread wakes it with one syscall. (std::binary_semaphore in
  // libstdc++ 12 spins on sched_yield first, which burns the CPU that 64
  // waiting appenders on 2 cores do not have.)
  struct Completion {
    std::atomic<uint32_t> ready{0};
    Status status;
    Event event;

    void Wait();
    void Signal();
  };

  struct Pending {
    AppendRequest request;
    AppendCallback done;                     // set for Append()
    std::shared_ptr<Completion> completion;  // set for AppendAndWait()
    std::chrono::steady_clock::time_point enqueued;
    // Outcome, filled in by the commit thread.
    Status status;
    uint64_t revision = 0;
    uint64_t sequence = 0;
    int64_t timestamp_us = 0;
  };

  // A batch on its way from the commit thread through the sync thread.
  struct Written {
    std::vector<Pending> batch;
    bool wrote = false;          // written (sync=false); waits for a WAL sync
    uint64_t last_sequence = 0;  // wrote: the batch's last sequence
    uint64_t events = 0;         // wrote: events in it
    size_t bytes = 0;            // wrote: its WriteBatch bytes (in unsynced_bytes_)
    std::chrono::steady_clock::time_point write_start;  // wrote: when its write began
  };

  // Queues `pending`; false (nothing queued) once Close() has begun.
  bool Enqueue(Pending&& pending) EXCLUDES(mutex_);
  void Run();
  // Blocks until there is work; false once closing and the queue is drained.
  bool TakeBatch(std::vector<Pending>* batch) EXCLUDES(mutex_);
  // Admits and writes `batch`; the result goes to the sync thread.
  Written CommitBatch(std::vector<Pending>&& batch) EXCLUDES(mutex_);
  // Blocks while unsynced_bytes_ is at the bound (step 2).
  void WaitForUnsyncedRoom() EXCLUDES(sync_mutex_);
  void HandToSync(Written&& written) EXCLUDES(sync_mutex_);
  // The sync thread: one WAL sync per round over every batch handed over
  // meanwhile, then publication and hand-over, until Close() drained all.
  void RunSyncs() EXCLUDES(sync_mutex_);
  void SyncRound(std::vector<Written>& round) EXCLUDES(mutex_, sync_mutex_);
  // Store::SyncWal() unless the sticky error is set; a failure becomes it.
  Status SyncWritten() EXCLUDES(mutex_);
  // Records `error` as the sticky error (the first one wins) and returns it.
  Status SetSticky(const Status& error) EXCLUDES(mutex_);
  // Checks and stamps every request, encoding the admitted ones into
  // write_batch_. Returns the position after them (not yet written).
  Position CommitBatchAdmit(std::vector<Pending>& batch);
  Status CommitBatchCheck(Pending& pending);
  Result<uint64_t> CommitBatchLastRevision(const std::string& stream, uint64_t expected_revision);
  Result<bool> CommitBatchEventExists(const std::string& stream, uint64_t revision);
  void CommitBatchEncode(const Pending& pending);
  // Writes write_batch_ (sync=false); on success moves position_ to `next`.
  Status CommitBatchWrite(const Position& next);
  // A refused batch was not written: its streams' cached revisions are
  // not true any more.
  void ForgetRevisions(const std::vector<Pending>& batch);
  // Records whether the guard refuses writes, logging each change.
  void SetSpaceStatus(const Status& status) EXCLUDES(mutex_);
  void CommitBatchComplete(std::vector<Pending>& batch);
  // The completion thread: runs CommitBatchComplete for each handed-over
  // batch, in order, until Close() drained everything.
  void RunCompletions() EXCLUDES(completion_mutex_);
  void HandOver(std::vector<Written>& round) EXCLUDES(completion_mutex_);

  storage::Store* const store_;
  const Clock* const clock_;
  const size_t batch_events_max_;
  const size_t batch_bytes_max_;
  const size_t unsynced_bytes_max_;
  JournalCounters* const counters_;

  mutable Mutex mutex_;
  CondVar wake_;  // queue_ not empty, or closing_
  std::vector<Pending> queue_ GUARDED_BY(mutex_);
  size_t queue_bytes_ GUARDED_BY(mutex_) = 0;
  bool closing_ GUARDED_BY(mutex_) = false;
  Status sticky_ GUARDED_BY(mutex_);  // the failed write's error
  Status space_ GUARDED_BY(mutex_);   // kNoSpace while the guard refuses
  std::atomic<bool> space_refused_{false};  // !space_.ok(), readable without the lock
  Mutex close_mutex_;  // serialises Close() calls
  std::thread thread_;

  Mutex sync_mutex_;
  CondVar sync_wake_;   // written_ not empty, or sync_closing_
  CondVar sync_room_;   // unsynced_bytes_ went down
  std::vector<Written> written_ GUARDED_BY(sync_mutex_);
  size_t unsynced_bytes_ GUARDED_BY(sync_mutex_) = 0;  // of written_ and the running round
  bool sync_closing_ GUARDED_BY(sync_mutex_) = false;
  std::thread sync_thread_;

  Mutex completion_mutex_;
  CondVar completion_wake_;
  std::vector<std::vector<Pending>> completions_ GUARDED_BY(completion_mutex_);
  bool completions_closing_ GUARDED_BY(completion_mutex_) = false;
  std::thread completion_thread_;

  // Published by the sync thread after each successful WAL sync, before the
  // callbacks of the batches it covers: readers stop here (journal_impl.h).
  std::atomic<uint64_t> last_sequence_;

  // Commit thread only.
  std::unordered_map<std::string, uint64_t> revisions_;  // stream -> last revision
  Position position_;  // last written (possibly not yet synced)
  storage::WriteBatch write_batch_;
  std::string key_buffer_;
  std::string value_buffer_;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_GROUP_COMMIT_H_
