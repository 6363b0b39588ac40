// MQTT topic names and topic filters, checked as the HiveMQ client that Ditto uses does
// (MqttTopicImpl#of, MqttTopicFilterImpl#of, MqttSharedTopicFilterImpl, MqttUtf8StringImpl, Checks);
// the messages are HiveMQ's IllegalArgumentException texts, with Java (UTF-16) indices.
#include <string>

#include "src/model/java_compat.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

constexpr size_t kUtf8BytesMax = 65535;
constexpr std::string_view kSharePrefix = "$share/";

size_t JavaIndex(std::string_view text, size_t byte_position) {
  return Utf16Length(text.substr(0, byte_position));
}

// Checks#notEmpty, MqttUtf8StringImpl#checkLength and #checkWellFormed.
std::optional<std::string> CommonProblem(std::string_view text, std::string_view name) {
  const std::string label(name);
  if (text.empty()) return label + " must be at least one character long.";
  if (text.size() > kUtf8BytesMax) {
    size_t prefix = 0;
    while (prefix < text.size() && JavaIndex(text, prefix) < 10) ++prefix;
    return label + " [" + std::string(text.substr(0, prefix)) + "...] must not be longer than " +
           std::to_string(kUtf8BytesMax) + " bytes, but was " + std::to_string(text.size()) + " bytes.";
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return label + " [" + std::string(text) + "] must not contain null character (U+0000), found at index " +
           std::to_string(JavaIndex(text, nul)) + ".";
  }
  return std::nullopt;
}

// MqttTopicFilterImpl#validateWildcards from `start`.
std::optional<std::string> WildcardProblem(std::string_view text, size_t start) {
  enum class State { kNotBefore, kBefore, kMultiLevel, kSingleLevel } state = State::kBefore;
  const std::string filter = "Topic filter [" + std::string(text.substr(start)) +
                             "] contains misplaced wildcard characters. ";
  for (size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    const std::string index = std::to_string(JavaIndex(text, i) - JavaIndex(text, start));
    switch (state) {
      case State::kNotBefore:
        if (c == '+' || c == '#') {
          return filter + "Wildcard (" + c + ") at index " + index + " must follow a topic level separator.";
        }
        if (c == '/') state = State::kBefore;
        break;
      case State::kBefore:
        state = c == '#' ? State::kMultiLevel : c == '+' ? State::kSingleLevel
                : c == '/' ? State::kBefore : State::kNotBefore;
        break;
      case State::kMultiLevel:
        return filter + "Multi level wildcard (#) must be the last character.";
      case State::kSingleLevel:
        if (c != '/') {
          return filter + "Single level wildcard (+) at index " +
                 std::to_string(JavaIndex(text, i) - JavaIndex(text, start) - 1) +
                 " must be followed by a topic level separator.";
        }
        state = State::kBefore;
        break;
    }
  }
  return std::nullopt;
}

// MqttSharedTopicFilterImpl#ofInternal: "$share/<name>/<filter>".
std::optional<std::string> SharedFilterProblem(std::string_view text) {
  size_t end = kSharePrefix.size();
  while (end < text.size() && text[end] != '/') {
    if (text[end] == '#' || text[end] == '+') {
      const size_t name_end = std::min(text.find('/', kSharePrefix.size()), text.size());
      const std::string share_name(text.substr(kSharePrefix.size(), name_end - kSharePrefix.size()));
      return "Share name [" + share_name + "] must not contain " +
             (text[end] == '#' ? "multi level wildcard (#)" : "single level wildcard (+)") +
             ", found at index " + std::to_string(JavaIndex(text, end)) + ".";
    }
    ++end;
  }
  if (end == kSharePrefix.size()) return "Share name must be at least one character long.";
  if (end + 1 >= text.size()) return "Topic filter must be at least one character long.";
  return WildcardProblem(text, end + 1);
}

}  // namespace

std::optional<std::string> MqttTopicFilterProblem(std::string_view filter) {
  if (auto problem = CommonProblem(filter, "Topic filter")) return problem;
  if (filter.substr(0, kSharePrefix.size()) == kSharePrefix) return SharedFilterProblem(filter);
  return WildcardProblem(filter, 0);
}

std::optional<std::string> MqttTopicNameProblem(std::string_view topic, std::string_view name) {
  if (auto problem = CommonProblem(topic, name)) return problem;
  for (char wildcard : {'#', '+'}) {
    const size_t at = topic.find(wildcard);
    if (at == std::string_view::npos) continue;
    return std::string(name) + " [" + std::string(topic) + "] must not contain " +
           (wildcard == '#' ? "multi level wildcard (#)" : "single level wildcard (+)") +
           ", found at index " + std::to_string(JavaIndex(topic, at)) + ".";
  }
  return std::nullopt;
}

}  // namespace connectivity::model
