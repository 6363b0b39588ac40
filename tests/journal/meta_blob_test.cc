// Goal: the journal's meta blobs (journal/codec.h: "secrets_encrypted",
// "encryption_migration") read back, survive a reopen, delete, refuse keys
// that are not meta blob keys, and are checked like every other value.
#include <gtest/gtest.h>

#include <string>

#include "journal/codec.h"
#include "journal/journal.h"
#include "journal/journal_testing.h"
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
