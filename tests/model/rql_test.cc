// Goal: target topic filters are parsed with Ditto's RQL grammar (every operator, literal kind,
// escape and nesting) and rejected with 400 rql.expression.invalid exactly where Ditto rejects
// them: syntax, unknown properties, non-string like values, number overflow, placeholders.
// Method: ParseRqlFilter on valid and invalid expressions; the AST of a few is checked.
#include "src/model/rql.h"

#include <gtest/gtest.h>

namespace connectivity::model {
namespace {

RqlNode ParseOk(std::string_view filter) {
  auto parsed = ParseRqlFilter(filter);
  if (auto* error = std::get_if<DittoError>(&parsed)) {
    ADD_FAILURE() << filter << ": " << error->message;
    return RqlNode{};
  }
  return std::get<RqlNode>(std::move(parsed));
}

DittoError ParseError(std::string_view filter) {
  auto parsed = ParseRqlFilter(filter);
  if (!std::holds_alternative<DittoError>(parsed)) {
    ADD_FAILURE() << "expected an error for " << filter;
    return DittoError{};
  }
  DittoError error = std::get<DittoError>(std::move(parsed));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.error, "rql.expression.invalid");
  EXPECT_EQ(error.description,
            "Ensure that all opening parentheses have also closing ones and that the RQL expression is valid.");
  return error;
}

TEST(RqlTest, ComparisonsAndLiterals) {
  RqlNode node = ParseOk("eq(attributes/counter,42)");
  EXPECT_EQ(node.kind, RqlNode::Kind::kComparison);
  EXPECT_EQ(node.op, "eq");
  EXPECT_EQ(node.property, "attributes/counter");
  ASSERT_EQ(node.values.size(), 1u);
  EXPECT_EQ(node.values[0].kind, RqlValue::Kind::kLong);
  EXPECT_EQ(node.values[0].long_value, 42);
  for (std::string_view op : {"ne", "gt", "ge", "lt", "le"}) {
    ParseOk(std::string(op) + "(thingId,\"x\")");
  }
  EXPECT_EQ(ParseOk("gt(attributes/t,-1.5)").values[0].double_value, -1.5);
  EXPECT_EQ(ParseOk("eq(attributes/b,true)").values[0].boolean, true);
  EXPECT_EQ(ParseOk("eq(attributes/b,false )").values[0].kind, RqlValue::Kind::kBool);
  EXPECT_EQ(ParseOk("eq(attributes/n,null)").values[0].kind, RqlValue::Kind::kNull);
  EXPECT_EQ(ParseOk("eq(attributes/s,'Kitchen')").values[0].text, "Kitchen");
  EXPECT_EQ(ParseOk(R"(eq(attributes/s,"a\"b\\c\/d\n\u0041"))").values[0].text, "a\"b\\c/d\nA");
  EXPECT_EQ(ParseOk("eq(attributes/s,'it\\'s')").values[0].text, "it's");
  EXPECT_EQ(ParseOk("gt(_modified,time:now-1h)").values[0].kind, RqlValue::Kind::kPlaceholder);
  EXPECT_EQ(ParseOk("like(attributes/name,'*foo?')").op, "like");
  EXPECT_EQ(ParseOk("ilike(attributes/name,\"FOO*\")").op, "ilike");
  EXPECT_EQ(ParseOk(R"(eq(attributes/x\"y\/z,1))").property, "attributes/x\"y/z");  // escapes
  EXPECT_EQ(ParseError(R"(eq(attributes/x\,y,1))").message.substr(0, 47),
            "Invalid input ',', expected EscapedChar (line 1");  // no escaped comma in Ditto's RQL
}

TEST(RqlTest, InExistsEmptyAndLogic) {
  RqlNode in = ParseOk("in(attributes/color,\"red\",'green',3)");
  EXPECT_EQ(in.kind, RqlNode::Kind::kIn);
  EXPECT_EQ(in.values.size(), 3u);
  EXPECT_EQ(ParseOk("exists(features/lamp)").kind, RqlNode::Kind::kExists);
  EXPECT_EQ(ParseOk("empty(attributes/list)").kind, RqlNode::Kind::kEmpty);
  RqlNode logic = ParseOk("and(eq(thingId,'a'), or(gt(attributes/x,1),not(exists(attributes/y))))");
  EXPECT_EQ(logic.op, "and");
  ASSERT_EQ(logic.children.size(), 2u);
  EXPECT_EQ(logic.children[1].op, "or");
  EXPECT_EQ(logic.children[1].children[1].op, "not");
  ParseOk("  eq(thingId,'leading whitespace')");
}

