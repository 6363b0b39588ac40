#include "src/projector/apply.h"

#include <string>

#include "src/projector/event_payload.h"
#include "src/projector/stored_connection.h"

namespace connectivity::projector {
namespace {

std::string DescribeEvent(const journal::Event& event) {
  return "event '" + event.stream + "' revision " + std::to_string(event.revision) +
         " (sequence " + std::to_string(event.sequence) + ")";
}

Status Corrupt(const journal::Event& event, std::string_view why) {
  return Status::Corruption(DescribeEvent(event) + ": " + std::string(why));
}

Status CheckPreconditions(const ConnectionState& state, const journal::Event& event,
                          EventType type) {
  if (event.revision != state.revision + 1) {
    return Corrupt(event, "revision gap: expected revision " + std::to_string(state.revision + 1));
  }
  if (!state.id.empty() && state.id != event.stream) {
    return Corrupt(event, "applied to the state of '" + state.id + "'");
  }
  const bool active = state.revision > 0 && !state.deleted;
  if (type == EventType::kCreated) {
    if (active) return Corrupt(event, "connectionCreated on an existing connection");
  } else if (!active) {
    return Corrupt(event, std::string(EventTypeName(type)) + " on a connection that does not exist");
  }
  const bool carries_connection = type == EventType::kCreated || type == EventType::kModified;
  const std::string_view body = PayloadBody(event.payload);
  if (carries_connection && !IsCanonicalConnectionJson(body)) {
    return Corrupt(event, "payload is not a canonical connection");
  }
  if (!carries_connection && !body.empty()) {
    return Corrupt(event, "unexpected payload");
  }
  if (!AuditWellFormed(event.payload)) return Corrupt(event, "malformed audit section");
  return Status::Ok();
}

}  // namespace

Status Apply(ConnectionState& state, const journal::Event& event) {
  const std::optional<EventType> type = EventTypeFromCode(event.type);
  if (!type) return Corrupt(event, "unknown event type " + std::to_string(event.type));
  CONNECTIVITY_RETURN_IF_ERROR(CheckPreconditions(state, event, *type));

  switch (*type) {
    case EventType::kCreated:
      state.json = PayloadBody(event.payload);
      state.connection_revision = event.revision;
      state.created_us = event.timestamp_us;
      state.modified_us = event.timestamp_us;
      state.deleted = false;
      break;
    case EventType::kModified:
      state.json = PayloadBody(event.payload);
      state.connection_revision = event.revision;
      state.modified_us = event.timestamp_us;
      break;
    case EventType::kOpened:
      ReplaceStoredConnectionStatus(state.json, "open");
      break;
    case EventType::kClosed:
      ReplaceStoredConnectionStatus(state.json, "closed");
      break;
    case EventType::kDeleted:
      state.deleted = true;
      state.modified_us = event.timestamp_us;
      break;
  }
  state.id = event.stream;
  state.revision = event.revision;
  EventTypeStats& stats = state.stats[EventTypeIndex(*type)];
  ++stats.total;
  stats.last_us = event.timestamp_us;
  return Status::Ok();
}

}  // namespace connectivity::projector
