// Journal: the durable, ordered event log on RocksDB (see codec.h for the
// key layout and record format).
//
// Operation
//   Append() hands one event to the group-commit writer and returns at once.
//   A single commit thread takes every waiting request, checks each expected
//   revision, stamps sequence numbers and timestamps, and writes all of them
//   in one rocksdb::WriteBatch (sync=false); a sync thread makes every batch
//   written meanwhile durable with one WAL sync, and only then hands them to
//   a completion thread that calls each request's callback, in sequence
//   order (group_commit.h). No caller is told "done" before its event is on
//   disk, and no read shows an event before it is (last_sequence()).
//
// Concurrency
//   All methods are thread-safe. Callbacks run on the journal's completion
//   thread ("journal-done"), in sequence order, and must not block for long:
//   they delay every later completion.
//
// Failure
//   If a write or fsync fails, the journal becomes read-only: the failing
//   batch and every later Append() complete with kUnavailable, until the
//   process restarts and reopens the journal. Reads go on, and RocksDB is
//   never written again by this process (storage/store.h says why).
//   A full disk is not a failure: the free-space guard refuses a batch with
//   kNoSpace before anything is written, and writing resumes by itself once
//   the disk has room (free space above disk_headroom_bytes plus the
//   memtables). A journal opened read-only for lack of space answers
//   kNoSpace until ReopenForWriting() succeeds.
#ifndef CONNECTIVITY_JOURNAL_JOURNAL_H_
#define CONNECTIVITY_JOURNAL_JOURNAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/event.h"
#include "journal/metrics.h"
#include "src/base/clock.h"
#include "src/base/status.h"

namespace rocksdb {
class Env;
}

namespace connectivity::journal {

class SnapshotStore;

enum class OpenMode {
  kReadWrite,  // the server: takes RocksDB's LOCK; a second writer fails with kBusy
  kReadOnly,   // tools on a stopped server's data dir
  kSecondary,  // tools next to a running server (RocksDB secondary instance)
};

struct JournalOptions {
  OpenMode mode = OpenMode::kReadWrite;
  // kSecondary only: where the secondary instance keeps its own files
  // (must be outside the data dir; callers use $TMPDIR).
  std::string secondary_path;
  // Test seam: a wrapped Env (fault injection). Null means rocksdb::Env::Default().
  rocksdb::Env* env = nullptr;
  // Source of commit timestamps. Null means SystemClock.
  const Clock* clock = nullptr;
  // Memory caps (RocksDB block cache and memtables).
  size_t block_cache_bytes = 32u << 20;
  // Memtables of all families together. Larger memtables mean fewer flushes
  // and compactions, which compete with serving for the CPU.
  size_t write_buffer_bytes = 64u << 20;
  // Group commit caps: a batch takes at most this many events / bytes.
  size_t batch_events_max = 4096;
  size_t batch_bytes_max = 8u << 20;
  // Pipelined group commit: bytes written (sync=false) but not yet covered
  // by a WAL sync; the commit thread waits beyond it (one batch always
  // fits). Bounds the memory of batches waiting for the sync and what a
  // failed sync leaves in doubt.
  size_t unsynced_bytes_max = 16u << 20;
  // Free-space guard (storage/store.h): bytes kept free beyond every write
  // and a flush of the memtables. The server passes --disk-headroom.
  uint64_t disk_headroom_bytes = 0;
  // kReadOnly only: the server opened read-only because the disk had too
  // little room; writes answer kNoSpace and ReopenForWriting() may follow.
  bool read_only_for_space = false;
  // Which journal (OpenJournal, journal/open.h): empty for the RocksDB
  // journal in the data dir; "etcd://HOST:PORT[,HOST:PORT...]" for the etcd
  // journal of cluster mode (SPEC §8), which keeps only its local snapshots
  // in the data dir. The RocksDB journal ignores the two fields after it.
  std::string uri;
  // etcd: the deadline of every call, and of an append whose outcome is
  // unknown (it is retried until then).
  int64_t request_timeout_us = 5'000'000;
  // etcd: its --max-request-bytes; an event that would not fit is refused.
  size_t request_bytes_max = 1572864;
};

struct AppendRequest {
  std::string stream;
  // The stream's current last revision (0 if the stream has no events).
  // A mismatch fails the request with kConflict; nothing is written. With
  // several writers a conflict is reported only once the event that won has
  // been delivered here, so the caller may decide again on fresh state.
  uint64_t expected_revision = 0;
  uint8_t type = 0;
  std::string payload;
};

// `event` is the committed event (revision, sequence, timestamp set) when
// `status` is OK; otherwise only `stream` is meaningful.
using AppendCallback = std::function<void(const Status& status, const Event& event)>;

// Visitor for Journal::ForEachEvent: a non-OK status stops the scan and is
// returned by ForEachEvent.
using EventVisitor = std::function<Status(const EventView& event)>;

// Cursor over events: each Next() yields an event, a clean end (nullopt), or
// an error (a checksum failure names the key). Never confuses end and error.
class EventCursor {
 public:
  virtual ~EventCursor() = default;
  virtual Result<std::optional<Event>> Next() = 0;
};

struct JournalStats {
  uint64_t last_sequence = 0;
  uint64_t events_bytes = 0;     // approximate size on disk of the events
  uint64_t snapshots_bytes = 0;  // approximate size on disk of the snapshots
};

class Journal {
 public:
  // Opens (creating if missing, in kReadWrite) the journal in `dir`.
  // kReadWrite starts the commit thread. Errors: kBusy if another process
  // holds the data dir, kCorruption / kIOError otherwise (message names the
  // file or key).
  static Result<std::unique_ptr<Journal>> Open(const std::string& dir, const JournalOptions& options);

