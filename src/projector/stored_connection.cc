#include "src/projector/stored_connection.h"

#include <simdjson.h>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"

namespace connectivity::projector {
namespace {

constexpr std::string_view kIdPrefix = "{\"id\":";
constexpr std::string_view kNameMarker = ",\"name\":";
constexpr std::string_view kTypeMarker = ",\"connectionType\":\"";
constexpr std::string_view kStatusMarker = ",\"connectionStatus\":\"";
constexpr std::string_view kTagsMarker = ",\"tags\":[";

// The value of a string member that starts right after `marker`, up to the
// closing quote (enum values contain no escapes).
std::string_view ValueAfter(std::string_view json, std::string_view marker) {
  const size_t start = json.find(marker);
  if (start == std::string_view::npos) return {};
  const size_t value_start = start + marker.size();
  const size_t end = json.find('"', value_start);
  if (end == std::string_view::npos) return {};
  return json.substr(value_start, end - value_start);
}

}  // namespace

bool IsCanonicalConnectionJson(std::string_view json) {
  if (json.size() < kIdPrefix.size() + 2 || json.substr(0, kIdPrefix.size()) != kIdPrefix ||
      json.back() != '}') {
    return false;
  }
  const size_t name = json.find(kNameMarker);
  const size_t type = json.find(kTypeMarker);
  const size_t status = json.find(kStatusMarker);
  const size_t tags = json.rfind(kTagsMarker);
  return name != std::string_view::npos && type != std::string_view::npos &&
         status != std::string_view::npos && tags != std::string_view::npos && name < type &&
         type < status && status < tags;
}

std::string_view StoredConnectionStatus(std::string_view json) {
  return ValueAfter(json, kStatusMarker);
}

std::string_view StoredConnectionType(std::string_view json) {
  return ValueAfter(json, kTypeMarker);
}

bool ReplaceStoredConnectionStatus(std::string& json, std::string_view status) {
  const size_t start = json.find(kStatusMarker);
  if (start == std::string::npos) return false;
  const size_t value_start = start + kStatusMarker.size();
  const size_t end = json.find('"', value_start);
  if (end == std::string::npos) return false;
  json.replace(value_start, end - value_start, status);
  return true;
}

std::vector<std::string> StoredTags(std::string_view json) {
  std::vector<std::string> tags;
  const size_t start = json.rfind(kTagsMarker);
  if (start == std::string_view::npos || json.empty()) return tags;
  // The array runs from '[' to the character before the closing '}'.
  const size_t array_start = start + kTagsMarker.size() - 1;
  const simdjson::padded_string padded(json.substr(array_start, json.size() - 1 - array_start));
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(padded).get_array().get(array) != simdjson::SUCCESS) return tags;
  for (simdjson::dom::element element : array) {
    std::string_view tag;
    if (element.get_string().get(tag) == simdjson::SUCCESS) tags.emplace_back(tag);
  }
  return tags;
}

std::string StoredJsonWithHiddenFields(const ConnectionState& state) {
  const std::string_view json = state.json;
  const size_t type_member = json.find(kTypeMarker);
  if (json.size() < 2 || type_member == std::string_view::npos) return std::string(json);
  std::string out;
  out.reserve(json.size() + 128);
  out.append("{\"__lifecycle\":");
  out.append(state.deleted ? "\"DELETED\"," : "\"ACTIVE\",");
  out.append(json.substr(1, type_member - 1));  // "id":...,"name":...
  out.append(",\"_revision\":");
  out.append(std::to_string(state.connection_revision));
  out.append(",\"_modified\":");
  AppendJsonString(out, FormatIsoMicros(state.modified_us));
  if (state.created_us != 0) {
    out.append(",\"_created\":");
    AppendJsonString(out, FormatIsoMicros(state.created_us));
  }
  out.append(json.substr(type_member));
  return out;
}

}  // namespace connectivity::projector
