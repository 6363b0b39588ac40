// RQL predicates as in target topic filters (`_/_/things/twin/events?filter=gt(attributes/x,42)`),
// parsed with the grammar of Ditto's RqlPredicateParser (rql/parser, a parboiled2 PEG) and checked
// as Ditto's QueryFilterCriteriaFactory#filterCriteria does when ConnectionValidator validates a
// target (item 3 of REF §4.2).
//
// Grammar (no whitespace except where noted):
//   root       := ws query EOI
//   query      := single | multi | logical | not | exists | empty
//   single     := ("eq"|"ne"|"gt"|"ge"|"lt"|"le"|"like"|"ilike") "(" property "," literal ")"
//   multi      := "in" "(" property ("," literal)+ ")"
//   logical    := ("and"|"or") "(" query ("," ws query)* ")"
//   not        := "not" "(" query ")"
//   exists     := "exists" "(" property ")"      empty := "empty" "(" property ")"
//   property   := (any char but , ) " \ | "\" escape)*
//   literal    := (double | long | "..." | '...' | "time:" chars | true | false | null) ws
// with JSON-style escapes in strings and properties. Numbers: optional sign, no leading zeros;
// a long that does not fit 64 bits and a placeholder other than `prefix:name` abort the parse.
//
// After parsing, every property must name a Thing field (thingId, policyId, _namespace, _revision,
// _created, _modified, definition, _metadata, attributes/..., _metadata/..., feature paths) or a
// placeholder usable in filters (thing:id, topic:action, ...), and like/ilike need a string.
// Every failure is 400 rql.expression.invalid with a parboiled2-style message, e.g.
//   Invalid input 'x', expected ',' (line 1, column 6):
//   eq(a x
//        ^
#ifndef CONNECTIVITY_MODEL_RQL_H_
#define CONNECTIVITY_MODEL_RQL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/model/errors.h"

namespace connectivity::model {

struct RqlValue {
  enum class Kind : uint8_t { kNull, kBool, kLong, kDouble, kString, kPlaceholder };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t long_value = 0;
  double double_value = 0;
  std::string text;  // string contents (unescaped) or the placeholder as written
};

struct RqlNode {
  enum class Kind : uint8_t { kComparison, kIn, kLogical, kExists, kEmpty };
  Kind kind = Kind::kComparison;
  std::string op;  // "eq", "ne", "gt", "ge", "lt", "le", "like", "ilike", "in", "and", "or", "not",
                   // "exists", "empty"
  std::string property;             // comparisons, in, exists, empty (unescaped)
  std::vector<RqlValue> values;     // one for comparisons, one or more for in
  std::vector<RqlNode> children;    // and/or: one or more; not: one
};

// Deepest nesting of and/or/not accepted (the parse is recursive).
inline constexpr int kRqlDepthMax = 64;

// Parses `filter` and applies Ditto's field and value checks (rql_fields.cc).
std::variant<RqlNode, DittoError> ParseRqlFilter(std::string_view filter);
// The grammar alone (rql.cc).
std::variant<RqlNode, DittoError> ParseRqlSyntax(std::string_view filter);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_RQL_H_
