// Recovery = state rows + replay from the watermark: equal to the states a
// full fold gives, with or without rows, across reopens; and a revision gap,
// a damaged record or a damaged state row stop it with the key named. State
// rows that disagree with the journal (missing, stale, ahead of their
// watermark) do not stop it: every connection is folded again from the
// journal and the wrong rows are named.
#include "src/recovery/recovery.h"

#include <gtest/gtest.h>

#include "journal/journal_testing.h"
#include "tests/recovery/recovery_test_util.h"

namespace connectivity::recovery {
namespace {

using projector::EventType;

class RecoveryTest : public testing::JournalTest {
 protected:
  void AppendMixedHistory(int connections) {
    for (int i = 0; i < connections; ++i) {
      const std::string id = "conn-" + std::to_string(i);
      Append(id, EventType::kCreated);
      if (i % 2 == 0) Append(id, EventType::kOpened);
      if (i % 3 == 0) Append(id, EventType::kModified, "open");
      if (i % 5 == 0) Append(id, EventType::kDeleted);
    }
  }
  void ExpectRecoveredEqualsModel(uint64_t expected_replayed) {
    Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
    ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
    EXPECT_EQ(recovered->report.events_replayed, expected_replayed);
    ASSERT_EQ(recovered->states.size(), model_.size());
    size_t i = 0;
    for (const auto& [id, state] : model_) EXPECT_EQ(recovered->states[i++], state) << id;  // both in id order
    EXPECT_EQ(recovered->report.last_sequence, journal_->last_sequence());
  }
};

TEST_F(RecoveryTest, EmptyJournalRecoversNothing) { ExpectRecoveredEqualsModel(0); }

TEST_F(RecoveryTest, ReplayWithoutSnapshotsEqualsFold) {
  AppendMixedHistory(20);
  ExpectRecoveredEqualsModel(journal_->last_sequence());
}

TEST_F(RecoveryTest, StateRowsPlusTailEqualsFold) {
  AppendMixedHistory(20);
  WriteStateRows();
  const uint64_t watermark = journal_->last_sequence();
  Append("conn-1", EventType::kClosed);
  Append("late", EventType::kCreated);
  Append("conn-2", EventType::kModified, "closed");
  ExpectRecoveredEqualsModel(journal_->last_sequence() - watermark);
  Reopen();
  ExpectRecoveredEqualsModel(journal_->last_sequence() - watermark);
}

TEST_F(RecoveryTest, TouchedListsEachReplayedConnectionOnce) {
  Append("a", EventType::kCreated);
  WriteStateRows();
  Append("b", EventType::kCreated);
  Append("b", EventType::kOpened);
  Append("a", EventType::kOpened);
  Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->touched, (std::vector<std::string>{"b", "a"}));
}

TEST_F(RecoveryTest, RevisionGapStopsRecoveryNamingTheKey) {
  Append("c1", EventType::kCreated);
  Append("c1", EventType::kOpened);
  Append("c1", EventType::kClosed);
  ASSERT_TRUE(journal::TEST_DeleteEvent(*journal_, "c1", 2).ok());
  Reopen();
  Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
  ASSERT_FALSE(recovered.ok());
  EXPECT_TRUE(recovered.status().IsCorruption()) << recovered.status().ToString();
  EXPECT_NE(recovered.status().message().find("c1"), std::string::npos) << recovered.status().ToString();
}

TEST_F(RecoveryTest, DamagedRecordStopsRecoveryNamingTheKey) {
  Append("c1", EventType::kCreated);
  Append("c1", EventType::kOpened);
  Result<std::optional<std::string>> raw = journal::TEST_ReadRawEvent(*journal_, "c1", 1);
  ASSERT_TRUE(raw.ok() && raw->has_value());
  std::string damaged = **raw;
  damaged[damaged.size() / 2] ^= 0x20;
  ASSERT_TRUE(journal::TEST_PutRawEvent(*journal_, "c1", 1, damaged).ok());
  Reopen();
  Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
  ASSERT_FALSE(recovered.ok());
  EXPECT_TRUE(recovered.status().IsCorruption());
  EXPECT_NE(recovered.status().message().find("c1"), std::string::npos) << recovered.status().ToString();
}

TEST_F(RecoveryTest, DamagedStateRowStopsRecovery) {
  Append("c1", EventType::kCreated);
  WriteStateRows();
  ASSERT_TRUE(journal::TEST_PutRawStateRow(*journal_, "c1", "garbage").ok());
  Reopen();
  Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
  ASSERT_FALSE(recovered.ok());
  EXPECT_NE(recovered.status().message().find("c1"), std::string::npos) << recovered.status().ToString();
}

class RowsDisagreeTest : public RecoveryTest {
 protected:
  void WriteRows(const std::vector<projector::ConnectionState>& states, uint64_t watermark) {
    std::vector<journal::StateRow> rows;
    for (const projector::ConnectionState& state : states) rows.push_back({state.id, projector::EncodeSnapshot(state)});
    ASSERT_TRUE(journal_->snapshots().WriteStateRows(rows, watermark, true).ok());
  }
  Recovered ExpectRebuilt(const std::vector<std::string>& wrong) {
    Reopen();
    Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
    EXPECT_TRUE(recovered.ok()) << recovered.status().ToString();
    if (!recovered.ok()) return {};
    EXPECT_TRUE(recovered->report.rebuilt);
    EXPECT_FALSE(recovered->report.rebuild_reason.empty());
    EXPECT_EQ(recovered->report.wrong_rows, wrong.size());
    EXPECT_EQ(recovered->report.wrong_row_ids, wrong);
    EXPECT_EQ(recovered->report.events_replayed, journal_->last_sequence());
    EXPECT_EQ(recovered->states.size(), model_.size());
    size_t i = 0;
    for (const auto& [id, state] : model_) EXPECT_EQ(recovered->states[i++], state) << id;
    // Every row is to be written again.
    EXPECT_EQ(recovered->touched.size(), model_.size());
    return std::move(*recovered);
  }
};

// The rows the snapshotter bug of issue 10 left: a watermark past the
// events of "A" without a row for "A".
TEST_F(RowsDisagreeTest, MissingRowIsRebuiltFromTheJournalAndNamed) {
  Append("A", EventType::kCreated);
  Append("A", EventType::kOpened);
  Append("B", EventType::kCreated);
  WriteRows({model_["B"]}, journal_->last_sequence());
  ExpectRebuilt({"A"});
}

TEST_F(RowsDisagreeTest, StaleRowIsRebuilt) {
  Append("A", EventType::kCreated);
  const projector::ConnectionState a_at_1 = model_["A"];
  Append("A", EventType::kOpened);
  Append("B", EventType::kCreated);
  WriteRows({a_at_1, model_["B"]}, journal_->last_sequence());
  ExpectRebuilt({"A"});
}

// Revisions that still sum to the watermark: one row ahead, one behind.
// The tail event of the row ahead does not continue it.
TEST_F(RowsDisagreeTest, RowAheadOfItsWatermarkIsFoundByTheTail) {
  Append("A", EventType::kCreated);
  Append("B", EventType::kCreated);
  const projector::ConnectionState b_at_1 = model_["B"];
  Append("B", EventType::kOpened);
  const uint64_t watermark = journal_->last_sequence();
  Append("A", EventType::kOpened);
  WriteRows({model_["A"], b_at_1}, watermark);
  ExpectRebuilt({"A", "B"});
}

// The row itself matches every event there is; the watermark is what is wrong.
TEST_F(RowsDisagreeTest, WatermarkPastTheJournalIsRebuilt) {
  Append("A", EventType::kCreated);
  WriteRows({model_["A"]}, journal_->last_sequence() + 5);
  const Recovered recovered = ExpectRebuilt({});
  EXPECT_NE(recovered.report.rebuild_reason.find("past"), std::string::npos) << recovered.report.rebuild_reason;
}

TEST_F(RowsDisagreeTest, RowWithoutEventsIsNamed) {
  Append("A", EventType::kCreated);
  projector::ConnectionState ghost = model_["A"];
  ghost.id = "ghost";
  WriteRows({model_["A"], ghost}, journal_->last_sequence());
  ExpectRebuilt({"ghost"});
}

TEST_F(RowsDisagreeTest, ConsistentRowsAreNotRebuilt) {
  AppendMixedHistory(10);
  WriteStateRows();
  Append("late", EventType::kCreated);
  Reopen();
  Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance());
  ASSERT_TRUE(recovered.ok());
  EXPECT_FALSE(recovered->report.rebuilt);
  EXPECT_EQ(recovered->report.events_replayed, 1u);
}

}  // namespace
}  // namespace connectivity::recovery
