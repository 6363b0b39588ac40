// Goal: SPEC §5 on the journal, by fault injection: a failed fsync stops
// all writes (sticky kUnavailable) while reads go on and nothing
// acknowledged is lost; a simulated power loss (unsynced bytes dropped)
// keeps every acknowledged event; a WAL cut mid-record recovers to the last
// whole batch and appends continue; damaged records, revision gaps, order
// entries that disagree with their records, and read errors are reported as
// errors naming the key, never as a clean end. One fault per test.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "journal/codec.h"
#include "journal/journal.h"
#include "journal/journal_testing.h"
#include "journal/snapshot_store.h"
#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/journal/journal_test_util.h"

namespace connectivity::journal {
namespace {

namespace fs = std::filesystem;

class JournalFaultTest : public ::testing::Test {
 protected:
  JournalFaultTest() : temp_("journal-fault"), fault_(storage::MakeFaultInjectionEnv()) {
    options_.env = fault_.env.get();
  }

  void Open() {
    journal_.reset();
    journal_ = OpenJournal(temp_.path(), options_);
    ASSERT_NE(journal_, nullptr);
  }

  // Appends `count` events round-robin over three streams; returns them.
  std::vector<Event> AppendAcknowledged(int count) {
    std::vector<Event> acknowledged;
    for (int i = 0; i < count; ++i) {
      const std::string stream = "conn-" + std::to_string(i % 3);
      Result<uint64_t> last = journal_->LastRevision(stream);
      EXPECT_TRUE(last.ok());
      Result<Event> event = journal_->AppendAndWait(Request(stream, *last, "event " + std::to_string(i)));
      EXPECT_TRUE(event.ok()) << event.status().ToString();
      if (event.ok()) acknowledged.push_back(*event);
    }
    return acknowledged;
  }

  void ExpectAllPresent(const std::vector<Event>& acknowledged) {
    for (const Event& event : acknowledged) {
      Result<std::optional<Event>> read = journal_->ReadEvent(event.stream, event.revision);
      ASSERT_RESULT_OK(read);
      ASSERT_TRUE(read->has_value()) << event.stream << " rev " << event.revision << " lost";
      ExpectSameEvent(**read, event);
    }
  }

  // Replaces the record of stream/revision by itself with one byte flipped.
  void FlipRecordByte(const std::string& stream, uint64_t revision) {
    Result<std::optional<std::string>> raw = TEST_ReadRawEvent(*journal_, stream, revision);
    ASSERT_RESULT_OK(raw);
    ASSERT_TRUE(raw->has_value());
    std::string damaged = **raw;
    damaged[kRecordHeaderBytes] ^= 0x04;  // first payload byte
    ASSERT_OK(TEST_PutRawEvent(*journal_, stream, revision, damaged));
  }

  storage::ScopedTempDir temp_;
  storage::FaultInjectionEnv fault_;
  JournalOptions options_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalFaultTest, FailedSyncStopsWritesButNotReadsAndLosesNothingAcknowledged) {
  Open();
  const std::vector<Event> acknowledged = AppendAcknowledged(6);
  fault_.fs->SetFaults(storage::Faults{.fail_sync = true, .file_suffix = ".log"});
  Result<Event> failed = journal_->AppendAndWait(Request("conn-0", 2));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("refuses writes after a failed write"),
            std::string::npos) << failed.status().message();
  EXPECT_GT(fault_.fs->injected_failures(), 0u);
  EXPECT_EQ(journal_->health().code(), ErrorCode::kUnavailable);

  fault_.fs->ClearFaults();  // the disk is fine again; the journal still refuses
  EXPECT_EQ(journal_->AppendAndWait(Request("conn-1", 2)).status().code(), ErrorCode::kUnavailable);
  ExpectAllPresent(acknowledged);  // reads go on

