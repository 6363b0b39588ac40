// Reading request JSON with simdjson's DOM API: one parser per thread, a
// nesting limit, and Ditto's json.* errors for malformed input.
#ifndef CONNECTIVITY_HTTP_JSON_INPUT_H_
#define CONNECTIVITY_HTTP_JSON_INPUT_H_

#include <simdjson.h>

#include <string>
#include <string_view>
#include <variant>

#include "src/model/errors.h"

namespace connectivity::http {

inline constexpr size_t kJsonDepthMax = 64;

// Parses `text` with this thread's parser. The element lives until the next
// ParseJson on the same thread.
std::variant<simdjson::dom::element, model::DittoError> ParseJson(std::string_view text);

// A member that must be a string; json.field.missing / json.invalid otherwise.
std::variant<std::string, model::DittoError> RequiredString(simdjson::dom::object object,
                                                            std::string_view name);

// Ditto stringifies header values that are not strings (false -> "false").
std::string StringifyJsonValue(simdjson::dom::element value);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_JSON_INPUT_H_
