// Goal: the journal-replay command line behaves as SPEC §6 and the issue
// say: usage errors exit 2 with a one-line message naming the problem,
// --help works for every command (exit 0), a data dir that cannot be opened
// exits 2, and nothing but results reaches stdout (no progress line when
// stderr is not a terminal). Method: run the real build/journal-replay;
// the parser itself is also checked in-process (ParseCommandLine).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>
#include <utility>

#include "journal/journal.h"
#include "src/tools/command_line.h"
#include "src/tools/output.h"
#include "storage/temp_dir.h"
#include "tests/projector/projector_test_util.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

const std::vector<std::string> kCommands = {
    "stats", "dump", "state", "verify", "export", "import", "rebuild-snapshots"};

void ExpectUsageError(const std::vector<std::string>& args, const std::string& message) {
  const ToolRun run = RunTool(args);
  EXPECT_EQ(run.exit_code, 2) << Describe(run);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("journal-replay: " + message), std::string::npos) << Describe(run);
}

TEST(CliTest, UsageErrorsExitTwoNamingTheProblem) {
  ExpectUsageError({}, "no command given");
  ExpectUsageError({"--data-dir", "/tmp", "frobnicate"}, "unknown command 'frobnicate'");
  ExpectUsageError({"--data-dir", "/tmp", "stats", "--bogus"}, "unknown option '--bogus'");
  ExpectUsageError({"--data-dir", "/tmp", "stats", "--connection", "c1"},
                   "option --connection does not apply to 'stats'");
  ExpectUsageError({"stats"}, "--data-dir DIR is required");
  ExpectUsageError({"--data-dir"}, "--data-dir needs a value (DIR)");
  ExpectUsageError({"--data-dir", "/tmp", "dump", "--from-revision", "x"},
                   "--from-revision: 'x' is not a positive whole number");
  ExpectUsageError({"--data-dir", "/tmp", "dump", "--since", "yesterday"},
                   "--since: 'yesterday' is not an ISO-8601 time");
  ExpectUsageError({"--data-dir", "/tmp", "dump", "--type", "exploded"},
                   "--type: unknown event type 'exploded'");
  ExpectUsageError({"--data-dir", "/tmp", "state", "--at-revision", "3"},
                   "--at-revision needs --connection");
  ExpectUsageError({"--data-dir", "/tmp", "dump", "--from-revision", "5", "--to-revision", "2"},
                   "--from-revision is greater than --to-revision");
  ExpectUsageError({"--data-dir", "/tmp", "stats", "extra"}, "unexpected argument 'extra'");
  ExpectUsageError({"--json=yes", "--data-dir", "/tmp", "stats"}, "--json takes no value");
}

