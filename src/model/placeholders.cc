// Templates, pipeline expressions and placeholder names (Ditto's Placeholders#pattern,
// ExpressionResolver#substitute, ImmutableExpressionResolver and the Placeholder classes).
#include "src/model/placeholders.h"

#include <array>

#include "src/model/java_compat.h"
#include "src/model/placeholders_internal.h"

namespace connectivity::model {
namespace placeholders_internal {
namespace {

struct Match {
  size_t start = 0;
  size_t end = 0;
  std::string_view expression;
};

// `\{\{\s*+(?<p>(}[^}]|[^}])*+)\s*+\}\}` at `i` (all quantifiers possessive, so one scan).
std::optional<Match> MatchDoubleBraces(std::string_view text, size_t i) {
  if (text.substr(i, 2) != "{{") return std::nullopt;
  size_t j = i + 2;
  while (j < text.size() && IsJavaWhitespace(text[j])) ++j;
  const size_t content = j;
  while (j < text.size()) {
    if (text[j] != '}') {
      ++j;
    } else if (j + 1 < text.size() && text[j + 1] != '}') {
      j += 2;
    } else {
      break;
    }
  }
  if (text.substr(j, 2) != "}}") return std::nullopt;
  return Match{i, j + 2, text.substr(content, j - content)};
}

// Legacy `\$\{(?<l>[^}]*+)\}` at `i`.
std::optional<Match> MatchLegacy(std::string_view text, size_t i) {
  if (text.substr(i, 2) != "${") return std::nullopt;
  const size_t close = text.find('}', i + 2);
  if (close == std::string_view::npos) return std::nullopt;
  return Match{i, close + 1, text.substr(i + 2, close - i - 2)};
}

// The leftmost placeholder at or after `from` (Matcher#find on Placeholders#pattern).
std::optional<Match> FindPlaceholder(std::string_view text, size_t from) {
  for (size_t i = from; i + 1 < text.size(); ++i) {
    if (text[i] != '{' && text[i] != '$') continue;
    if (auto match = MatchDoubleBraces(text, i)) return match;
    if (auto match = MatchLegacy(text, i)) return match;
  }
  return std::nullopt;
}

// The stages of a pipeline (Ditto's PIPE_PATTERN and PIPE_STAGE_PATTERN), each trimmed; nullopt if
// the expression is not a pipeline (empty stage, unclosed quote).
std::optional<std::vector<std::string_view>> SplitStages(std::string_view expression) {
  std::vector<std::string_view> stages;
  size_t i = 0;
  while (true) {
    const size_t start = i;
    while (i < expression.size() && expression[i] != '|') {
      if (expression[i] == '\'' || expression[i] == '"') {
        const size_t end = SkipQuoted(expression, i);
        if (end == std::string_view::npos) return std::nullopt;
        i = end;
      } else {
        ++i;
      }
    }
    if (i == start) return std::nullopt;
    stages.push_back(JavaTrim(expression.substr(start, i - start)));
    if (i == expression.size()) return stages;
    ++i;  // '|'
  }
}

bool TimeRangeIsValid(std::string_view suffix);

bool TruncationIsValid(std::string_view text) {
  const size_t open = text.find('[');
  std::string_view inner = text.substr(open + 1);
  const size_t close = inner.rfind(']');
  if (close == std::string_view::npos) return false;  // Ditto: StringIndexOutOfBoundsException
  inner = inner.substr(0, close);
  constexpr std::array<std::string_view, 9> kUnits = {"s", "", "ms", "m", "h", "d", "w", "mo", "y"};
  for (std::string_view unit : kUnits) {
    if (inner == unit) return true;
  }
  return false;
}

// DittoDuration#parseDuration: digits with one of the unit suffixes (or none: seconds), >= 0.
bool DittoDurationIsValid(std::string_view text) {
  constexpr std::array<std::string_view, 8> kUnits = {"ms", "mo", "s", "m", "h", "d", "w", "y"};
  std::string_view amount = text;
  for (std::string_view unit : kUnits) {
    if (text.size() > unit.size() && text.substr(text.size() - unit.size()) == unit) {
      amount = text.substr(0, text.size() - unit.size());
      break;
    }
  }
  const std::optional<int64_t> value = ParseJavaLong(amount);
  return value.has_value() && *value >= 0;
}

bool TimeRangeIsValid(std::string_view suffix) {
  const bool has_truncation = suffix.find('[') != std::string_view::npos &&
                              suffix.find(']') != std::string_view::npos;
  if (suffix[0] == '-' || suffix[0] == '+') {
    std::string_view duration = suffix.substr(1);
    if (has_truncation) {
      if (!TruncationIsValid(duration)) return false;
      duration = duration.substr(0, duration.find('['));
    }
    return DittoDurationIsValid(duration);
  }
  return has_truncation && TruncationIsValid(suffix);
}

// ImmutableTimePlaceholder#supports: `now` or `now_epoch_millis`, then an optional `+/-duration`
// and an optional `[unit]` truncation. Ditto removes every occurrence of the prefix word.
bool TimeNameIsSupported(std::string_view name) {
  const std::string_view word = name.substr(0, 16) == "now_epoch_millis" ? "now_epoch_millis" : "now";
  if (name.substr(0, 3) != "now") return false;
  std::string suffix;
  for (size_t i = 0; i < name.size();) {
    if (name.substr(i, word.size()) == word) {
      i += word.size();
    } else {
      suffix.push_back(name[i++]);
    }
  }
  return suffix.empty() || TimeRangeIsValid(suffix);
}

bool IsOneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view candidate : names) {
    if (name == candidate) return true;
  }
  return false;
}

std::optional<PlaceholderKind> KindOfPrefix(std::string_view prefix, PlaceholderSet set) {
  struct Entry {
    std::string_view prefix;
    PlaceholderKind kind;
  };
  static constexpr std::array<Entry, 13> kPrefixes = {{
      {"header", PlaceholderKind::kHeader},       {"header", PlaceholderKind::kMqtt3Header},
      {"entity", PlaceholderKind::kEntity},       {"thing", PlaceholderKind::kThing},
      {"thing-json", PlaceholderKind::kThingJson}, {"feature", PlaceholderKind::kFeature},
      {"topic", PlaceholderKind::kTopic},         {"resource", PlaceholderKind::kResource},
      {"time", PlaceholderKind::kTime},           {"request", PlaceholderKind::kRequest},
      {"connection", PlaceholderKind::kConnection}, {"policy", PlaceholderKind::kPolicy},
      {"source", PlaceholderKind::kSourceAddress},
  }};
  for (const Entry& entry : kPrefixes) {
    if (entry.prefix == prefix && set.Has(entry.kind)) return entry.kind;
  }
  return std::nullopt;
}

// The cartesian concatenation of the elements' values (ExpressionResolver#substitute).
Element Concatenate(const std::vector<Element>& elements) {
  if (elements.empty()) return Element::Resolved(std::string());
  std::vector<std::string> results = {""};
  bool all_deleted = true;
  for (const Element& element : elements) {
    if (element.state == Element::State::kDeleted) continue;
    all_deleted = false;
    std::vector<std::string> next;
    for (const std::string& prefix : results) {
      for (const std::string& value : element.values) {
        if (next.size() < kResolvedValuesMax) next.push_back(prefix + value);
      }
    }
    results = std::move(next);
  }
  if (all_deleted) return Element::Deleted();
  return Element::Resolved(std::move(results));
}

}  // namespace

