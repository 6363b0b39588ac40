#include "src/projector/event_json.h"

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/projector/event_payload.h"
#include "src/projector/stored_connection.h"

namespace connectivity::projector {
namespace {

void StringOrNull(JsonWriter& w, std::string_view key, std::string_view value) {
  if (value.empty()) {
    w.Key(key).Null();
  } else {
    w.Member(key, value);
  }
}

// The event's _metadata: its audit section, or null (see the header).
void Metadata(JsonWriter& w, std::string_view payload) {
  Result<std::optional<RequestOrigin>> origin = PayloadOrigin(payload);
  w.Key("_metadata");
  if (!origin.ok() || !origin->has_value()) {
    w.Null();
    return;
  }
  const RequestOrigin& known = **origin;
  w.BeginObject().Key("audit").BeginObject();
  StringOrNull(w, "user", known.user);
  StringOrNull(w, "clientAddress", known.client_address);
  w.Member("correlationId", known.correlation_id);
  w.Member("route", known.route);
  w.EndObject().EndObject();
}

}  // namespace

std::string DittoEventJson(const journal::Event& event, const ConnectionState& state_after) {
  const std::optional<EventType> type = EventTypeFromCode(event.type);
  std::string out;
  out.reserve(160 + (type == EventType::kCreated || type == EventType::kModified
                         ? state_after.json.size() + 128
                         : 0));
  JsonWriter w(out);
  w.BeginObject();
  w.Member("type", type ? EventTypeDittoName(*type) : std::string_view("unknown"));
  w.Member("_timestamp", FormatIsoMicros(event.timestamp_us));
  Metadata(w, event.payload);
  w.Key("revision").Uint(event.revision);
  w.Member("connectionId", event.stream);
  if (type == EventType::kCreated || type == EventType::kModified) {
    w.Key("connection").Raw(StoredJsonWithHiddenFields(state_after));
  }
  w.EndObject();
  return out;
}

}  // namespace connectivity::projector
