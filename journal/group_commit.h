// GroupCommitter: the journal's single writer (internal to journal/).
//
// Operation, in order, for every batch (see journal.h for the contract):
//   1. Append() queues the request and returns; it never blocks on I/O.
//   2. The commit thread takes every waiting request, at most
//      batch_events_max requests and batch_bytes_max bytes (at least one).
//   3. For each request in queue order: validate it, check its expected
//      revision against the stream's last revision (a map filled lazily from
//      storage and advanced within the batch, so several requests for one
//      stream chain), and on success give it the next sequence and a
//      timestamp max(now, previous + 1). A failed check fails only that
//      request, and nothing of it is written.
//   4. Encode every admitted event (record + order entry) into ONE
//      WriteBatch and write it with sync=true.
//   5. Only after the write returned OK, hand the batch to the completion
//      thread, which calls every callback in queue order (= sequence order,
//      batch after batch). If the write failed, every request of the batch
//      and every later one fails with a sticky kUnavailable, and RocksDB is
//      never written again by this process (storage/store.h says why).
//      If the free-space guard refused the batch (kNoSpace), nothing was
//      written: the batch fails with kNoSpace, the streams' cached
//      revisions are forgotten, and the next batch tries again.
// Two threads, so that the callers' work in callbacks (applying the event,
// answering the client) overlaps the next batch's fsync instead of delaying
// it. Threads: Append() on any thread; steps 2-4 on "journal-commit"; the
// callbacks of step 5 on "journal-done".
//
// Limits: the queue is not bounded here (callers bound their in-flight
// commands: the service queues one command per connection); the revision
// map holds one entry per stream written since open (~100 bytes each).
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
  void Close() EXCLUDES(close_mutex_, mutex_, completion_mutex_);
  // OK; the sticky error after a failed write; or, while the free-space
  // guard refuses writes, its kNoSpace (as of the last batch or
  // RefreshSpace()).
  Status health() const EXCLUDES(mutex_);
  // Asks the free-space guard again, so that health() follows the disk
  // while no batch is written. Any thread.
  void RefreshSpace() EXCLUDES(mutex_);
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

  // Queues `pending`; false (nothing queued) once Close() has begun.
  bool Enqueue(Pending&& pending) EXCLUDES(mutex_);
  void Run();
  // Blocks until there is work; false once closing and the queue is drained.
  bool TakeBatch(std::vector<Pending>* batch) EXCLUDES(mutex_);
  void CommitBatch(std::vector<Pending>& batch) EXCLUDES(mutex_);
  // Checks and stamps every request, encoding the admitted ones into
  // write_batch_. Returns the position after them (not yet written).
  Position CommitBatchAdmit(std::vector<Pending>& batch);
  Status CommitBatchCheck(Pending& pending);
  Result<uint64_t> CommitBatchLastRevision(const std::string& stream, uint64_t expected_revision);
  Result<bool> CommitBatchEventExists(const std::string& stream, uint64_t revision);
  void CommitBatchEncode(const Pending& pending);
  // Writes write_batch_ (sync); on success moves position_ to `next`.
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
  void HandOver(std::vector<Pending>&& batch) EXCLUDES(completion_mutex_);

  storage::Store* const store_;
  const Clock* const clock_;
  const size_t batch_events_max_;
  const size_t batch_bytes_max_;
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

  Mutex completion_mutex_;
  CondVar completion_wake_;
  std::vector<std::vector<Pending>> completions_ GUARDED_BY(completion_mutex_);
  bool completions_closing_ GUARDED_BY(completion_mutex_) = false;
  std::thread completion_thread_;

  // Published after each successful write, for readers.
  std::atomic<uint64_t> last_sequence_;

  // Commit thread only.
  std::unordered_map<std::string, uint64_t> revisions_;  // stream -> last revision
  Position position_;                                     // last written
  storage::WriteBatch write_batch_;
  std::string key_buffer_;
  std::string value_buffer_;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_GROUP_COMMIT_H_
