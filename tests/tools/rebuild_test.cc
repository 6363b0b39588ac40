// Goal: `rebuild-snapshots` refuses a running server's data dir clearly
// (exit 2, nothing changed), and on a stopped one rewrites state rows and
// historical snapshots that `verify` accepts and that the REAL server
// recovers from with the same answers. Method: ServerScenario on
// build/connectivityd, then the real build/journal-replay.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/server_fixture.h"
#include "tests/tools/server_scenario.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

class RebuildSnapshotsTest : public ::connectivity::testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    scenario_ = std::make_unique<ServerScenario>(
        [this](const std::string& command) { return Send(command); });
    ASSERT_NO_FATAL_FAILURE(scenario_->Run());
    answers_ = scenario_->RetrieveAll();
  }

  Json Stats() {
    const ToolRun run = RunOn(data_dir(), {"stats", "--json"});
    EXPECT_EQ(run.exit_code, 0) << Describe(run);
    return Json(run.out);
  }

  std::unique_ptr<ServerScenario> scenario_;
  std::map<std::string, std::string> answers_;
};

TEST_F(RebuildSnapshotsTest, RefusesTheDataDirOfARunningServer) {
  const ToolRun run = RunOn(data_dir(), {"rebuild-snapshots"});
  EXPECT_EQ(run.exit_code, 2) << Describe(run);
  EXPECT_NE(run.err.find("is in use"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("stop the server"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  // The server did not notice.
  EXPECT_EQ(scenario_->RetrieveAll(), answers_);
}

TEST_F(RebuildSnapshotsTest, RewritesSnapshotsThatVerifyAndTheServerAccept) {
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  const ToolRun run = RunOn(data_dir(), {"rebuild-snapshots", "--threshold", "2", "--json"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  const Json figures(run.out);
  EXPECT_EQ(figures.Int("/events"), static_cast<int64_t>(scenario_->events()));
  EXPECT_EQ(figures.Int("/stateRows"), 3);
  EXPECT_EQ(figures.Int("/watermark"), static_cast<int64_t>(scenario_->events()));
  // Revisions 2 and 4 of c1 and c2, 2 of c3 (c1 and c2 have 5 revisions each).
  EXPECT_EQ(figures.Int("/historical"), 5);

  const Json stats = Stats();
  EXPECT_EQ(stats.Int("/snapshots/stateRows"), 3);
  EXPECT_EQ(stats.Int("/snapshots/historical"), 5);
  const ToolRun verify = RunOn(data_dir(), {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);

  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(scenario_->RetrieveAll(), answers_);
}

TEST_F(RebuildSnapshotsTest, ThresholdComesFromTheServersEnvironmentVariable) {
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  const ToolRun run = RunTool({"--data-dir", data_dir(), "rebuild-snapshots", "--json"}, "",
                              {{"CONNECTION_SNAPSHOT_THRESHOLD", "1"}});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  // Threshold 1: a historical snapshot at every revision.
  EXPECT_EQ(Json(run.out).Int("/historical"), static_cast<int64_t>(scenario_->events()));
}

TEST_F(RebuildSnapshotsTest, RefusesADirectoryWithoutAJournal) {
  const std::string missing = dir_.path() + "/missing";
  const ToolRun run = RunOn(missing, {"rebuild-snapshots"});
  EXPECT_EQ(run.exit_code, 2) << Describe(run);
  EXPECT_FALSE(std::filesystem::exists(missing));  // never creates one
}

}  // namespace
}  // namespace connectivity::tools::testing
