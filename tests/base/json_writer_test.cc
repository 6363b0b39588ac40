// JsonWriter: commas, nesting, escaping, and that simdjson reads it back.
#include "src/base/json_writer.h"

#include <gtest/gtest.h>

namespace connectivity {
namespace {

TEST(JsonWriterTest, WritesNestedContainersWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("a", "x");
  w.Key("b").BeginArray().Int(1).Int(-2).Uint(3).EndArray();
  w.Key("c").BeginObject().EndObject();
  w.Key("d").Null();
  w.MemberBool("e", false);
  w.Key("f").Raw("{\"g\":1}");
  w.EndObject();
  EXPECT_EQ(out, R"({"a":"x","b":[1,-2,3],"c":{},"d":null,"e":false,"f":{"g":1}})");
}

TEST(JsonWriterTest, EscapesControlCharactersQuotesAndBackslashes) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\t\x01\x1f/\xc3\xa4", 12));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/\xc3\xa4\"");
}

// Found by the fuzz target `piggyback` (fuzz/corpus/piggyback/regression-query-not-utf8): an
// error message echoing a percent-decoded query value (`?timeout=%FF`) put the byte 0xFF into the
// error JSON, which then was not UTF-8. Every byte that starts no valid sequence becomes U+FFFD.
TEST(JsonWriterTest, ReplacesBytesThatAreNotUtf8) {
  const auto json = [](std::string_view value) {
    std::string out;
    AppendJsonString(out, value);
    return out;
  };
  // `count` replacement characters, quoted.
  const auto replaced = [](int count) {
    std::string out = "\"";
    for (int i = 0; i < count; ++i) out += "\xEF\xBF\xBD";
    return out + "\"";
  };
  EXPECT_EQ(json("a\xFF" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(json("\xC3"), replaced(1));              // truncated
  EXPECT_EQ(json("\xC0\xAF"), replaced(2));          // overlong '/'
  EXPECT_EQ(json("\xED\xA0\x80"), replaced(3));      // a surrogate
  EXPECT_EQ(json("\xF4\x90\x80\x80"), replaced(4));  // beyond U+10FFFF
  // Valid sequences stay as they are, escapes go on around them.
  EXPECT_EQ(json("\x80\"\xC3\xA4\xF0\x9F\x98\x80"), "\"\xEF\xBF\xBD\\\"\xC3\xA4\xF0\x9F\x98\x80\"");
}

TEST(JsonWriterTest, EscapesNulByte) {
  std::string out;
  AppendJsonString(out, std::string_view("a\0b", 3));
  EXPECT_EQ(out, "\"a\\u0000b\"");
}

TEST(JsonWriterTest, TopLevelArrayOfObjects) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  w.BeginObject().MemberInt("n", 1).EndObject();
  w.BeginObject().MemberInt("n", 2).EndObject();
  w.EndArray();
  EXPECT_EQ(out, R"([{"n":1},{"n":2}])");
}

}  // namespace
}  // namespace connectivity
