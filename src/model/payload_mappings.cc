// Payload mapping references (Ditto's AbstractProtocolValidator#validatePayloadMappings,
// DefaultMessageMapperFactory#registryOf, DefaultMessageMapperRegistry#validatePayloadMapping).
//
// Ditto instantiates a mapper per mapping definition; one whose engine is unknown, or whose
// configuration is incomplete (MessageMapperConfigurationInvalidException), is silently left out.
// A JavaScript mapper with a script over the size limit fails the whole validation. Then every
// `payloadMapping` id of a source or target must name an instantiated definition or one of the
// built-in mappers that need no configuration.
#include <algorithm>
#include <array>

#include "src/model/java_compat.h"
#include "src/model/json_tree.h"
#include "src/model/placeholders.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

// The built-in mappers that are usable without a definition (isConfigurationMandatory false).
constexpr std::array<std::string_view, 5> kFallbackMappers = {
    "Ditto", "Normalized", "RawMessage", "UpdateTwinWithLiveResponse", "CloudEvents"};

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWord(char c) { return IsLetter(c) || (c >= '0' && c <= '9') || c == '_'; }

// RegexPatterns#ID_REGEX: a namespace (empty or `[a-zA-Z]\w*([.-][a-zA-Z]\w*)*`), ':', a name
// without control characters (U+0000-U+001F, U+007F-U+00FF) and '/'.
bool IsValidThingId(std::string_view id) {
  const size_t colon = id.find(':');
  if (colon == std::string_view::npos || colon + 1 == id.size()) return false;
  const std::string_view ns = id.substr(0, colon);
  for (size_t i = 0; i < ns.size(); ++i) {
    const bool segment_start = i == 0 || ns[i - 1] == '.' || ns[i - 1] == '-';
    if (segment_start ? !IsLetter(ns[i]) : !(IsWord(ns[i]) || ns[i] == '.' || ns[i] == '-')) return false;
  }
  if (!ns.empty() && (ns.back() == '.' || ns.back() == '-')) return false;
  const std::string_view name = id.substr(colon + 1);
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F || c == '/') return false;
    if (c == 0xC2 || c == 0xC3) return false;  // UTF-8 lead bytes of U+0080-U+00FF
  }
  return true;
}

const JsonNode* StringOption(const JsonNode& options, std::string_view key) {
  const JsonNode* value = options.Find(key);
  return value != nullptr && value->IsString() ? value : nullptr;
}

// ConnectionStatusMessageMapper: `thingId`, a placeholder or a valid Thing ID.
bool ConnectionStatusConfigures(const JsonNode& options) {
  const JsonNode* thing_id = StringOption(options, "thingId");
  return thing_id != nullptr && (ContainsPlaceholder(thing_id->text) || IsValidThingId(thing_id->text));
}

// ImplicitThingCreationMessageMapper: a `thing` template with a `thingId`.
bool ImplicitThingCreationConfigures(const JsonNode& options) {
  const JsonNode* thing = options.Find("thing");
  if (thing == nullptr || !thing->IsObject()) return false;
  const JsonNode* thing_id = StringOption(*thing, "thingId");
  return thing_id != nullptr && (ContainsPlaceholder(thing_id->text) || IsValidThingId(thing_id->text));
}

// JavaScriptMessageMapperRhino#doConfigure: scripts up to the size limit (Java string length).
MaybeValidationError CheckScriptSizes(const JsonNode& options, const ValidationConfig& config) {
  const JsonNode* incoming = StringOption(options, "incomingScript");
  const JsonNode* outgoing = StringOption(options, "outgoingScript");
  const size_t incoming_size = incoming != nullptr ? Utf16Length(incoming->text) : 0;
  const size_t outgoing_size = outgoing != nullptr ? Utf16Length(outgoing->text) : 0;
  const size_t limit = config.javascript_script_bytes_max;
  if (incoming_size <= limit && outgoing_size <= limit) return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The message mapper configuration failed due to: The script size was bigger than the allowed <" +
          std::to_string(limit) + "> bytes: incoming script size was <" + std::to_string(incoming_size) +
          "> bytes, outgoing script size was <" + std::to_string(outgoing_size) + "> bytes",
      "Check the configuration options of your mapper for errors.");
}

// Whether Ditto instantiates the mapper of `definition`; an error if instantiating it fails.
std::variant<bool, DittoError> Instantiates(const MappingDefinition& definition,
                                            const ValidationConfig& config) {
  const std::string& engine = definition.mapping_engine;
  const bool is_fallback = std::find(kFallbackMappers.begin(), kFallbackMappers.end(), engine) !=
                           kFallbackMappers.end();
  if (is_fallback) return true;
  if (engine != "JavaScript" && engine != "ConnectionStatus" && engine != "ImplicitThingCreation") {
    return false;
  }
  // A script can only be too long if the options' JSON text is; skip parsing big mappings then.
  if (engine == "JavaScript" && definition.options_json.size() <= config.javascript_script_bytes_max) {
    return true;
  }
  auto parsed = ParseJsonTree(definition.options_json);
  if (std::holds_alternative<DittoError>(parsed)) return false;
  const JsonNode& options = std::get<ParsedJson>(parsed).root;
  if (engine == "JavaScript") {
    if (auto error = CheckScriptSizes(options, config)) return std::move(*error);
    return true;
  }
  return engine == "ConnectionStatus" ? ConnectionStatusConfigures(options)
                                      : ImplicitThingCreationConfigures(options);
}

}  // namespace

MaybeValidationError ValidatePayloadMappingReferences(const Connection& connection,
                                                      const ValidationConfig& config) {
  std::vector<std::string> loaded;
  for (const auto& [id, definition] : connection.mapping_definitions) {
    auto instantiated = Instantiates(definition, config);
    if (auto* error = std::get_if<DittoError>(&instantiated)) return std::move(*error);
    if (std::get<bool>(instantiated)) loaded.push_back(id);
  }
  const auto check = [&](const std::vector<std::string>& mappings) -> MaybeValidationError {
    for (const std::string& mapping : mappings) {
      if (std::find(loaded.begin(), loaded.end(), mapping) != loaded.end()) continue;
      if (std::find(kFallbackMappers.begin(), kFallbackMappers.end(), mapping) != kFallbackMappers.end()) {
        continue;
      }
      const std::vector<std::string> fallback(kFallbackMappers.begin(), kFallbackMappers.end());
      return ConnectionConfigurationInvalid(
          "The mapper <" + mapping + "> could not be loaded.",
          "Make sure to only use either the specified mappingDefinitions names " +
              JavaListToString(JavaHashOrder(loaded)) + " or fallback mapper names " +
              JavaListToString(JavaHashOrder(fallback)) + ".");
    }
    return std::nullopt;
  };
  for (const Source& source : connection.sources) {
    if (auto error = check(source.payload_mapping)) return error;
  }
  for (const Target& target : connection.targets) {
    if (auto error = check(target.payload_mapping)) return error;
  }
  return std::nullopt;
}

}  // namespace connectivity::model
