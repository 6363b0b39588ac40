#include "src/projector/event_json.h"

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/projector/stored_connection.h"

namespace connectivity::projector {

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
  w.Key("_metadata").Null();
  w.Key("revision").Uint(event.revision);
  w.Member("connectionId", event.stream);
  if (type == EventType::kCreated || type == EventType::kModified) {
    w.Key("connection").Raw(StoredJsonWithHiddenFields(state_after));
  }
  w.EndObject();
  return out;
}

}  // namespace connectivity::projector
