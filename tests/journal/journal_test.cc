// Goal: the journal's contract (journal/journal.h) on a real RocksDB in a
// temp dir: every reader returns what was appended; expected revisions
// guard appends (stale, future, new stream) and a failed check writes
// nothing; stream names are validated; timestamps strictly increase even
// when the clock stands still or steps back, also across a reopen; a reopen
// keeps every event and the last sequence; read-only and secondary opens see
// the data; a second writer gets kBusy at once. One behaviour per test.
#include "journal/journal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "journal/codec.h"
#include "src/base/clock.h"
#include "storage/temp_dir.h"
#include "tests/journal/journal_test_util.h"

namespace connectivity::journal {
namespace {

constexpr int64_t kStartUs = 1'764'158'400'000'000;  // 2025-11-26T12:00:00Z

class JournalTest : public ::testing::Test {
 protected:
  JournalTest() : temp_("journal"), clock_(kStartUs) { options_.clock = &clock_; }

  void Open() {
    journal_.reset();
    journal_ = OpenJournal(temp_.path(), options_);
    ASSERT_NE(journal_, nullptr);
  }

  Event AppendOk(const std::string& stream, uint64_t expected, const std::string& payload = "p") {
    Result<Event> event = journal_->AppendAndWait(Request(stream, expected, payload));
    EXPECT_TRUE(event.ok()) << event.status().ToString();
    return event.ok() ? *event : Event{};
  }

