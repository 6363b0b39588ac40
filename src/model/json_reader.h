// JsonReader: typed access to the members of one JSON object, with Ditto's rules and errors.
//
// As Ditto's JsonObject#getValue(fieldDefinition): a member that is absent or JSON null has no
// value; a member of another JSON type is a json.invalid error naming the member's full JSON
// pointer and the expected type (JsonFieldTypeInvalid); a required member without a value is
// json.field.missing naming the pointer relative to this object, as Ditto does
// ("JSON did not include required </address> field!").
//
// Internal to the model library.
#ifndef CONNECTIVITY_MODEL_JSON_READER_H_
#define CONNECTIVITY_MODEL_JSON_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/model/json_tree.h"

// Returns early from a function returning std::optional<DittoError>.
#define MODEL_RETURN_IF_ERROR(expression)                           \
  do {                                                              \
    if (auto model_error_ = (expression)) return model_error_;      \
  } while (0)

namespace connectivity::model {

using MaybeError = std::optional<DittoError>;

class JsonReader {
 public:
  // `object` must outlive the reader. `pointer` is the object's own JSON pointer ("" for the
  // document root, e.g. "/sources/0" for the first source).
  JsonReader(const JsonNode& object, std::string pointer)
      : object_(object), pointer_(std::move(pointer)) {}

  // The member's value; nullptr if absent or JSON null.
  const JsonNode* Get(std::string_view key) const;
  // True if the member is present, even as JSON null.
  bool Contains(std::string_view key) const { return object_.Find(key) != nullptr; }
  std::string PointerOf(std::string_view key) const;
  const std::string& pointer() const { return pointer_; }

  MaybeError String(std::string_view key, std::optional<std::string>& out) const;
  MaybeError RequiredString(std::string_view key, std::string& out) const;
  MaybeError Bool(std::string_view key, std::optional<bool>& out) const;
  MaybeError RequiredBool(std::string_view key, bool& out) const;
  // A JSON number with an integral value in the int32 range (Ditto's `int` fields).
  MaybeError Int32(std::string_view key, std::optional<int32_t>& out) const;
  // `out` is nullptr if the member has no value.
  MaybeError Array(std::string_view key, const JsonNode*& out) const;
  MaybeError Object(std::string_view key, const JsonNode*& out) const;
  MaybeError RequiredObject(std::string_view key, const JsonNode*& out) const;

 private:
  MaybeError TypeError(std::string_view key, std::string_view expected_type) const;

  const JsonNode& object_;
  std::string pointer_;
};

// Reads the string elements of an array. `strict`: a non-string element is an error (Ditto calls
// asString() on it); otherwise non-strings are skipped (Ditto filters them). `as_set`: duplicates
// are dropped, first occurrence kept.
MaybeError ReadStringArray(const JsonNode& array, const std::string& pointer, bool strict,
                           bool as_set, std::vector<std::string>& out);

// Reads an object of strings. `coerce`: non-string values become their compact JSON text (Ditto's
// specificConfig and mapping conditions); otherwise they are dropped (Ditto's header mappings).
void ReadStringMap(const JsonNode& object, bool coerce, StringMap& out);

// Appends to `out` unless an equal element is already there.
template <typename T>
void AppendUnique(std::vector<T>& out, T value) {
  for (const T& existing : out) {
    if (existing == value) return;
  }
  out.push_back(std::move(value));
}

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_JSON_READER_H_
