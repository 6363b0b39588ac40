// WorkerPool: every task runs, on at most `threads` workers that start only
// when work arrives; after Stop() a task runs on the caller.
#include "src/service/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace connectivity::service {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskOnAtMostItsThreads) {
  WorkerPool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> workers;
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) {
    pool.Post([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::lock_guard lock(mutex);
      workers.insert(std::this_thread::get_id());
      ++done;
    });
  }
  pool.Stop();  // runs what is queued first
  EXPECT_EQ(done.load(), 50);
  EXPECT_GE(workers.size(), 1u);
  EXPECT_LE(workers.size(), 2u);
  EXPECT_EQ(workers.count(std::this_thread::get_id()), 0u);
}

TEST(WorkerPoolTest, BlockedWorkersDoNotHoldBackTheOthers) {
  WorkerPool pool(3);
  std::atomic<bool> release{false};
  std::atomic<int> running{0};
  for (int i = 0; i < 3; ++i) {
    pool.Post([&] {
      ++running;
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  // Three blocking tasks run at once: each started its own worker.
  for (int i = 0; i < 2000 && running.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(running.load(), 3);
  release = true;
}

TEST(WorkerPoolTest, AfterStopATaskRunsOnTheCaller) {
  WorkerPool pool(1);
  pool.Stop();
  std::thread::id ran_on;
  pool.Post([&ran_on] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

}  // namespace
}  // namespace connectivity::service
