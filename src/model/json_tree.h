// JsonNode: a small owned JSON tree, built from text with simdjson's on-demand API.
//
// Why a tree: Ditto reads a connection through random-access lookups on its own JSON objects
// (`getValue(field)`, last duplicate key wins) and reports the first problem in the order its
// builder asks for fields, not in document order. Decoding the text once into this tree lets the
// model parser ask for fields in Ditto's order, and lets the field selector and the test helpers
// filter and rewrite JSON without a second JSON library.
//
// Semantics (as Ditto's JSON library): a duplicate member name keeps the position of its first
// occurrence and the value of its last. Numbers keep the text they were written with. Every string
// is unescaped UTF-8.
//
// Limits (model_limits.h): nesting depth, node count and input size are bounded; passing one gives
// a 400 json.invalid, never a crash. Recursion over a tree is therefore bounded by kJsonDepthMax.
//
// Thread safety: ParseJsonTree uses one simdjson parser per thread; trees are plain values.
#ifndef CONNECTIVITY_MODEL_JSON_TREE_H_
#define CONNECTIVITY_MODEL_JSON_TREE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/model/errors.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace connectivity::model {

enum class JsonKind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

struct JsonNode {
  JsonKind kind = JsonKind::kNull;
  bool boolean = false;
  // The unescaped value of a string, or the text of a number as written (e.g. "1.50").
  std::string text;
  // Elements of an array, or the member values of an object (parallel to `keys`).
  std::vector<JsonNode> items;
  // Member names of an object, in document order (first occurrence).
  std::vector<std::string> keys;

  bool IsNull() const { return kind == JsonKind::kNull; }
  bool IsString() const { return kind == JsonKind::kString; }
  bool IsObject() const { return kind == JsonKind::kObject; }
  bool IsArray() const { return kind == JsonKind::kArray; }

  // Object member lookup; nullptr if absent or if this is not an object.
  const JsonNode* Find(std::string_view key) const;
  JsonNode* Find(std::string_view key);
  // Sets an object member: replaces the value in place, or appends a new member.
  void Set(std::string_view key, JsonNode value);
  // Removes an object member if present.
  void Remove(std::string_view key);

  static JsonNode String(std::string value);
  static JsonNode Object();
  static JsonNode Array();
};

struct ParsedJson {
  JsonNode root;
  // True if any key or string value contains U+0000 (Ditto rejects such entities, but only after
  // the model has been parsed; the caller decides when to report it).
  bool contains_nul_character = false;
};

// Parses JSON text (any size up to kConnectionJsonBytesMax; no padding needed, the text is copied
// into a padded buffer). Malformed JSON, trailing content or a passed limit give json.invalid with
// a message that never quotes the input.
std::variant<ParsedJson, DittoError> ParseJsonTree(std::string_view json);

// The tree of a value in a document already parsed with simdjson's DOM API (e.g. the piggyback
// command's `connection` member): equal to ParseJsonTree(simdjson::minify(element)), limits and
// errors included, but without writing the member out and parsing it a second time. The size limit
// (kConnectionJsonBytesMax) is the caller's: the text was parsed already.
std::variant<ParsedJson, DittoError> JsonTreeFromDom(const simdjson::dom::element& element);

// True if any key or string in the tree contains U+0000.
bool ContainsNulCharacter(const JsonNode& node);

// Appends the compact JSON text of `node` (members in tree order, numbers as written).
void AppendCompactJson(std::string& out, const JsonNode& node);
std::string ToCompactJson(const JsonNode& node);

// The value of an integral JSON number that fits int64 (`2`, `2.0` and `2e0` all count, as in
// Ditto's JSON library); nullopt for non-numbers, fractions and out-of-range values.
std::optional<int64_t> JsonIntegerValue(const JsonNode& node);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_JSON_TREE_H_
