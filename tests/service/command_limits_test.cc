// The service's limits on what clients control and where validation resolves names (issue 11,
// items 2 and 3): a connection's command queue is bounded (503 beyond it), a rejected create
// leaves no registry entry, and validating a connection whose host must be resolved never waits
// on DNS on the caller's thread or the journal's completion thread. The journal runs on a
// fault-injection file system whose syncs the tests hold, so commands queue deterministically.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal.h"
#include "src/base/clock.h"
#include "src/connect/resolver.h"
#include "src/model/connection.h"
#include "src/recovery/recovery.h"
#include "src/service/connection_service.h"
#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/model/fake_host_resolver.h"

namespace connectivity::service {
namespace {

using namespace std::chrono_literals;

// A resolver whose lookups wait while held, and that records the thread of every lookup.
class GatedResolver final : public model::HostResolver {
 public:
  explicit GatedResolver(std::map<std::string, std::vector<std::string>> table) : table_(std::move(table)) {}

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
  std::set<std::thread::id> Threads() const {
    std::lock_guard lock(mutex_);
    return threads_;
  }
  int Lookups(const std::string& host) const { return table_.LookupCount(host); }

  Result<std::vector<model::IpAddress>> Resolve(std::string_view host, int64_t timeout_us) const override {
    {
      std::unique_lock lock(mutex_);
      threads_.insert(std::this_thread::get_id());
      released_.wait(lock, [this] { return !held_; });
    }
    return table_.Resolve(host, timeout_us);
  }

 private:
  model::testing::FakeHostResolver table_;
  mutable std::mutex mutex_;
  mutable std::condition_variable released_;
  bool held_ = false;                              // guarded by mutex_
  mutable std::set<std::thread::id> threads_;      // guarded by mutex_
};

// The outcome of one command, and the thread that delivered it.
struct Answer {
  std::promise<std::pair<Outcome, std::thread::id>> promise;
  std::future<std::pair<Outcome, std::thread::id>> future = promise.get_future();
  OutcomeCallback Callback() {
    return [this](Outcome outcome) { promise.set_value({std::move(outcome), std::this_thread::get_id()}); };
  }
  bool Ready(std::chrono::milliseconds wait = 0ms) { return future.wait_for(wait) == std::future_status::ready; }
  std::pair<Outcome, std::thread::id> Get() {
    EXPECT_TRUE(Ready(10s)) << "no answer";
    return future.get();
  }
};

model::Connection Mqtt(const std::string& id, const std::string& host, const std::string& name = "n") {
  const std::string json = R"({"id":")" + id + R"(","name":")" + name +
                           R"(","connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://)" + host +
                           R"(:1883","sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["x:y"]}]})";
  auto parsed = model::ParseConnection(json, model::ParseOptions{});
  EXPECT_TRUE(std::holds_alternative<model::Connection>(parsed)) << json;
  return std::get<model::Connection>(std::move(parsed));
}

class CommandLimitsTest : public ::testing::Test {
 protected:
  void Start(ServiceOptions options) {
    journal::JournalOptions journal_options;
    journal_options.env = fault_.env.get();
    auto journal = journal::Journal::Open(dir_.Sub("data"), journal_options);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    journal_ = std::move(*journal);
    auto recovered = recovery::Recover(*journal_, *SystemClock::Instance());
    ASSERT_TRUE(recovered.ok());
    service_ = std::make_unique<ConnectionService>(*journal_, std::move(*recovered), std::move(options),
                                                   *SystemClock::Instance());
    service_->Start();
  }
  // Host rules that are active (a blocked hostname resolves), prepared once, and a lookup pool,
  // both on `resolver`.
  ServiceOptions WithHostRules(const std::shared_ptr<GatedResolver>& resolver) {
    ServiceOptions options;
    model::HostRules rules;
    rules.blocked_hostnames = {"blocked.test"};
    options.validation.hosts = rules;
    auto prepared = std::make_shared<model::PreparedHostRules>();
    refresher_ = std::make_unique<connect::HostRulesRefresher>(rules, resolver, prepared, 3600'000'000);
    refresher_->Start();
    options.validation.prepared_hosts = prepared;
    pool_ = std::make_shared<connect::ResolverPool>(resolver, 2, 16);
    options.host_lookups = pool_;
    return options;
  }
  void TearDown() override {
    fault_.fs->ReleaseSyncs();
    if (pool_) pool_->Stop();
    if (journal_) journal_->Close();
    if (service_) service_->Stop();
    service_.reset();
  }
  void CreateOk(const std::string& id, const std::string& host) {
    Answer answer;
    service_->Create(Mqtt(id, host), CommandOptions{}, answer.Callback());
    const auto [outcome, thread] = answer.Get();
    ASSERT_FALSE(outcome.error.has_value()) << outcome.error->ToJson();
  }

