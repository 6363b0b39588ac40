// Windowed counters, REF §7.1 aggregation, and the reconnect backoff.
#include "src/connect/live_status.h"

#include <gtest/gtest.h>

#include "src/connect/backoff.h"

namespace connectivity::connect {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(WindowedCounter, CountsExactSlidingWindows) {
  WindowedCounter counter;
  const int64_t t0 = 1'000'000 * kSecond;
  counter.Record(t0);
  counter.Record(t0 + 30 * kSecond);
  counter.Record(t0 + 3000 * kSecond);
  WindowedCounter::Counts at_end = counter.Count(t0 + 3000 * kSecond);
  EXPECT_EQ(at_end.last_minute, 1);
  EXPECT_EQ(at_end.last_hour, 3);
  EXPECT_EQ(at_end.last_day, 3);
  EXPECT_EQ(at_end.last_at_us, t0 + 3000 * kSecond);
  // An event exactly a window old is out of it.
  EXPECT_EQ(counter.Count(t0 + 3600 * kSecond).last_hour, 2);
  EXPECT_EQ(counter.Count(t0 + 3630 * kSecond).last_hour, 1);
  EXPECT_EQ(counter.Count(t0 + 86400 * kSecond).last_day, 2);
  counter.Record(t0 + 90000 * kSecond);  // drops what is older than a day
  EXPECT_EQ(counter.Count(t0 + 90000 * kSecond).last_day, 1);
  counter.Reset();
  EXPECT_EQ(counter.Count(t0 + 90000 * kSecond).last_day, 0);
  EXPECT_EQ(counter.Count(t0 + 90000 * kSecond).last_at_us, 0);
}

TEST(WindowedCounter, SurvivesAClockSteppingBack) {
  WindowedCounter counter;
  counter.Record(100 * kSecond);
  counter.Record(90 * kSecond);
  EXPECT_EQ(counter.Count(100 * kSecond).last_minute, 2);
}

ResourceStatus R(const char* status, const char* recovery = "") {
  ResourceStatus r;
  r.status = status;
  r.recovery_status = recovery;
  return r;
}

TEST(Aggregation, FollowsRef71) {
  EXPECT_EQ(AggregateLiveStatus({R("open")}, {}, {}), "open");
  EXPECT_EQ(AggregateLiveStatus({R("open")}, {R("open")}, {R("failed")}), "failed");
  EXPECT_EQ(AggregateLiveStatus({R("open"), R("misconfigured")}, {}, {}), "misconfigured");
  EXPECT_EQ(AggregateLiveStatus({R("closed")}, {R("closed")}, {R("closed")}), "closed");
  EXPECT_EQ(AggregateLiveStatus({R("open")}, {R("unknown")}, {}), "open");  // clients open
  EXPECT_EQ(AggregateLiveStatus({R("unknown")}, {R("unknown")}, {}), "unknown");
  EXPECT_EQ(AggregateLiveStatus({R("closed")}, {}, {}), "unknown");  // empty categories count as open
  // The SSH tunnel is a category of its own, and only with a tunnel.
  EXPECT_EQ(AggregateLiveStatus({R("open")}, {R("open")}, {}, {R("failed")}), "failed");
  EXPECT_EQ(AggregateLiveStatus({R("open")}, {}, {}, {R("open")}), "open");
  EXPECT_EQ(AggregateLiveStatus({R("closed")}, {R("closed")}, {R("closed")}, {R("closed")}), "closed");
  EXPECT_EQ(AggregateRecoveryStatus({R("open", "succeeded")}), "succeeded");
  EXPECT_EQ(AggregateRecoveryStatus({R("failed", "ongoing"), R("failed", "backOffLimitReached")}),
            "backOffLimitReached");
  EXPECT_EQ(AggregateRecoveryStatus({R("failed", "ongoing")}), "ongoing");
  EXPECT_EQ(AggregateRecoveryStatus({R("unknown", "unknown")}), "unknown");
}

TEST(Backoff, DoublesWithJitterWithinBounds) {
  std::mt19937_64 random(42);
  Backoff backoff(100, 1000);
  const int64_t steps[] = {100, 200, 400, 800, 1000, 1000};
  for (int64_t step : steps) {
    const int64_t delay = backoff.NextDelay(random);
    EXPECT_GE(delay, std::max<int64_t>(100, step / 2));
    EXPECT_LE(delay, step);
    EXPECT_EQ(backoff.at_limit(), step == 1000);
  }
  backoff.Reset();
  EXPECT_LE(backoff.NextDelay(random), 100);
  EXPECT_FALSE(backoff.at_limit());
}

TEST(Backoff, JitterSpreadsReconnects) {
  std::mt19937_64 random(7);
  std::set<int64_t> delays;
  for (int i = 0; i < 50; ++i) {
    Backoff backoff(1'000'000, 120'000'000);
    backoff.NextDelay(random);
    delays.insert(backoff.NextDelay(random));  // the 2 s step: anywhere in [1 s, 2 s]
  }
  EXPECT_GT(delays.size(), 40u);
  EXPECT_GE(*delays.begin(), 1'000'000);
  EXPECT_LE(*delays.rbegin(), 2'000'000);
}

}  // namespace
}  // namespace connectivity::connect
