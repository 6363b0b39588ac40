// Placeholders in connection templates (`{{ thing:id }}`, `{{ header:x | fn:default('y') }}`,
// legacy `${...}`), validated as Ditto's PlaceholderFilter#validate and #validateAndReplaceAll do
// (placeholders module, ImmutableExpressionResolver, ImmutablePipeline, PipelineFunction*).
//
// A template is literal text with placeholder expressions. An expression is a pipeline of up to
// 1 + 10 stages separated by '|': a placeholder `prefix:name` (or a function), then functions
// `fn:name(params)`. Each place of a connection accepts its own set of placeholders (Ditto's
// validators pass a different `Placeholder...` list per place); a name outside the set, an unknown
// function, a malformed function signature or a too long pipeline is an error with Ditto's
// `placeholder:*` code and message. The validators re-wrap those errors as
// connection.configuration.invalid.
//
// In validation every supported placeholder resolves to a dummy value; `{{ connection:id }}` can
// be given its real value (acknowledgement labels). Functions are applied to those values, so
// that a pipeline that ends unresolved or deleted is detected (Kafka target addresses).
//
// Pure functions; no I/O. Recursion (placeholders as function parameters) is bounded.
#ifndef CONNECTIVITY_MODEL_PLACEHOLDERS_H_
#define CONNECTIVITY_MODEL_PLACEHOLDERS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/model/errors.h"

namespace connectivity::model {

// One placeholder prefix of Ditto, with the names it supports.
enum class PlaceholderKind : uint8_t {
  kHeader,         // header:<any>
  kEntity,         // entity:id|namespace|name
  kThing,          // thing:id|namespace|name
  kThingJson,      // thing-json:<any but id, namespace, name>
  kFeature,        // feature:id
  kTopic,          // topic:full|namespace|entityName|group|channel|criterion|action|subject|action-subject
  kResource,       // resource:type|path
  kTime,           // time:now[...] / time:now_epoch_millis[...]
  kRequest,        // request:subjectId
  kConnection,     // connection:id
  kPolicy,         // policy:id|namespace|name
  kSourceAddress,  // source:address
  kMqtt3Header,    // header:mqtt.topic|mqtt.qos|mqtt.retain (Mqtt3Validator's restricted header)
};

class PlaceholderSet {
 public:
  constexpr PlaceholderSet(std::initializer_list<PlaceholderKind> kinds) {
    for (PlaceholderKind kind : kinds) bits_ |= Bit(kind);
  }
  constexpr bool Has(PlaceholderKind kind) const { return (bits_ & Bit(kind)) != 0; }

 private:
  static constexpr uint32_t Bit(PlaceholderKind kind) { return uint32_t{1} << static_cast<int>(kind); }
  uint32_t bits_ = 0;
};

// Ditto's Resolvers#getPlaceholders: target addresses, header mappings, extraFields.
inline constexpr PlaceholderSet kOutboundPlaceholders = {
    PlaceholderKind::kHeader,   PlaceholderKind::kEntity,   PlaceholderKind::kThing,
    PlaceholderKind::kThingJson, PlaceholderKind::kFeature, PlaceholderKind::kTopic,
    PlaceholderKind::kResource, PlaceholderKind::kTime,     PlaceholderKind::kRequest,
    PlaceholderKind::kConnection};
// Enforcement filters of AMQP, Kafka and Hono sources.
inline constexpr PlaceholderSet kEnforcementFilterPlaceholders = {
    PlaceholderKind::kThing, PlaceholderKind::kPolicy, PlaceholderKind::kEntity,
    PlaceholderKind::kFeature};
// Enforcement filters of MQTT sources (no feature placeholder).
inline constexpr PlaceholderSet kMqttEnforcementFilterPlaceholders = {
    PlaceholderKind::kThing, PlaceholderKind::kPolicy, PlaceholderKind::kEntity};
inline constexpr PlaceholderSet kHeaderPlaceholders = {PlaceholderKind::kHeader};
inline constexpr PlaceholderSet kConnectionIdPlaceholders = {PlaceholderKind::kConnection};

// Placeholders#containsAnyPlaceholder: a `{{ ... }}` or `${...}` occurs in `text`.
bool ContainsPlaceholder(std::string_view text);

// PlaceholderFilter#validate: nullopt if every placeholder of `text` is in `set` and every
// pipeline is well-formed; else the placeholder:* error.
std::optional<DittoError> ValidatePlaceholders(std::string_view text, PlaceholderSet set);

// PlaceholderFilter#validateAndReplaceAll: the values of `text` with every placeholder replaced by
// `dummy` and the pipelines applied; placeholder:unresolved (naming the whole text) if the result
// is unresolved or deleted.
std::variant<std::vector<std::string>, DittoError> ReplacePlaceholders(std::string_view text,
                                                                       PlaceholderSet set,
                                                                       std::string_view dummy);

// ExpressionResolver#resolve with only `{{ connection:id }}` known and resolving to
// `connection_id` (ConnectionValidator#resolveConnectionIdPlaceholder): the first value, nullopt
// if the result is unresolved or deleted, or the placeholder:* error.
std::variant<std::optional<std::string>, DittoError> ResolveConnectionIdPlaceholder(
    std::string_view text, std::string_view connection_id);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_PLACEHOLDERS_H_
