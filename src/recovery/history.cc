#include "src/recovery/history.h"

#include "journal/snapshot_store.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::recovery {

Result<std::optional<projector::ConnectionState>> StateAtRevision(journal::Journal& journal,
                                                                  std::string_view id,
                                                                  uint64_t revision,
                                                                  const projector::SecretCodec& secrets) {
  Result<uint64_t> last = journal.LastRevision(id);
  if (!last.ok()) return last.status();
  if (revision == 0 || revision > *last) return std::optional<projector::ConnectionState>();

  projector::ConnectionState state;
  Result<std::optional<journal::HistoricalSnapshot>> snapshot =
      journal.snapshots().FindHistoricalAtOrBefore(id, revision);
  if (!snapshot.ok()) return snapshot.status();
  if (snapshot->has_value()) {
    Result<projector::ConnectionState> decoded = projector::DecodeOpenedSnapshot((*snapshot)->blob, secrets);
    if (!decoded.ok()) return decoded.status();
    state = std::move(*decoded);
  }
  std::unique_ptr<journal::EventCursor> cursor =
      journal.ReadStream(id, state.revision + 1, revision);
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value()) break;
    CONNECTIVITY_RETURN_IF_ERROR(projector::OpenEvent(secrets, **event));
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(state, **event));
  }
  if (state.revision != revision) {
    return Status::Corruption("history of '" + std::string(id) + "' stops at revision " +
                              std::to_string(state.revision) + " before " +
                              std::to_string(revision));
  }
  return std::optional<projector::ConnectionState>(std::move(state));
}

Result<std::optional<uint64_t>> RevisionAtTime(journal::Journal& journal, std::string_view id,
                                               int64_t timestamp_us) {
  Result<uint64_t> last = journal.LastRevision(id);
  if (!last.ok()) return last.status();
  // Timestamps grow with revision: binary search for the last event at or
  // before the time. Invariant: every revision < low is at or before it,
  // every revision > high is after it.
  uint64_t low = 1;
  uint64_t high = *last;
  std::optional<uint64_t> found;
  while (low <= high) {
    const uint64_t middle = low + (high - low) / 2;
    Result<std::optional<journal::Event>> event = journal.ReadEvent(id, middle);
    if (!event.ok()) return event.status();
    if (!event->has_value()) {
      return Status::Corruption("'" + std::string(id) + "' has no event at revision " +
                                std::to_string(middle));
    }
    if ((*event)->timestamp_us <= timestamp_us) {
      found = middle;
      low = middle + 1;
    } else {
      if (middle == 1) break;
      high = middle - 1;
    }
  }
  return found;
}

}  // namespace connectivity::recovery
