// Goal: export/import is a faithful backup. export -> import -> export gives
// the same bytes; a REAL server started on the imported data dir answers
// every retrieve as the original server did; import refuses a data dir that
// is not empty and a truncated or reordered export, leaving nothing behind.
// Method: a journal written by build/connectivityd (ServerScenario), the
// real build/journal-replay binary, and a second server on the import.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/server_fixture.h"
#include "tests/tools/server_scenario.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

namespace fs = std::filesystem;
using ::connectivity::testing::ServerOptions;
using ::connectivity::testing::ServerProcess;

class ExportImportTest : public ::connectivity::testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ServerScenario scenario([this](const std::string& command) { return Send(command); });
    ASSERT_NO_FATAL_FAILURE(scenario.Run());
    answers_ = scenario.RetrieveAll();
    events_ = scenario.events();
    ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  // Exports `data_dir` to `file`.
  void Export(const std::string& data_dir, const std::string& file) {
    const ToolRun run = RunOn(data_dir, {"export", "--output", file});
    ASSERT_EQ(run.exit_code, 0) << Describe(run);
  }

  ToolRun Import(const std::string& data_dir, const std::string& file,
                 std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"import", "--input", file};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunOn(data_dir, args);
  }

  // The import's staging directory (.<name>.import-XXXXXX) is gone: renamed
  // into the data dir, or removed after an error.
  void ExpectNoStagingLeft() const {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_.path())) {
      EXPECT_EQ(entry.path().filename().string().find(".import-"), std::string::npos)
          << "staging directory left behind: " << entry.path();
    }
  }

  std::map<std::string, std::string> answers_;
  uint64_t events_ = 0;
};

TEST_F(ExportImportTest, ExportImportExportIsByteIdentical) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("first.jsonl")));
  const ToolRun imported = Import(Path("imported"), Path("first.jsonl"));
  ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  EXPECT_EQ(imported.out, "imported " + std::to_string(events_) + " events into " +
                              Path("imported") +
                              "; wrote 3 state rows and 0 historical snapshots\n");
  ASSERT_NO_FATAL_FAILURE(Export(Path("imported"), Path("second.jsonl")));
  const std::string first = ReadWholeFile(Path("first.jsonl"));
  EXPECT_EQ(Lines(first).size(), events_ + 1);  // the header, then one event a line
  EXPECT_EQ(first, ReadWholeFile(Path("second.jsonl")));
  ExpectNoStagingLeft();
}

TEST_F(ExportImportTest, ExportToStdoutIsTheSameAsToAFile) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("file.jsonl")));
  const ToolRun run = RunOn(data_dir(), {"export"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(run.out, ReadWholeFile(Path("file.jsonl")));
  const Json header(Lines(run.out)[0]);
  EXPECT_EQ(header.String("/format"), "connectivity-journal-export");
  EXPECT_EQ(header.Int("/events"), static_cast<int64_t>(events_));
  const Json first(Lines(run.out)[1]);
  EXPECT_EQ(first.Int("/sequence"), 1);
  EXPECT_EQ(first.Int("/revision"), 1);
  EXPECT_EQ(first.String("/connectionId"), "c1");
  EXPECT_EQ(first.String("/type"), "connectivity.events:connectionCreated");
}

TEST_F(ExportImportTest, ServerOnTheImportedDataDirAnswersTheSame) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("export.jsonl")));
  const ToolRun imported = Import(Path("imported"), Path("export.jsonl"), {"--threshold", "2"});
  ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  const ToolRun verify = RunOn(Path("imported"), {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  // State rows current to the last event: a server starts without a replay.
  const Json stats(RunOn(Path("imported"), {"stats", "--json"}).out);
  EXPECT_EQ(stats.Int("/snapshots/stateRows"), 3);
  EXPECT_EQ(stats.Int("/snapshots/watermark"), static_cast<int64_t>(events_));
  EXPECT_GT(stats.Int("/snapshots/historical").value_or(0), 0);

  ServerOptions options;
  options.data_dir = Path("imported");
  ServerProcess server(options);
  ASSERT_TRUE(server.ok()) << server.log();
  for (const std::string id : {"c1", "c2", "c3"}) {
    const Json json(::connectivity::testing::Piggyback(
                        server.port(), IdCommand("connectivity.commands:retrieveConnection", id))
                        .body);
    if (answers_.contains(id)) {
      EXPECT_EQ(json.Raw("/connection"), answers_.at(id)) << id;
    } else {
      EXPECT_EQ(json.Int("/status"), 404) << id;
    }
  }
}

TEST_F(ExportImportTest, ImportRefusesADataDirThatIsNotEmpty) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("export.jsonl")));
  const ToolRun run = Import(data_dir(), Path("export.jsonl"));
  EXPECT_EQ(run.exit_code, 2) << Describe(run);
  EXPECT_NE(run.err.find("is not empty"), std::string::npos) << run.err;
  fs::create_directory(Path("empty"));
  EXPECT_EQ(Import(Path("empty"), Path("export.jsonl")).exit_code, 0);  // empty is fine
}

TEST_F(ExportImportTest, TruncatedExportIsRefusedAndLeavesNothing) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("export.jsonl")));
  std::string text = ReadWholeFile(Path("export.jsonl"));
  text.resize(text.rfind('\n', text.size() - 2) + 1);  // drop the last event
  std::ofstream(Path("truncated.jsonl"), std::ios::binary) << text;
  const ToolRun run = Import(Path("imported"), Path("truncated.jsonl"));
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_NE(run.err.find("truncated"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(Path("imported")));
  ExpectNoStagingLeft();
}

TEST_F(ExportImportTest, ReorderedExportIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("export.jsonl")));
  std::vector<std::string> lines = Lines(ReadWholeFile(Path("export.jsonl")));
  std::swap(lines[3], lines[4]);  // sequences 3 and 4 change places
  std::ofstream out(Path("reordered.jsonl"), std::ios::binary);
  for (const std::string& line : lines) out << line << "\n";
  out.close();
  const ToolRun run = Import(Path("imported"), Path("reordered.jsonl"));
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_NE(run.err.find("line 4"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(Path("imported")));
  ExpectNoStagingLeft();
}

TEST_F(ExportImportTest, ImportReadsStandardInput) {
  ASSERT_NO_FATAL_FAILURE(Export(data_dir(), Path("export.jsonl")));
  const ToolRun run = RunTool({"--data-dir", Path("imported"), "import"}, Path("export.jsonl"));
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  ASSERT_NO_FATAL_FAILURE(Export(Path("imported"), Path("again.jsonl")));
  EXPECT_EQ(ReadWholeFile(Path("export.jsonl")), ReadWholeFile(Path("again.jsonl")));
}

}  // namespace
}  // namespace connectivity::tools::testing
