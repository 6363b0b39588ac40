// Goal: the journal's meta blobs (journal/codec.h: "secrets_encrypted",
// "encryption_migration") read back, survive a reopen, delete, refuse keys
// that are not meta blob keys, and are checked like every other value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "journal/codec.h"
#include "journal/journal.h"
#include "journal/journal_testing.h"
#include "journal/snapshot_store.h"
#include "storage/temp_dir.h"
#include "tests/journal/journal_test_util.h"

namespace connectivity::journal {
namespace {

TEST(MetaBlobTest, WritesReadsBackAcrossReopenAndDeletes) {
  storage::ScopedTempDir temp("meta-blob");
  {
    std::unique_ptr<Journal> journal = OpenJournal(temp.path());
    ASSERT_NE(journal, nullptr);
    Result<std::optional<std::string>> absent = journal->ReadMetaBlob(kEncryptionMarkKey);
    ASSERT_RESULT_OK(absent);
    EXPECT_FALSE(absent->has_value());
    ASSERT_OK(journal->WriteMetaBlob(kEncryptionMarkKey, std::string_view("1"), /*sync=*/true));
    ASSERT_OK(journal->WriteMetaBlob(kEncryptionMigrationKey, std::string_view("{\"phase\":\"journal\"}"), true));
  }
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  EXPECT_EQ(**journal->ReadMetaBlob(kEncryptionMarkKey), "1");
  EXPECT_EQ(**journal->ReadMetaBlob(kEncryptionMigrationKey), "{\"phase\":\"journal\"}");
  ASSERT_OK(journal->WriteMetaBlob(kEncryptionMarkKey, std::nullopt, /*sync=*/true));
  EXPECT_FALSE(journal->ReadMetaBlob(kEncryptionMarkKey)->has_value());
}

TEST(MetaBlobTest, OtherKeysAreRefused) {
  storage::ScopedTempDir temp("meta-blob");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  EXPECT_EQ(journal->WriteMetaBlob(kWatermarkKey, std::string_view("x"), true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(journal->ReadMetaBlob(kFormatVersionKey).status().code(), ErrorCode::kInvalidArgument);
}

TEST(MetaBlobTest, DamagedBlobIsCorruptionNamingTheKey) {
  std::string value;
  EncodeMetaBlob(kEncryptionMarkKey, "1", &value);
  std::string_view blob;
  ASSERT_OK(DecodeMetaBlob(kEncryptionMarkKey, value, &blob));
  EXPECT_EQ(blob, "1");
  // The key is in the checksum: the same bytes under the other key fail.
  EXPECT_EQ(DecodeMetaBlob(kEncryptionMigrationKey, value, &blob).code(), ErrorCode::kCorruption);
  value[kSnapshotHeaderBytes] ^= 1;
  const Status damaged = DecodeMetaBlob(kEncryptionMarkKey, value, &blob);
  EXPECT_EQ(damaged.code(), ErrorCode::kCorruption);
  EXPECT_NE(damaged.message().find("secrets_encrypted"), std::string::npos) << damaged.message();
}

}  // namespace
}  // namespace connectivity::journal

namespace connectivity::journal {
namespace {

// How many files under `dir` hold `needle`.
size_t FilesContaining(const std::string& dir, std::string_view needle) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) ++files;
  }
  return files;
}

TEST(RewritePayloadsTest, ReplacesPayloadsKeepingTheRecordAndWritesTheMetaBlobWithThem) {
  storage::ScopedTempDir temp("rewrite");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  Result<Event> first = journal->AppendAndWait(Request("a", 0, "old-a1"));
  ASSERT_RESULT_OK(first);
  ASSERT_RESULT_OK(journal->AppendAndWait(Request("b", 0, "old-b1")));
  ASSERT_OK(journal->RewritePayloads({{"a", 1, first->type, first->timestamp_us, first->sequence, "new-a1"}},
                                     kEncryptionMigrationKey, "progress", true));
  Result<std::optional<Event>> read = journal->ReadEvent("a", 1);
  ASSERT_RESULT_OK(read);
  EXPECT_EQ((*read)->payload, "new-a1");
  EXPECT_EQ((*read)->sequence, first->sequence);
  EXPECT_EQ((*read)->timestamp_us, first->timestamp_us);
  EXPECT_EQ((*read)->type, first->type);
  Result<std::vector<Event>> global = Drain(*journal->ReadGlobal(1));
  ASSERT_RESULT_OK(global);
  ASSERT_EQ(global->size(), 2u);
  EXPECT_EQ((*global)[0].payload, "new-a1");
  EXPECT_EQ((*global)[1].payload, "old-b1");
  EXPECT_EQ(**journal->ReadMetaBlob(kEncryptionMigrationKey), "progress");
}

TEST(RewritePayloadsTest, ARewriteThatNamesNoEventWritesNothing) {
  storage::ScopedTempDir temp("rewrite");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  Result<Event> event = journal->AppendAndWait(Request("a", 0, "old"));
  ASSERT_RESULT_OK(event);
  EXPECT_EQ(journal->RewritePayloads({{"a", 1, event->type, event->timestamp_us, event->sequence, "new"},
                                      {"a", 2, 0, 0, 0, "x"}},
                                     kEncryptionMigrationKey, "p", true)
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ((*journal->ReadEvent("a", 1))->payload, "old");
  EXPECT_FALSE(journal->ReadMetaBlob(kEncryptionMigrationKey)->has_value());
}

TEST(ScanFromTest, ResumesInsideAStreamAndContinuesWithTheNext) {
  storage::ScopedTempDir temp("scan-from");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  for (const char* stream : {"a", "b"}) {
    for (uint64_t revision = 0; revision < 3; ++revision) {
      ASSERT_RESULT_OK(journal->AppendAndWait(Request(stream, revision)));
    }
  }
  Result<std::vector<Event>> events = Drain(*journal->ScanFrom("a", 2));
  ASSERT_RESULT_OK(events);
  std::vector<std::string> seen;
  for (const Event& event : *events) seen.push_back(event.stream + std::to_string(event.revision));
  EXPECT_EQ(seen, (std::vector<std::string>{"a2", "a3", "b1", "b2", "b3"}));
  EXPECT_TRUE(Drain(*journal->ScanFrom("a", 4))->size() == 3u);  // past a's end: b from its start
  ASSERT_OK(journal->snapshots().WriteStateRows({{"a", "A"}, {"b", "B"}, {"c", "C"}}, 6, true));
  const std::unique_ptr<StateRowCursor> rows = journal->snapshots().ReadStateRowsAfter("a");
  EXPECT_EQ((**rows->Next()).stream, "b");
  EXPECT_EQ((**rows->Next()).stream, "c");
  EXPECT_FALSE(rows->Next()->has_value());
  ASSERT_OK(journal->snapshots().PutHistorical({{"a", 2, "x"}, {"b", 2, "y"}}, true));
  const std::unique_ptr<HistoricalCursor> historical = journal->snapshots().ScanHistoricalAfter("a");
  EXPECT_EQ((**historical->Next()).stream, "b");
  EXPECT_FALSE(historical->Next()->has_value());
}

TEST(CompactAllTest, NoFileKeepsAnOverwrittenValue) {
  storage::ScopedTempDir temp("compact");
  std::unique_ptr<Journal> journal = OpenJournal(temp.path());
  ASSERT_NE(journal, nullptr);
  Result<Event> event = journal->AppendAndWait(Request("a", 0, "OLD-SECRET-VALUE"));
  ASSERT_RESULT_OK(event);
  ASSERT_OK(journal->Flush());  // into a table file
  ASSERT_OK(journal->RewritePayloads({{"a", 1, event->type, event->timestamp_us, event->sequence, "NEW-VALUE"}},
                                     kEncryptionMigrationKey, "p", true));
  EXPECT_GT(FilesContaining(temp.path(), "OLD-SECRET-VALUE"), 0u);  // the table file and the old WAL
  ASSERT_OK(journal->CompactAll());
  EXPECT_EQ(FilesContaining(temp.path(), "OLD-SECRET-VALUE"), 0u);
  EXPECT_EQ((*journal->ReadEvent("a", 1))->payload, "NEW-VALUE");
}

}  // namespace
}  // namespace connectivity::journal