  // After a restart every acknowledged event is there. The failed append was
  // never acknowledged: it may or may not be present (its bytes reached the
  // WAL before the fsync failed); the server treats it as not done.
  Open();
  ExpectAllPresent(acknowledged);
  Result<std::vector<Event>> scan = Drain(*journal_->ScanAll());
  ASSERT_RESULT_OK(scan);
  EXPECT_GE(scan->size(), acknowledged.size());
  EXPECT_LE(scan->size(), acknowledged.size() + 1);
  Result<uint64_t> last = journal_->LastRevision("conn-0");
  ASSERT_RESULT_OK(last);
  EXPECT_TRUE(journal_->AppendAndWait(Request("conn-0", *last)).ok());
}

TEST_F(JournalFaultTest, PowerLossKeepsEveryAcknowledgedEvent) {
  Open();
  const std::vector<Event> acknowledged = AppendAcknowledged(20);
  // An unsynced write after the last acknowledged one: lost at power loss.
  ASSERT_OK(journal_->snapshots().WriteStateRows({{"conn-0", "unsynced"}}, 20, /*sync=*/false));
  EXPECT_GT(fault_.fs->unsynced_bytes(), 0u);
  fault_.fs->SimulateCrash();
  journal_.reset();
  ASSERT_OK(fault_.fs->DropUnsyncedData());

  Open();
  EXPECT_EQ(journal_->last_sequence(), acknowledged.size());
  ExpectAllPresent(acknowledged);
  Result<std::optional<std::string>> row = journal_->snapshots().ReadStateRow("conn-0");
  ASSERT_RESULT_OK(row);
  EXPECT_FALSE(row->has_value()) << "the crash did not drop the unsynced write";
}

fs::path NewestWal(const std::string& dir) {
  fs::path newest;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" && entry.path().filename() > newest.filename()) {
      newest = entry.path();
    }
  }
  return newest;
}

TEST_F(JournalFaultTest, WalCutMidRecordRecoversToTheLastWholeBatch) {
  options_.env = nullptr;  // the real file system; the cut is done by hand
  Open();
  std::vector<Event> acknowledged;
  uint64_t wal_bytes_before_last = 0;
  for (uint64_t revision = 0; revision < 5; ++revision) {
    if (revision == 4) wal_bytes_before_last = fs::file_size(NewestWal(temp_.path()));
    Result<Event> event = journal_->AppendAndWait(Request("s", revision, std::string(300, 'p')));
    ASSERT_RESULT_OK(event);
    acknowledged.push_back(*event);
  }
  journal_.reset();
  const fs::path wal = NewestWal(temp_.path());
  const uint64_t wal_bytes = fs::file_size(wal);
  ASSERT_GT(wal_bytes, wal_bytes_before_last);
  fs::resize_file(wal, wal_bytes_before_last + (wal_bytes - wal_bytes_before_last) / 2);

  Open();
  EXPECT_EQ(journal_->last_sequence(), 4u);
  acknowledged.pop_back();
  ExpectAllPresent(acknowledged);
  Result<std::vector<Event>> stream = Drain(*journal_->ReadStream("s", 1, UINT64_MAX));
  ASSERT_RESULT_OK(stream);
  EXPECT_EQ(stream->size(), 4u);
  Result<Event> next = journal_->AppendAndWait(Request("s", 4));
  ASSERT_RESULT_OK(next);
  EXPECT_EQ(next->revision, 5u);
  EXPECT_EQ(next->sequence, 5u);
}

TEST_F(JournalFaultTest, DamagedRecordIsCorruptionForEveryReader) {
  Open();
  AppendAcknowledged(9);  // conn-1 has revisions 1..3
  FlipRecordByte("conn-1", 2);
  const std::string key_text = "events['conn-1' rev 2]";
  auto expect_corruption = [&](const Status& status, const char* reader) {
    EXPECT_EQ(status.code(), ErrorCode::kCorruption) << reader << ": " << status.ToString();
    EXPECT_NE(status.message().find(key_text), std::string::npos) << reader << ": " << status.message();
  };
  expect_corruption(journal_->ReadEvent("conn-1", 2).status(), "ReadEvent");
  expect_corruption(Drain(*journal_->ReadStream("conn-1", 1, 3)).status(), "ReadStream");
  expect_corruption(Drain(*journal_->ScanAll()).status(), "ScanAll");
  expect_corruption(Drain(*journal_->ReadGlobal(1)).status(), "ReadGlobal");
  expect_corruption(journal_->ForEachEvent([](const EventView&) { return Status::Ok(); }),
                    "ForEachEvent");
}

