// The simulation's own regressions: the scripted sequences that broke the
// snapshot invariant, and seeds the random runs found failing, kept so that
// they run on every build.
#include <gtest/gtest.h>

#include <memory>
#include <variant>

#include "src/base/log.h"
#include "src/model/connection.h"
#include "src/recovery/recovery.h"
#include "src/service/connection_service.h"
#include "tests/simulation/sim_disk.h"
#include "tests/simulation/sim_journal.h"
#include "tests/simulation/simulation.h"

namespace connectivity::simulation {
namespace {

// One process over a SimDisk: journal, recovery, service; no threads of its own.
class SimProcess {
 public:
  SimProcess(SimDisk& disk, const Clock& clock) : journal_(disk, clock) {
    Result<recovery::Recovered> recovered = recovery::Recover(journal_, clock);
    EXPECT_TRUE(recovered.ok()) << recovered.status().ToString();
    if (!recovered.ok()) return;
    service_ = std::make_unique<service::ConnectionService>(journal_, std::move(*recovered),
                                                            service::ServiceOptions{}, clock, nullptr);
  }
  ~SimProcess() { service_.reset(); }

  // Creates `id` and commits it; true if acknowledged.
  bool Create(const std::string& id) {
    const std::string json = R"({"id":")" + id +
                             R"(","connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://127.0.0.1:1883",)"
                             R"("sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
    auto parsed = model::ParseConnection(json, model::ParseOptions{});
    bool acknowledged = false;
    service_->Create(std::get<model::Connection>(std::move(parsed)), {},
                     [&acknowledged](service::Outcome outcome) { acknowledged = !outcome.error; });
    journal_.Commit(journal_.queued());
    return acknowledged;
  }
  bool Exists(const std::string& id) { return !service_->Retrieve(id, {}).error; }

  // SIGTERM: everything queued is committed, the last snapshot pass written.
  void StopCleanly() {
    journal_.Close();
    service_->Stop();
    ASSERT_TRUE(journal_.Flush().ok());
  }
  // kill -9: no last pass.
  void Kill(SimDisk& disk) {
    journal_.Abandon();
    disk.Kill();
  }

 private:
  SimJournal journal_;
  std::unique_ptr<service::ConnectionService> service_;
};

class SimulationTest : public ::testing::Test {
 protected:
  SimulationTest() { log::SetMinimumLevel(log::Level::kOff); }
  ~SimulationTest() override { log::SetMinimumLevel(log::Level::kInfo); }
  SimDisk disk_;
  ManualClock clock_{1'796'000'000'000'000};
};

// The sequence of issue 10: a create survives kill -9, the restart replays it
// (a short tail, no snapshot pass at start-up), a second create follows, and
// the orderly stop's snapshot pass must not move the watermark past the
// first create without its row.
TEST_F(SimulationTest, CreateSurvivesKillThenOrderlyRestart) {
  {
    SimProcess first(disk_, clock_);
    ASSERT_TRUE(first.Create("A"));
    first.Kill(disk_);
  }
  disk_.Restart();
  {
    SimProcess second(disk_, clock_);
    ASSERT_TRUE(second.Exists("A"));
    ASSERT_TRUE(second.Create("B"));
    second.StopCleanly();
  }
  disk_.Restart();
  SimProcess third(disk_, clock_);
  EXPECT_TRUE(third.Exists("A"));
  EXPECT_TRUE(third.Exists("B"));
}

TEST_F(SimulationTest, RandomSeedsRunClean) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SimulationOptions options;
    options.seed = seed;
    const SimulationResult result = RunSimulation(options);
    ASSERT_TRUE(result.ok) << "seed " << seed << ": " << result.failure;
    EXPECT_GT(result.commands, 0u);
  }
}

TEST_F(SimulationTest, SameSeedSameRun) {
  SimulationOptions options;
  options.seed = 42;
  const SimulationResult first = RunSimulation(options);
  const SimulationResult second = RunSimulation(options);
  EXPECT_EQ(first.commands, second.commands);
  EXPECT_EQ(first.acknowledged, second.acknowledged);
  EXPECT_EQ(first.restarts, second.restarts);
  EXPECT_EQ(first.failure, second.failure);
}

}  // namespace
}  // namespace connectivity::simulation