  virtual ~Journal() = default;

  // --- writes (kReadWrite only) ---
  // Outcomes: OK; kConflict (expected revision does not match);
  // kInvalidArgument (stream empty, longer than 1 KiB or containing '\0';
  // type 0; payload over 16 MiB); kUnavailable (the sticky error after a
  // failed write, or the journal is closed or open read-only). In the last
  // two cases `done` runs at once on the caller's thread; otherwise always
  // on the completion thread, in sequence order, after the fsync that
  // covers the event (never on the commit thread, which only writes).
  virtual void Append(AppendRequest request, AppendCallback done) = 0;
  // Append and block until committed. For tests, tools and benchmarks.
  virtual Result<Event> AppendAndWait(AppendRequest request) = 0;
  // OK; the sticky error after a failed write; or kNoSpace while the disk
  // has too little room (or the journal was opened read-only for that).
  virtual Status health() const = 0;
  // Stops the commit thread after completing everything queued. Idempotent.
  virtual void Close() = 0;
  // Writes the memtables to table files, so that the next open has no WAL
  // to replay: a clean shutdown calls it to keep the next start-up fast.
  virtual Status Flush() = 0;

  // --- reads ---
  // Readers verify what they read: checksums, contiguous revisions per
  // stream (a stream starts at 1), contiguous sequences, and that order
  // entries agree with their records. A failure is kCorruption naming the
  // key, e.g. "events['conn-1' rev 5]: checksum mismatch (...)"; cursors
  // never report an error as the end. A cursor reads a consistent snapshot
  // taken at its first Next(), pins the data it reads (keep it short-lived)
  // and must not outlive the journal.

  // Last committed global sequence (0 if empty). While the journal is open
  // for writing: the last one made durable; the reads below never show a
  // later event (events reach RocksDB before the WAL sync that makes them
  // durable, and a crash could still lose them).
  virtual uint64_t last_sequence() const = 0;
  // Last revision of a stream (0 if it has none).
  virtual Result<uint64_t> LastRevision(std::string_view stream) = 0;
  virtual Result<std::optional<Event>> ReadEvent(std::string_view stream, uint64_t revision) = 0;
  // Events of one stream with from <= revision <= to, ascending.
  virtual std::unique_ptr<EventCursor> ReadStream(std::string_view stream, uint64_t from_revision,
                                                  uint64_t to_revision) = 0;
  // Events in global order starting at `from_sequence` (the order column
  // family, plus one lookup per event).
  virtual std::unique_ptr<EventCursor> ReadGlobal(uint64_t from_sequence) = 0;
  // Every event in (stream, revision) order: the fastest full scan.
  virtual std::unique_ptr<EventCursor> ScanAll() = 0;
  // The same scan from the first event at or after (stream, revision), for
  // walks in batches that resume where they stopped. (Not pure, so that
  // fakes still compile; the default scans from the start and skips.)
  virtual std::unique_ptr<EventCursor> ScanFrom(std::string_view stream, uint64_t revision);
  // The first sequence whose timestamp is >= timestamp_us (last_sequence()+1 if none).
  virtual Result<uint64_t> FirstSequenceAtOrAfter(int64_t timestamp_us) = 0;
  // kSecondary: catch up with the primary's latest writes (and
  // last_sequence()). Other modes: OK, nothing to do.
  virtual Status Refresh() = 0;
  virtual JournalStats Stats() = 0;

