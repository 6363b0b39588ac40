// Goal: the JSON tree under the model decodes valid JSON faithfully (unescaping, numbers as
// written, Ditto's duplicate-key rule), rejects every malformed input and every passed limit
// with json.invalid, and flags U+0000.
// Method: parse literal inputs and look at the tree or the error.
#include "src/model/json_tree.h"

#include <gtest/gtest.h>

#include "src/model/model_limits.h"

namespace connectivity::model {
namespace {

ParsedJson ParseOk(std::string_view json) {
  auto parsed = ParseJsonTree(json);
  if (auto* error = std::get_if<DittoError>(&parsed)) {
    ADD_FAILURE() << json << ": " << error->message;
    return {};
  }
  return std::get<ParsedJson>(std::move(parsed));
}

DittoError ParseError(std::string_view json) {
  auto parsed = ParseJsonTree(json);
  if (!std::holds_alternative<DittoError>(parsed)) {
    ADD_FAILURE() << "expected an error for " << json;
    return {};
  }
  return std::get<DittoError>(std::move(parsed));
}

TEST(JsonTreeTest, RoundTripsCompactly) {
  ParsedJson parsed = ParseOk(R"( { "a" : [ 1 , -0.5e+3 , true , false , null ] , "b" : { } } )");
  EXPECT_EQ(ToCompactJson(parsed.root), R"({"a":[1,-0.5e+3,true,false,null],"b":{}})");
  EXPECT_FALSE(parsed.contains_nul_character);
}

TEST(JsonTreeTest, UnescapesStringsAndEscapesOnOutput) {
  ParsedJson parsed = ParseOk(R"({"k\"ey":"\u00e9\n\t\\\/\ud83d\ude00"})");
  EXPECT_EQ(parsed.root.keys[0], "k\"ey");
  EXPECT_EQ(parsed.root.items[0].text, "\xC3\xA9\n\t\\/\xF0\x9F\x98\x80");
  EXPECT_EQ(ToCompactJson(parsed.root), "{\"k\\\"ey\":\"\xC3\xA9\\n\\t\\\\/\xF0\x9F\x98\x80\"}");
}

TEST(JsonTreeTest, DuplicateKeysKeepFirstPositionAndLastValue) {
  EXPECT_EQ(ToCompactJson(ParseOk(R"({"a":1,"b":2,"a":3})").root), R"({"a":3,"b":2})");
  // Large objects use an index; same rule.
  std::string json = "{";
  for (int i = 0; i < 100; ++i) json += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  json += R"("k7":"last"})";
  ParsedJson parsed = ParseOk(json);
  ASSERT_EQ(parsed.root.keys.size(), 100u);
  EXPECT_EQ(parsed.root.Find("k7")->text, "last");
  EXPECT_EQ(parsed.root.keys[7], "k7");
}

TEST(JsonTreeTest, RejectsMalformedJson) {
  for (std::string_view json :
       {"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\":tru}",
        "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}",
        "{} x", "[] []", "{\"a\":'x'}", "{a:1}", "{\"a\":\"\\x\"}", "{\"a\":NaN}"}) {
    DittoError error = ParseError(json);
    EXPECT_EQ(error.status, 400) << json;
    EXPECT_EQ(error.error, "json.invalid") << json;
    EXPECT_EQ(error.message.rfind("Failed to parse JSON string: ", 0), 0u) << error.message;
  }
}

TEST(JsonTreeTest, ScalarDocuments) {
  EXPECT_EQ(ParseOk("\"s\"").root.text, "s");
  EXPECT_EQ(ParseOk("12").root.text, "12");
  EXPECT_TRUE(ParseOk("null").root.IsNull());
  EXPECT_EQ(ParseOk(" \"s\"\n").root.text, "s");
  EXPECT_EQ(ParseOk("1e400").root.text, "1e400");  // as a nested number would be
  for (std::string_view json : {"1 2", "\"a\" b", "true false", "null x", "12x"}) {
    EXPECT_EQ(ParseError(json).error, "json.invalid") << json;
  }
}

TEST(JsonTreeTest, DepthLimit) {
  std::string ok(kJsonDepthMax, '[');
  ok += std::string(kJsonDepthMax, ']');
  ParseOk(ok);
  std::string deep(kJsonDepthMax + 1, '[');
  deep += std::string(kJsonDepthMax + 1, ']');
  EXPECT_EQ(ParseError(deep).message,
            "The JSON is nested deeper than the limit of " + std::to_string(kJsonDepthMax) + " levels.");
  // Far beyond the limit is no different (no recursion happens past it).
  ParseError(std::string(100000, '[') + std::string(100000, ']'));
}

TEST(JsonTreeTest, NodeAndSizeLimits) {
  std::string many = "[";
  for (size_t i = 0; i < kJsonNodeCountMax; ++i) many += "0,";
  many += "0]";
  EXPECT_EQ(ParseError(many).message,
            "The JSON has more values than the limit of " + std::to_string(kJsonNodeCountMax) + ".");
  std::string huge = "\"" + std::string(kConnectionJsonBytesMax, 'x') + "\"";
  EXPECT_EQ(ParseError(huge).message, "The JSON is larger than the limit of " +
                                          std::to_string(kConnectionJsonBytesMax) + " bytes.");
}

TEST(JsonTreeTest, FlagsNulCharacterInKeysAndValues) {
  EXPECT_TRUE(ParseOk(R"({"a":"x\u0000"})").contains_nul_character);
  EXPECT_TRUE(ParseOk(R"({"a\u0000":1})").contains_nul_character);
  EXPECT_TRUE(ParseOk(R"([[["\u0000"]]])").contains_nul_character);
  EXPECT_FALSE(ParseOk(R"({"a":"\\u0000"})").contains_nul_character);
}

TEST(JsonTreeTest, IntegerValues) {
  auto integer = [](std::string_view json) { return JsonIntegerValue(ParseOk(json).root); };
  EXPECT_EQ(integer("42"), 42);
  EXPECT_EQ(integer("-7"), -7);
  EXPECT_EQ(integer("2.0"), 2);
  EXPECT_EQ(integer("1e3"), 1000);
  EXPECT_EQ(integer("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(integer("9223372036854775808").has_value());
  EXPECT_FALSE(integer("1.5").has_value());
  EXPECT_FALSE(integer("1e300").has_value());
  EXPECT_FALSE(integer("\"1\"").has_value());
}

TEST(JsonTreeTest, SetAndRemoveMembers) {
  JsonNode object = JsonNode::Object();
  object.Set("a", JsonNode::String("1"));
  object.Set("b", JsonNode::Array());
  object.Set("a", JsonNode::String("2"));
  EXPECT_EQ(ToCompactJson(object), R"({"a":"2","b":[]})");
  object.Remove("a");
  object.Remove("missing");
  EXPECT_EQ(ToCompactJson(object), R"({"b":[]})");
}

}  // namespace
}  // namespace connectivity::model