  storage::ScopedTempDir temp_;
  ManualClock clock_;
  JournalOptions options_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalTest, EveryReaderReturnsWhatWasAppended) {
  Open();
  std::vector<Event> appended;
  for (uint64_t revision = 0; revision < 3; ++revision) {
    for (const char* stream : {"b", "a", "a:b"}) {
      appended.push_back(AppendOk(stream, revision, std::string(stream) + std::to_string(revision)));
    }
  }
  for (const Event& event : appended) {
    Result<std::optional<Event>> read = journal_->ReadEvent(event.stream, event.revision);
    ASSERT_RESULT_OK(read);
    ASSERT_TRUE(read->has_value());
    ExpectSameEvent(**read, event);
  }
  Result<std::vector<Event>> global = Drain(*journal_->ReadGlobal(1));
  ASSERT_RESULT_OK(global);
  ASSERT_EQ(global->size(), appended.size());
  for (size_t i = 0; i < appended.size(); ++i) ExpectSameEvent((*global)[i], appended[i]);

  Result<std::vector<Event>> scan = Drain(*journal_->ScanAll());
  ASSERT_RESULT_OK(scan);
  ASSERT_EQ(scan->size(), appended.size());
  std::vector<std::string> scan_order;
  for (const Event& event : *scan) scan_order.push_back(event.stream + "#" + std::to_string(event.revision));
  EXPECT_EQ(scan_order, (std::vector<std::string>{"a#1", "a#2", "a#3", "a:b#1", "a:b#2", "a:b#3",
                                                  "b#1", "b#2", "b#3"}));
  Result<std::vector<Event>> stream = Drain(*journal_->ReadStream("a", 1, 3));
  ASSERT_RESULT_OK(stream);
  ASSERT_EQ(stream->size(), 3u);
  ExpectSameEvent((*stream)[0], appended[1]);
}

TEST_F(JournalTest, ForEachEventMatchesScanAll) {
  Open();
  for (uint64_t revision = 0; revision < 4; ++revision) {
    AppendOk("x", revision, std::string(100 + revision, 'x'));
    AppendOk("w", revision);
  }
  Result<std::vector<Event>> scan = Drain(*journal_->ScanAll());
  ASSERT_RESULT_OK(scan);
  size_t index = 0;
  ASSERT_OK(journal_->ForEachEvent([&](const EventView& view) {
    EXPECT_LT(index, scan->size());
    if (index >= scan->size()) return Status::Internal("too many events");
    const Event& expected = (*scan)[index++];
    ExpectSameEvent(Event{std::string(view.stream), view.revision, view.sequence,
                          view.timestamp_us, view.type, std::string(view.payload)},
                    expected);
    return Status::Ok();
  }));
  EXPECT_EQ(index, scan->size());
}

TEST_F(JournalTest, ReadStreamHonoursTheRange) {
  Open();
  for (uint64_t revision = 0; revision < 5; ++revision) AppendOk("s", revision);
  AppendOk("s2", 0);
  auto revisions = [&](uint64_t from, uint64_t to) {
    std::vector<uint64_t> result;
    Result<std::vector<Event>> events = Drain(*journal_->ReadStream("s", from, to));
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (events.ok()) {
      for (const Event& event : *events) result.push_back(event.revision);
    }
    return result;
  };
  EXPECT_EQ(revisions(2, 4), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(revisions(0, UINT64_MAX), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(revisions(4, 2), std::vector<uint64_t>{});
  EXPECT_EQ(revisions(6, 10), std::vector<uint64_t>{});
}

TEST_F(JournalTest, StaleExpectedRevisionConflictsAndWritesNothing) {
  Open();
  AppendOk("s", 0);
  AppendOk("s", 1);
  Result<Event> stale = journal_->AppendAndWait(Request("s", 1));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), ErrorCode::kConflict) << stale.status().ToString();
  EXPECT_EQ(journal_->last_sequence(), 2u);
  Result<std::optional<Event>> third = journal_->ReadEvent("s", 3);
  ASSERT_RESULT_OK(third);
  EXPECT_FALSE(third->has_value());
}

TEST_F(JournalTest, FutureExpectedRevisionConflictsAndWritesNothing) {
  Open();
  AppendOk("s", 0);
  Result<Event> future = journal_->AppendAndWait(Request("s", 5));
  EXPECT_EQ(future.status().code(), ErrorCode::kConflict);
  Result<uint64_t> last = journal_->LastRevision("s");
  ASSERT_RESULT_OK(last);
  EXPECT_EQ(*last, 1u);
  EXPECT_EQ(journal_->last_sequence(), 1u);
}

// After a reopen the writer knows no stream yet and checks the expected
// revision against storage: right, stale, future, and "new" for an existing
// stream, each once per fresh open so no cached revision helps.
TEST_F(JournalTest, ExpectedRevisionIsCheckedAgainstStorageAfterReopen) {
  Open();
  for (uint64_t revision = 0; revision < 3; ++revision) AppendOk("s", revision);
  for (uint64_t expected : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{4}, uint64_t{9}}) {
    journal_.reset();
    Open();
    Result<Event> wrong = journal_->AppendAndWait(Request("s", expected));
    EXPECT_EQ(wrong.status().code(), ErrorCode::kConflict) << "expected " << expected;
  }
  journal_.reset();
  Open();
  EXPECT_EQ(AppendOk("s", 3).revision, 4u);
  EXPECT_EQ(journal_->last_sequence(), 4u);
}

TEST_F(JournalTest, NewStreamMustExpectRevisionZero) {
  Open();
  Result<Event> wrong = journal_->AppendAndWait(Request("fresh", 1));
  EXPECT_EQ(wrong.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(journal_->last_sequence(), 0u);
  EXPECT_EQ(AppendOk("fresh", 0).revision, 1u);
}

TEST_F(JournalTest, InvalidRequestsAreRejected) {
  Open();
  for (const std::string& stream :
       {std::string(), std::string("a\0b", 3), std::string(kStreamBytesMax + 1, 'x')}) {
    Result<Event> appended = journal_->AppendAndWait(Request(stream, 0));
    EXPECT_EQ(appended.status().code(), ErrorCode::kInvalidArgument) << stream.size();
  }
  EXPECT_EQ(journal_->AppendAndWait(Request("s", 0, "p", /*type=*/0)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(journal_->last_sequence(), 0u);
  EXPECT_TRUE(journal_->AppendAndWait(Request(std::string(kStreamBytesMax, 'x'), 0)).ok());
}

TEST_F(JournalTest, TimestampsStrictlyIncreaseWhenTheClockStandsStill) {
  Open();
  int64_t previous_us = 0;
  for (uint64_t revision = 0; revision < 5; ++revision) {
    const Event event = AppendOk("s", revision);
    EXPECT_EQ(event.timestamp_us, kStartUs + static_cast<int64_t>(revision));
    EXPECT_GT(event.timestamp_us, previous_us);
    previous_us = event.timestamp_us;
  }
}

TEST_F(JournalTest, TimestampsStrictlyIncreaseWhenTheClockStepsBack) {
  Open();
  const Event before = AppendOk("s", 0);
  clock_.SetMicros(kStartUs - 3'600'000'000);  // one hour back
  const Event after = AppendOk("s", 1);
  EXPECT_EQ(after.timestamp_us, before.timestamp_us + 1);
}

TEST_F(JournalTest, TimestampsFollowTheClockWhenItMovesOn) {
  Open();
  AppendOk("s", 0);
  clock_.AdvanceMicros(1'000'000);
  EXPECT_EQ(AppendOk("s", 1).timestamp_us, kStartUs + 1'000'000);
}

TEST_F(JournalTest, ReopenKeepsEventsSequenceAndTimeOrder) {
  Open();
  const Event first = AppendOk("s", 0);
  const Event second = AppendOk("t", 0);
  journal_.reset();
  clock_.SetMicros(kStartUs - 1'000'000);  // the clock is behind after the restart
  Open();
  EXPECT_EQ(journal_->last_sequence(), 2u);
  Result<std::optional<Event>> read = journal_->ReadEvent("s", 1);
  ASSERT_RESULT_OK(read);
  ASSERT_TRUE(read->has_value());
  ExpectSameEvent(**read, first);
  const Event third = AppendOk("s", 1);
  EXPECT_EQ(third.sequence, 3u);
  EXPECT_EQ(third.revision, 2u);
  EXPECT_GT(third.timestamp_us, second.timestamp_us);
}

TEST_F(JournalTest, FirstSequenceAtOrAfterFindsTheTimeBound) {
  Open();
  Result<uint64_t> empty = journal_->FirstSequenceAtOrAfter(0);
  ASSERT_RESULT_OK(empty);
  EXPECT_EQ(*empty, 1u);
  for (uint64_t revision = 0; revision < 3; ++revision) {
    clock_.SetMicros(kStartUs + 1000 * static_cast<int64_t>(revision + 1));
    AppendOk("s", revision);  // timestamps start+1000, +2000, +3000
  }
  const std::vector<std::pair<int64_t, uint64_t>> cases = {
      {0, 1}, {kStartUs + 1000, 1}, {kStartUs + 1001, 2}, {kStartUs + 2500, 3},
      {kStartUs + 3000, 3}, {kStartUs + 3001, 4}};
  for (const auto& [timestamp_us, expected] : cases) {
    Result<uint64_t> found = journal_->FirstSequenceAtOrAfter(timestamp_us);
    ASSERT_RESULT_OK(found);
    EXPECT_EQ(*found, expected) << "at " << timestamp_us - kStartUs;
  }
}

TEST_F(JournalTest, AppendAfterCloseFailsUnavailable) {
  Open();
  journal_->Close();
  journal_->Close();  // idempotent
  EXPECT_EQ(journal_->AppendAndWait(Request("s", 0)).status().code(), ErrorCode::kUnavailable);
}

TEST_F(JournalTest, ReadOnlyOpenSeesTheDataAndRefusesAppends) {
  Open();
  AppendOk("s", 0);
  journal_.reset();
  options_.mode = OpenMode::kReadOnly;
  Open();
  EXPECT_EQ(journal_->last_sequence(), 1u);
  Result<std::optional<Event>> read = journal_->ReadEvent("s", 1);
  ASSERT_RESULT_OK(read);
  EXPECT_TRUE(read->has_value());
  EXPECT_EQ(journal_->AppendAndWait(Request("s", 1)).status().code(), ErrorCode::kUnavailable);
}

TEST_F(JournalTest, SecondarySeesNewWritesAfterRefresh) {
  Open();
  AppendOk("s", 0);
  storage::ScopedTempDir secondary_dir("journal-secondary");
  JournalOptions secondary_options;
  secondary_options.mode = OpenMode::kSecondary;
  secondary_options.secondary_path = secondary_dir.path();
  std::unique_ptr<Journal> secondary = OpenJournal(temp_.path(), secondary_options);
  ASSERT_NE(secondary, nullptr);
  EXPECT_EQ(secondary->last_sequence(), 1u);
  AppendOk("s", 1);
  ASSERT_OK(secondary->Refresh());
  EXPECT_EQ(secondary->last_sequence(), 2u);
  Result<std::optional<Event>> read = secondary->ReadEvent("s", 2);
  ASSERT_RESULT_OK(read);
  EXPECT_TRUE(read->has_value());
}

TEST_F(JournalTest, SecondReadWriteOpenFailsFastWithBusy) {
  Open();
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Journal>> second = Journal::Open(temp_.path(), options_);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kBusy);
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos);
}

TEST_F(JournalTest, StatsReportLastSequenceAndSizes) {
  Open();
  for (uint64_t revision = 0; revision < 10; ++revision) AppendOk("s", revision, std::string(500, 'p'));
  const JournalStats stats = journal_->Stats();
  EXPECT_EQ(stats.last_sequence, 10u);
  EXPECT_GT(stats.events_bytes, 5000u);
}

}  // namespace
}  // namespace connectivity::journal
