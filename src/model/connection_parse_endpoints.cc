// Sources and targets of a connection (REF §3.4, §3.5), read as Ditto's ImmutableSource#fromJson
// and ImmutableTarget#fromJson do.
#include <cctype>

#include "src/model/connection_parse_internal.h"
#include "src/model/topic.h"

namespace connectivity::model {
namespace {

bool IsLabelCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == ':';
}

bool IsJavaWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r';
}

// Consumes `{{ name:name }}:` at the start of `label`; false if the prefix is malformed.
bool ConsumePlaceholderPrefix(std::string_view& label) {
  size_t i = 2;  // after "{{"
  while (i < label.size() && IsJavaWhitespace(label[i])) ++i;
  for (int part = 0; part < 2; ++part) {
    const size_t start = i;
    while (i < label.size() && label[i] >= 'a' && label[i] <= 'z') ++i;
    if (i == start) return false;
    if (part == 0) {
      if (i >= label.size() || label[i] != ':') return false;
      ++i;
    }
  }
  while (i < label.size() && IsJavaWhitespace(label[i])) ++i;
  if (label.substr(i, 3) != "}}:") return false;
  label.remove_prefix(i + 3);
  return true;
}

MaybeError ParseAcknowledgementLabel(const std::string& label) {
  if (!IsValidAcknowledgementLabel(label)) return AcknowledgementLabelInvalid(label);
  return std::nullopt;
}

MaybeError ParseEnforcement(const JsonReader& reader, Enforcement& out) {
  const JsonNode* filters = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Array("filters", filters));
  if (filters != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*filters, reader.PointerOf("filters"), /*strict=*/true,
                                          /*as_set=*/true, out.filters));
  }
  return reader.RequiredString("input", out.input);
}

MaybeError ParseAcknowledgementRequests(const JsonReader& reader, AcknowledgementRequests& out) {
  const JsonNode* includes = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Array("includes", includes));
  if (includes != nullptr) {
    std::vector<std::string> labels;
    MODEL_RETURN_IF_ERROR(ReadStringArray(*includes, reader.PointerOf("includes"),
                                          /*strict=*/false, /*as_set=*/true, labels));
    for (const std::string& label : labels) MODEL_RETURN_IF_ERROR(ParseAcknowledgementLabel(label));
    out.includes = std::move(labels);
  }
  return reader.String("filter", out.filter);
}

std::optional<ResponseType> ParseResponseType(std::string_view name) {
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "response") return ResponseType::kResponse;
  if (lower == "error") return ResponseType::kError;
  if (lower == "nack") return ResponseType::kNack;
  return std::nullopt;
}

// A reply target without `address` is ignored (Ditto's ImmutableReplyTarget#fromJsonOptional).
MaybeError ParseReplyTarget(const JsonReader& reader, std::optional<ReplyTarget>& out) {
  std::optional<std::string> address;
  MODEL_RETURN_IF_ERROR(reader.String("address", address));
  if (!address) return std::nullopt;
  ReplyTarget reply_target;
  reply_target.address = std::move(*address);
  const JsonNode* header_mapping = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Object("headerMapping", header_mapping));
  if (header_mapping != nullptr) ReadStringMap(*header_mapping, false, reply_target.header_mapping);
  const JsonNode* types = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Array("expectedResponseTypes", types));
  if (types != nullptr) {
    std::vector<std::string> names;
    MODEL_RETURN_IF_ERROR(ReadStringArray(*types, reader.PointerOf("expectedResponseTypes"),
                                          /*strict=*/true, /*as_set=*/false, names));
    reply_target.expected_response_types.clear();
    for (const std::string& name : names) {
      if (auto type = ParseResponseType(name)) {
        AppendUnique(reply_target.expected_response_types, *type);
      }
    }
  }
  out = std::move(reply_target);
  return std::nullopt;
}

// Ditto reads `replyTarget/enabled` through a JSON pointer, before `replyTarget` itself.
MaybeError ParseSourceReplyTarget(const JsonReader& reader, Source& out) {
  const JsonNode* reply_target = reader.Get("replyTarget");
  if (reply_target != nullptr && reply_target->IsObject()) {
    JsonReader reply_reader(*reply_target, reader.PointerOf("replyTarget"));
    std::optional<bool> enabled;
    MODEL_RETURN_IF_ERROR(reply_reader.Bool("enabled", enabled));
    out.reply_target_enabled = enabled.value_or(true);
  }
  MODEL_RETURN_IF_ERROR(reader.Object("replyTarget", reply_target));
  if (reply_target == nullptr) return std::nullopt;
  return ParseReplyTarget(JsonReader(*reply_target, reader.PointerOf("replyTarget")),
                          out.reply_target);
}

// Ditto formats every element as a string (JSON text for non-strings) and then checks it.
MaybeError ParseDeclaredAcks(const JsonNode& array, Source& out) {
  for (const JsonNode& element : array.items) {
    std::string label = element.IsString() ? element.text : ToCompactJson(element);
    MODEL_RETURN_IF_ERROR(ParseAcknowledgementLabel(label));
    AppendUnique(out.declared_acks, std::move(label));
  }
  return std::nullopt;
}

