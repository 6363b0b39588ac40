#include "journal/group_commit.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "journal/codec.h"
#include "journal/cursors.h"
#include "src/base/check.h"
#include "src/base/log.h"

namespace connectivity::journal {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Bytes a request adds to a batch: record + order entry, roughly.
size_t RequestBytes(const AppendRequest& request) {
  return 2 * request.stream.size() + request.payload.size() + kRecordOverheadBytes +
         kOrderOverheadBytes + 2 * kEventKeySuffixBytes;
}

uint64_t MicrosSince(SteadyClock::time_point start, SteadyClock::time_point end) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(end - start).count();
  return micros > 0 ? static_cast<uint64_t>(micros) : 0;
}

}  // namespace

static_assert(std::atomic<uint32_t>::is_always_lock_free &&
                  sizeof(std::atomic<uint32_t>) == sizeof(uint32_t),
              "Completion::ready is used as a futex word");

void GroupCommitter::Completion::Wait() {
  while (ready.load(std::memory_order_acquire) == 0) {
    // Returns at once if `ready` is no longer 0; spurious wakeups loop.
    syscall(SYS_futex, &ready, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
  }
}

void GroupCommitter::Completion::Signal() {
  ready.store(1, std::memory_order_release);
  syscall(SYS_futex, &ready, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

GroupCommitter::GroupCommitter(storage::Store* store, const Clock* clock,
                               const JournalOptions& options, Position position,
                               JournalCounters* counters)
    : store_(store),
      clock_(clock),
      batch_events_max_(std::max<size_t>(options.batch_events_max, 1)),
      batch_bytes_max_(std::max<size_t>(options.batch_bytes_max, 1)),
      unsynced_bytes_max_(std::max<size_t>(options.unsynced_bytes_max, 1)),
      counters_(counters),
      last_sequence_(position.last_sequence),
      position_(position),
      write_batch_(*store) {}

GroupCommitter::~GroupCommitter() { Close(); }

void GroupCommitter::Start() {
  CHECK(!thread_.joinable(), "GroupCommitter::Start called twice");
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "journal-commit");
  sync_thread_ = std::thread([this] { RunSyncs(); });
  pthread_setname_np(sync_thread_.native_handle(), "journal-sync");
  completion_thread_ = std::thread([this] { RunCompletions(); });
  pthread_setname_np(completion_thread_.native_handle(), "journal-done");
}

void GroupCommitter::Append(AppendRequest request, AppendCallback done) {
  Pending pending{std::move(request), std::move(done), nullptr, SteadyClock::now(), {}, 0, 0, 0};
  if (Enqueue(std::move(pending))) return;
  Event event;
  event.stream = std::move(pending.request.stream);
  pending.done(Status::Unavailable("the journal is closed"), event);
}

Result<Event> GroupCommitter::AppendAndWait(AppendRequest request) {
  auto completion = std::make_shared<Completion>();
  Pending pending{std::move(request), nullptr, completion, SteadyClock::now(), {}, 0, 0, 0};
  if (!Enqueue(std::move(pending))) return Status::Unavailable("the journal is closed");
  completion->Wait();
  if (!completion->status.ok()) return completion->status;
  return std::move(completion->event);
}

bool GroupCommitter::Enqueue(Pending&& pending) {
  const size_t bytes = RequestBytes(pending.request);
  MutexLock lock(mutex_);
  if (closing_) return false;
  queue_.push_back(std::move(pending));
  queue_bytes_ += bytes;
  // Only the first request of a batch needs to wake the thread: later ones
  // are picked up by the TakeBatch that follows the running commit.
  const bool was_idle = queue_.size() == 1;
  lock.Unlock();
  if (was_idle) wake_.NotifyOne();
  return true;
}

void GroupCommitter::Close() {
  MutexLock close_lock(close_mutex_);
  {
    MutexLock lock(mutex_);
    closing_ = true;
  }
  wake_.NotifyOne();
  if (thread_.joinable()) thread_.join();
  // The commit thread handed its last batch to the sync thread; drain it.
  {
    MutexLock lock(sync_mutex_);
    sync_closing_ = true;
  }
  sync_wake_.NotifyOne();
  if (sync_thread_.joinable()) sync_thread_.join();
  // The sync thread handed over its last batch; now drain the completions.
  {
    MutexLock lock(completion_mutex_);
    completions_closing_ = true;
  }
  completion_wake_.NotifyOne();
  if (completion_thread_.joinable()) completion_thread_.join();
}

void GroupCommitter::HandOver(std::vector<Written>& round) {
  {
    MutexLock lock(completion_mutex_);
    for (Written& written : round) completions_.push_back(std::move(written.batch));
  }
  completion_wake_.NotifyOne();
}

void GroupCommitter::RunCompletions() {
  std::vector<std::vector<Pending>> ready;
  while (true) {
    {
      MutexLock lock(completion_mutex_);
      while (completions_.empty() && !completions_closing_) completion_wake_.Wait(lock);
      if (completions_.empty()) return;
      ready.swap(completions_);
    }
    for (std::vector<Pending>& batch : ready) CommitBatchComplete(batch);
    ready.clear();
  }
}

Status GroupCommitter::health() const {
  MutexLock lock(mutex_);
  return sticky_.ok() ? space_ : sticky_;
}

void GroupCommitter::RefreshSpace() {
  const Status room = store_->CheckRoomFor(0);
  SetSpaceStatus(room.IsNoSpace() ? room : Status::Ok());
}

void GroupCommitter::SetSpaceStatus(const Status& status) {
  // The common case, a write with room while none was refused, takes no lock.
  if (status.ok() && !space_refused_.load(std::memory_order_acquire)) return;
  bool changed = false;
  {
    MutexLock lock(mutex_);
    changed = space_.ok() != status.ok();
    space_ = status;
    space_refused_.store(!status.ok(), std::memory_order_release);
  }
  if (!changed) return;
  if (status.ok()) {
    log::Info("journal", "the disk has room again; writes are accepted");
  } else {
    log::Warn("journal", "refusing writes (503) until the disk has room: " + status.message());
  }
}

void GroupCommitter::Run() {
  std::vector<Pending> batch;
  while (true) {
    // Waiting here, before taking, lets the next batch grow meanwhile.
    WaitForUnsyncedRoom();
    if (!TakeBatch(&batch)) return;
    HandToSync(CommitBatch(std::move(batch)));
    batch = std::vector<Pending>();
  }
}

void GroupCommitter::WaitForUnsyncedRoom() {
  MutexLock lock(sync_mutex_);
  // written_ not empty: a batch waits for the next sync already; the next
  // one grows until that sync begins (group_commit.h, step 2).
  while (!written_.empty() || unsynced_bytes_ >= unsynced_bytes_max_) sync_room_.Wait(lock);
}

void GroupCommitter::HandToSync(Written&& written) {
  {
    MutexLock lock(sync_mutex_);
    unsynced_bytes_ += written.bytes;
    written_.push_back(std::move(written));
  }
  sync_wake_.NotifyOne();
}

void GroupCommitter::RunSyncs() {
  std::vector<Written> round;
  while (true) {
    {
      MutexLock lock(sync_mutex_);
      while (written_.empty() && !sync_closing_) sync_wake_.Wait(lock);
      if (written_.empty()) return;
      round.swap(written_);
      // The commit thread may write its next batch now, during this sync.
      sync_room_.NotifyOne();
    }
    SyncRound(round);
    round.clear();
  }
}

void GroupCommitter::SyncRound(std::vector<Written>& round) {
  bool any_written = false;
  size_t bytes = 0;
  for (const Written& written : round) {
    any_written = any_written || written.wrote;
    bytes += written.bytes;
  }
  // Every batch in `round` was handed over after its Store::Write returned,
  // so this sync, which begins now, covers all of them.
  const Status synced = any_written ? SyncWritten() : Status::Ok();
  const SteadyClock::time_point now = SteadyClock::now();
  uint64_t last = 0;
  for (Written& written : round) {
    if (!written.wrote) continue;  // statuses set by the commit thread
    if (!synced.ok()) {
      // Written but not made durable: in doubt, never acknowledged.
      for (Pending& pending : written.batch) {
        if (pending.status.ok()) pending.status = synced;
      }
      continue;
    }
    last = std::max(last, written.last_sequence);
    counters_->sync_write_latency_us.Record(MicrosSince(written.write_start, now));
    counters_->batches_written.fetch_add(1, std::memory_order_relaxed);
    counters_->events_written.fetch_add(written.events, std::memory_order_relaxed);
    counters_->batch_events.Record(written.events);
  }
  // Readers may see these events from now on; their callbacks run after.
  if (last > 0) last_sequence_.store(last, std::memory_order_release);
  {
    MutexLock lock(sync_mutex_);
    unsynced_bytes_ -= bytes;
  }
  sync_room_.NotifyOne();
  HandOver(round);
}

Status GroupCommitter::SyncWritten() {
  {
    MutexLock lock(mutex_);
    if (!sticky_.ok()) return sticky_;  // a write failed: no sync (storage/wal_gate_fs.h)
  }
  const SteadyClock::time_point start = SteadyClock::now();
  const Status synced = store_->SyncWal();
  counters_->wal_sync_latency_us.Record(MicrosSince(start, SteadyClock::now()));
  if (!synced.ok()) {
    return SetSticky(Status::Unavailable("the journal refuses writes after a failed write: " +
                                         synced.ToString()));
  }
  counters_->wal_syncs.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status GroupCommitter::SetSticky(const Status& error) {
  MutexLock lock(mutex_);
  if (sticky_.ok()) {
    sticky_ = error;
    log::Error("journal", error.message() + "; every later write is refused until a restart");
  }
  return sticky_;
}

bool GroupCommitter::TakeBatch(std::vector<Pending>* batch) {
  batch->clear();
  MutexLock lock(mutex_);
  while (queue_.empty() && !closing_) wake_.Wait(lock);
  if (queue_.empty()) return false;
  if (queue_.size() <= batch_events_max_ && queue_bytes_ <= batch_bytes_max_) {
    batch->swap(queue_);  // the common case: take everything, no copies
    queue_bytes_ = 0;
    return true;
  }
  size_t count = 0;
  size_t bytes = 0;
  while (count < queue_.size() && count < batch_events_max_) {
    const size_t request_bytes = RequestBytes(queue_[count].request);
    if (count > 0 && bytes + request_bytes > batch_bytes_max_) break;
    bytes += request_bytes;
    ++count;
  }
  std::move(queue_.begin(), queue_.begin() + count, std::back_inserter(*batch));
  queue_.erase(queue_.begin(), queue_.begin() + count);
  queue_bytes_ -= bytes;
  return true;
}

GroupCommitter::Written GroupCommitter::CommitBatch(std::vector<Pending>&& batch) {
  Written written;
  Status failed;
  {
    MutexLock lock(mutex_);
    failed = sticky_;
  }
  if (failed.ok()) {
    const Position next = CommitBatchAdmit(batch);
    if (next.last_sequence > position_.last_sequence) {
      written.write_start = SteadyClock::now();
      const uint64_t events = next.last_sequence - position_.last_sequence;
      failed = CommitBatchWrite(next);
      if (failed.ok()) {
        written.wrote = true;
        written.last_sequence = next.last_sequence;
        written.events = events;
        written.bytes = write_batch_.ByteSize();
      }
    }
    if (failed.IsNoSpace()) ForgetRevisions(batch);
  }
  if (!failed.ok()) {
    for (Pending& pending : batch) {
      if (pending.status.ok()) pending.status = failed;
    }
  }
  written.batch = std::move(batch);
  return written;
}

void GroupCommitter::ForgetRevisions(const std::vector<Pending>& batch) {
  for (const Pending& pending : batch) revisions_.erase(pending.request.stream);
}

GroupCommitter::Position GroupCommitter::CommitBatchAdmit(std::vector<Pending>& batch) {
  write_batch_.Clear();
  // One reading of the clock per batch: the batch's commit time (SPEC §4.4);
  // each event still gets its own, strictly increasing timestamp.
  const int64_t now_us = clock_->NowMicros();
  Position next = position_;
  for (Pending& pending : batch) {
    pending.status = CommitBatchCheck(pending);
    if (!pending.status.ok()) continue;
    pending.sequence = ++next.last_sequence;
    next.last_timestamp_us = std::max(now_us, next.last_timestamp_us + 1);
    pending.timestamp_us = next.last_timestamp_us;
    CommitBatchEncode(pending);
  }
  return next;
}

Status GroupCommitter::CommitBatchCheck(Pending& pending) {
  const AppendRequest& request = pending.request;
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(request.stream));
  if (request.type == 0) return Status::InvalidArgument("event type 0 is invalid");
  if (request.payload.size() > kPayloadBytesMax) {
    return Status::InvalidArgument("the event payload has " +
                                   std::to_string(request.payload.size()) + " bytes, at most " +
                                   std::to_string(kPayloadBytesMax) + " are allowed");
  }
  Result<uint64_t> last = CommitBatchLastRevision(request.stream, request.expected_revision);
  if (!last.ok()) return last.status();
  if (request.expected_revision != *last) {
    return Status::Conflict("stream '" + request.stream + "' is at revision " +
                            std::to_string(*last) + ", the append expected revision " +
                            std::to_string(request.expected_revision));
  }
  pending.revision = *last + 1;
  revisions_[request.stream] = pending.revision;  // later requests in the batch chain on it
  return Status::Ok();
}

Result<uint64_t> GroupCommitter::CommitBatchLastRevision(const std::string& stream,
                                                         uint64_t expected_revision) {
  const auto it = revisions_.find(stream);
  if (it != revisions_.end()) return it->second;
  // Not seen since open: confirm the caller's expectation with point lookups
  // instead of a reverse seek, which reads index and data blocks of every
  // table file. Revisions are contiguous from 1, so "expected exists (or is
  // 0) and expected + 1 does not" proves the stream ends at `expected`. The
  // lookup of the absent key is answered by bloom filters alone.
  Result<bool> next = CommitBatchEventExists(stream, expected_revision + 1);
  if (!next.ok()) return next.status();
  Result<bool> last = expected_revision == 0 ? Result<bool>(true)
                                             : CommitBatchEventExists(stream, expected_revision);
  if (!last.ok()) return last.status();
  if (!*next && *last) {
    revisions_.emplace(stream, expected_revision);
    return expected_revision;
  }
  // The expectation is wrong (a conflict follows): find the real end.
  // Everything written counts here, synced or not: later batches chain on it.
  Result<uint64_t> revision = ReadLastRevision(*store_, stream, kAllVisible);
  if (revision.ok()) revisions_.emplace(stream, *revision);
  return revision;
}

Result<bool> GroupCommitter::CommitBatchEventExists(const std::string& stream, uint64_t revision) {
  key_buffer_.clear();
  AppendStreamKey(&key_buffer_, stream, revision);
  return store_->Get(kEventsColumnFamily, key_buffer_, &value_buffer_);
}

void GroupCommitter::CommitBatchEncode(const Pending& pending) {
  const AppendRequest& request = pending.request;
  key_buffer_.clear();
  AppendStreamKey(&key_buffer_, request.stream, pending.revision);
  EncodeRecord(key_buffer_,
               RecordFields{request.type, pending.timestamp_us, pending.sequence, request.payload},
               &value_buffer_);
  write_batch_.Put(kEventsColumnFamily, key_buffer_, value_buffer_);

  const std::string order_key = SequenceKey(pending.sequence);
  EncodeOrderEntry(order_key,
                   OrderEntry{request.type, pending.timestamp_us, pending.revision, request.stream},
                   &value_buffer_);
  write_batch_.Put(kOrderColumnFamily, order_key, value_buffer_);
}

Status GroupCommitter::CommitBatchWrite(const Position& next) {
  const SteadyClock::time_point start = SteadyClock::now();
  // Not synced here: the sync thread's next Store::SyncWal() makes it durable
  // (and publishes last_sequence_) before any callback runs.
  const Status written = store_->Write(write_batch_, /*sync=*/false);
  counters_->write_latency_us.Record(MicrosSince(start, SteadyClock::now()));
  if (written.IsNoSpace()) {
    SetSpaceStatus(written);
    return written;
  }
  if (!written.ok()) {
    return SetSticky(Status::Unavailable("the journal refuses writes after a failed write: " +
                                         written.ToString()));
  }
  SetSpaceStatus(Status::Ok());
  position_ = next;
  return Status::Ok();
}

void GroupCommitter::CommitBatchComplete(std::vector<Pending>& batch) {
  const SteadyClock::time_point now = SteadyClock::now();
  for (Pending& pending : batch) {
    Event event;
    event.stream = std::move(pending.request.stream);
    if (pending.status.ok()) {
      event.revision = pending.revision;
      event.sequence = pending.sequence;
      event.timestamp_us = pending.timestamp_us;
      event.type = pending.request.type;
      event.payload = std::move(pending.request.payload);
      counters_->append_latency_us.Record(MicrosSince(pending.enqueued, now));
    } else if (pending.status.IsConflict() ||
               pending.status.code() == ErrorCode::kInvalidArgument) {
      counters_->appends_rejected.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_->appends_failed.fetch_add(1, std::memory_order_relaxed);
    }
    if (pending.completion != nullptr) {
      Completion& completion = *pending.completion;
      completion.status = std::move(pending.status);
      completion.event = std::move(event);
      completion.Signal();
    } else {
      pending.done(pending.status, event);
    }
  }
  batch.clear();
}

}  // namespace connectivity::journal