size_t SkipQuoted(std::string_view text, size_t i) {
  const char quote = text[i];
  size_t j = i + 1;
  while (j < text.size()) {
    if (text[j] == '\\' && j + 1 < text.size() && text[j + 1] == quote) {
      j += 2;
    } else if (text[j] != quote) {
      ++j;
    } else {
      return j + 1;
    }
  }
  return std::string_view::npos;
}

Element Element::Resolved(std::vector<std::string> values) {
  if (values.empty()) return Unresolved();
  return Element{State::kResolved, std::move(values)};
}

bool SupportsName(PlaceholderKind kind, std::string_view name) {
  switch (kind) {
    case PlaceholderKind::kHeader: return true;
    case PlaceholderKind::kEntity:
    case PlaceholderKind::kThing:
    case PlaceholderKind::kPolicy: return IsOneOf(name, {"id", "namespace", "name"});
    case PlaceholderKind::kThingJson: return !IsOneOf(name, {"namespace", "name", "id"});
    case PlaceholderKind::kFeature: return name == "id";
    case PlaceholderKind::kTopic:
      return IsOneOf(name, {"full", "namespace", "entityName", "group", "channel", "criterion",
                            "action", "subject", "action-subject"});
    case PlaceholderKind::kResource: return IsOneOf(name, {"type", "path"});
    case PlaceholderKind::kTime: return TimeNameIsSupported(name);
    case PlaceholderKind::kRequest: return name == "subjectId";
    case PlaceholderKind::kConnection: return name == "id";
    case PlaceholderKind::kSourceAddress: return name == "address";
    case PlaceholderKind::kMqtt3Header: return IsOneOf(name, {"mqtt.topic", "mqtt.qos", "mqtt.retain"});
  }
  return false;
}

