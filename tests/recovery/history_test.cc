// History: the state at every revision and at times between events equals
// the fold up to that point, with and without historical snapshots.
#include "src/recovery/history.h"

#include <gtest/gtest.h>

#include "tests/recovery/recovery_test_util.h"

namespace connectivity::recovery {
namespace {

using projector::EventType;

class HistoryTest : public testing::JournalTest {
 protected:
  // Appends a history of 30 events for "h" and remembers the state after each.
  void BuildHistory(bool with_snapshots) {
    const EventType cycle[] = {EventType::kOpened, EventType::kModified, EventType::kClosed,
                               EventType::kDeleted, EventType::kCreated};
    events_.push_back(Append("h", EventType::kCreated));
    states_.push_back(model_["h"]);
    for (int i = 0; states_.size() < 30; ++i) {
      events_.push_back(Append("h", cycle[i % 5], i % 2 ? "open" : "closed"));
      states_.push_back(model_["h"]);
      if (with_snapshots && model_["h"].revision % 7 == 0) {
        ASSERT_TRUE(journal_->snapshots()
                        .PutHistorical({{"h", model_["h"].revision, projector::EncodeSnapshot(model_["h"])}}, true)
                        .ok());
      }
    }
  }
  void ExpectEveryRevision() {
    for (size_t i = 0; i < states_.size(); ++i) {
      auto state = StateAtRevision(*journal_, "h", i + 1);
      ASSERT_TRUE(state.ok()) << state.status().ToString();
      ASSERT_TRUE(state->has_value()) << i;
      EXPECT_EQ(**state, states_[i]) << "revision " << i + 1;
    }
  }
  std::vector<journal::Event> events_;
  std::vector<projector::ConnectionState> states_;
};

TEST_F(HistoryTest, EveryRevisionWithoutSnapshots) {
  BuildHistory(false);
  ExpectEveryRevision();
}

TEST_F(HistoryTest, EveryRevisionWithSnapshots) {
  BuildHistory(true);
  ExpectEveryRevision();
}

TEST_F(HistoryTest, OutOfRangeRevisionsAreAbsent) {
  BuildHistory(false);
  for (uint64_t revision : {uint64_t{0}, uint64_t{31}, uint64_t{1000}}) {
    auto state = StateAtRevision(*journal_, "h", revision);
    ASSERT_TRUE(state.ok());
    EXPECT_FALSE(state->has_value()) << revision;
  }
  auto other = StateAtRevision(*journal_, "never", 1);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST_F(HistoryTest, RevisionAtTimeIsInclusive) {
  BuildHistory(false);
  for (size_t i = 0; i < events_.size(); ++i) {
    auto at = RevisionAtTime(*journal_, "h", events_[i].timestamp_us);
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(*at, i + 1);
    if (i + 1 < events_.size() && events_[i + 1].timestamp_us > events_[i].timestamp_us + 1) {
      auto between = RevisionAtTime(*journal_, "h", events_[i].timestamp_us + 1);
      EXPECT_EQ(*between, i + 1);
    }
  }
  auto before = RevisionAtTime(*journal_, "h", events_.front().timestamp_us - 1);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
}

}  // namespace
}  // namespace connectivity::recovery
