#include "src/tools/export_format.h"

#include <simdjson.h>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/projector/connection_state.h"
#include "src/projector/event_payload.h"

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
  std::optional<projector::RequestOrigin> origin;  // from "_metadata"
};

// "_metadata":{"audit":{...}} as the header describes it.
void AppendMetadata(JsonWriter& w, const projector::RequestOrigin& origin) {
  auto string_or_null = [&w](std::string_view key, std::string_view value) {
    if (value.empty()) {
      w.Key(key).Null();
    } else {
      w.Member(key, value);
    }
  };
  w.Key("_metadata").BeginObject().Key("audit").BeginObject();
  string_or_null("user", origin.user);
  string_or_null("clientAddress", origin.client_address);
  w.Member("correlationId", origin.correlation_id).Member("route", origin.route);
  w.EndObject().EndObject();
}

// A member of "audit": a string, or null for empty.
Status ReadAuditString(simdjson::dom::object audit, std::string_view key, bool nullable, std::string* out) {
  simdjson::dom::element value;
  std::string_view text;
  if (audit[key].get(value) == simdjson::SUCCESS && value.get_string().get(text) == simdjson::SUCCESS) {
    out->assign(text);
    return Status::Ok();
  }
  if (nullable && audit[key].get(value) == simdjson::SUCCESS && value.is_null()) return Status::Ok();
  return Invalid("\"_metadata/audit/" + std::string(key) + "\" must be a string" + (nullable ? " or null" : ""));
}

Status ReadMetadata(simdjson::dom::element metadata, std::optional<projector::RequestOrigin>* origin) {
  simdjson::dom::object object;
  simdjson::dom::object audit;
  if (metadata.get_object().get(object) != simdjson::SUCCESS || object.size() != 1 ||
      object["audit"].get_object().get(audit) != simdjson::SUCCESS || audit.size() != 4) {
    return Invalid("\"_metadata\" must be {\"audit\":{user, clientAddress, correlationId, route}}");
  }
  projector::RequestOrigin read;
  CONNECTIVITY_RETURN_IF_ERROR(ReadAuditString(audit, "user", true, &read.user));
  CONNECTIVITY_RETURN_IF_ERROR(ReadAuditString(audit, "clientAddress", true, &read.client_address));
  CONNECTIVITY_RETURN_IF_ERROR(ReadAuditString(audit, "correlationId", false, &read.correlation_id));
  CONNECTIVITY_RETURN_IF_ERROR(ReadAuditString(audit, "route", false, &read.route));
  *origin = std::move(read);
  return Status::Ok();
}

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
    } else if (field.key == "_metadata") {
      if (members->origin) return Invalid("member \"_metadata\" appears twice");
      CONNECTIVITY_RETURN_IF_ERROR(ReadMetadata(field.value, &members->origin));
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
  const std::string_view body = projector::PayloadBody(event.payload);
  if (CarriesConnection(*type) == body.empty()) {
    return Status::Corruption("sequence " + std::to_string(event.sequence) + ": a " +
                              std::string(projector::EventTypeName(*type)) +
                              (body.empty() ? " without" : " with") + " a payload");
  }
  Result<std::optional<projector::RequestOrigin>> origin = projector::PayloadOrigin(event.payload);
  if (!origin.ok()) return Status::Corruption("sequence " + std::to_string(event.sequence) + ": " + origin.status().message());
  JsonWriter w(*out);
  w.BeginObject().Key("sequence").Uint(event.sequence);
  w.Member("timestamp", FormatIsoMicros(event.timestamp_us));
  w.Member("connectionId", event.stream).Key("revision").Uint(event.revision);
  w.Member("type", projector::EventTypeDittoName(*type));
  if (origin->has_value()) AppendMetadata(w, **origin);
  if (CarriesConnection(*type)) w.Key("connection").Raw(body);
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
  if (members.origin) projector::AppendAudit(*members.origin, event->payload);
  event->stream.assign(members.id);
  event->revision = members.revision;
  event->sequence = members.sequence;
  event->timestamp_us = *timestamp_us;
  event->type = static_cast<uint8_t>(*type);
  return Status::Ok();
}

}  // namespace connectivity::tools
