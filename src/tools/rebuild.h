// Rebuilding the snapshots of a journal opened read-write: shared by
// rebuild-snapshots and import.
#ifndef CONNECTIVITY_SRC_TOOLS_REBUILD_H_
#define CONNECTIVITY_SRC_TOOLS_REBUILD_H_

#include <cstdint>

#include "journal/journal.h"
#include "src/base/status.h"
#include "src/tools/output.h"

namespace connectivity::tools {

struct RebuildFigures {
  uint64_t events = 0;
  uint64_t state_rows = 0;
  uint64_t historical = 0;
  uint64_t watermark = 0;
};

// Deletes every state row and historical snapshot, replays the journal
// through the projector, and writes what the server would have: a
// historical snapshot whenever a connection's revision is a multiple of
// `threshold` (src/service/snapshotter.cc), and one state row per
// connection with the watermark = the journal's last sequence.
//
// Order, so that a crash at any point leaves a journal the server opens
// correctly: Clear (no rows, watermark 0: a full replay), then the
// historical snapshots (history queries only), then every state row
// together with the watermark in ONE synced batch, as the server's own
// pass after a long replay does.
//
// REQUIRES: `journal` open read-write, no other writer.
Result<RebuildFigures> RebuildSnapshots(journal::Journal& journal, uint64_t threshold,
                                        Output& output);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_REBUILD_H_