TEST(RqlTest, KnownProperties) {
  for (std::string_view property :
       {"thingId", "policyId", "_namespace", "_revision", "_created", "_modified", "definition",
        "_metadata", "/attributes/a", "_metadata/features", "features/f/properties/p",
        "features/f/desiredProperties/p", "features/f/definition", "topic:action", "resource:path",
        "thing:name", "entity:namespace", "feature:id"}) {
    ParseOk("eq(" + std::string(property) + ",1)");
  }
  for (std::string_view property : {"features/f", "features/f/properties", "features/f/desiredProperties/"}) {
    ParseOk("exists(" + std::string(property) + ")");
  }
}

TEST(RqlTest, UnknownPropertiesAreRejected) {
  EXPECT_EQ(ParseError("eq(namespace,1)").message, "Unknown property name: namespace");
  EXPECT_EQ(ParseError("eq(/features/f,1)").message, "Unknown property name: features/f");
  EXPECT_EQ(ParseError("eq(features/f/properties,1)").message,
            "Unknown property name: features/f/properties");
  EXPECT_EQ(ParseError("exists(attrs)").message, "Unknown property name: attrs");
  EXPECT_EQ(ParseError("eq(,1)").message, "Unknown property name: ");
  EXPECT_EQ(ParseError("eq(time:now,1)").message, "Unknown property name: time:now");
  EXPECT_EQ(ParseError("and(eq(thingId,1),lt(nope,2))").message, "Unknown property name: nope");
}

TEST(RqlTest, LikeNeedsAString) {
  EXPECT_EQ(ParseError("like(attributes/a,1)").message, "In the like predicate only string values are allowed.");
  EXPECT_EQ(ParseError("ilike(attributes/a,null)").message,
            "In the ilike predicate only string values are allowed.");
}

// Found by the fuzz target `piggyback` (fuzz/corpus/piggyback/regression-rql-error-utf8): the
// character at the error was quoted by its first byte only, so the error JSON was not UTF-8;
// columns counted bytes, not characters.
TEST(RqlTest, SyntaxErrorsQuoteWholeCharactersAndCountCharacters) {
  EXPECT_EQ(ParseError("gt\xCE\x9E" "attributes/x,1)").message,
            "Invalid input '\xCE\x9E', expected '(' (line 1, column 3):\n"
            "gt\xCE\x9E" "attributes/x,1)\n  ^");
  EXPECT_EQ(ParseError("eq(attributes/\xC3\xA9\xC3\xA9,1) x").message,
            "Invalid input ' ', expected end of input (line 1, column 20):\n"
            "eq(attributes/\xC3\xA9\xC3\xA9,1) x\n" + std::string(19, ' ') + "^");
}

TEST(RqlTest, SyntaxErrorsNamePositionAndExpectation) {
  EXPECT_EQ(ParseError("eq(attributes/counter").message,
            "Unexpected end of input, expected ',' (line 1, column 22):\neq(attributes/counter\n"
            "                     ^");
  EXPECT_EQ(ParseError("eq(thingId,1) ").message,
            "Invalid input ' ', expected end of input (line 1, column 14):\neq(thingId,1) \n             ^");
  EXPECT_EQ(ParseError("eq(thingId,1").message.substr(0, 39), "Unexpected end of input, expected ')' (");
  EXPECT_EQ(ParseError("foo(thingId,1)").message.substr(0, 17), "Invalid input 'f'");
  for (std::string_view invalid :
       {"", "eq", "eq()", "eq(thingId)", "eq (thingId,1)", "eq(thingId,01)", "eq(thingId,-0)",
        "eq(thingId,1.)", "eq(thingId,tru)", "eq(thingId,'open)", "eq(thingId,\"\\x\")",
        "and()", "and(eq(thingId,1),)", "or(eq(thingId,1) ,eq(thingId,2))", "not(eq(thingId,1),eq(thingId,2))",
        "in(thingId)", "exists(thingId,1)", "gte(thingId,1)", "eq(thingId,1)eq(thingId,1)"}) {
    ParseError(invalid);
  }
}

TEST(RqlTest, ActionFailuresAbortTheParse) {
  EXPECT_EQ(ParseError("eq(attributes/a,99999999999999999999)").message,
            "Unknown error during parsing predicate: For input string: \"99999999999999999999\"");
  EXPECT_EQ(ParseError("eq(attributes/a,time:)").message,
            "Unknown error during parsing predicate: Placeholder was not in expected format <prefix:name>!");
}

TEST(RqlTest, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < kRqlDepthMax; ++i) deep += "not(";
  deep += "exists(thingId)";
  deep += std::string(kRqlDepthMax, ')');
  ParseOk(deep);
  const std::string deeper = "not(" + deep + ")";
  EXPECT_NE(ParseError(deeper).message.find("nested more than"), std::string::npos);
  std::string hostile(200000, '(');
  ParseError("and" + hostile);
}

}  // namespace
}  // namespace connectivity::model
