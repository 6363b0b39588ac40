// Fuzz target `rql`: RQL filters of target topics (src/model/rql.cc, the recursive-descent
// parser, and rql_fields.cc, the field and value checks), e.g. `and(eq(attributes/x,1),...)`.
//
// Input: bytes taken as the filter text.
// Properties, beyond "no crash, no sanitizer report" (deep nesting included: the parse is
// recursive and bounded by kRqlDepthMax):
//   - every failure is 400 rql.expression.invalid, its message UTF-8 if the filter is;
//   - a filter accepted by ParseRqlFilter is accepted by the grammar alone (ParseRqlSyntax),
//     with the same tree;
//   - no tree is nested deeper than kRqlDepthMax.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "fuzz/fuzz_support.h"
#include "src/model/rql.h"

namespace connectivity::fuzz {
namespace {

bool SameTree(const model::RqlNode& a, const model::RqlNode& b) {
  if (a.kind != b.kind || a.op != b.op || a.property != b.property ||
      a.values.size() != b.values.size() || a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    const model::RqlValue& x = a.values[i];
    const model::RqlValue& y = b.values[i];
    const bool same_double = x.double_value == y.double_value ||
                             (x.double_value != x.double_value && y.double_value != y.double_value);
    if (x.kind != y.kind || x.boolean != y.boolean || x.long_value != y.long_value ||
        !same_double || x.text != y.text) {
      return false;
    }
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameTree(a.children[i], b.children[i])) return false;
  }
  return true;
}

int Depth(const model::RqlNode& node) {
  int deepest = 0;
  for (const model::RqlNode& child : node.children) deepest = std::max(deepest, Depth(child));
  return deepest + (node.children.empty() ? 0 : 1);
}

void ExpectRqlError(const model::DittoError& error, std::string_view filter) {
  Expect(error.status == 400 && error.error == "rql.expression.invalid" && !error.message.empty(),
         "an RQL failure is 400 rql.expression.invalid", error.ToJson());
  if (IsUtf8(filter)) ExpectUtf8(error.message, "the message of a UTF-8 filter is UTF-8");
}

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  const std::string_view filter = fuzz::AsText(data, size);
  auto syntax = model::ParseRqlSyntax(filter);
  if (auto* error = std::get_if<model::DittoError>(&syntax)) fuzz::ExpectRqlError(*error, filter);
  auto checked = model::ParseRqlFilter(filter);
  if (auto* error = std::get_if<model::DittoError>(&checked)) {
    fuzz::ExpectRqlError(*error, filter);
    return 0;
  }
  const model::RqlNode& tree = std::get<model::RqlNode>(checked);
  fuzz::Expect(std::holds_alternative<model::RqlNode>(syntax) &&
                   fuzz::SameTree(std::get<model::RqlNode>(syntax), tree),
               "ParseRqlFilter accepts only what ParseRqlSyntax accepts, with the same tree");
  fuzz::Expect(fuzz::Depth(tree) <= model::kRqlDepthMax, "RQL nesting is bounded by kRqlDepthMax");
  return 0;
}
