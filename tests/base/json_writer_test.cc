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
