// History: a connection's state as it was at a revision or a time, from the
// nearest historical snapshot plus a replay of the events after it.
#ifndef CONNECTIVITY_RECOVERY_HISTORY_H_
#define CONNECTIVITY_RECOVERY_HISTORY_H_

#include <optional>
#include <string_view>

#include "journal/journal.h"
#include "src/base/status.h"
#include "src/projector/connection_state.h"
#include "src/projector/secret_codec.h"

namespace connectivity::recovery {

// The state after the event at `revision`; nullopt if the connection has no
// such revision. The snapshot and events read are opened with `secrets`.
Result<std::optional<projector::ConnectionState>> StateAtRevision(
    journal::Journal& journal, std::string_view id, uint64_t revision,
    const projector::SecretCodec& secrets = projector::PlainSecrets());

// The revision of the last event of `id` at or before `timestamp_us`
// (inclusive); nullopt if the connection had no event by then.
Result<std::optional<uint64_t>> RevisionAtTime(journal::Journal& journal, std::string_view id,
                                               int64_t timestamp_us);

}  // namespace connectivity::recovery

#endif  // CONNECTIVITY_RECOVERY_HISTORY_H_
