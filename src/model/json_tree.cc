#include "src/model/json_tree.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <unordered_map>

#include "src/base/check.h"
#include "src/base/json_writer.h"
#include "src/model/model_limits.h"

namespace connectivity::model {
namespace {

namespace ondemand = simdjson::ondemand;

// Objects with at least this many members get a hash index for duplicate-key detection; smaller
// ones are scanned linearly, which is faster for the few members a connection object has.
constexpr size_t kObjectIndexThreshold = 32;

DittoError ParseFailure(simdjson::error_code error) {
  return JsonInvalid(std::string("Failed to parse JSON string: ") +
                     simdjson::error_message(error));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  if (i >= text.size() || !IsDigit(text[i])) return false;
  if (text[i] == '0') {
    ++i;
  } else {
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (i >= text.size() || !IsDigit(text[i])) return false;
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (i >= text.size() || !IsDigit(text[i])) return false;
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  return i == text.size();
}

std::string_view TrimTrailingWhitespace(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Walks an on-demand document depth-first and copies every value into a JsonNode. Every value is
// visited (nothing is skipped), so simdjson validates all of the input, and every string can be
// checked for U+0000.
class TreeBuilder {
 public:
  std::optional<DittoError> BuildValue(ondemand::value value, size_t depth, JsonNode& out);
  // `input` is the whole document text (to find trailing content after a number).
  std::optional<DittoError> BuildRootScalar(ondemand::document& document, std::string_view input,
                                            JsonNode& out);
  bool contains_nul_character() const { return contains_nul_character_; }

 private:
  std::optional<DittoError> CountNode();
  // `depth` of a container: 0 for the root, so kJsonDepthMax containers may nest.
  static std::optional<DittoError> CheckDepth(size_t depth);
  std::optional<DittoError> BuildObject(ondemand::value value, size_t depth, JsonNode& out);
  std::optional<DittoError> BuildArray(ondemand::value value, size_t depth, JsonNode& out);
  std::optional<DittoError> BuildNumber(std::string_view token, JsonNode& out);
  void NoteString(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) contains_nul_character_ = true;
  }

  size_t node_count_ = 0;
  bool contains_nul_character_ = false;
};

std::optional<DittoError> TreeBuilder::CountNode() {
  if (++node_count_ > kJsonNodeCountMax) {
    return JsonInvalid("The JSON has more values than the limit of " +
                       std::to_string(kJsonNodeCountMax) + ".");
  }
  return std::nullopt;
}

// `depth` of a container: 0 for the root, so kJsonDepthMax containers may nest.
std::optional<DittoError> TreeBuilderCheckDepth(size_t depth) {
  if (depth < kJsonDepthMax) return std::nullopt;
  return JsonInvalid("The JSON is nested deeper than the limit of " +
                     std::to_string(kJsonDepthMax) + " levels.");
}

std::optional<DittoError> TreeBuilder::CheckDepth(size_t depth) { return TreeBuilderCheckDepth(depth); }

std::optional<DittoError> TreeBuilder::BuildValue(ondemand::value value, size_t depth,
                                                  JsonNode& out) {
  if (auto error = CountNode()) return error;
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return ParseFailure(error);
  switch (type) {
    case ondemand::json_type::object:
      if (auto error = CheckDepth(depth)) return error;
      return BuildObject(value, depth, out);
    case ondemand::json_type::array:
      if (auto error = CheckDepth(depth)) return error;
      return BuildArray(value, depth, out);
    case ondemand::json_type::string: {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return ParseFailure(error);
      NoteString(text);
      out.kind = JsonKind::kString;
      out.text.assign(text);
      return std::nullopt;
    }
    case ondemand::json_type::number:
      return BuildNumber(value.raw_json_token(), out);
    case ondemand::json_type::boolean:
      out.kind = JsonKind::kBool;
      if (auto error = value.get_bool().get(out.boolean)) return ParseFailure(error);
      return std::nullopt;
    case ondemand::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return ParseFailure(error);
      if (!is_null) return ParseFailure(simdjson::N_ATOM_ERROR);
      out.kind = JsonKind::kNull;
      return std::nullopt;
    }
  }
  return ParseFailure(simdjson::INCORRECT_TYPE);
}

// Adds a member with Ditto's duplicate-key rule: the first position and the last value win.
// `index` maps names to positions once the object is large; its views point into `object.keys`
// and are rebuilt whenever that vector reallocates (moving short strings moves their characters).
void AddMember(JsonNode& object, std::string key, JsonNode value,
               std::unordered_map<std::string_view, size_t>& index) {
  size_t position = object.keys.size();
  if (object.keys.size() < kObjectIndexThreshold) {
    for (size_t i = 0; i < object.keys.size(); ++i) {
      if (object.keys[i] == key) position = i;
    }
  } else {
    if (index.empty()) {
      for (size_t i = 0; i < object.keys.size(); ++i) index.emplace(object.keys[i], i);
    }
    auto found = index.find(key);
    if (found != index.end()) position = found->second;
  }
  if (position < object.keys.size()) {
    object.items[position] = std::move(value);
    return;
  }
  const size_t capacity = object.keys.capacity();
  object.keys.push_back(std::move(key));
  object.items.push_back(std::move(value));
  if (index.empty()) return;
  if (object.keys.capacity() != capacity) {
    index.clear();
    for (size_t i = 0; i < object.keys.size(); ++i) index.emplace(object.keys[i], i);
  } else {
    index.emplace(object.keys.back(), object.keys.size() - 1);
  }
}

std::optional<DittoError> TreeBuilder::BuildObject(ondemand::value value, size_t depth,
                                                   JsonNode& out) {
  out.kind = JsonKind::kObject;
  ondemand::object object;
  if (auto error = value.get_object().get(object)) return ParseFailure(error);
  std::unordered_map<std::string_view, size_t> index;
  for (auto field_result : object) {
    ondemand::field field;
    if (auto error = std::move(field_result).get(field)) return ParseFailure(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return ParseFailure(error);
    NoteString(key);
    std::string key_copy(key);  // `key` dies with the next simdjson call
    JsonNode child;
    if (auto error = BuildValue(field.value(), depth + 1, child)) return error;
    AddMember(out, std::move(key_copy), std::move(child), index);
  }
  return std::nullopt;
}

std::optional<DittoError> TreeBuilder::BuildArray(ondemand::value value, size_t depth,
                                                  JsonNode& out) {
  out.kind = JsonKind::kArray;
  ondemand::array array;
  if (auto error = value.get_array().get(array)) return ParseFailure(error);
  for (auto element_result : array) {
    ondemand::value element;
    if (auto error = std::move(element_result).get(element)) return ParseFailure(error);
    out.items.emplace_back();
    if (auto error = BuildValue(element, depth + 1, out.items.back())) return error;
  }
  return std::nullopt;
}

std::optional<DittoError> TreeBuilder::BuildNumber(std::string_view token, JsonNode& out) {
  std::string_view text = TrimTrailingWhitespace(token);
  if (!IsJsonNumber(text)) return ParseFailure(simdjson::NUMBER_ERROR);
  out.kind = JsonKind::kNumber;
  out.text.assign(text);
  return std::nullopt;
}

// Copies a value of a simdjson DOM document (already parsed and validated) into a JsonNode, with
// TreeBuilder's rules: the same node count and depth limits with the same errors, Ditto's
// duplicate-key rule, U+0000 noted. A number keeps the text simdjson's minify writes for it, so
// the tree equals ParseJsonTree(simdjson::minify(element)), without writing and reparsing it.
class DomTreeBuilder {
 public:
  std::optional<DittoError> BuildValue(simdjson::dom::element value, size_t depth, JsonNode& out);
  bool contains_nul_character() const { return contains_nul_character_; }

 private:
  std::optional<DittoError> BuildObject(simdjson::dom::object object, size_t depth, JsonNode& out);
  std::optional<DittoError> BuildArray(simdjson::dom::array array, size_t depth, JsonNode& out);
  void NoteString(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) contains_nul_character_ = true;
  }

  size_t node_count_ = 0;
  bool contains_nul_character_ = false;
};

std::optional<DittoError> DomTreeBuilder::BuildValue(simdjson::dom::element value, size_t depth,
                                                     JsonNode& out) {
  if (++node_count_ > kJsonNodeCountMax) {
    return JsonInvalid("The JSON has more values than the limit of " +
                       std::to_string(kJsonNodeCountMax) + ".");
  }
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      if (auto error = TreeBuilderCheckDepth(depth)) return error;
      return BuildObject(value.get_object().value_unsafe(), depth, out);
    case element_type::ARRAY:
      if (auto error = TreeBuilderCheckDepth(depth)) return error;
      return BuildArray(value.get_array().value_unsafe(), depth, out);
    case element_type::STRING: {
      const std::string_view text = value.get_string().value_unsafe();
      NoteString(text);
      out.kind = JsonKind::kString;
      out.text.assign(text);
      return std::nullopt;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      out.kind = JsonKind::kNumber;
      out.text = simdjson::minify(value);
      return std::nullopt;
    case element_type::BOOL:
      out.kind = JsonKind::kBool;
      out.boolean = value.get_bool().value_unsafe();
      return std::nullopt;
    case element_type::NULL_VALUE:
      out.kind = JsonKind::kNull;
      return std::nullopt;
  }
  return ParseFailure(simdjson::INCORRECT_TYPE);
}

std::optional<DittoError> DomTreeBuilder::BuildObject(simdjson::dom::object object, size_t depth,
                                                      JsonNode& out) {
  out.kind = JsonKind::kObject;
  out.keys.reserve(object.size());
  out.items.reserve(object.size());
  std::unordered_map<std::string_view, size_t> index;
  for (const simdjson::dom::key_value_pair field : object) {
    NoteString(field.key);
    JsonNode child;
    if (auto error = BuildValue(field.value, depth + 1, child)) return error;
    AddMember(out, std::string(field.key), std::move(child), index);
  }
  return std::nullopt;
}

std::optional<DittoError> DomTreeBuilder::BuildArray(simdjson::dom::array array, size_t depth,
                                                     JsonNode& out) {
  out.kind = JsonKind::kArray;
  out.items.reserve(array.size());
  for (const simdjson::dom::element element : array) {
    out.items.emplace_back();
    if (auto error = BuildValue(element, depth + 1, out.items.back())) return error;
  }
  return std::nullopt;
}

// simdjson treats a scalar document specially (it cannot become an ondemand::value).
std::optional<DittoError> TreeBuilder::BuildRootScalar(ondemand::document& document,
                                                       std::string_view input, JsonNode& out) {
  if (auto error = CountNode()) return error;
  ondemand::json_type type;
  if (auto error = document.type().get(type)) return ParseFailure(error);
  if (type == ondemand::json_type::string) {
    std::string_view text;
    if (auto error = document.get_string().get(text)) return ParseFailure(error);
    NoteString(text);
    out = JsonNode::String(std::string(text));
    return std::nullopt;
  }
  if (type == ondemand::json_type::boolean) {
    out.kind = JsonKind::kBool;
    if (auto error = document.get_bool().get(out.boolean)) return ParseFailure(error);
    return std::nullopt;
  }
  if (type == ondemand::json_type::null) {
    bool is_null = false;
    if (auto error = document.is_null().get(is_null)) return ParseFailure(error);
    if (!is_null) return ParseFailure(simdjson::N_ATOM_ERROR);
    out.kind = JsonKind::kNull;
    return std::nullopt;
  }
  // A number document: the whole text must be one number (simdjson's root-number parsing would
  // refuse numbers that it cannot represent, which nested numbers may be).
  std::string_view token = document.raw_json_token();
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t' ||
                            token.front() == '\n' || token.front() == '\r')) {
    token.remove_prefix(1);
  }
  if (token.data() + token.size() != input.data() + input.size()) {
    return ParseFailure(simdjson::TRAILING_CONTENT);
  }
  return BuildNumber(token, out);
}

