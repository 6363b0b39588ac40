// The checks Ditto applies to a parsed RQL filter of a connection target
// (ParameterPredicateVisitor with ModelBasedThingsFieldExpressionFactory, ThingsFieldExpressionFactoryImpl,
// FieldExpressionUtil, CriteriaFactoryImpl): known properties, string values for like/ilike.
#include <array>
#include <optional>

#include "src/model/java_compat.h"
#include "src/model/rql.h"

namespace connectivity::model {
namespace {

// FieldExpressionUtil.FeatureField: what a `features/...` property names.
enum class FeatureField : uint8_t { kNone, kFeature, kProperties, kDesiredProperties, kDefinition,
                                    kProperty, kDesiredProperty };

bool HasNoLineTerminator(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsJavaLineTerminatorAt(text, i)) return false;
  }
  return true;
}

FeatureField ParseFeatureField(std::string_view property) {
  constexpr std::string_view kPrefix = "features/";
  if (property.substr(0, kPrefix.size()) != kPrefix) return FeatureField::kNone;
  const std::string_view rest_with_id = property.substr(kPrefix.size());
  const size_t slash = rest_with_id.find('/');
  if (slash == 0 || rest_with_id.empty()) return FeatureField::kNone;
  if (slash == std::string_view::npos) return FeatureField::kFeature;
  const std::string_view rest = rest_with_id.substr(slash);
  const auto path_after = [&](std::string_view head) -> std::optional<std::string_view> {
    if (rest.substr(0, head.size()) != head) return std::nullopt;
    return rest.substr(head.size());
  };
  if (auto tail = path_after("/properties/"); tail && !tail->empty() && HasNoLineTerminator(*tail)) {
    return FeatureField::kProperty;
  }
  if (auto tail = path_after("/desiredProperties/");
      tail && !tail->empty() && HasNoLineTerminator(*tail)) {
    return FeatureField::kDesiredProperty;
  }
  if (rest == "/properties" || rest == "/properties/") return FeatureField::kProperties;
  if (rest == "/desiredProperties" || rest == "/desiredProperties/") {
    return FeatureField::kDesiredProperties;
  }
  if (rest == "/definition" || rest == "/definition/") return FeatureField::kDefinition;
  return FeatureField::kNone;
}

// ThingsFieldExpressionFactoryImpl#common with ModelBasedThingsFieldExpressionFactory's simple
// fields and the names of the placeholders ConnectionValidator passes (topic, resource, time,
// entity, thing, feature).
bool IsCommonField(std::string_view property) {
  if (property.substr(0, 11) == "attributes/" || property.substr(0, 10) == "_metadata/") return true;
  static constexpr std::array<std::string_view, 26> kFields = {
      "thingId", "_namespace", "policyId", "_revision", "_created", "_modified", "definition",
      "_metadata", "topic:full", "topic:namespace", "topic:entityName", "topic:group",
      "topic:channel", "topic:criterion", "topic:action", "topic:subject", "topic:action-subject",
      "resource:type", "resource:path", "entity:id", "entity:namespace", "entity:name", "thing:id",
      "thing:namespace", "thing:name", "feature:id"};
  for (std::string_view field : kFields) {
    if (property == field) return true;
  }
  return false;
}

// filterBy (comparisons) or existsBy (exists, empty).
bool IsKnownProperty(std::string_view property, bool exists) {
  if (!property.empty() && property[0] == '/') property.remove_prefix(1);
  const FeatureField feature = ParseFeatureField(property);
  if (feature != FeatureField::kNone) {
    if (exists || feature == FeatureField::kDefinition || feature == FeatureField::kProperty ||
        feature == FeatureField::kDesiredProperty) {
      return true;
    }
  }
  return IsCommonField(property);
}

// ParameterPredicateVisitor: the first unknown property or non-string like value, depth first.
std::optional<DittoError> CheckNode(const RqlNode& node) {
  if (node.kind == RqlNode::Kind::kLogical) {
    for (const RqlNode& child : node.children) {
      if (auto error = CheckNode(child)) return error;
    }
    return std::nullopt;
  }
  const bool exists = node.kind == RqlNode::Kind::kExists || node.kind == RqlNode::Kind::kEmpty;
  if (!IsKnownProperty(node.property, exists)) {
    std::string_view property = node.property;
    if (!property.empty() && property[0] == '/') property.remove_prefix(1);
    return RqlExpressionInvalid("Unknown property name: " + std::string(property));
  }
  if ((node.op == "like" || node.op == "ilike") &&
      node.values.front().kind != RqlValue::Kind::kString) {
    return RqlExpressionInvalid("In the " + node.op + " predicate only string values are allowed.");
  }
  return std::nullopt;
}

}  // namespace

std::variant<RqlNode, DittoError> ParseRqlFilter(std::string_view filter) {
  std::variant<RqlNode, DittoError> parsed = ParseRqlSyntax(filter);
  if (auto* node = std::get_if<RqlNode>(&parsed)) {
    if (auto error = CheckNode(*node)) return std::move(*error);
  }
  return parsed;
}

}  // namespace connectivity::model
