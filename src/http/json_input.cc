#include "src/http/json_input.h"

namespace connectivity::http {

std::variant<simdjson::dom::element, model::DittoError> ParseJson(std::string_view text) {
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    // On failure the parser allocates lazily, with the default depth limit.
    [[maybe_unused]] const simdjson::error_code error = p.allocate(1 << 16, kJsonDepthMax);
    return p;
  }();
  if (text.empty()) return model::JsonInvalid("The request body is empty; expected JSON.");
  const simdjson::padded_string padded(text);
  simdjson::dom::element root;
  const simdjson::error_code error = parser.parse(padded).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return model::JsonInvalid("The JSON is nested deeper than " + std::to_string(kJsonDepthMax) +
                              " levels.");
  }
  if (error != simdjson::SUCCESS) {
    return model::JsonInvalid(std::string("The JSON could not be parsed: ") +
                              simdjson::error_message(error));
  }
  return root;
}

std::variant<std::string, model::DittoError> RequiredString(simdjson::dom::object object,
                                                            std::string_view name) {
  simdjson::dom::element value;
  if (object[name].get(value) != simdjson::SUCCESS) {
    return model::JsonFieldMissing("/" + std::string(name));
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return model::JsonFieldTypeInvalid("/" + std::string(name), "String");
  }
  return std::string(text);
}

std::string StringifyJsonValue(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  return simdjson::minify(value);
}

}  // namespace connectivity::http