MaybeError ParseSource(const JsonReader& reader, Source& out) {
  const JsonNode* node = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Array("addresses", node));
  if (node != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*node, reader.PointerOf("addresses"), /*strict=*/true,
                                          /*as_set=*/true, out.addresses));
  }
  std::optional<int32_t> consumer_count;
  MODEL_RETURN_IF_ERROR(reader.Int32("consumerCount", consumer_count));
  out.consumer_count = consumer_count.value_or(1);
  MODEL_RETURN_IF_ERROR(reader.Int32("qos", out.qos));
  MODEL_RETURN_IF_ERROR(reader.Array("authorizationContext", node));
  if (node != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*node, reader.PointerOf("authorizationContext"),
                                          /*strict=*/false, /*as_set=*/false,
                                          out.authorization_context));
  }
  MODEL_RETURN_IF_ERROR(reader.Object("enforcement", node));
  if (node != nullptr) {
    out.enforcement.emplace();
    MODEL_RETURN_IF_ERROR(
        ParseEnforcement(JsonReader(*node, reader.PointerOf("enforcement")), *out.enforcement));
  }
  MODEL_RETURN_IF_ERROR(reader.Object("acknowledgementRequests", node));
  if (node != nullptr) {
    out.acknowledgement_requests.emplace();
    MODEL_RETURN_IF_ERROR(ParseAcknowledgementRequests(
        JsonReader(*node, reader.PointerOf("acknowledgementRequests")),
        *out.acknowledgement_requests));
  }
  MODEL_RETURN_IF_ERROR(reader.Object("headerMapping", node));
  if (node != nullptr) ReadStringMap(*node, /*coerce=*/false, out.header_mapping);
  MODEL_RETURN_IF_ERROR(reader.Array("payloadMapping", node));
  if (node != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*node, reader.PointerOf("payloadMapping"),
                                          /*strict=*/false, /*as_set=*/false,
                                          out.payload_mapping));
  }
  MODEL_RETURN_IF_ERROR(ParseSourceReplyTarget(reader, out));
  MODEL_RETURN_IF_ERROR(reader.Array("declaredAcks", node));
  if (node != nullptr) MODEL_RETURN_IF_ERROR(ParseDeclaredAcks(*node, out));
  return std::nullopt;
}

MaybeError ParseTopics(const JsonNode& array, const std::string& pointer, Target& out) {
  std::vector<std::string> texts;
  MODEL_RETURN_IF_ERROR(
      ReadStringArray(array, pointer, /*strict=*/true, /*as_set=*/false, texts));
  for (const std::string& text : texts) {
    auto topic = ParseFilteredTopic(text);
    if (auto* error = std::get_if<DittoError>(&topic)) return std::move(*error);
    AppendUnique(out.topics, std::get<FilteredTopic>(std::move(topic)));
  }
  return std::nullopt;
}

MaybeError ParseTarget(const JsonReader& reader, Target& out) {
  const JsonNode* node = nullptr;
  MODEL_RETURN_IF_ERROR(reader.Array("topics", node));
  if (node != nullptr) MODEL_RETURN_IF_ERROR(ParseTopics(*node, reader.PointerOf("topics"), out));
  MODEL_RETURN_IF_ERROR(reader.Array("authorizationContext", node));
  if (node != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*node, reader.PointerOf("authorizationContext"),
                                          /*strict=*/false, /*as_set=*/false,
                                          out.authorization_context));
  }
  MODEL_RETURN_IF_ERROR(reader.String("issuedAcknowledgementLabel",
                                      out.issued_acknowledgement_label));
  if (out.issued_acknowledgement_label) {
    MODEL_RETURN_IF_ERROR(ParseAcknowledgementLabel(*out.issued_acknowledgement_label));
  }
  MODEL_RETURN_IF_ERROR(reader.Object("headerMapping", node));
  if (node != nullptr) ReadStringMap(*node, /*coerce=*/false, out.header_mapping);
  MODEL_RETURN_IF_ERROR(reader.Array("payloadMapping", node));
  if (node != nullptr) {
    MODEL_RETURN_IF_ERROR(ReadStringArray(*node, reader.PointerOf("payloadMapping"),
                                          /*strict=*/false, /*as_set=*/false,
                                          out.payload_mapping));
  }
  MODEL_RETURN_IF_ERROR(reader.RequiredString("address", out.address));
  return reader.Int32("qos", out.qos);
}

}  // namespace

bool IsValidAcknowledgementLabel(std::string_view label) {
  if (label.substr(0, 2) == "{{" && !ConsumePlaceholderPrefix(label)) return false;
  if (label.size() < 3 || label.size() > 165) return false;
  for (char c : label) {
    if (!IsLabelCharacter(c)) return false;
  }
  return true;
}

// Non-object elements are skipped but keep their index (Ditto's AbstractConnection#getSources).
MaybeError ParseSources(const JsonReader& connection, std::vector<Source>& out) {
  const JsonNode* sources = nullptr;
  MODEL_RETURN_IF_ERROR(connection.Array("sources", sources));
  if (sources == nullptr) return std::nullopt;
  for (size_t i = 0; i < sources->items.size(); ++i) {
    if (!sources->items[i].IsObject()) continue;
    Source source;
    source.index = static_cast<int32_t>(i);
    JsonReader reader(sources->items[i], connection.PointerOf("sources") + "/" + std::to_string(i));
    MODEL_RETURN_IF_ERROR(ParseSource(reader, source));
    out.push_back(std::move(source));
  }
  return std::nullopt;
}

MaybeError ParseTargets(const JsonReader& connection, std::vector<Target>& out) {
  const JsonNode* targets = nullptr;
  MODEL_RETURN_IF_ERROR(connection.Array("targets", targets));
  if (targets == nullptr) return std::nullopt;
  for (size_t i = 0; i < targets->items.size(); ++i) {
    if (!targets->items[i].IsObject()) continue;
    Target target;
    JsonReader reader(targets->items[i], connection.PointerOf("targets") + "/" + std::to_string(i));
    MODEL_RETURN_IF_ERROR(ParseTarget(reader, target));
    out.push_back(std::move(target));
  }
  return std::nullopt;
}

}  // namespace connectivity::model
