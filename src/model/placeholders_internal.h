// Pieces of the placeholder resolver shared by placeholders.cc (templates, expressions,
// placeholder names) and placeholder_functions.cc (the `fn:` pipeline functions). Internal to the
// model library.
#ifndef CONNECTIVITY_MODEL_PLACEHOLDERS_INTERNAL_H_
#define CONNECTIVITY_MODEL_PLACEHOLDERS_INTERNAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/model/errors.h"
#include "src/model/placeholders.h"

namespace connectivity::model::placeholders_internal {

// Ditto's PipelineElement: resolved to one or more values, unresolved, or deleted.
struct Element {
  enum class State : uint8_t { kResolved, kUnresolved, kDeleted };
  State state = State::kUnresolved;
  std::vector<std::string> values;  // non-empty iff resolved

  static Element Resolved(std::vector<std::string> values);  // empty -> unresolved (as Ditto)
  static Element Resolved(std::string value) { return Resolved(std::vector<std::string>{std::move(value)}); }
  static Element Unresolved() { return Element{}; }
  static Element Deleted() { return Element{State::kDeleted, {}}; }
  bool IsResolved() const { return state == State::kResolved; }
};

using ElementOrError = std::variant<Element, DittoError>;

// Most stages of one pipeline: the placeholder plus 10 functions (Ditto's
// MAX_COUNT_PIPELINE_FUNCTIONS).
inline constexpr int kPipelineFunctionsMax = 10;
// Deepest nesting of placeholders used as function parameters; deeper is reported unresolved.
inline constexpr int kExpressionDepthMax = 16;
// Most values a template may resolve to (functions like split multiply them).
inline constexpr size_t kResolvedValuesMax = 1024;

class Resolver {
 public:
  Resolver(PlaceholderSet set, std::string_view dummy, std::optional<std::string_view> connection_id)
      : set_(set), dummy_(dummy), connection_id_(connection_id) {}

  // ExpressionResolver#resolve: the whole template.
  ElementOrError ResolveTemplate(std::string_view text) const;
  // The same when only errors matter (PlaceholderFilter#validate): no values are assembled.
  std::optional<DittoError> CheckTemplate(std::string_view text) const;
  // ImmutableExpressionResolver#resolveAsPipelineElement: one expression between `{{` and `}}`.
  ElementOrError ResolveExpression(std::string_view expression, int depth) const;

 private:
  ElementOrError ResolvePlaceholder(std::string_view placeholder) const;

  PlaceholderSet set_;
  std::string_view dummy_;
  std::optional<std::string_view> connection_id_;
};

// ImmutableFunctionExpression#resolve: applies one `fn:` stage to `input`.
ElementOrError ApplyFunctionStage(std::string_view stage, Element input, const Resolver& resolver,
                                  int depth);

// Scans a quoted string starting at the quote `text[i]`; returns the index after the closing
// quote, or npos if it is not closed (`'(?:\\'|[^'])*+'`, possessive).
size_t SkipQuoted(std::string_view text, size_t i);

// True if `name` is supported by the placeholder `kind` (Placeholder#supports).
bool SupportsName(PlaceholderKind kind, std::string_view name);

}  // namespace connectivity::model::placeholders_internal

#endif  // CONNECTIVITY_MODEL_PLACEHOLDERS_INTERNAL_H_
