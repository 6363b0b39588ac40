#include "src/service/history.h"

#include "src/base/time_format.h"
#include "src/projector/apply.h"
#include "src/projector/event_json.h"
#include "src/recovery/history.h"

namespace connectivity::service {
namespace {

model::DittoError ReadFailed(std::string_view id) {
  // The journal could not be read: answer "try again", never internal text.
  return model::ConnectionUnavailable(id);
}

// A stored secret that no configured key opens is Ditto's configuration
// error (its message names no value); anything else a failed read.
model::DittoError ReadFailed(std::string_view id, const Status& status) {
  if (status.code() == ErrorCode::kInvalidArgument) {
    const std::string& message = status.message();
    const size_t ditto = message.find("Decryption of connection field failed");
    if (ditto != std::string::npos) return model::ConnectionConfigurationInvalid(message.substr(ditto));
  }
  return ReadFailed(id);
}

}  // namespace

HistoricalState History::AtRevision(std::string_view id, uint64_t revision) const {
  Result<uint64_t> last = journal_.LastRevision(id);
  if (!last.ok()) return ReadFailed(id);
  if (*last == 0) return model::ConnectionNotFound(id);
  Result<std::optional<projector::ConnectionState>> state =
      recovery::StateAtRevision(journal_, id, revision, secrets_);
  if (!state.ok()) return ReadFailed(id, state.status());
  if (!state->has_value() || !(*state)->exists()) return model::HistoryNotFoundAtRevision(id, revision);
  return std::move(**state);
}

HistoricalState History::AtTime(std::string_view id, int64_t timestamp_us) const {
  Result<uint64_t> last = journal_.LastRevision(id);
  if (!last.ok()) return ReadFailed(id);
  if (*last == 0) return model::ConnectionNotFound(id);
  Result<std::optional<uint64_t>> revision = recovery::RevisionAtTime(journal_, id, timestamp_us);
  if (!revision.ok()) return ReadFailed(id);
  const std::string timestamp = FormatIsoMicros(timestamp_us);
  if (!revision->has_value()) return model::HistoryNotFoundAtTimestamp(id, timestamp);
  HistoricalState state = AtRevision(id, **revision);
  if (std::holds_alternative<model::DittoError>(state)) return model::HistoryNotFoundAtTimestamp(id, timestamp);
  return state;
}

std::variant<std::vector<std::string>, model::DittoError> History::Events(std::string_view id,
                                                                         uint64_t from_revision,
                                                                         uint64_t to_revision,
                                                                         size_t limit) const {
  Result<uint64_t> last = journal_.LastRevision(id);
  if (!last.ok()) return ReadFailed(id);
  if (*last == 0) return model::ConnectionNotFound(id);
  std::vector<std::string> events;
  const uint64_t from = std::max<uint64_t>(from_revision, 1);
  const uint64_t to = std::min(to_revision, *last);
  if (from > to || limit == 0) return events;
  // The state before `from`, then each event folded and rendered.
  projector::ConnectionState state;
  if (from > 1) {
    Result<std::optional<projector::ConnectionState>> before =
        recovery::StateAtRevision(journal_, id, from - 1, secrets_);
    if (!before.ok()) return ReadFailed(id, before.status());
    if (!before->has_value()) return ReadFailed(id);
    state = std::move(**before);
  }
  std::unique_ptr<journal::EventCursor> cursor = journal_.ReadStream(id, from, to);
  while (events.size() < limit) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return ReadFailed(id);
    if (!event->has_value()) break;
    if (Status opened = projector::OpenEvent(secrets_, **event); !opened.ok()) return ReadFailed(id, opened);
    if (!projector::Apply(state, **event).ok()) return ReadFailed(id);
    events.push_back(projector::DittoEventJson(**event, state));
  }
  return events;
}

}  // namespace connectivity::service