  virtual SnapshotStore& snapshots() = 0;

  // --- additions (not pure, so existing fakes of Journal still compile) ---

  // Group-commit figures since open (all zero for read-only opens).
  virtual JournalMetrics metrics() const { return {}; }
  // The same events, order and checks as ScanAll(), handed out as views
  // without a copy per event: the fast path for full replays and tools.
  // The default goes through ScanAll().
  virtual Status ForEachEvent(const EventVisitor& visit);
  // Asks the free-space guard again, so that health() follows the disk
  // while nothing is written. Any thread.
  virtual void RefreshSpace() {}
  // Opened kReadOnly with read_only_for_space, and not yet reopened.
  virtual bool read_only_for_space() const { return false; }
  // Reopens a journal opened read-only for lack of space for writing (the
  // server calls it once the disk has room again). Not concurrent with
  // itself; on failure the journal stays read-only.
  virtual Status ReopenForWriting() { return Status::InvalidArgument("not supported"); }

  // --- several writers (the etcd journal of cluster mode) ---
  // A journal that other processes append to as well delivers their events
  // too, so that every process folds every event. This process's own
  // events still complete their Append callbacks.

  // Events appended by other processes, each delivered once, on the
  // completion thread, in sequence order interleaved with the Append
  // callbacks of this process. Set before the first Append; a journal with
  // one writer never calls it.
  using ExternalEventHandler = std::function<void(const Event& event)>;
  virtual void SetExternalEventHandler(ExternalEventHandler handler) { (void)handler; }
  // True when other processes append to this journal: a read must then
  // AwaitCurrent() to see their latest writes.
  virtual bool shared() const { return false; }
  // Calls `done` once every event committed by anyone before the call has
  // been delivered here (to Append callbacks and the external handler), so
  // that a read after it is linearizable; kUnavailable if that cannot be
  // known within the request timeout (no quorum). A journal with one writer
  // calls it at once, on the caller's thread; otherwise it runs on the
  // completion thread and must not block.
  virtual void AwaitCurrent(std::function<void(const Status&)> done) { done(Status::Ok()); }
  // The largest payload Append() accepts (kInvalidArgument beyond it): 16
  // MiB here, less in a journal whose requests are bounded (etcd).
  virtual size_t payload_bytes_max() const { return 16u << 20; }

  // The meta blob under `key` (codec.h; IsMetaBlobKey), nullopt if absent.
  virtual Result<std::optional<std::string>> ReadMetaBlob(std::string_view key);
  // Writes (or, with nullopt, deletes) the meta blob under `key`, with the
  // store's free-space guard and sticky write error like every write.
  virtual Status WriteMetaBlob(std::string_view key, std::optional<std::string_view> blob, bool sync);

  // Replaces the payloads of existing events in place, keeping every other
  // field of their records (the order entries do not hold payloads), in one
  // batch with the meta blob `meta_key` (the caller's progress). For an
  // encryption migration, which re-encrypts a stored event without
  // changing what it means: nothing else ever writes an event that exists.
  // REQUIRES: each event exists with the type, timestamp and sequence given
  // (the caller has just read it; reading it again here cost as much as the
  // rest of a migration).
  struct PayloadRewrite {
    std::string stream;
    uint64_t revision = 0;
    uint8_t type = 0;
    int64_t timestamp_us = 0;
    uint64_t sequence = 0;
    std::string payload;
  };
  virtual Status RewritePayloads(const std::vector<PayloadRewrite>& rewrites, std::string_view meta_key,
                                 std::string_view meta_blob, bool sync);
  // storage::Store::CompactAll: after it, no file of the journal holds a
  // value that was overwritten (by RewritePayloads, state rows, meta blobs)
  // or deleted. kReadWrite only.
  virtual Status CompactAll();
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_JOURNAL_H_
