// Readers of the journal (internal to journal/): cursors for one stream, the
// global order and the full scan, and the copy-free full scan.
//
// Every reader checks what it reads: record and order-entry checksums (via
// the codec), contiguous revisions within a stream, contiguous sequences in
// the global order, and that an order entry and its record agree. A failed
// check is kCorruption naming the key; an I/O error is returned as such;
// neither is ever reported as a clean end. After an error a cursor keeps
// returning that error.
//
// A cursor reads a consistent view (a RocksDB iterator's implicit snapshot,
// taken at its first Next()) and must not outlive the Store it reads.
//
// Visibility: the group commit writes a batch with sync=false and makes it
// durable with a later WAL sync (group_commit.h), so RocksDB holds events
// that a crash could still lose. Readers for the API pass the journal's
// synced watermark as `visible_through` (GroupCommitter::last_sequence(),
// published only after the sync that covers the events) and never yield
// an event with a larger sequence: stream and global cursors end before
// it, scans skip it (it is always the tail of its stream), ReadLastRevision
// steps back over it. kAllVisible (tools on a closed or read-only journal,
// start-up, the commit thread's own revision checks) shows everything.
#ifndef CONNECTIVITY_JOURNAL_CURSORS_H_
#define CONNECTIVITY_JOURNAL_CURSORS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "journal/journal.h"
#include "storage/store.h"

namespace connectivity::journal {

inline constexpr uint64_t kAllVisible = ~uint64_t{0};

// Events of `stream` with from <= revision <= to. The first event found must
// have revision max(from, 1), and each next one the revision after it.
std::unique_ptr<EventCursor> NewStreamCursor(const storage::Store& store, std::string_view stream,
                                             uint64_t from_revision, uint64_t to_revision,
                                             uint64_t visible_through);

// Events in sequence order from max(from_sequence, 1).
std::unique_ptr<EventCursor> NewGlobalCursor(const storage::Store& store, uint64_t from_sequence,
                                             uint64_t visible_through);

// Every event in (stream, revision) order; each stream must start at
// revision 1 and have no gaps.
std::unique_ptr<EventCursor> NewScanCursor(const storage::Store& store, uint64_t visible_through);

// The same scan from the first key >= (stream, revision): the rest of that
// stream, then every later stream. For a long walk in batches.
std::unique_ptr<EventCursor> NewScanCursorFrom(const storage::Store& store, std::string_view stream,
                                               uint64_t revision, uint64_t visible_through);

// The same scan and checks as NewScanCursor, without copies.
Status ScanEvents(const storage::Store& store, const EventVisitor& visit,
                  uint64_t visible_through);

// The last revision of `stream` (0 if it has none), by one reverse seek
// (and one step back per event beyond `visible_through`).
Result<uint64_t> ReadLastRevision(const storage::Store& store, std::string_view stream,
                                  uint64_t visible_through);

// A cursor that yields `status` (not OK) on every Next().
std::unique_ptr<EventCursor> NewErrorCursor(Status status);

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_CURSORS_H_
