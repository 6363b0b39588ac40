// Target topics (REF §3.5, Ditto's ImmutableFilteredTopic): `<topic>[?<params>]` where params are
// `&`-separated, URL-encoded `namespaces` (comma list), `filter` (RQL) and `extraFields` (a Thing
// field selector); unknown parameters and parameters without '=' are ignored.
//
// Canonical form: `<topic>?namespaces=..&filter=..&extraFields=..` with empty parts left out and
// values decoded. Deliberate difference from Ditto: a decoded value containing '%', '&', '+' or
// U+0000 keeps exactly those characters encoded (%25, %26, %2B, %00); Ditto writes them raw, and
// its own parser then reads a different topic back from its journal (or, for U+0000, a stored
// connection that no longer parses).
#ifndef CONNECTIVITY_MODEL_TOPIC_H_
#define CONNECTIVITY_MODEL_TOPIC_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "src/model/connection.h"
#include "src/model/errors.h"

namespace connectivity::model {

std::optional<Topic> ParseTopicName(std::string_view name);

// connectivity:topic.invalid for an unknown topic or a malformed parameter encoding;
// json.fieldselector.invalid / things:field.selection.invalid for a bad `extraFields`.
std::variant<FilteredTopic, DittoError> ParseFilteredTopic(std::string_view text);

std::string FilteredTopicToString(const FilteredTopic& topic);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_TOPIC_H_
