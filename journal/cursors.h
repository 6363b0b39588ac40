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
#ifndef CONNECTIVITY_JOURNAL_CURSORS_H_
#define CONNECTIVITY_JOURNAL_CURSORS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "journal/journal.h"
#include "storage/store.h"

namespace connectivity::journal {

// Events of `stream` with from <= revision <= to. The first event found must
// have revision max(from, 1), and each next one the revision after it.
std::unique_ptr<EventCursor> NewStreamCursor(const storage::Store& store, std::string_view stream,
                                             uint64_t from_revision, uint64_t to_revision);

// Events in sequence order from max(from_sequence, 1).
std::unique_ptr<EventCursor> NewGlobalCursor(const storage::Store& store, uint64_t from_sequence);

// Every event in (stream, revision) order; each stream must start at
// revision 1 and have no gaps.
std::unique_ptr<EventCursor> NewScanCursor(const storage::Store& store);

// The same scan from the first key >= (stream, revision): the rest of that
// stream, then every later stream. For a long walk in batches.
std::unique_ptr<EventCursor> NewScanCursorFrom(const storage::Store& store, std::string_view stream,
                                               uint64_t revision);

// The same scan and checks as NewScanCursor, without copies.
Status ScanEvents(const storage::Store& store, const EventVisitor& visit);

// The last revision of `stream` (0 if it has none), by one reverse seek.
Result<uint64_t> ReadLastRevision(const storage::Store& store, std::string_view stream);

// A cursor that yields `status` (not OK) on every Next().
std::unique_ptr<EventCursor> NewErrorCursor(Status status);

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_CURSORS_H_
