// Recovery: rebuild every connection's state at start-up.
//
//   1. load every state row (newest snapshot of each connection, all current
//      up to the snapshot watermark W);
//   2. check the rows against W, for free: each event raises exactly one
//      connection's revision by one and the global sequence is contiguous
//      from 1, so the rows' revisions must sum to W exactly (a row missing,
//      stale or ahead of W breaks the sum);
//   3. replay the journal in global order from W + 1 through the one Apply,
//      checking that each event continues its connection's revision and
//      that the global sequence has no gap.
// If the rows disagree with the journal (step 2, or a tail event that does
// not continue its connection's row), the rows are only a cache of the
// journal and recovery does not stop: it folds every connection again from
// its first event, names the connections whose rows were wrong in the
// report (the server logs them), and lists every connection as touched so
// that the next snapshot pass rewrites every row. Any checksum failure, gap
// or impossible event in the journal itself stops recovery with a
// kCorruption Status naming the key; the server refuses to start on it.
//
// Secrets: rows and events are opened with `secrets` before the fold
// (src/projector/secret_codec.h), so the recovered states hold plaintext. A
// secret no configured key decrypts stops recovery with the codec's message
// (the server refuses to start: the key is wrong).
#ifndef CONNECTIVITY_RECOVERY_RECOVERY_H_
#define CONNECTIVITY_RECOVERY_RECOVERY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "src/base/status.h"
#include "src/projector/connection_state.h"
#include "src/projector/secret_codec.h"

namespace connectivity::recovery {

// Recovered states, sorted by connection id (ids are unique).
using States = std::vector<projector::ConnectionState>;

struct RecoveryReport {
  uint64_t state_rows_loaded = 0;
  uint64_t events_replayed = 0;
  uint64_t watermark = 0;      // the state rows were current up to this sequence
  uint64_t last_sequence = 0;  // the journal's last sequence after recovery
  int64_t duration_us = 0;
  // The rows disagreed with the journal and every connection was folded
  // again from the journal: why, and the connections whose rows were wrong
  // (at most kWrongRowsNamed names; wrong_rows counts them all).
  bool rebuilt = false;
  std::string rebuild_reason;
  uint64_t wrong_rows = 0;
  std::vector<std::string> wrong_row_ids;
};

inline constexpr size_t kWrongRowsNamed = 20;

struct Recovered {
  States states;
  RecoveryReport report;
  // Connections the replay changed (each once): the snapshot rows to renew.
  std::vector<std::string> touched;
};

Result<Recovered> Recover(journal::Journal& journal, const Clock& clock,
                          const projector::SecretCodec& secrets = projector::PlainSecrets());

}  // namespace connectivity::recovery

#endif  // CONNECTIVITY_RECOVERY_RECOVERY_H_
