// Goal: `journal-replay verify` finds each kind of damage, names its key and
// exits 1, and passes (exit 0) a clean journal and one whose WAL was cut
// mid-record. Method: build a small journal through the journal API (events
// of three connections, state rows and historical snapshots folded with the
// projector, as the server writes them), inject ONE fault per test through
// journal/journal_testing.h (RocksDB's own block checksums would stop a
// byte flipped on disk before our checksum sees it), close the journal, and
// run the real build/journal-replay on the data dir.
#include <gtest/gtest.h>

#include <filesystem>

#include "journal/codec.h"
#include "journal/journal.h"
#include "journal/journal_testing.h"
#include "journal/snapshot_store.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"
#include "storage/temp_dir.h"
#include "tests/projector/projector_test_util.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

namespace fs = std::filesystem;
using projector::ConnectionState;
using projector::EventType;

class VerifyFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    // c1: 5 events, c2: 3, c3: 2 (deleted), interleaved as a server would.
    Append("c1", EventType::kCreated);
    Append("c2", EventType::kCreated);
    Append("c1", EventType::kModified, R"(["x"])");
    Append("c1", EventType::kOpened);
    Append("c3", EventType::kCreated);
    Append("c2", EventType::kOpened);
    Append("c1", EventType::kClosed);
    Append("c3", EventType::kDeleted);
    Append("c2", EventType::kClosed);
    Append("c1", EventType::kModified, R"(["y"])");
    WriteSnapshots();
  }

  void Open() {
    journal_.reset();
    Result<std::unique_ptr<journal::Journal>> opened =
        journal::Journal::Open(data_dir(), journal::JournalOptions{});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    journal_ = std::move(*opened);
  }

  void Append(const std::string& id, EventType type, const std::string& tags = "[]") {
    journal::AppendRequest request;
    request.stream = id;
    request.expected_revision = states_[id].revision;
    request.type = static_cast<uint8_t>(type);
    if (type == EventType::kCreated || type == EventType::kModified) {
      request.payload = projector::testing::CanonicalJson(id, "closed", tags);
    }
    Result<journal::Event> event = journal_->AppendAndWait(std::move(request));
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    ASSERT_TRUE(projector::Apply(states_[id], *event).ok());
    if (states_[id].revision % 2 == 0) history_[{id, states_[id].revision}] = states_[id];
  }

  // State rows at the last sequence, and a historical snapshot every 2
  // revisions: what the server's snapshotter writes with threshold 2.
  void WriteSnapshots() {
    std::vector<journal::StateRow> rows;
    for (const auto& [id, state] : states_) rows.push_back({id, projector::EncodeSnapshot(state)});
    ASSERT_TRUE(journal_->snapshots().WriteStateRows(rows, journal_->last_sequence(), true).ok());
    std::vector<journal::HistoricalSnapshot> snapshots;
    for (const auto& [key, state] : history_) {
      snapshots.push_back({key.first, key.second, projector::EncodeSnapshot(state)});
    }
    ASSERT_TRUE(journal_->snapshots().PutHistorical(snapshots, true).ok());
  }

  // Closes the journal and runs verify on it.
  ToolRun Verify(const std::vector<std::string>& extra = {}) {
    journal_.reset();
    std::vector<std::string> args = {"verify"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunOn(data_dir(), args);
  }

  std::string data_dir() const { return dir_.Sub("data"); }

  storage::ScopedTempDir dir_{"verify-fault-test"};
  std::unique_ptr<journal::Journal> journal_;
  std::map<std::string, ConnectionState> states_;
  std::map<std::pair<std::string, uint64_t>, ConnectionState> history_;
};

// Expects exit 1 and a problem line for `key` that mentions `what`.
void ExpectProblem(const ToolRun& run, const std::string& key, const std::string& what) {
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  const std::string line_start = "PROBLEM " + key + ": ";
  bool found = false;
  for (const std::string& line : Lines(run.out)) {
    found = found || (line.starts_with(line_start) && line.find(what) != std::string::npos);
  }
  EXPECT_TRUE(found) << "no problem '" << what << "' for " << key << "\n" << Describe(run);
}

