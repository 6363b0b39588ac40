// Recovery: rebuild every connection's state at start-up.
//
//   1. load every state row (newest snapshot of each connection, all current
//      up to the snapshot watermark W);
//   2. replay the journal in global order from W + 1 through the one Apply,
//      checking that each connection's revisions are contiguous and that the
//      global sequence has no gap.
// Any checksum failure, gap or impossible event stops recovery with a
// kCorruption Status naming the key; the server refuses to start on it.
#ifndef CONNECTIVITY_RECOVERY_RECOVERY_H_
#define CONNECTIVITY_RECOVERY_RECOVERY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "src/base/status.h"
#include "src/projector/connection_state.h"

namespace connectivity::recovery {

// Recovered states, sorted by connection id (ids are unique).
using States = std::vector<projector::ConnectionState>;

struct RecoveryReport {
  uint64_t state_rows_loaded = 0;
  uint64_t events_replayed = 0;
  uint64_t watermark = 0;      // the state rows were current up to this sequence
  uint64_t last_sequence = 0;  // the journal's last sequence after recovery
  int64_t duration_us = 0;
};

struct Recovered {
  States states;
  RecoveryReport report;
  // Connections the replay changed (each once): the snapshot rows to renew.
  std::vector<std::string> touched;
};

Result<Recovered> Recover(journal::Journal& journal, const Clock& clock);

}  // namespace connectivity::recovery

#endif  // CONNECTIVITY_RECOVERY_RECOVERY_H_
