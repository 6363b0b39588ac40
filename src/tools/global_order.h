// Every event of a journal in global (sequence) order, for dump and export,
// read with full scans instead of point lookups.
//
// Why: Journal::ReadGlobal walks the order index and looks each event up
// (one Get per event). On a large journal whose events interleave many
// connections, every Get lands in another data block, and with the default
// 32 MiB block cache it also re-reads index blocks: measured on the
// generator's 1,000,000-event journal, ~700 events/s. Journal::ForEachEvent
// reads the same records sequentially at ~1,000,000 events/s, in
// (connection, revision) order.
//
// How: the sequences are cut into windows sized to keep about
// kWindowBytesTarget of events in memory; each window takes one
// ForEachEvent pass that keeps the events whose sequence falls in it, then
// hands them out in sequence order. A journal that fits in one window is
// read once. Missing or repeated sequences are kCorruption. The records are
// checked as ForEachEvent checks them (checksums, contiguous revisions);
// `journal-replay verify` checks the order index itself.
#ifndef CONNECTIVITY_SRC_TOOLS_GLOBAL_ORDER_H_
#define CONNECTIVITY_SRC_TOOLS_GLOBAL_ORDER_H_

#include <cstdint>
#include <functional>

#include "journal/journal.h"
#include "src/base/status.h"
#include "src/tools/output.h"

namespace connectivity::tools {

inline constexpr uint64_t kWindowBytesTarget = 256u << 20;

// Calls `visit` for events 1..journal.last_sequence() in order, stopping at
// the first non-OK status (returned). `visit` may keep nothing of the event
// past the call.
Status ForEachEventInGlobalOrder(journal::Journal& journal,
                                 const std::function<Status(const journal::Event&)>& visit,
                                 Progress& progress);

// Events per window for a journal of `events` events taking `events_bytes`
// on disk (compressed): exposed for tests.
uint64_t WindowEvents(uint64_t events, uint64_t events_bytes);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_GLOBAL_ORDER_H_
