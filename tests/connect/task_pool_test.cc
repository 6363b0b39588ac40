// TaskPool (src/connect/task_pool.h): tasks now and at a time, cancellation, a fixed number of
// threads, and Stop running what is still queued.
#include "src/connect/task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "src/base/mutex.h"
#include "src/connect/resolver.h"
#include "tests/connect/broker_env.h"

namespace connectivity::connect {
namespace {

using testing::WaitUntil;

TEST(TaskPoolTest, TimedTasksRunInTimeOrderNotBefore) {
  TaskPool pool(1);
  ASSERT_TRUE(pool.Start().ok());
  Mutex mutex;
  std::vector<int> order;
  std::vector<int64_t> late_us;
  const int64_t start = SteadyMicros();
  for (int i : {3, 1, 2}) {
    const int64_t at = start + i * 50'000;
    ASSERT_NE(pool.PostAt(at, [&, i, at] {
      MutexLock lock(mutex);
      order.push_back(i);
      late_us.push_back(SteadyMicros() - at);
    }), 0u);
  }
  ASSERT_TRUE(WaitUntil([&] { MutexLock lock(mutex); return order.size() == 3; }, 2000));
  MutexLock lock(mutex);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  for (int64_t late : late_us) EXPECT_GE(late, 0);
}

TEST(TaskPoolTest, CancelledTasksNeverRun) {
  TaskPool pool(2);
  ASSERT_TRUE(pool.Start().ok());
  std::atomic<int> ran{0};
  const uint64_t cancelled = pool.PostAt(SteadyMicros() + 100'000, [&] { ran += 100; });
  const uint64_t kept = pool.PostAt(SteadyMicros() + 50'000, [&] { ran += 1; });
  EXPECT_TRUE(pool.Cancel(cancelled));
  EXPECT_FALSE(pool.Cancel(cancelled)) << "a second cancel finds nothing";
  ASSERT_TRUE(WaitUntil([&] { return ran.load() == 1; }, 2000));
  EXPECT_FALSE(pool.Cancel(kept)) << "it ran already";
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(ran.load(), 1);
}

TEST(TaskPoolTest, RunsOnAFixedNumberOfThreads) {
  constexpr int kThreads = 3;
  TaskPool pool(kThreads);
  ASSERT_TRUE(pool.Start().ok());
  std::atomic<int> running{0}, peak{0}, done{0};
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(pool.Post([&] {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      --running;
      ++done;
    }));
  }
  ASSERT_TRUE(WaitUntil([&] { return done.load() == 30; }, 5000));
  EXPECT_EQ(peak.load(), kThreads);
}

TEST(TaskPoolTest, StopRunsQueuedTimedTasksEarlyAndRefusesNewOnes) {
  TaskPool pool(1);
  ASSERT_TRUE(pool.Start().ok());
  std::atomic<int> ran{0};
  std::atomic<bool> reposted{true};
  pool.PostAt(SteadyMicros() + 60'000'000, [&] {
    ++ran;
    reposted = pool.PostAt(SteadyMicros() + 1000, [&] { ran += 100; }) != 0;  // a recheck re-arming
  });
  const auto start = std::chrono::steady_clock::now();
  pool.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(ran.load(), 1);
  EXPECT_FALSE(reposted.load());
  EXPECT_FALSE(pool.Post([] {}));
  EXPECT_EQ(pool.PostAt(SteadyMicros(), [] {}), 0u);
}

}  // namespace
}  // namespace connectivity::connect