TEST_F(JournalFaultTest, MissingRevisionIsAGapForEveryReader) {
  Open();
  AppendAcknowledged(9);
  ASSERT_OK(TEST_DeleteEvent(*journal_, "conn-1", 2));
  const Status stream = Drain(*journal_->ReadStream("conn-1", 1, 3)).status();
  EXPECT_EQ(stream.code(), ErrorCode::kCorruption);
  EXPECT_NE(stream.message().find("events['conn-1' rev 3]: revision gap"), std::string::npos)
      << stream.message();
  EXPECT_EQ(Drain(*journal_->ScanAll()).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(journal_->ForEachEvent([](const EventView&) { return Status::Ok(); }).code(),
            ErrorCode::kCorruption);
  const Status global = Drain(*journal_->ReadGlobal(1)).status();
  EXPECT_EQ(global.code(), ErrorCode::kCorruption);
  EXPECT_NE(global.message().find("events['conn-1' rev 2] is missing"), std::string::npos)
      << global.message();
}

TEST_F(JournalFaultTest, OrderEntryThatDisagreesWithItsRecordIsCorruption) {
  Open();
  const std::vector<Event> acknowledged = AppendAcknowledged(3);
  const Event& second = acknowledged[1];
  const std::string key = SequenceKey(2);
  std::string value;
  EncodeOrderEntry(key, OrderEntry{second.type, second.timestamp_us + 7, second.revision, second.stream},
                   &value);  // a valid checksum, a wrong timestamp
  ASSERT_OK(TEST_PutRaw(*journal_, kOrderColumnFamily, key, value));
  const Status global = Drain(*journal_->ReadGlobal(1)).status();
  EXPECT_EQ(global.code(), ErrorCode::kCorruption);
  EXPECT_NE(global.message().find("order[seq 2]"), std::string::npos) << global.message();
}

TEST_F(JournalFaultTest, DamagedLastRecordStopsTheOpen) {
  Open();
  const std::vector<Event> acknowledged = AppendAcknowledged(4);
  FlipRecordByte(acknowledged.back().stream, acknowledged.back().revision);
  journal_.reset();
  Result<std::unique_ptr<Journal>> reopened = Journal::Open(temp_.path(), options_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(reopened.status().message().find("events['conn-0' rev 2]"), std::string::npos)
      << reopened.status().message();
}

TEST_F(JournalFaultTest, UnknownFormatVersionStopsTheOpen) {
  Open();
  std::string value;
  EncodeMetaU64(kFormatVersionKey, 2, &value);
  ASSERT_OK(TEST_PutRaw(*journal_, kMetaColumnFamily, kFormatVersionKey, value));
  journal_.reset();
  Result<std::unique_ptr<Journal>> reopened = Journal::Open(temp_.path(), options_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("format version 2"), std::string::npos)
      << reopened.status().message();
}

TEST_F(JournalFaultTest, ReadErrorIsNotTheEndOfTheJournal) {
  Open();
  AppendAcknowledged(300);
  ASSERT_OK(TEST_Flush(*journal_));
  Open();  // a cold block cache: the scan must read the table files
  fault_.fs->SetFaults(storage::Faults{.fail_read = true, .file_suffix = ".sst"});
  EXPECT_EQ(Drain(*journal_->ScanAll()).status().code(), ErrorCode::kIOError);
  EXPECT_EQ(journal_->ForEachEvent([](const EventView&) { return Status::Ok(); }).code(),
            ErrorCode::kIOError);
  EXPECT_GT(fault_.fs->injected_failures(), 0u);
}

}  // namespace
}  // namespace connectivity::journal