// Every node's tree is bounded by kJsonDepthMax, so this recursion is bounded too.
void AppendNode(std::string& out, const JsonNode& node) {
  switch (node.kind) {
    case JsonKind::kNull:
      out.append("null");
      return;
    case JsonKind::kBool:
      out.append(node.boolean ? "true" : "false");
      return;
    case JsonKind::kNumber:
      out.append(node.text);
      return;
    case JsonKind::kString:
      AppendJsonString(out, node.text);
      return;
    case JsonKind::kArray:
      out.push_back('[');
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendNode(out, node.items[i]);
      }
      out.push_back(']');
      return;
    case JsonKind::kObject:
      out.push_back('{');
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(out, node.keys[i]);
        out.push_back(':');
        AppendNode(out, node.items[i]);
      }
      out.push_back('}');
      return;
  }
}

}  // namespace

const JsonNode* JsonNode::Find(std::string_view key) const {
  if (kind != JsonKind::kObject) return nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

JsonNode* JsonNode::Find(std::string_view key) {
  return const_cast<JsonNode*>(static_cast<const JsonNode*>(this)->Find(key));
}

void JsonNode::Set(std::string_view key, JsonNode value) {
  CHECK(kind == JsonKind::kObject, "Set() needs an object");
  if (JsonNode* existing = Find(key)) {
    *existing = std::move(value);
    return;
  }
  keys.emplace_back(key);
  items.push_back(std::move(value));
}

void JsonNode::Remove(std::string_view key) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) {
      keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(i));
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

