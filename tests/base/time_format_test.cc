// ISO-8601 formatting and parsing round trips, offsets, and durations.
#include "src/base/time_format.h"

#include <gtest/gtest.h>

namespace connectivity {
namespace {

TEST(TimeFormatTest, FormatsEpoch) {
  EXPECT_EQ(FormatIsoMicros(0), "1970-01-01T00:00:00.000000Z");
}

TEST(TimeFormatTest, FormatsMicroseconds) {
  // 2026-11-26T12:00:00.123456Z
  const int64_t micros = 1795694400LL * 1000000 + 123456;
  EXPECT_EQ(FormatIsoMicros(micros), "2026-11-26T12:00:00.123456Z");
}

TEST(TimeFormatTest, FormatsBeforeEpoch) {
  EXPECT_EQ(FormatIsoMicros(-1), "1969-12-31T23:59:59.999999Z");
}

// Found by the fuzz target `snapshot`: a snapshot's _created of INT64_MIN overflowed
// (signed) while the seconds were split from the fraction. Times from disk can be anything.
TEST(TimeFormatTest, FormatsTheExtremesWithoutOverflow) {
  EXPECT_EQ(FormatIsoMicros(INT64_MIN), "-290308-12-21T19:59:05.224192Z");
  EXPECT_EQ(FormatIsoMicros(INT64_MIN + 999'999), "-290308-12-21T19:59:06.224191Z");
  EXPECT_EQ(FormatIsoMicros(INT64_MAX), "294247-01-10T04:00:54.775807Z");
}

TEST(TimeFormatTest, ParsesWhatItFormats) {
  for (int64_t micros : {0LL, 1LL, 951782400000000LL, 1795694400123456LL, 4102444799999999LL}) {
    const auto parsed = ParseIsoMicros(FormatIsoMicros(micros));
    ASSERT_TRUE(parsed.has_value()) << micros;
    EXPECT_EQ(*parsed, micros);
  }
}

TEST(TimeFormatTest, ParsesJavaInstantForms) {
  EXPECT_EQ(ParseIsoMicros("2024-05-03T10:11:12Z"), 1714731072LL * 1000000);
  EXPECT_EQ(ParseIsoMicros("2024-05-03T10:11:12.345Z"), 1714731072LL * 1000000 + 345000);
  EXPECT_EQ(ParseIsoMicros("2024-05-03T12:11:12.345+02:00"), 1714731072LL * 1000000 + 345000);
  EXPECT_EQ(ParseIsoMicros("2024-05-03T10:11:12.123456789Z"), 1714731072LL * 1000000 + 123456);
}

TEST(TimeFormatTest, RejectsMalformed) {
  EXPECT_FALSE(ParseIsoMicros(""));
  EXPECT_FALSE(ParseIsoMicros("2024-05-03"));
  EXPECT_FALSE(ParseIsoMicros("2024-05-03T10:11:12"));  // no zone
  EXPECT_FALSE(ParseIsoMicros("2024-13-03T10:11:12Z"));
  EXPECT_FALSE(ParseIsoMicros("2024-05-03T10:11:12.Z"));
  EXPECT_FALSE(ParseIsoMicros("2024-05-03T10:11:12Zjunk"));
  EXPECT_FALSE(ParseIsoMicros("yesterday"));
}

TEST(TimeFormatTest, ParsesDurations) {
  EXPECT_EQ(ParseDurationMicros("500ms"), 500000);
  EXPECT_EQ(ParseDurationMicros("30s"), 30000000);
  EXPECT_EQ(ParseDurationMicros("5m"), 300000000);
  EXPECT_EQ(ParseDurationMicros("1h"), 3600000000LL);
  EXPECT_EQ(ParseDurationMicros("15"), 15000000);
  EXPECT_FALSE(ParseDurationMicros("5 minutes"));
  EXPECT_FALSE(ParseDurationMicros("-1s"));
  EXPECT_FALSE(ParseDurationMicros("s"));
  EXPECT_FALSE(ParseDurationMicros("99999999999999999999h"));
}

}  // namespace
}  // namespace connectivity
