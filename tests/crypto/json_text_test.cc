#include "src/crypto/json_text.h"

#include <gtest/gtest.h>

namespace connectivity::crypto {
namespace {

std::optional<std::string> ValueAt(std::string_view json, std::string_view pointer) {
  JsonPointerFinder finder(json);
  const std::optional<std::vector<std::string>> tokens = SplitJsonPointer(pointer);
  if (!tokens) return std::nullopt;
  const std::optional<JsonSpan> span = finder.Find(*tokens);
  if (!span) return std::nullopt;
  return std::string(json.substr(span->begin, span->end - span->begin));
}

TEST(JsonTextTest, SplitsPointersWithEscapes) {
  EXPECT_EQ(SplitJsonPointer("/a/b~1c/d~0e"), (std::vector<std::string>{"a", "b/c", "d~e"}));
  EXPECT_EQ(SplitJsonPointer(""), std::vector<std::string>{});
  EXPECT_FALSE(SplitJsonPointer("uri"));
}

TEST(JsonTextTest, FindsNestedValuesWhateverTheOrder) {
  const std::string json =
      R"({"sources":[{"a":"}\"{"},[1,2]],"credentials":{"type":"plain","password":"p\"w"},"uri":"x"})";
  EXPECT_EQ(ValueAt(json, "/uri"), "\"x\"");
  EXPECT_EQ(ValueAt(json, "/credentials/password"), R"("p\"w")");
  EXPECT_EQ(ValueAt(json, "/credentials/type"), "\"plain\"");
  EXPECT_EQ(ValueAt(json, "/credentials"), R"({"type":"plain","password":"p\"w"})");
  EXPECT_FALSE(ValueAt(json, "/credentials/missing"));
  EXPECT_FALSE(ValueAt(json, "/uri/deeper"));
  EXPECT_FALSE(ValueAt(json, "/sources/0"));  // arrays are not stepped into, as in Ditto
}

TEST(JsonTextTest, HandlesWhitespaceNumbersLiteralsAndEscapedNames) {
  const std::string json = " { \"n\" : 1.5e3 , \"t\" : true , \"u\\u0072i\" : \"v\" } ";
  EXPECT_EQ(ValueAt(json, "/n"), "1.5e3");
  EXPECT_EQ(ValueAt(json, "/t"), "true");
  EXPECT_EQ(ValueAt(json, "/uri"), "\"v\"");
}

TEST(JsonTextTest, TheLastDuplicateWins) {
  EXPECT_EQ(ValueAt(R"({"a":"1","a":"2"})", "/a"), "\"2\"");
}

TEST(JsonTextTest, MalformedTextFindsNothingAndNeverReadsPastTheEnd) {
  for (std::string_view json : {"", "{", R"({"a")", R"({"a":)", R"({"a":"x)", R"({"a":{"b":"c")", "[]",
                                R"({"a":"x" "b":"y"})", R"({"a":"x",})", "\"text\""}) {
    EXPECT_FALSE(ValueAt(json, "/a/b")) << json;
    EXPECT_FALSE(ValueAt(json, "/b")) << json;
  }
}

TEST(JsonTextTest, UnescapesStrings) {
  EXPECT_EQ(UnescapeJsonString(R"("a\"b\\c\/d\n\t")"), "a\"b\\c/d\n\t");
  EXPECT_EQ(UnescapeJsonString(R"("\u00e9\u20ac\ud83d\ude00")"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_FALSE(UnescapeJsonString(R"("\x")"));
  EXPECT_FALSE(UnescapeJsonString(R"("\u12")"));
  EXPECT_FALSE(UnescapeJsonString("\"a"));
  EXPECT_FALSE(UnescapeJsonString("\"a\nb\""));
}

}  // namespace
}  // namespace connectivity::crypto