JsonNode JsonNode::String(std::string value) {
  JsonNode node;
  node.kind = JsonKind::kString;
  node.text = std::move(value);
  return node;
}

JsonNode JsonNode::Object() {
  JsonNode node;
  node.kind = JsonKind::kObject;
  return node;
}

JsonNode JsonNode::Array() {
  JsonNode node;
  node.kind = JsonKind::kArray;
  return node;
}

std::variant<ParsedJson, DittoError> ParseJsonTree(std::string_view json) {
  if (json.size() > kConnectionJsonBytesMax) {
    return JsonInvalid("The JSON is larger than the limit of " +
                       std::to_string(kConnectionJsonBytesMax) + " bytes.");
  }
  // One parser per thread: a parser is not thread-safe, and reusing it keeps its buffers warm.
  thread_local ondemand::parser parser;
  simdjson::padded_string padded(json);
  ondemand::document document;
  if (auto error = parser.iterate(padded).get(document)) return ParseFailure(error);

  TreeBuilder builder;
  ParsedJson parsed;
  bool is_scalar = false;
  if (auto error = document.is_scalar().get(is_scalar)) return ParseFailure(error);
  if (is_scalar) {
    if (auto error = builder.BuildRootScalar(document, padded, parsed.root)) return *error;
    if (parsed.root.IsString()) {
      // simdjson does not look past a root string for trailing content.
      const char* location = nullptr;
      if (document.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
        return ParseFailure(simdjson::TRAILING_CONTENT);
      }
    }
  } else {
    ondemand::value root;
    if (auto error = document.get_value().get(root)) return ParseFailure(error);
    if (auto error = builder.BuildValue(root, 0, parsed.root)) return *error;
    const char* location = nullptr;
    auto location_error = document.current_location().get(location);
    if (location_error != simdjson::OUT_OF_BOUNDS) return ParseFailure(simdjson::TRAILING_CONTENT);
  }
  parsed.contains_nul_character = builder.contains_nul_character();
  return parsed;
}

