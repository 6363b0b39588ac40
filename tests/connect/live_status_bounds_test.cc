// WindowedCounter stays bounded whatever the rate (issue 11, item 2: bounded metric windows): the
// newest events are counted exactly, older ones at minute granularity.
#include <gtest/gtest.h>

#include "src/connect/live_status.h"

namespace connectivity::connect {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(WindowedCounterBounds, ADayOfOneEventPerSecondStaysSmall) {
  WindowedCounter counter;
  const int64_t t0 = 1'000'000 * kSecond;
  const int64_t events = 100'000;  // 27.8 hours, one per second
  for (int64_t i = 0; i < events; ++i) counter.Record(t0 + i * kSecond);
  EXPECT_LE(counter.stored(), WindowedCounter::kExactEventsMax + 1441);
  const int64_t now = t0 + (events - 1) * kSecond;
  const WindowedCounter::Counts counts = counter.Count(now);
  EXPECT_EQ(counts.last_minute, 60) << "the newest events are exact";
  EXPECT_NEAR(counts.last_hour, 3600, 60);
  EXPECT_NEAR(counts.last_day, 86400, 60);
  EXPECT_EQ(counts.last_at_us, now);
}

TEST(WindowedCounterBounds, FewEventsStayExact) {
  WindowedCounter counter;
  const int64_t t0 = 1'000'000 * kSecond;
  for (int64_t i = 0; i < static_cast<int64_t>(WindowedCounter::kExactEventsMax); ++i) {
    counter.Record(t0 + i * 80 * kSecond);
  }
  const int64_t now = t0 + (WindowedCounter::kExactEventsMax - 1) * 80 * kSecond;
  EXPECT_EQ(counter.Count(now).last_day, static_cast<int64_t>(WindowedCounter::kExactEventsMax));
  EXPECT_EQ(counter.Count(now).last_hour, 45);
}

}  // namespace
}  // namespace connectivity::connect
