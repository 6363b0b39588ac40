#include "src/model/json_reader.h"

#include <limits>

namespace connectivity::model {

const JsonNode* JsonReader::Get(std::string_view key) const {
  const JsonNode* value = object_.Find(key);
  if (value == nullptr || value->IsNull()) return nullptr;
  return value;
}

std::string JsonReader::PointerOf(std::string_view key) const {
  std::string pointer = pointer_;
  pointer.push_back('/');
  pointer.append(key);
  return pointer;
}

MaybeError JsonReader::TypeError(std::string_view key, std::string_view expected_type) const {
  return JsonFieldTypeInvalid(PointerOf(key), expected_type);
}

MaybeError JsonReader::String(std::string_view key, std::optional<std::string>& out) const {
  const JsonNode* value = Get(key);
  if (value == nullptr) return std::nullopt;
  if (!value->IsString()) return TypeError(key, "String");
  out = value->text;
  return std::nullopt;
}

MaybeError JsonReader::RequiredString(std::string_view key, std::string& out) const {
  std::optional<std::string> value;
  MODEL_RETURN_IF_ERROR(String(key, value));
  if (!value) return JsonFieldMissing("/" + std::string(key));
  out = std::move(*value);
  return std::nullopt;
}

MaybeError JsonReader::Bool(std::string_view key, std::optional<bool>& out) const {
  const JsonNode* value = Get(key);
  if (value == nullptr) return std::nullopt;
  if (value->kind != JsonKind::kBool) return TypeError(key, "boolean");
  out = value->boolean;
  return std::nullopt;
}

MaybeError JsonReader::RequiredBool(std::string_view key, bool& out) const {
  std::optional<bool> value;
  MODEL_RETURN_IF_ERROR(Bool(key, value));
  if (!value) return JsonFieldMissing("/" + std::string(key));
  out = *value;
  return std::nullopt;
}

MaybeError JsonReader::Int32(std::string_view key, std::optional<int32_t>& out) const {
  const JsonNode* value = Get(key);
  if (value == nullptr) return std::nullopt;
  std::optional<int64_t> integer = JsonIntegerValue(*value);
  if (!integer || *integer < std::numeric_limits<int32_t>::min() ||
      *integer > std::numeric_limits<int32_t>::max()) {
    return TypeError(key, "int");
  }
  out = static_cast<int32_t>(*integer);
  return std::nullopt;
}

MaybeError JsonReader::Array(std::string_view key, const JsonNode*& out) const {
  out = Get(key);
  if (out != nullptr && !out->IsArray()) return TypeError(key, "JsonArray");
  return std::nullopt;
}

MaybeError JsonReader::Object(std::string_view key, const JsonNode*& out) const {
  out = Get(key);
  if (out != nullptr && !out->IsObject()) return TypeError(key, "JsonObject");
  return std::nullopt;
}

MaybeError JsonReader::RequiredObject(std::string_view key, const JsonNode*& out) const {
  MODEL_RETURN_IF_ERROR(Object(key, out));
  if (out == nullptr) return JsonFieldMissing("/" + std::string(key));
  return std::nullopt;
}

MaybeError ReadStringArray(const JsonNode& array, const std::string& pointer, bool strict,
                           bool as_set, std::vector<std::string>& out) {
  for (size_t i = 0; i < array.items.size(); ++i) {
    const JsonNode& element = array.items[i];
    if (!element.IsString()) {
      if (strict) return JsonFieldTypeInvalid(pointer + "/" + std::to_string(i), "String");
      continue;
    }
    if (as_set) {
      AppendUnique(out, element.text);
    } else {
      out.push_back(element.text);
    }
  }
  return std::nullopt;
}

void ReadStringMap(const JsonNode& object, bool coerce, StringMap& out) {
  // The tree's keys are unique already, so the map can be appended to (if it started empty).
  const bool append = out.empty();
  for (size_t i = 0; i < object.keys.size(); ++i) {
    const JsonNode& value = object.items[i];
    if (!value.IsString() && !coerce) continue;
    std::string text = value.IsString() ? value.text : ToCompactJson(value);
    if (append) {
      out.emplace_back(object.keys[i], std::move(text));
    } else {
      SetInStringMap(out, object.keys[i], std::move(text));
    }
  }
}

}  // namespace connectivity::model