  storage::ScopedTempDir dir_{"command-limits-test"};
  storage::FaultInjectionEnv fault_ = storage::MakeFaultInjectionEnv();
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<ConnectionService> service_;
  std::unique_ptr<connect::HostRulesRefresher> refresher_;
  std::shared_ptr<connect::ResolverPool> pool_;
};

TEST_F(CommandLimitsTest, FullCommandQueueAnswers503AndKeepsTheQueuedOnes) {
  ServiceOptions options;
  options.queued_commands_max = 2;
  Start(std::move(options));
  CreateOk("a", "127.0.0.1");
  fault_.fs->HoldSyncs(".log");
  Answer running, first, second, refused;
  service_->Modify(Mqtt("a", "127.0.0.1", "1"), CommandOptions{}, running.Callback());
  fault_.fs->WaitUntilSyncHeld();
  service_->Modify(Mqtt("a", "127.0.0.1", "2"), CommandOptions{}, first.Callback());
  service_->Modify(Mqtt("a", "127.0.0.1", "3"), CommandOptions{}, second.Callback());
  service_->Modify(Mqtt("a", "127.0.0.1", "4"), CommandOptions{}, refused.Callback());
  ASSERT_TRUE(refused.Ready()) << "refused at once, not queued";
  const Outcome outcome = refused.Get().first;
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->status, 503);
  EXPECT_EQ(outcome.error->error, "connectivity:connection.unavailable");
  EXPECT_NE(outcome.error->message.find("'a'"), std::string::npos) << outcome.error->message;
  EXPECT_NE(outcome.error->description.find("2 commands wait"), std::string::npos) << outcome.error->description;
  EXPECT_FALSE(first.Ready());
  fault_.fs->ReleaseSyncs();
  for (Answer* answer : {&running, &first, &second}) {
    const Outcome done = answer->Get().first;
    EXPECT_FALSE(done.error.has_value()) << done.error->ToJson();
  }
  Outcome retrieved = service_->Retrieve("a", Preconditions{});
  ASSERT_TRUE(retrieved.state);
  EXPECT_EQ(retrieved.state->revision, 4u) << "create and three modifies, not the refused one";
}

TEST_F(CommandLimitsTest, RejectedCreateOrUpsertLeavesNoRegistryEntry) {
  Start(ServiceOptions{});
  const size_t before = service_->registry_entries();
  model::Connection invalid = Mqtt("invalid", "127.0.0.1");
  invalid.sources[0].addresses = {""};
  for (bool modify : {false, true}) {
    Answer answer;
    if (modify) service_->Modify(invalid, CommandOptions{}, answer.Callback());
    else service_->Create(invalid, CommandOptions{}, answer.Callback());
    const Outcome outcome = answer.Get().first;
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->status, 400);
  }
  CommandOptions if_match;
  if_match.preconditions.if_match = "\"rev:1\"";
  Answer precondition;
  service_->Create(Mqtt("conditional", "127.0.0.1"), if_match, precondition.Callback());
  EXPECT_TRUE(precondition.Get().first.error.has_value());
  EXPECT_EQ(service_->registry_entries(), before) << "rejected commands made entries";
  CreateOk("valid", "127.0.0.1");
  EXPECT_EQ(service_->registry_entries(), before + 1);
}

TEST_F(CommandLimitsTest, BlockedHostnamesAreResolvedOnceNotPerValidation) {
  auto resolver = std::make_shared<GatedResolver>(std::map<std::string, std::vector<std::string>>{
      {"blocked.test", {"192.0.2.99"}}, {"public.test", {"192.0.2.1"}}});
  Start(WithHostRules(resolver));
  EXPECT_EQ(resolver->Lookups("blocked.test"), 1);
  CreateOk("one", "public.test");
  CreateOk("two", "192.0.2.2");
  EXPECT_EQ(resolver->Lookups("blocked.test"), 1) << "validations used the prepared rules";
  EXPECT_EQ(resolver->Lookups("public.test"), 1);
}

