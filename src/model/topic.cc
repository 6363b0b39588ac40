#include "src/model/topic.h"

#include <array>

#include "src/base/utf8.h"
#include "src/model/field_selector.h"

namespace connectivity::model {
namespace {

constexpr std::array<std::pair<Topic, std::string_view>, 6> kTopicNames = {{
    {Topic::kTwinEvents, "_/_/things/twin/events"},
    {Topic::kLiveMessages, "_/_/things/live/messages"},
    {Topic::kLiveEvents, "_/_/things/live/events"},
    {Topic::kLiveCommands, "_/_/things/live/commands"},
    {Topic::kPolicyAnnouncements, "_/_/policies/announcements"},
    {Topic::kConnectionAnnouncements, "_/_/connections/announcements"},
}};

// Thing fields an `extraFields` selector may name (Ditto's ThingFieldSelector); the second group
// may be followed by "/<anything but a comma>".
constexpr std::array<std::string_view, 8> kThingFields = {
    "thingId", "policyId", "definition", "_namespace", "_revision", "_created", "_modified",
    "_policy"};
constexpr std::array<std::string_view, 4> kThingFieldPrefixes = {"_metadata", "_context",
                                                                   "features", "attributes"};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Java's URLDecoder.decode(value, UTF-8): '+' is a space, %XX are UTF-8 bytes (malformed
// sequences become U+FFFD). nullopt for a broken escape.
std::optional<std::string> UrlDecode(std::string_view value) {
  std::string bytes;
  bytes.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '+') {
      bytes.push_back(' ');
    } else if (value[i] == '%') {
      if (i + 2 >= value.size()) return std::nullopt;
      const int high = HexValue(value[i + 1]);
      const int low = HexValue(value[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      bytes.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      bytes.push_back(value[i]);
    }
  }
  std::string decoded;
  decoded.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t length = ValidUtf8Length(bytes, i);
    if (length == 0) {
      decoded.append(kUtf8Replacement);
      ++i;
    } else {
      decoded.append(bytes, i, length);
      i += length;
    }
  }
  return decoded;
}

bool IsThingFieldEntry(std::string_view entry) {
  if (!entry.empty() && entry.front() == '/') entry.remove_prefix(1);
  for (std::string_view field : kThingFields) {
    if (entry == field) return true;
  }
  for (std::string_view prefix : kThingFieldPrefixes) {
    if (entry.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = entry.substr(prefix.size());
    if (rest.empty() || (rest.size() >= 2 && rest.front() == '/')) return true;
  }
  return false;
}

// Ditto's ThingFieldSelector#fromString: a JSON field selector whose entries name Thing fields,
// unless it contains a placeholder.
std::optional<DittoError> CheckExtraFields(std::string_view text) {
  auto selector = FieldSelector::Parse(text);
  if (auto* error = std::get_if<DittoError>(&selector)) return *error;
  const size_t open = text.find("{{");
  if (open != std::string_view::npos && text.find("}}", open) != std::string_view::npos) {
    return std::nullopt;
  }
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    if (!IsThingFieldEntry(text.substr(start, comma - start))) {
      return ThingFieldSelectionInvalid(text);
    }
    if (comma == std::string_view::npos) return std::nullopt;
    start = comma + 1;
  }
}

using Parameters = std::vector<std::pair<std::string, std::string>>;

// Splits and decodes `a=1&b=2`; pieces without '=' are ignored, a repeated name is an error
// (Ditto collects them with Collectors.toMap, which refuses duplicates).
std::optional<DittoError> ParseParameters(std::string_view full, std::string_view query,
                                          Parameters& out) {
  size_t start = 0;
  while (start <= query.size()) {
    const size_t end = std::min(query.find('&', start), query.size());
    std::string_view piece = query.substr(start, end - start);
    start = end + 1;
    const size_t equals = piece.find('=');
    if (equals == std::string_view::npos) continue;
    std::optional<std::string> name = UrlDecode(piece.substr(0, equals));
    std::optional<std::string> value = UrlDecode(piece.substr(equals + 1));
    if (!name || !value) return TopicInvalid(full, "Invalid URL encoding in: " + std::string(piece));
    for (const auto& [existing, ignored] : out) {
      if (existing == *name) return TopicInvalid(full, "Duplicate parameter: " + *name);
    }
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return std::nullopt;
}

const std::string* FindParameter(const Parameters& parameters, std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return &value;
  }
  return nullptr;
}

// Java's String#split(","): trailing empty strings are dropped.
std::vector<std::string> SplitNamespaces(const std::string& text) {
  std::vector<std::string> namespaces;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    namespaces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  while (!namespaces.empty() && namespaces.back().empty()) namespaces.pop_back();
  return namespaces;
}

void AppendParameterValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '%': out.append("%25"); break;
      case '&': out.append("%26"); break;
      case '+': out.append("%2B"); break;
      case '\0': out.append("%00"); break;  // a JSON string of the stored connection cannot hold it
      default: out.push_back(c);
    }
  }
}

}  // namespace

std::string_view TopicName(Topic topic) {
  for (const auto& [value, name] : kTopicNames) {
    if (value == topic) return name;
  }
  return "";
}

std::optional<Topic> ParseTopicName(std::string_view name) {
  for (const auto& [value, topic_name] : kTopicNames) {
    if (topic_name == name) return value;
  }
  return std::nullopt;
}

std::variant<FilteredTopic, DittoError> ParseFilteredTopic(std::string_view text) {
  const size_t question_mark = text.find('?');
  std::string_view name = text.substr(0, question_mark);
  Parameters parameters;
  if (question_mark != std::string_view::npos) {
    if (auto error = ParseParameters(text, text.substr(question_mark + 1), parameters)) {
      return *error;
    }
  }
  std::optional<Topic> topic = ParseTopicName(name);
  if (!topic) return TopicInvalid(text, "Unknown topic: " + std::string(name));
  FilteredTopic result;
  result.topic = *topic;
  const bool is_connection_announcements = *topic == Topic::kConnectionAnnouncements;
  const bool is_announcements =
      is_connection_announcements || *topic == Topic::kPolicyAnnouncements;
  const std::string* namespaces = FindParameter(parameters, "namespaces");
  if (namespaces != nullptr && !is_connection_announcements) {
    result.namespaces = SplitNamespaces(*namespaces);
  }
  const std::string* filter = FindParameter(parameters, "filter");
  if (filter != nullptr && !is_announcements) result.filter = *filter;
  const std::string* extra_fields = FindParameter(parameters, "extraFields");
  if (extra_fields != nullptr && !extra_fields->empty()) {
    if (auto error = CheckExtraFields(*extra_fields)) return *error;
    if (!is_announcements) result.extra_fields = *extra_fields;
  }
  return result;
}

std::string FilteredTopicToString(const FilteredTopic& topic) {
  std::string out(TopicName(topic.topic));
  char separator = '?';
  auto append_parameter = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out.push_back(separator);
    separator = '&';
    out.append(name);
    out.push_back('=');
    AppendParameterValue(out, value);
  };
  std::string namespaces;
  for (size_t i = 0; i < topic.namespaces.size(); ++i) {
    if (i > 0) namespaces.push_back(',');
    namespaces.append(topic.namespaces[i]);
  }
  append_parameter("namespaces", namespaces);
  append_parameter("filter", topic.filter.value_or(""));
  append_parameter("extraFields", topic.extra_fields.value_or(""));
  return out;
}

}  // namespace connectivity::model
