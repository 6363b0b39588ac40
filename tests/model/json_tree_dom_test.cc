// Goal: JsonTreeFromDom (the piggyback command's connection member, read from the body's DOM
// without a second parse) builds exactly the tree that minifying the member and parsing the text
// again builds: same members and order under duplicate keys, same number text, same U+0000
// finding, and the same json.invalid errors at the depth and node-count limits.
// Method: every connection example, hand-picked edge documents and seeded random documents, each
// parsed once with simdjson's DOM; both routes compared on their compact JSON (which shows every
// kind, every key and every number's text) or on their error.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "src/model/json_tree.h"
#include "src/model/model_limits.h"

namespace connectivity::model {
namespace {

// "tree:<compact json>|nul:<0/1>" or "error:<message>".
std::string Describe(const std::variant<ParsedJson, DittoError>& result) {
  if (const auto* error = std::get_if<DittoError>(&result)) return "error:" + error->message;
  const ParsedJson& parsed = std::get<ParsedJson>(result);
  return "tree:" + ToCompactJson(parsed.root) + "|nul:" + (parsed.contains_nul_character ? "1" : "0");
}

// Parses `json` with the DOM (which must accept it) and compares both routes.
void ExpectSameTree(const std::string& json) {
  simdjson::dom::parser parser(size_t{64} << 20);
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json.substr(0, 200);
  const std::string direct = Describe(JsonTreeFromDom(root));
  const std::string reparsed = Describe(ParseJsonTree(simdjson::minify(root)));
  EXPECT_EQ(direct, reparsed) << json.substr(0, 200);
}

TEST(JsonTreeDomTest, EveryConnectionExampleGivesTheSameTree) {
  const auto directory = std::filesystem::path(CONNECTIVITY_SOURCE_DIR) / "tests/fixtures/connection-examples";
  size_t examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    ExpectSameTree(text.str());
    ++examples;
  }
  EXPECT_GT(examples, 20u);
}

TEST(JsonTreeDomTest, EdgeDocumentsGiveTheSameTree) {
  for (const char* json : {
           R"({"a":1,"b":2,"a":3})",                      // duplicate: first position, last value
           R"({"n":[0,-0,1.50,1e9,1E-3,-2.5e+10,12345678901234567890,9007199254740993]})",
           R"({"s":"x\u0000y","\u0000k":true})",          // U+0000 in a value and a key
           R"({"e":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"})",  // every escape
           R"({"o":{},"a":[],"z":null,"t":true,"f":false})",
           R"([{"a":{"a":{"a":[1,[2,[3]]]}}}])",
       }) {
    ExpectSameTree(json);
  }
}

TEST(JsonTreeDomTest, LimitsGiveTheSameErrors) {
  std::string deep(kJsonDepthMax + 1, '[');
  deep += std::string(kJsonDepthMax + 1, ']');
  ExpectSameTree(deep);
  std::string at_limit(kJsonDepthMax, '[');
  at_limit += std::string(kJsonDepthMax, ']');
  ExpectSameTree(at_limit);
  std::string many = "[";
  for (size_t i = 0; i < kJsonNodeCountMax; ++i) many += "0,";
  many += "0]";
  ExpectSameTree(many);
  // The errors are really errors (the comparison above is not between two empty results).
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(deep).get(root), simdjson::SUCCESS);
  EXPECT_TRUE(std::holds_alternative<DittoError>(JsonTreeFromDom(root)));
}

// A random JSON value: objects with repeated keys, arrays, strings with escapes, numbers written
// in every form the grammar allows.
class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : random_(seed) {}

  std::string Value(int depth) {
    const int kind = Pick(depth > 4 ? 4 : 6);
    switch (kind) {
      case 0: return Number();
      case 1: return String();
      case 2: return Pick(2) == 0 ? "true" : "false";
      case 3: return "null";
      case 4: return Object(depth);
      default: return Array(depth);
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  std::string Number() {
    static const char* const kForms[] = {"0", "-0", "7", "-12", "3.25", "1.50", "1e2", "2E-3",
                                         "-4.5e+6", "18446744073709551615", "123456789012",
                                         "0.1", "1e300", "5e-324"};
    return kForms[Pick(static_cast<int>(std::size(kForms)))];
  }

  std::string String() {
    static const char* const kPieces[] = {"a", "key", "\\n", "\\u0000", "\\\"", "\\u00e9", "\\/", " ", "Z9"};
    std::string out = "\"";
    for (int i = Pick(4); i > 0; --i) out += kPieces[Pick(static_cast<int>(std::size(kPieces)))];
    return out + "\"";
  }

  std::string Object(int depth) {
    static const char* const kKeys[] = {"\"a\"", "\"b\"", "\"id\"", "\"\\u0000\"", "\"x y\""};
    std::string out = "{";
    for (int i = Pick(5); i > 0; --i) {
      out += kKeys[Pick(static_cast<int>(std::size(kKeys)))];
      out += ":" + Value(depth + 1) + (i > 1 ? "," : "");
    }
    return out + "}";
  }

  std::string Array(int depth) {
    std::string out = "[";
    for (int i = Pick(4); i > 0; --i) out += Value(depth + 1) + (i > 1 ? "," : "");
    return out + "]";
  }

  std::mt19937 random_;
};

TEST(JsonTreeDomTest, RandomDocumentsGiveTheSameTree) {
  for (uint32_t seed = 1; seed <= 500; ++seed) {
    RandomJson random(seed);
    ExpectSameTree("{\"root\":" + random.Value(0) + "}");
  }
}

}  // namespace
}  // namespace connectivity::model
