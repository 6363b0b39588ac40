// Goal: FieldSelector parses Ditto's `fields` / `selectedFields` syntax, rejects what Ditto
// rejects with json.fieldselector.invalid, and applies selections in the object's own order.
// Method: parse selectors, compare pointers; apply them to a connection-like JSON object.
#include "src/model/field_selector.h"

#include <gtest/gtest.h>

namespace connectivity::model {
namespace {

using Pointers = std::vector<std::vector<std::string>>;

Pointers PointersOf(std::string_view text) {
  auto selector = FieldSelector::Parse(text);
  if (auto* error = std::get_if<DittoError>(&selector)) {
    ADD_FAILURE() << text << ": " << error->message;
    return {};
  }
  return std::get<FieldSelector>(selector).pointers();
}

std::string Apply(std::string_view selector_text, std::string_view json) {
  auto selector = FieldSelector::Parse(selector_text);
  if (!std::holds_alternative<FieldSelector>(selector)) return "invalid";
  return std::get<FieldSelector>(selector).Apply(json);
}

constexpr std::string_view kConnection =
    R"({"__lifecycle":"ACTIVE","id":"c","name":null,"_revision":3,"_modified":"m","_created":"c",)"
    R"("connectionType":"mqtt","connectionStatus":"open","sources":[{"a":1}],)"
    R"("specificConfig":{"k1":"v1","k2":"v2","k3":{"deep":true}},"tags":["t"]})";

TEST(FieldSelectorTest, ParsesPlainAndNestedSelectors) {
  EXPECT_EQ(PointersOf("id,_revision"), (Pointers{{"id"}, {"_revision"}}));
  EXPECT_EQ(PointersOf("/a/b,c"), (Pointers{{"a", "b"}, {"c"}}));
  EXPECT_EQ(PointersOf("a(b,c/d),e"), (Pointers{{"a", "b"}, {"a", "c", "d"}, {"e"}}));
  EXPECT_EQ(PointersOf("a(b(c,d),e)"), (Pointers{{"a", "b", "c"}, {"a", "b", "d"}, {"a", "e"}}));
  EXPECT_EQ(PointersOf("a/,,b,a"), (Pointers{{"a"}, {"b"}}));
  EXPECT_EQ(PointersOf("x~0y"), (Pointers{{"x~y"}}));
  // A placeholder is taken literally, parentheses and all.
  EXPECT_EQ(PointersOf("{{ fn:x(a) }}"), (Pointers{{"{{ fn:x(a) }}"}}));
}

TEST(FieldSelectorTest, RejectsInvalidSelectors) {
  for (std::string_view text : {"", "a(b", "a((b)", "a//b", "a(b//c)", "x,y)"}) {
    auto selector = FieldSelector::Parse(text);
    ASSERT_TRUE(std::holds_alternative<DittoError>(selector)) << text;
    const DittoError& error = std::get<DittoError>(selector);
    EXPECT_EQ(error.status, 400);
    EXPECT_EQ(error.error, "json.fieldselector.invalid");
    EXPECT_EQ(error.message, "The field selector <" + std::string(text) + "> is invalid!");
    EXPECT_EQ(error.description,
              "Check, for example, if the amount of opening parentheses '(' matches the amount "
              "of closing ones ')'.");
  }
}

TEST(FieldSelectorTest, KeepsTheObjectsOrderNotTheSelectors) {
  // REF §3.9: `_modified` before `_created`, as Ditto emits them.
  EXPECT_EQ(Apply("connectionStatus,_created,_modified,_revision,id", kConnection),
            R"({"id":"c","_revision":3,"_modified":"m","_created":"c","connectionStatus":"open"})");
}

TEST(FieldSelectorTest, SelectsNestedMembersAndSkipsMissingOnes) {
  EXPECT_EQ(Apply("specificConfig(k3/deep,k1),nothing,id/x", kConnection),
            R"({"specificConfig":{"k1":"v1","k3":{"deep":true}}})");
  EXPECT_EQ(Apply("specificConfig/k9", kConnection), "{}");
  EXPECT_EQ(Apply("name,sources", kConnection), R"({"name":null,"sources":[{"a":1}]})");
  // A pointer into an array selects nothing (Ditto's pointers address object members).
  EXPECT_EQ(Apply("sources/0", kConnection), "{}");
  EXPECT_EQ(Apply("id", "not json"), "{}");
}

TEST(FieldSelectorTest, SelectsTopLevelField) {
  auto selector = FieldSelector::Parse("id,_revision,specificConfig/k1");
  ASSERT_TRUE(std::holds_alternative<FieldSelector>(selector));
  const FieldSelector& fields = std::get<FieldSelector>(selector);
  EXPECT_TRUE(fields.Selects("_revision"));
  EXPECT_TRUE(fields.Selects("specificConfig"));
  EXPECT_FALSE(fields.Selects("_created"));
  EXPECT_FALSE(fields.Selects("k1"));
}

}  // namespace
}  // namespace connectivity::model
