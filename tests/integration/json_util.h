// Reading JSON answers in tests: a parsed document with pointer access.
#ifndef CONNECTIVITY_TESTS_INTEGRATION_JSON_UTIL_H_
#define CONNECTIVITY_TESTS_INTEGRATION_JSON_UTIL_H_

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace connectivity::testing {

class Json {
 public:
  explicit Json(const std::string& text)
      : parser_(std::make_unique<simdjson::dom::parser>()), padded_(text) {
    valid_ = parser_->parse(padded_).get(root_) == simdjson::SUCCESS;
  }
  bool valid() const { return valid_; }
  // JSON pointer, e.g. "/connection/id"; nullopt if absent or not that type.
  std::optional<std::string> String(const std::string& pointer) const {
    std::string_view value;
    if (!valid_ || root_.at_pointer(pointer).get_string().get(value)) return std::nullopt;
    return std::string(value);
  }
  std::optional<int64_t> Int(const std::string& pointer) const {
    int64_t value;
    if (!valid_ || root_.at_pointer(pointer).get_int64().get(value)) return std::nullopt;
    return value;
  }
  bool Has(const std::string& pointer) const {
    return valid_ && root_.at_pointer(pointer).error() == simdjson::SUCCESS;
  }
  bool IsNull(const std::string& pointer) const {
    simdjson::dom::element element;
    return valid_ && !root_.at_pointer(pointer).get(element) && element.is_null();
  }
  std::vector<std::string> Strings(const std::string& pointer) const {
    std::vector<std::string> out;
    simdjson::dom::array array;
    if (!valid_ || root_.at_pointer(pointer).get_array().get(array)) return out;
    for (simdjson::dom::element element : array) {
      std::string_view value;
      if (!element.get_string().get(value)) out.emplace_back(value);
    }
    return out;
  }
  // The member's compact JSON text.
  std::string Raw(const std::string& pointer) const {
    simdjson::dom::element element;
    if (!valid_ || root_.at_pointer(pointer).get(element)) return "";
    return simdjson::minify(element);
  }
  std::vector<std::string> Keys(const std::string& pointer) const {
    std::vector<std::string> keys;
    simdjson::dom::object object;
    if (!valid_ || root_.at_pointer(pointer).get_object().get(object)) return keys;
    for (auto field : object) keys.emplace_back(field.key);
    return keys;
  }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::padded_string padded_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_INTEGRATION_JSON_UTIL_H_
