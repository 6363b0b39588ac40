// Goal: an interrupted journal-replay (Ctrl-C, SIGTERM) leaves nothing
// behind: every command stops at its next progress tick with exit status
// 130, the secondary instance's directory under $TMPDIR is removed, and an
// interrupted import leaves neither a data dir nor its staging directory.
// Method: the commands run in-process (the `replay` library) on a journal
// of more events than one progress tick, with the interrupt flag raised as
// the signal handler would; and the handler itself is checked with raise().
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <sstream>

#include "journal/journal.h"
#include "src/tools/commands.h"
#include "src/tools/deferred_sync.h"
#include "src/tools/output.h"
#include "storage/temp_dir.h"
#include "tests/projector/projector_test_util.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

namespace fs = std::filesystem;

class InterruptTest : public ::testing::Test {
 protected:
  // More events than one progress tick, so that every loop meets a check.
  static constexpr uint64_t kEvents = Progress::kTicksPerClockRead + 100;

  void SetUp() override {
    // Appends without an fsync each (the data dir is thrown away anyway).
    const DeferredSyncEnv deferred = MakeDeferredSyncEnv();
    journal::JournalOptions options;
    options.env = deferred.env.get();
    Result<std::unique_ptr<journal::Journal>> journal =
        journal::Journal::Open(dir_.Sub("data"), options);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    for (uint64_t index = 0; index < kEvents; ++index) {
      const std::string id = "c" + std::to_string(index % 100);
      const uint64_t revision = index / 100;
      const uint8_t type = revision == 0 ? 1 : 2;  // created, then modified
      ASSERT_TRUE(
          (*journal)
              ->AppendAndWait({id, revision, type, projector::testing::CanonicalJson(id, "closed")})
              .ok());
    }
    (*journal)->Close();
    journal->reset();
    // The secondary instances' directories go here, to be counted.
    const char* tmpdir = std::getenv("TMPDIR");
    if (tmpdir != nullptr) tmpdir_saved_ = tmpdir;
    fs::create_directory(dir_.Sub("tmp"));
    setenv("TMPDIR", dir_.Sub("tmp").c_str(), 1);
  }

  void TearDown() override {
    RequestInterruptForTesting(false);
    if (tmpdir_saved_) {
      setenv("TMPDIR", tmpdir_saved_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

  ExitCode Run(ExitCode (*command)(const Invocation&, Output&), Invocation invocation) {
    invocation.data_dir = invocation.data_dir.empty() ? dir_.Sub("data") : invocation.data_dir;
    Output output{out_, err_, /*progress=*/false};
    return command(invocation, output);
  }

  storage::ScopedTempDir dir_{"interrupt-test"};
  std::optional<std::string> tmpdir_saved_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(InterruptTest, EveryReadingCommandStopsAndCleansUp) {
  // Not interrupted, the commands run to the end.
  EXPECT_EQ(Run(RunStats, {}), ExitCode::kOk) << err_.str();
  RequestInterruptForTesting(true);
  for (auto command : {RunStats, RunState, RunDump, RunVerify, RunExport}) {
    err_.str("");
    EXPECT_EQ(Run(command, {}), ExitCode::kInterrupted) << err_.str();
    EXPECT_EQ(err_.str(), "journal-replay: interrupted\n");
    EXPECT_TRUE(fs::is_empty(dir_.Sub("tmp")));
  }
}

TEST_F(InterruptTest, InterruptedImportLeavesNothing) {
  Invocation export_invocation;
  export_invocation.output_path = dir_.Sub("export.jsonl");
  ASSERT_EQ(Run(RunExport, export_invocation), ExitCode::kOk) << err_.str();
  RequestInterruptForTesting(true);
  Invocation import;
  import.data_dir = dir_.Sub("imported");
  import.input_path = dir_.Sub("export.jsonl");
  EXPECT_EQ(Run(RunImport, import), ExitCode::kInterrupted) << err_.str();
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "data" || name == "tmp" || name == "export.jsonl") << name;
  }
}

TEST_F(InterruptTest, InterruptedRebuildSaysWhatItLeft) {
  RequestInterruptForTesting(true);
  EXPECT_EQ(Run(RunRebuildSnapshots, {}), ExitCode::kInterrupted);
  EXPECT_NE(err_.str().find("run rebuild-snapshots again"), std::string::npos) << err_.str();
  RequestInterruptForTesting(false);
  EXPECT_EQ(Run(RunRebuildSnapshots, {}), ExitCode::kOk) << err_.str();
  EXPECT_EQ(Run(RunVerify, {}), ExitCode::kOk) << out_.str();
}

TEST(InterruptHandlerTest, SignalSetsTheFlag) {
  InstallInterruptHandlers();
  EXPECT_FALSE(Interrupted());
  raise(SIGTERM);
  EXPECT_TRUE(Interrupted());
  RequestInterruptForTesting(false);
}

}  // namespace
}  // namespace connectivity::tools::testing
