// Recovery = state rows + replay from the watermark: equal to the states a
// full fold gives, with or without rows, across reopens; and a revision gap,
// a damaged record or a damaged state row stop it with the key named.
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

}  // namespace
}  // namespace connectivity::recovery
