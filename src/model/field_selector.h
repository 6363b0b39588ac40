// FieldSelector: Ditto's JSON field selector, as used by `GET ...?fields=` and the piggyback
// `selectedFields` (REF §2 row 3, §3.9), e.g. `id,_revision`, `sources/0`, `a(b,c/d),e`.
//
// Grammar (Ditto's ImmutableJsonFieldSelectorFactory): top-level comma-separated entries; an entry
// `root(x,y)` selects `root/x` and `root/y` (nested as deep as written); every other entry is a
// slash-separated JSON pointer (empty segments ignored, `~0` means `~`). Invalid: an empty
// selector, unbalanced parentheses, consecutive slashes (Ditto: json.pointer.invalid; here the one
// code json.fieldselector.invalid). The text is taken as given: URL decoding is the HTTP layer's.
//
// Applying a selector keeps the object's own member order (REF §3.9 prints `_modified` before
// `_created` for `fields=...,_created,_modified`), not the selector's; missing fields are skipped.
#ifndef CONNECTIVITY_MODEL_FIELD_SELECTOR_H_
#define CONNECTIVITY_MODEL_FIELD_SELECTOR_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/model/errors.h"
#include "src/model/json_tree.h"

namespace connectivity::model {

class FieldSelector {
 public:
  // json.fieldselector.invalid (400) on bad input.
  static std::variant<FieldSelector, DittoError> Parse(std::string_view text);

  // Keeps only the selected pointers of a JSON object text. REQUIRES: `json_object` is a JSON
  // object (this service's own output); anything else yields "{}".
  std::string Apply(std::string_view json_object) const;
  // The same on a parsed tree; a non-object yields an empty object.
  JsonNode ApplyToTree(const JsonNode& object) const;

  // True if some pointer starts with `top_level_field`, e.g. whether "_revision" is selected.
  bool Selects(std::string_view top_level_field) const;

  // The distinct pointers in selector order, each as its list of keys.
  const std::vector<std::vector<std::string>>& pointers() const { return pointers_; }

 private:
  explicit FieldSelector(std::vector<std::vector<std::string>> pointers)
      : pointers_(std::move(pointers)) {}

  std::vector<std::vector<std::string>> pointers_;
};

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_FIELD_SELECTOR_H_
