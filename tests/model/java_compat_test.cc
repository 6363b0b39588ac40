// Goal: the Java behaviours that shape Ditto's messages are reproduced: MessageFormat's integer
// grouping, collection toString, HashSet iteration order, String#split, trim, Long#parseLong,
// UTF-16 lengths and Typesafe Config's duration and int readings.
// Method: direct calls with values whose Java results are known.
#include "src/model/java_compat.h"

#include <gtest/gtest.h>

namespace connectivity::model {
namespace {

TEST(JavaCompatTest, FormatInteger) {
  EXPECT_EQ(JavaFormatInteger(0), "0");
  EXPECT_EQ(JavaFormatInteger(999), "999");
  EXPECT_EQ(JavaFormatInteger(1000), "1,000");
  EXPECT_EQ(JavaFormatInteger(-1234567), "-1,234,567");
  EXPECT_EQ(JavaFormatInteger(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(JavaCompatTest, HashOrderAndToString) {
  // java.util.HashSet of these strings iterates in this order (String#hashCode buckets).
  EXPECT_EQ(JavaHashOrder({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}),
            (std::vector<std::string>{"PLAIN", "SCRAM-SHA-512", "SCRAM-SHA-256"}));
  EXPECT_EQ(JavaHashOrder({"b", "a", "c"}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(JavaListToString({"a", "b"}), "[a, b]");
  EXPECT_EQ(JavaListToString({}), "[]");
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("k" + std::to_string(i));
  EXPECT_EQ(JavaHashOrder(many).size(), 40u);
}

TEST(JavaCompatTest, SplitTrimAndNumbers) {
  EXPECT_EQ(JavaSplit("a,,b,,", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(JavaSplit("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(JavaSplit(",", ','), (std::vector<std::string>{}));
  EXPECT_EQ(JavaTrim(" \t x y \n"), "x y");
  EXPECT_EQ(ParseJavaLong("+42"), 42);
  EXPECT_EQ(ParseJavaLong("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(ParseJavaLong("9223372036854775808"));
  EXPECT_FALSE(ParseJavaLong(" 1"));
  EXPECT_FALSE(ParseJavaInt("2147483648"));
  EXPECT_EQ(Utf16Length("a\xC3\xA4\xF0\x9F\x98\x80"), 4u);  // a, ä, one surrogate pair
}

TEST(JavaCompatTest, TypesafeDurations) {
  EXPECT_EQ(std::get<int64_t>(TypesafeDurationNanos("k", "60s")), 60'000'000'000);
  EXPECT_EQ(std::get<int64_t>(TypesafeDurationNanos("k", "60")), 60'000'000);  // milliseconds
  EXPECT_EQ(std::get<int64_t>(TypesafeDurationNanos("k", " 2 minutes ")), 120'000'000'000);
  EXPECT_EQ(std::get<int64_t>(TypesafeDurationNanos("k", "1.5h")), 5'400'000'000'000);
  EXPECT_EQ(std::get<int64_t>(TypesafeDurationNanos("k", "3 day")), 259'200'000'000'000);
  EXPECT_EQ(std::get<std::string>(TypesafeDurationNanos("k", "s")),
            "Invalid value at 'k': No number in duration value 's'");
  EXPECT_EQ(std::get<std::string>(TypesafeDurationNanos("k", "5 weeks")),
            "Invalid value at 'k': Could not parse time unit 'weeks' (try ns, us, ms, s, m, h, d)");
  EXPECT_EQ(std::get<std::string>(TypesafeDurationNanos("k", "1..5s")),
            "Invalid value at 'k': Could not parse duration number '1..5'");
}

TEST(JavaCompatTest, TypesafeInts) {
  EXPECT_EQ(std::get<int32_t>(TypesafeInt("k", "7")), 7);
  EXPECT_EQ(std::get<int32_t>(TypesafeInt("k", "2.9")), 2);
  EXPECT_TRUE(std::holds_alternative<std::string>(TypesafeInt("k", "x")));
  EXPECT_TRUE(std::holds_alternative<std::string>(TypesafeInt("k", "3000000000")));
}

}  // namespace
}  // namespace connectivity::model
