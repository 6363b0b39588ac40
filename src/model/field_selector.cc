#include "src/model/field_selector.h"

#include <algorithm>
#include <optional>

namespace connectivity::model {
namespace {

using Pointer = std::vector<std::string>;

// Parentheses nest at most this deep; deeper selectors are rejected rather than recursed into.
constexpr int kSelectorNestingMax = 32;

// Splits at commas that are not inside parentheses (Ditto's splitAroundComma).
std::vector<std::string_view> SplitAroundComma(std::string_view text) {
  std::vector<std::string_view> parts;
  int open_parentheses = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '(') {
      ++open_parentheses;
    } else if (open_parentheses > 0) {
      if (c == ')') --open_parentheses;
    } else if (c == ',') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Ditto's JsonPointer parsing: '/'-separated keys, empty keys ignored, "~0" decoded to "~".
// nullopt for consecutive slashes.
std::optional<Pointer> ParsePointer(std::string_view text) {
  if (text.find("//") != std::string_view::npos) return std::nullopt;
  Pointer pointer;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find('/', start), text.size());
    std::string_view key = text.substr(start, end - start);
    if (!key.empty()) {
      std::string decoded;
      for (size_t i = 0; i < key.size(); ++i) {
        decoded.push_back(key[i]);
        if (key[i] == '~' && i + 1 < key.size() && key[i + 1] == '0') ++i;
      }
      pointer.push_back(std::move(decoded));
    }
    start = end + 1;
  }
  return pointer;
}

bool ContainsPlaceholder(std::string_view text) {
  const size_t open = text.find("{{");
  return open != std::string_view::npos && text.find("}}", open + 2) != std::string_view::npos;
}

// An entry `root(...)`: it has a '(' before its first ')'.
bool IsParenthesizedEntry(std::string_view entry) {
  const size_t open = entry.find('(');
  const size_t close = entry.find(')');
  return open != std::string_view::npos && close != std::string_view::npos && open < close;
}

bool Flatten(std::string_view entry, int nesting, std::vector<Pointer>& out) {
  if (!IsParenthesizedEntry(entry) || ContainsPlaceholder(entry)) {
    std::optional<Pointer> pointer = ParsePointer(entry);
    if (!pointer) return false;
    out.push_back(std::move(*pointer));
    return true;
  }
  if (nesting >= kSelectorNestingMax) return false;
  const size_t open = entry.find('(');
  std::optional<Pointer> root = ParsePointer(entry.substr(0, open));
  if (!root) return false;
  // Like Ditto, drop the entry's last character, which is expected to be the closing ')'.
  std::string_view inner = entry.substr(open + 1, entry.size() - open - 2);
  for (std::string_view part : SplitAroundComma(inner)) {
    std::vector<Pointer> children;
    if (!Flatten(part, nesting + 1, children)) return false;
    for (Pointer& child : children) {
      Pointer combined = *root;
      combined.insert(combined.end(), child.begin(), child.end());
      out.push_back(std::move(combined));
    }
  }
  return true;
}

// Keeps the members of `object` selected by `pointers` (all non-empty), in the object's order.
// Recursion depth is bounded by the tree's depth (kJsonDepthMax).
JsonNode Select(const JsonNode& object, const std::vector<const Pointer*>& pointers,
                size_t depth) {
  JsonNode result = JsonNode::Object();
  for (size_t i = 0; i < object.keys.size(); ++i) {
    bool whole = false;
    std::vector<const Pointer*> deeper;
    for (const Pointer* pointer : pointers) {
      if ((*pointer)[depth] != object.keys[i]) continue;
      if (pointer->size() == depth + 1) {
        whole = true;
      } else {
        deeper.push_back(pointer);
      }
    }
    if (whole) {
      result.keys.push_back(object.keys[i]);
      result.items.push_back(object.items[i]);
    } else if (!deeper.empty() && object.items[i].IsObject()) {
      JsonNode selected = Select(object.items[i], deeper, depth + 1);
      if (!selected.keys.empty()) {
        result.keys.push_back(object.keys[i]);
        result.items.push_back(std::move(selected));
      }
    }
  }
  return result;
}

}  // namespace

std::variant<FieldSelector, DittoError> FieldSelector::Parse(std::string_view text) {
  if (text.empty()) return FieldSelectorInvalid(text);
  if (std::count(text.begin(), text.end(), '(') != std::count(text.begin(), text.end(), ')')) {
    return FieldSelectorInvalid(text);
  }
  std::vector<Pointer> flattened;
  for (std::string_view entry : SplitAroundComma(text)) {
    if (!Flatten(entry, 0, flattened)) return FieldSelectorInvalid(text);
  }
  std::vector<Pointer> pointers;
  for (Pointer& pointer : flattened) {
    if (pointer.empty()) continue;
    if (std::find(pointers.begin(), pointers.end(), pointer) != pointers.end()) continue;
    pointers.push_back(std::move(pointer));
  }
  return FieldSelector(std::move(pointers));
}

JsonNode FieldSelector::ApplyToTree(const JsonNode& object) const {
  if (!object.IsObject()) return JsonNode::Object();
  std::vector<const Pointer*> pointers;
  for (const Pointer& pointer : pointers_) pointers.push_back(&pointer);
  return Select(object, pointers, 0);
}

std::string FieldSelector::Apply(std::string_view json_object) const {
  auto parsed = ParseJsonTree(json_object);
  if (auto* tree = std::get_if<ParsedJson>(&parsed)) return ToCompactJson(ApplyToTree(tree->root));
  return "{}";
}

bool FieldSelector::Selects(std::string_view top_level_field) const {
  for (const Pointer& pointer : pointers_) {
    if (pointer.front() == top_level_field) return true;
  }
  return false;
}

}  // namespace connectivity::model