ElementOrError Resolver::ResolvePlaceholder(std::string_view placeholder) const {
  const size_t colon = placeholder.find(':');
  if (colon == std::string_view::npos) return PlaceholderUnresolved(placeholder);
  const std::string_view prefix = JavaTrim(placeholder.substr(0, colon));
  // Ditto cuts the name after the *trimmed* prefix: "thing :id" has the name ":id".
  const std::string_view name = placeholder.substr(prefix.size() + 1);
  const std::optional<PlaceholderKind> kind = KindOfPrefix(prefix, set_);
  if (!kind || !SupportsName(*kind, name)) return PlaceholderUnresolved(placeholder);
  if (*kind == PlaceholderKind::kConnection && connection_id_) {
    return Element::Resolved(std::string(*connection_id_));
  }
  return Element::Resolved(std::string(dummy_));
}

ElementOrError Resolver::ResolveExpression(std::string_view expression, int depth) const {
  const std::optional<std::vector<std::string_view>> stages = SplitStages(expression);
  if (!stages || depth > kExpressionDepthMax) return PlaceholderUnresolved(expression);
  if (stages->size() > static_cast<size_t>(kPipelineFunctionsMax + 1)) {
    return PlaceholderFunctionTooComplex(kPipelineFunctionsMax);
  }
  size_t next = 0;
  Element element = Element::Unresolved();
  if (stages->front().substr(0, 3) != "fn:") {
    ElementOrError first = ResolvePlaceholder(stages->front());
    if (auto* error = std::get_if<DittoError>(&first)) return std::move(*error);
    element = std::get<Element>(std::move(first));
    next = 1;
  }
  for (; next < stages->size(); ++next) {
    ElementOrError result = ApplyFunctionStage((*stages)[next], std::move(element), *this, depth);
    if (auto* error = std::get_if<DittoError>(&result)) return std::move(*error);
    element = std::get<Element>(std::move(result));
  }
  return element;
}

ElementOrError Resolver::ResolveTemplate(std::string_view text) const {
  std::vector<Element> elements;
  size_t position = 0;
  while (std::optional<Match> match = FindPlaceholder(text, position)) {
    if (match->start > position) {
      elements.push_back(Element::Resolved(std::string(text.substr(position, match->start - position))));
    }
    ElementOrError element = ResolveExpression(match->expression, 0);
    if (auto* error = std::get_if<DittoError>(&element)) return std::move(*error);
    elements.push_back(std::get<Element>(std::move(element)));
    position = match->end;
  }
  if (position < text.size()) elements.push_back(Element::Resolved(std::string(text.substr(position))));
  return Concatenate(elements);
}

std::optional<DittoError> Resolver::CheckTemplate(std::string_view text) const {
  size_t position = 0;
  while (std::optional<Match> match = FindPlaceholder(text, position)) {
    ElementOrError element = ResolveExpression(match->expression, 0);
    if (auto* error = std::get_if<DittoError>(&element)) return std::move(*error);
    position = match->end;
  }
  return std::nullopt;
}

}  // namespace placeholders_internal

using placeholders_internal::Element;
using placeholders_internal::ElementOrError;
using placeholders_internal::Resolver;

bool ContainsPlaceholder(std::string_view text) {
  return placeholders_internal::FindPlaceholder(text, 0).has_value();
}

std::optional<DittoError> ValidatePlaceholders(std::string_view text, PlaceholderSet set) {
  return Resolver(set, "", std::nullopt).CheckTemplate(text);
}

std::variant<std::vector<std::string>, DittoError> ReplacePlaceholders(std::string_view text,
                                                                       PlaceholderSet set,
                                                                       std::string_view dummy) {
  ElementOrError result = Resolver(set, dummy, std::nullopt).ResolveTemplate(text);
  if (auto* error = std::get_if<DittoError>(&result)) return std::move(*error);
  Element element = std::get<Element>(std::move(result));
  if (!element.IsResolved()) return PlaceholderUnresolved(text);
  return std::move(element.values);
}

std::variant<std::optional<std::string>, DittoError> ResolveConnectionIdPlaceholder(
    std::string_view text, std::string_view connection_id) {
  ElementOrError result =
      Resolver(kConnectionIdPlaceholders, "", connection_id).ResolveTemplate(text);
  if (auto* error = std::get_if<DittoError>(&result)) return std::move(*error);
  Element element = std::get<Element>(std::move(result));
  if (!element.IsResolved()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(element.values.front()));
}

}  // namespace connectivity::model
