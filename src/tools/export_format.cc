#include "src/tools/export_format.h"

#include <simdjson.h>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/projector/connection_state.h"

namespace connectivity::tools {
namespace {

using projector::EventType;

constexpr std::string_view kConnectionMarker = ",\"connection\":";

bool CarriesConnection(EventType type) {
  return type == EventType::kCreated || type == EventType::kModified;
}

std::optional<EventType> TypeFromDittoName(std::string_view name) {
  for (uint8_t code = 1; code <= projector::kEventTypeCount; ++code) {
    if (projector::EventTypeDittoName(static_cast<EventType>(code)) == name) {
      return static_cast<EventType>(code);
    }
  }
  return std::nullopt;
}

Status Invalid(std::string message) { return Status::InvalidArgument(std::move(message)); }

// The exact bytes of the last member "connection" (see the header: every
// member before it is a scalar, so the first `,"connection":` outside a
// string is the member, and no string can hold that byte sequence
// unescaped).
Result<std::string_view> ConnectionBytes(std::string_view line) {
  const size_t marker = line.find(kConnectionMarker);
  if (marker == std::string_view::npos) return Invalid("\"connection\" is missing");
  const size_t start = marker + kConnectionMarker.size();
  if (line.size() < start + 3 || line[start] != '{' || line[line.size() - 2] != '}') {
    return Invalid("\"connection\" must be an object and the last member");
  }
  return line.substr(start, line.size() - 1 - start);
}

struct ParsedMembers {
  uint64_t sequence = 0;
  std::string_view timestamp;
  std::string_view id;
  uint64_t revision = 0;
  std::string_view type;
  bool has_connection = false;
};

Status ReadMembers(simdjson::dom::object object, ParsedMembers* members) {
  // One bit per required member, so that a duplicate cannot stand in for a
  // missing one.
  uint32_t required = 0;
  for (const simdjson::dom::key_value_pair field : object) {
    simdjson::error_code error = simdjson::SUCCESS;
    uint32_t bit = 0;
    if (field.key == "sequence") {
      error = field.value.get_uint64().get(members->sequence), bit = 1;
    } else if (field.key == "timestamp") {
      error = field.value.get_string().get(members->timestamp), bit = 2;
    } else if (field.key == "connectionId") {
      error = field.value.get_string().get(members->id), bit = 4;
    } else if (field.key == "revision") {
      error = field.value.get_uint64().get(members->revision), bit = 8;
    } else if (field.key == "type") {
      error = field.value.get_string().get(members->type), bit = 16;
    } else if (field.key == "connection") {
      members->has_connection = field.value.is_object();
    } else {
      return Invalid("unknown member \"" + std::string(field.key) + "\"");
    }
    if (error != simdjson::SUCCESS) {
      return Invalid("member \"" + std::string(field.key) + "\" has the wrong type");
    }
    required |= bit;
  }
  if (required != 31) {
    return Invalid(
        "a member is missing (sequence, timestamp, connectionId, revision and type "
        "are required)");
  }
  return Status::Ok();
}

}  // namespace

void AppendExportHeader(uint64_t events, std::string* out) {
  JsonWriter w(*out);
  w.BeginObject().Member("format", kExportFormatName);
  w.Key("version").Uint(kExportFormatVersion).Key("events").Uint(events).EndObject();
  out->push_back('\n');
}

Status AppendExportEvent(const journal::Event& event, std::string* out) {
  const std::optional<EventType> type = projector::EventTypeFromCode(event.type);
  if (!type) {
    return Status::Corruption("sequence " + std::to_string(event.sequence) +
                              ": unknown event type " + std::to_string(event.type));
  }
  if (CarriesConnection(*type) == event.payload.empty()) {
    return Status::Corruption("sequence " + std::to_string(event.sequence) + ": a " +
                              std::string(projector::EventTypeName(*type)) +
                              (event.payload.empty() ? " without" : " with") + " a payload");
  }
  JsonWriter w(*out);
  w.BeginObject().Key("sequence").Uint(event.sequence);
  w.Member("timestamp", FormatIsoMicros(event.timestamp_us));
  w.Member("connectionId", event.stream).Key("revision").Uint(event.revision);
  w.Member("type", projector::EventTypeDittoName(*type));
  if (CarriesConnection(*type)) w.Key("connection").Raw(event.payload);
  w.EndObject();
  out->push_back('\n');
  return Status::Ok();
}

Result<uint64_t> ParseExportHeader(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string_view format;
  uint64_t version = 0;
  uint64_t events = 0;
  if (parser.parse(line.data(), line.size()).get_object().get(object) != simdjson::SUCCESS ||
      object["format"].get_string().get(format) != simdjson::SUCCESS ||
      format != kExportFormatName) {
    return Invalid("not a journal export (the first line must be the header {\"format\":\"" +
                   std::string(kExportFormatName) + "\",...})");
  }
  if (object["version"].get_uint64().get(version) != simdjson::SUCCESS ||
      version != kExportFormatVersion) {
    return Invalid("export format version " + std::to_string(version) +
                   " is not the one this build reads (" + std::to_string(kExportFormatVersion) +
                   ")");
  }
  if (object["events"].get_uint64().get(events) != simdjson::SUCCESS) {
    return Invalid("the header has no \"events\" count");
  }
  return events;
}

Status ParseExportEvent(std::string_view line, journal::Event* event) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(line.data(), line.size()).get_object().get(object) != simdjson::SUCCESS) {
    return Invalid("not a JSON object");
  }
  ParsedMembers members;
  CONNECTIVITY_RETURN_IF_ERROR(ReadMembers(object, &members));
  const std::optional<EventType> type = TypeFromDittoName(members.type);
  if (!type) return Invalid("unknown event type '" + std::string(members.type) + "'");
  const std::optional<int64_t> timestamp_us = ParseIsoMicros(members.timestamp);
  if (!timestamp_us) return Invalid("bad timestamp '" + std::string(members.timestamp) + "'");
  if (CarriesConnection(*type) != members.has_connection) {
    return Invalid(std::string(projector::EventTypeName(*type)) +
                   (members.has_connection ? " cannot carry" : " needs") + " a \"connection\"");
  }
  event->payload.clear();
  if (members.has_connection) {
    Result<std::string_view> bytes = ConnectionBytes(line);
    if (!bytes.ok()) return bytes.status();
    event->payload.assign(*bytes);
  }
  event->stream.assign(members.id);
  event->revision = members.revision;
  event->sequence = members.sequence;
  event->timestamp_us = *timestamp_us;
  event->type = static_cast<uint8_t>(*type);
  return Status::Ok();
}

}  // namespace connectivity::tools