TEST_F(VerifyFaultTest, CleanJournalPasses) {
  const ToolRun run = Verify();
  EXPECT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(run.out,
            "verify: 10 events of 3 connections, 3 state rows (watermark 10), 4 historical "
            "snapshots: no problems\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(VerifyFaultTest, RecordWithAFailingChecksum) {
  Result<std::optional<std::string>> raw = journal::TEST_ReadRawEvent(*journal_, "c1", 3);
  ASSERT_TRUE(raw.ok() && raw->has_value());
  std::string damaged = **raw;
  damaged[journal::kRecordHeaderBytes] ^= 0x20;  // a payload byte; the length stays right
  ASSERT_TRUE(journal::TEST_PutRawEvent(*journal_, "c1", 3, damaged).ok());
  ExpectProblem(Verify(), "events['c1' rev 3]", "checksum mismatch");
}

TEST_F(VerifyFaultTest, MissingRevision) {
  ASSERT_TRUE(journal::TEST_DeleteEvent(*journal_, "c2", 2).ok());
  const ToolRun run = Verify();
  ExpectProblem(run, "events['c2' rev 3]", "revision gap in its stream (expected revision 2)");
  // The order entry of the deleted event (c2's revision 2 is sequence 6)
  // has nothing to point at any more.
  ExpectProblem(run, "order[seq 6]", "its event events['c2' rev 2] is missing");
}

TEST_F(VerifyFaultTest, MissingLastRevisionIsFoundThroughTheOrder) {
  ASSERT_TRUE(journal::TEST_DeleteEvent(*journal_, "c1", 5).ok());
  ExpectProblem(Verify(), "order[seq 10]", "its event events['c1' rev 5] is missing");
}

TEST_F(VerifyFaultTest, StateRowThatDisagreesWithTheJournal) {
  ConnectionState wrong = states_["c1"];
  wrong.json = projector::testing::CanonicalJson("c1", "open", R"(["y"])");
  ASSERT_TRUE(journal_->snapshots()
                  .WriteStateRows({{"c1", projector::EncodeSnapshot(wrong)}},
                                  journal_->last_sequence(), true)
                  .ok());
  ExpectProblem(Verify(), "state['c1']",
                "differs from the journal replayed to revision 5 in: connection JSON");
}

TEST_F(VerifyFaultTest, HistoricalSnapshotThatDisagreesWithTheJournal) {
  ConnectionState wrong = history_[{"c1", 2}];
  wrong.modified_us += 1;
  ASSERT_TRUE(journal_->snapshots()
                  .PutHistorical({{"c1", 2, projector::EncodeSnapshot(wrong)}}, true)
                  .ok());
  ExpectProblem(Verify(), "history['c1' rev 2]",
                "differs from the journal replayed to its revision in: _modified");
}

TEST_F(VerifyFaultTest, StaleStateRow) {
  // A row one revision behind its watermark: recovery would replay c1 from
  // the middle and fail.
  ASSERT_TRUE(journal_->snapshots()
                  .WriteStateRows({{"c1", projector::EncodeSnapshot(history_[{"c1", 4}])}},
                                  journal_->last_sequence(), true)
                  .ok());
  ExpectProblem(Verify(), "state['c1']",
                "holds revision 4, but at the watermark 10 the connection was at revision 5");
}

TEST_F(VerifyFaultTest, SnapshotWithAFailingChecksum) {
  ASSERT_TRUE(journal::TEST_PutRawStateRow(*journal_, "c2", std::string(40, '\x01')).ok());
  const ToolRun run = Verify();
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_NE(run.out.find("PROBLEM state['c2']: "), std::string::npos) << Describe(run);
}

TEST_F(VerifyFaultTest, OrderEntryThatDisagreesWithItsEvent) {
  // Sequence 3 is c1 revision 2; make its order entry claim c2 revision 2.
  const std::string key = journal::SequenceKey(3);
  std::string value;
  journal::EncodeOrderEntry(key, journal::OrderEntry{2, 5, 2, "c2"}, &value);
  ASSERT_TRUE(journal::TEST_PutRaw(*journal_, journal::kOrderColumnFamily, key, value).ok());
  ExpectProblem(Verify(), "events['c1' rev 2]", "disagrees with its order entry order[seq 3]");
}

TEST_F(VerifyFaultTest, JsonReportListsTheProblemWithItsKey) {
  ASSERT_TRUE(journal::TEST_DeleteEvent(*journal_, "c2", 2).ok());
  const ToolRun run = Verify({"--json"});
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  const ::connectivity::testing::Json json(run.out);
  ASSERT_TRUE(json.valid()) << run.out;
  EXPECT_TRUE(json.Has("/ok") && !json.IsNull("/ok"));
  EXPECT_EQ(json.Raw("/ok"), "false");
  EXPECT_EQ(json.Int("/problemCount"), 2);
  EXPECT_EQ(json.String("/problems/0/key"), "events['c2' rev 3]");
}

// The newest WAL file of a RocksDB directory.
fs::path NewestWal(const std::string& dir) {
  fs::path newest;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" &&
        (newest.empty() || entry.path().filename() > newest.filename())) {
      newest = entry.path();
    }
  }
  return newest;
}

TEST_F(VerifyFaultTest, WalCutMidRecordOpensAtTheLastWholeBatchAndVerifies) {
  // One more event, big enough to be its own long WAL record; then cut the
  // WAL inside that record, as a torn write would.
  const uint64_t wal_bytes_before = fs::file_size(NewestWal(data_dir()));
  journal::AppendRequest request{
      "c2", 3, static_cast<uint8_t>(EventType::kModified),
      projector::testing::CanonicalJson("c2", "closed", "[\"" + std::string(20000, 't') + "\"]")};
  ASSERT_TRUE(journal_->AppendAndWait(std::move(request)).ok());
  journal_.reset();
  const fs::path wal = NewestWal(data_dir());
  const uint64_t wal_bytes = fs::file_size(wal);
  ASSERT_GT(wal_bytes, wal_bytes_before + 20000);
  fs::resize_file(wal, wal_bytes_before + (wal_bytes - wal_bytes_before) / 2);

  const ToolRun run = Verify();
  EXPECT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_NE(run.out.find("verify: 10 events"), std::string::npos) << run.out;
  // The server's own open (read-write) recovers to the same place.
  Open();
  EXPECT_EQ(journal_->last_sequence(), 10u);
  journal_.reset();
  EXPECT_EQ(Verify().exit_code, 0);
}

}  // namespace
}  // namespace connectivity::tools::testing