std::variant<ParsedJson, DittoError> JsonTreeFromDom(const simdjson::dom::element& element) {
  DomTreeBuilder builder;
  ParsedJson parsed;
  if (auto error = builder.BuildValue(element, 0, parsed.root)) return *error;
  parsed.contains_nul_character = builder.contains_nul_character();
  return parsed;
}

bool ContainsNulCharacter(const JsonNode& node) {
  if (node.text.find('\0') != std::string::npos) return true;
  for (const std::string& key : node.keys) {
    if (key.find('\0') != std::string::npos) return true;
  }
  for (const JsonNode& item : node.items) {
    if (ContainsNulCharacter(item)) return true;
  }
  return false;
}

void AppendCompactJson(std::string& out, const JsonNode& node) { AppendNode(out, node); }

std::string ToCompactJson(const JsonNode& node) {
  std::string out;
  AppendNode(out, node);
  return out;
}

std::optional<int64_t> JsonIntegerValue(const JsonNode& node) {
  if (node.kind != JsonKind::kNumber) return std::nullopt;
  const char* begin = node.text.data();
  const char* end = begin + node.text.size();
  if (node.text.find_first_of(".eE") == std::string::npos) {
    int64_t value = 0;
    auto [pointer, error] = std::from_chars(begin, end, value);
    if (error != std::errc() || pointer != end) return std::nullopt;
    return value;
  }
  double value = 0;
  auto [pointer, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || pointer != end || !std::isfinite(value)) return std::nullopt;
  // 2^63 is exactly representable; anything at or beyond it does not fit int64.
  if (value != std::trunc(value) || value < -9223372036854775808.0 ||
      value >= 9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

}  // namespace connectivity::model