TEST(CliTest, HelpWorksForEveryCommand) {
  const ToolRun overview = RunTool({"--help"});
  EXPECT_EQ(overview.exit_code, 0) << Describe(overview);
  for (const std::string& command : kCommands) {
    EXPECT_NE(overview.out.find("  " + command + " "), std::string::npos) << command;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{command, "--help"}, std::vector<std::string>{"help", command},
          std::vector<std::string>{"--data-dir", "/nonexistent", command, "-h"}}) {
      const ToolRun run = RunTool(args);
      EXPECT_EQ(run.exit_code, 0) << Describe(run);
      EXPECT_TRUE(run.out.starts_with("usage: journal-replay --data-dir DIR " + command + " "))
          << Describe(run);
      EXPECT_NE(run.out.find("exit status: 0 ok, 1 problems found, 2 usage error"),
                std::string::npos);
    }
  }
  // Each command lists its own options, not the others', and never the
  // hidden benchmark switch.
  const std::string dump = RunTool({"dump", "--help"}).out;
  for (const char* option : {"--connection", "--from-revision", "--to-revision", "--since",
                             "--until", "--type", "--json"}) {
    EXPECT_NE(dump.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(dump.find("--at-revision"), std::string::npos);
  EXPECT_EQ(RunTool({"state", "--help"}).out.find("benchmark"), std::string::npos);
}

TEST(CliTest, DataDirThatCannotBeOpenedExitsTwo) {
  storage::ScopedTempDir dir("cli-test");
  for (const std::string command : {"stats", "dump", "state", "verify", "export"}) {
    const ToolRun run = RunTool({"--data-dir", dir.Sub("missing"), command});
    EXPECT_EQ(run.exit_code, 2) << command << "\n" << Describe(run);
    EXPECT_NE(run.err.find("cannot open the journal in " + dir.Sub("missing")), std::string::npos)
        << Describe(run);
  }
}

TEST(CliTest, PipedRunsWriteOnlyResultsAndLeaveNoFilesBehind) {
  // An empty journal, then every reading command with a private $TMPDIR:
  // stdout has the result, stderr nothing (no progress line: stderr is a
  // file here), and the secondary instance's directory is gone afterwards.
  storage::ScopedTempDir dir("cli-test");
  ASSERT_TRUE(journal::Journal::Open(dir.Sub("data"), {}).ok());
  std::filesystem::create_directory(dir.Sub("tmp"));
  for (const std::string command : {"stats", "dump", "state", "verify", "export"}) {
    const ToolRun run =
        RunTool({"--data-dir", dir.Sub("data"), command}, "", {{"TMPDIR", dir.Sub("tmp")}});
    EXPECT_EQ(run.exit_code, 0) << command << "\n" << Describe(run);
    EXPECT_EQ(run.err, "") << command;
    EXPECT_TRUE(std::filesystem::is_empty(dir.Sub("tmp"))) << command;
  }
  EXPECT_EQ(RunTool({"--data-dir", dir.Sub("data"), "export"}).out,
            "{\"format\":\"connectivity-journal-export\",\"version\":1,\"events\":0}\n");
  // The secondary instance does live under $TMPDIR: a missing one is fatal.
  const ToolRun no_tmp =
      RunTool({"--data-dir", dir.Sub("data"), "stats"}, "", {{"TMPDIR", dir.Sub("missing")}});
  EXPECT_EQ(no_tmp.exit_code, 2) << Describe(no_tmp);
  EXPECT_NE(no_tmp.err.find("cannot create a directory under " + dir.Sub("missing")),
            std::string::npos)
      << Describe(no_tmp);
}

// Every file of `dir` with its size and modification time.
std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> Listing(
    const std::string& dir) {
  std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files[entry.path().filename().string()] = {entry.file_size(), entry.last_write_time()};
  }
  return files;
}

TEST(CliTest, ReadingCommandsNeverChangeTheDataDir) {
  storage::ScopedTempDir dir("cli-test");
  {
    Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(dir.Sub("data"), {});
    ASSERT_TRUE(journal.ok());
    for (uint64_t revision = 0; revision < 3; ++revision) {
      const uint8_t type = revision == 0 ? 1 : 2;  // created, then modified
      ASSERT_TRUE((*journal)
                      ->AppendAndWait(
                          {"c1", revision, type, projector::testing::CanonicalJson("c1", "closed")})
                      .ok());
    }
  }
  const auto before = Listing(dir.Sub("data"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"stats"},
        {"dump"},
        {"state"},
        {"state", "--at-revision", "2", "--connection", "c1"},
        {"verify"},
        {"export"}}) {
    std::vector<std::string> full = {"--data-dir", dir.Sub("data")};
    full.insert(full.end(), args.begin(), args.end());
    const ToolRun run = RunTool(full);
    EXPECT_EQ(run.exit_code, 0) << Describe(run);
  }
  EXPECT_EQ(Listing(dir.Sub("data")), before);
}

