// ResolverPool and HostRulesRefresher (issue 11, item 3): lookups run on the pool's threads, its
// queue is bounded, Stop answers what waits; the prepared host rules are compiled once and keep
// a blocked hostname's addresses when a later lookup fails.
#include "src/connect/resolver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "tests/model/fake_host_resolver.h"

namespace connectivity::connect {
namespace {

using namespace std::chrono_literals;

// A FakeHostResolver whose lookups wait while held.
class HeldResolver final : public model::HostResolver {
 public:
  void Hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    released_.notify_all();
  }
  model::testing::FakeHostResolver& table() { return table_; }
  Result<std::vector<model::IpAddress>> Resolve(std::string_view host, int64_t timeout_us) const override {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [this] { return !held_; });
    lock.unlock();
    return table_.Resolve(host, timeout_us);
  }

 private:
  model::testing::FakeHostResolver table_;
  mutable std::mutex mutex_;
  mutable std::condition_variable released_;
  bool held_ = false;  // guarded by mutex_
};

TEST(ResolverPoolTest, ResolvesOnItsOwnThreadInOrder) {
  auto resolver = std::make_shared<HeldResolver>();
  resolver->table().Set("a.test", {"192.0.2.1"});
  ResolverPool pool(resolver, 2, 8);
  std::promise<std::pair<ResolverPool::Results, std::thread::id>> done;
  pool.Resolve({"a.test", "none.test"}, [&done](ResolverPool::Results results) {
    done.set_value({std::move(results), std::this_thread::get_id()});
  });
  auto [results, thread] = done.get_future().get();
  EXPECT_NE(thread, std::this_thread::get_id());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].first, "a.test");
  ASSERT_TRUE(results[0].second.ok());
  EXPECT_EQ((*results[0].second)[0].ToString(), "192.0.2.1");
  EXPECT_EQ(results[1].first, "none.test");
  EXPECT_FALSE(results[1].second.ok());
}

TEST(ResolverPoolTest, QueueIsBoundedAndStopAnswersWhatWaits) {
  auto resolver = std::make_shared<HeldResolver>();
  resolver->Hold();
  ResolverPool pool(resolver, 1, 1);
  std::promise<void> running_done;
  pool.Resolve({"running.test"}, [&](ResolverPool::Results) { running_done.set_value(); });
  std::this_thread::sleep_for(100ms);  // the one thread takes it and waits in the lookup
  std::promise<ResolverPool::Results> waiting;
  pool.Resolve({"waiting.test"}, [&](ResolverPool::Results results) { waiting.set_value(std::move(results)); });
  std::promise<std::pair<ResolverPool::Results, std::thread::id>> refused;
  pool.Resolve({"refused.test"}, [&](ResolverPool::Results results) {
    refused.set_value({std::move(results), std::this_thread::get_id()});
  });
  auto refused_future = refused.get_future();
  ASSERT_EQ(refused_future.wait_for(0s), std::future_status::ready) << "refused at once";
  auto [refused_results, refused_thread] = refused_future.get();
  EXPECT_EQ(refused_thread, std::this_thread::get_id());
  ASSERT_EQ(refused_results.size(), 1u);
  EXPECT_TRUE(refused_results[0].second.status().IsUnavailable());
  std::thread stopper([&pool] { pool.Stop(); });
  resolver->Release();
  stopper.join();
  running_done.get_future().get();
  auto waiting_results = waiting.get_future().get();
  ASSERT_EQ(waiting_results.size(), 1u);
  EXPECT_FALSE(waiting_results[0].second.ok()) << "failed at Stop, not resolved";
  std::promise<ResolverPool::Results> after;
  pool.Resolve({"late.test"}, [&](ResolverPool::Results results) { after.set_value(std::move(results)); });
  EXPECT_TRUE(after.get_future().get()[0].second.status().IsUnavailable());
}

TEST(HostRulesRefresherTest, CompilesAtStartAndKeepsAddressesThatStopResolving) {
  auto resolver = std::make_shared<HeldResolver>();
  resolver->table().Set("blocked.test", {"192.0.2.7"});
  model::HostRules rules;
  rules.blocked_hostnames = {"blocked.test"};
  auto prepared = std::make_shared<model::PreparedHostRules>();
  HostRulesRefresher refresher(rules, resolver, prepared, 3600'000'000);
  EXPECT_EQ(prepared->Current(), nullptr);
  refresher.Start();
  auto current = prepared->Current();
  ASSERT_TRUE(current && current->ok());
  EXPECT_TRUE((*current)->active());
  EXPECT_TRUE((*current)->CheckAddress(*model::ParseIpAddress("192.0.2.7")).has_value());
  resolver->table().SetTimeout("blocked.test");  // DNS fails from now on
  refresher.Refresh();
  current = prepared->Current();
  ASSERT_TRUE(current && current->ok());
  EXPECT_TRUE((*current)->active()) << "a DNS failure must not lift the block";
  EXPECT_TRUE((*current)->CheckAddress(*model::ParseIpAddress("192.0.2.7")).has_value());
  refresher.Stop();
}

}  // namespace
}  // namespace connectivity::connect