TEST_F(CommandLimitsTest, ValidationResolvesOnThePoolNotOnTheCallersThread) {
  auto resolver = std::make_shared<GatedResolver>(std::map<std::string, std::vector<std::string>>{
      {"blocked.test", {"192.0.2.99"}}, {"slow.test", {"192.0.2.1"}}, {"inside.test", {"10.1.2.3"}}});
  Start(WithHostRules(resolver));
  resolver->Hold();
  Answer allowed, blocked;
  std::thread::id caller;
  auto submit = std::async(std::launch::async, [&] {
    caller = std::this_thread::get_id();
    service_->Create(Mqtt("slow", "slow.test"), CommandOptions{}, allowed.Callback());
    service_->Create(Mqtt("inside", "inside.test"), CommandOptions{}, blocked.Callback());
  });
  ASSERT_EQ(submit.wait_for(2s), std::future_status::ready) << "Create waited on DNS";
  EXPECT_FALSE(allowed.Ready(100ms));
  const size_t entries = service_->registry_entries();
  resolver->Release();
  const auto [created, created_thread] = allowed.Get();
  EXPECT_FALSE(created.error.has_value()) << created.error->ToJson();
  const auto [refused, refused_thread] = blocked.Get();
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(refused.error->error, "connectivity:connection.configuration.invalid");
  EXPECT_NE(refused.error->message.find("site local address (10.1.2.3)"), std::string::npos) << refused.error->message;
  EXPECT_EQ(service_->registry_entries(), entries + 1) << "only the valid create made an entry";
  EXPECT_EQ(resolver->Threads().count(caller), 0u) << "the caller's thread resolved a name";
  EXPECT_NE(created_thread, caller);
}

TEST_F(CommandLimitsTest, QueuedCommandNeedingDnsDoesNotHoldTheCompletionThread) {
  auto resolver = std::make_shared<GatedResolver>(std::map<std::string, std::vector<std::string>>{
      {"blocked.test", {"192.0.2.99"}}, {"slow.test", {"192.0.2.1"}}});
  Start(WithHostRules(resolver));
  CreateOk("b", "192.0.2.1");
  fault_.fs->HoldSyncs(".log");
  Answer running, queued;
  service_->Modify(Mqtt("b", "192.0.2.1", "first"), CommandOptions{}, running.Callback());
  fault_.fs->WaitUntilSyncHeld();
  // Runs after `running` commits, on the thread that completes it, and needs slow.test resolved.
  service_->Modify(Mqtt("b", "slow.test", "second"), CommandOptions{}, queued.Callback());
  resolver->Hold();
  fault_.fs->ReleaseSyncs();
  const auto [first, completion_thread] = running.Get();
  EXPECT_FALSE(first.error.has_value());
  // The completion thread is free: another connection's create is answered meanwhile.
  Answer other;
  service_->Create(Mqtt("c", "192.0.2.3"), CommandOptions{}, other.Callback());
  ASSERT_TRUE(other.Ready(5s)) << "the completion thread waits on DNS";
  EXPECT_FALSE(queued.Ready());
  resolver->Release();
  const auto [second, second_thread] = queued.Get();
  EXPECT_FALSE(second.error.has_value()) << second.error->ToJson();
  EXPECT_EQ(resolver->Threads().count(completion_thread), 0u) << "DNS ran on the completion thread";
}

TEST_F(CommandLimitsTest, TestConnectionValidatesWithoutWaitingOnDns) {
  auto resolver = std::make_shared<GatedResolver>(std::map<std::string, std::vector<std::string>>{
      {"blocked.test", {"192.0.2.99"}}, {"inside.test", {"10.1.2.3"}}});
  Start(WithHostRules(resolver));
  resolver->Hold();
  std::promise<TestOutcome> tested;
  auto submit = std::async(std::launch::async, [&] {
    service_->Test(Mqtt("t", "inside.test"), [&tested](TestOutcome outcome) { tested.set_value(std::move(outcome)); });
  });
  ASSERT_EQ(submit.wait_for(2s), std::future_status::ready) << "Test waited on DNS";
  resolver->Release();
  std::future<TestOutcome> outcome = tested.get_future();
  ASSERT_EQ(outcome.wait_for(10s), std::future_status::ready);
  const TestOutcome result = outcome.get();
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->status, 400);
}

}  // namespace
}  // namespace connectivity::service