TEST(CliTest, HiddenBenchmarkTimesBothAndStillPrintsTheState) {
  storage::ScopedTempDir dir("cli-test");
  {
    Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(dir.Sub("data"), {});
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)
                    ->AppendAndWait({"c1", 0, 1, projector::testing::CanonicalJson("c1", "closed")})
                    .ok());
  }
  const ToolRun run = RunTool({"--data-dir", dir.Sub("data"), "state", "--benchmark-plain-scan"});
  EXPECT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_TRUE(run.out.starts_with("c1 revision 1 ACTIVE {")) << run.out;
  EXPECT_NE(run.err.find("benchmark: best plain scan      1 keys in "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("benchmark: best state replay    1 events in "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("benchmark: best of 3: state replay = "), std::string::npos) << run.err;
}

TEST(CommandLineTest, ParsesOptionsInAnyPositionAndBothForms) {
  Result<Invocation> parsed = ParseCommandLine(
      {"--json", "dump", "--data-dir=/data", "--connection", "c1", "--type", "created,closed",
       "--type=connectivity.events:connectionDeleted", "--since", "2026-11-26T12:00:00Z"},
      nullptr);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->command, Command::kDump);
  EXPECT_EQ(parsed->data_dir, "/data");
  EXPECT_TRUE(parsed->json);
  EXPECT_EQ(parsed->connection, "c1");
  EXPECT_EQ(parsed->types, (std::vector<projector::EventType>{projector::EventType::kCreated,
                                                              projector::EventType::kClosed,
                                                              projector::EventType::kDeleted}));
  EXPECT_EQ(parsed->since_us, 1'795'694'400'000'000);
}

TEST(CommandLineTest, ThresholdDefaultsToTheEnvironmentAndTheFlagWins) {
  EXPECT_EQ(ParseCommandLine({"--data-dir", "d", "rebuild-snapshots"}, nullptr)->snapshot_threshold,
            kSnapshotThresholdDefault);
  EXPECT_EQ(ParseCommandLine({"--data-dir", "d", "rebuild-snapshots"}, "7")->snapshot_threshold,
            7u);
  EXPECT_EQ(ParseCommandLine({"--data-dir", "d", "rebuild-snapshots", "--threshold", "3"}, "7")
                ->snapshot_threshold,
            3u);
  EXPECT_FALSE(ParseCommandLine({"--data-dir", "d", "stats"}, "zero").ok());
}

TEST(OutputTest, ProgressLineAndDigitGrouping) {
  EXPECT_EQ(Progress::Line("state", 523'000, 1'000'000),
            "state: 523,000 of 1,000,000 events (52%)");
  EXPECT_EQ(Progress::Line("state", 999, 1000), "state: 999 of 1,000 events (99%)");
  EXPECT_EQ(Progress::Line("verify", 12, 0), "verify: 12 events");
  EXPECT_EQ(GroupDigits(0), "0");
  EXPECT_EQ(GroupDigits(999), "999");
  EXPECT_EQ(GroupDigits(1000), "1,000");
  EXPECT_EQ(GroupDigits(1234567), "1,234,567");
}

TEST(OutputTest, ProgressStaysSilentWhenDisabledOrShort) {
  std::ostringstream out;
  std::ostringstream err;
  Output output{out, err, /*progress=*/true};
  {
    Progress progress(output, "state", 100'000);
    for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(progress.Tick());  // well under kQuietUs
  }
  EXPECT_EQ(err.str(), "");
  Output disabled{out, err, /*progress=*/false};
  Progress progress(disabled, "state", 10);
  EXPECT_TRUE(progress.Tick());
  EXPECT_EQ(progress.done(), 1u);
  EXPECT_EQ(err.str(), "");
}

TEST(OutputTest, ProgressDrawsOnALongRunAndErasesItself) {
  std::ostringstream out;
  std::ostringstream err;
  Output output{out, err, /*progress=*/true};
  Progress progress(output, "verify", 20'000);
  for (uint64_t i = 0; i < Progress::kTicksPerClockRead; ++i) ASSERT_TRUE(progress.Tick());
  EXPECT_EQ(err.str(), "");  // not yet: the run is young
  std::this_thread::sleep_for(std::chrono::microseconds(Progress::kQuietUs + 100'000));
  for (uint64_t i = 0; i < Progress::kTicksPerClockRead; ++i) ASSERT_TRUE(progress.Tick());
  EXPECT_EQ(err.str(), "\rverify: 16,384 of 20,000 events (81%)\x1b[K");
  progress.Finish();
  EXPECT_TRUE(err.str().ends_with("\r\x1b[K"));
}

}  // namespace
}  // namespace connectivity::tools::testing
