// Key rotation and disabling online (SPEC §9, issue 13 item 3): Ditto's
// migrateEncryption, migrateEncryptionStatus and migrateEncryptionAbort on
// the real server, the files it leaves, and the journal after a crash in
// the middle of a migration.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/tools/encryption_test_util.h"

namespace connectivity::tools::testing {
namespace {

using ::connectivity::testing::Json;

constexpr const char* kMigrate = R"({"type":"connectivity.commands:migrateEncryption","dryRun":false,"resume":false})";
constexpr const char* kDryRun = R"({"type":"connectivity.commands:migrateEncryption","dryRun":true})";
constexpr const char* kResume = R"({"type":"connectivity.commands:migrateEncryption","resume":true})";
constexpr const char* kStatus = R"({"type":"connectivity.commands:migrateEncryptionStatus"})";
constexpr const char* kAbort = R"({"type":"connectivity.commands:migrateEncryptionAbort"})";

// Unthrottled, so that the tests do not wait for Ditto's 200 documents a minute.
std::map<std::string, std::string> Unthrottled(std::map<std::string, std::string> env) {
  env["CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE"] = "0";
  env["CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE"] = "2";
  env["CONNECTION_SNAPSHOT_THRESHOLD"] = "2";  // historical snapshots too
  return env;
}

class EncryptionMigrationTest : public EncryptionTest {
 protected:
  // The connections of CreateAll plus a few more events, on a plaintext journal.
  void WritePlaintextJournal() {
    Start(Unthrottled({}));
    CreateAll();
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(Json(Send(R"({"type":"connectivity.commands:closeConnection","connectionId":"amqp"})").body)
                    .Int("/status"),
                200);
    }
    Stop();
    ASSERT_GT(FilesContaining(data_dir(), "NewUriPassw0rd"), 0u);
    const ToolRun dump = RunOn(data_dir(), {"dump"});
    ASSERT_EQ(dump.exit_code, 0) << Describe(dump);
    metadata_before_ = Metadata(dump.out);
    ASSERT_EQ(metadata_before_.size(), 8u);
    for (const std::string& metadata : metadata_before_) ASSERT_NE(metadata, "null");
  }
  // The `_metadata` of each dumped event.
  static std::vector<std::string> Metadata(const std::string& dump) {
    std::vector<std::string> metadata;
    for (const std::string& line : Lines(dump)) metadata.push_back(Json(line).Raw("/_metadata"));
    return metadata;
  }
  std::vector<std::string> metadata_before_;
  void ExpectNoFileHoldsASecret() {
    for (const std::string& secret : Secrets()) EXPECT_EQ(FilesContaining(data_dir(), secret), 0u) << secret;
  }
  void ExpectCompletedWithoutFailures(const Json& status) {
    EXPECT_EQ(status.String("/phase"), "completed") << status.Raw("");
    EXPECT_EQ(status.Int("/snapshots/failed"), 0);
    EXPECT_EQ(status.Int("/journalEvents/failed"), 0);
    EXPECT_GT(status.Int("/journalEvents/processed").value_or(0), 0);
    EXPECT_GT(status.Int("/snapshots/processed").value_or(0), 0);
  }
};

TEST_F(EncryptionMigrationTest, FromPlaintextNoFileAndNoExportKeepsASecret) {
  WritePlaintextJournal();
  Start(Unthrottled(EncryptionEnv(key_)));

  // A dry run counts and changes nothing.
  Json started = Migration(kDryRun);
  EXPECT_EQ(started.String("/type"), "connectivity.responses:migrateEncryption");
  EXPECT_EQ(started.Int("/status"), 202);
  EXPECT_EQ(started.String("/phase"), "started");
  EXPECT_EQ(started.Raw("/dryRun"), "true");
  EXPECT_EQ(started.Raw("/resumed"), "false");
  EXPECT_TRUE(started.String("/startedAt").has_value());
  Json dry = WaitForMigration();
  EXPECT_EQ(dry.String("/phase"), "completed");
  EXPECT_EQ(dry.Raw("/dryRun"), "true");
  const int64_t events_to_migrate = dry.Int("/journalEvents/processed").value_or(0);
  EXPECT_EQ(events_to_migrate, 4);  // three creates and a modify; closes carry no connection
  EXPECT_GT(FilesContaining(data_dir(), "NewUriPassw0rd"), 0u);

  started = Migration(kMigrate);
  EXPECT_EQ(started.Int("/status"), 202) << started.Raw("");
  Json done = WaitForMigration();
  ExpectCompletedWithoutFailures(done);
  EXPECT_EQ(done.Int("/journalEvents/processed"), events_to_migrate);
  EXPECT_EQ(done.String("/progress/lastProcessedSnapshotPid"), "connection:oauth");
  // The journal is walked in (connection, revision) order: the last event
  // processed is oauth's create, sequence 3.
  EXPECT_EQ(done.String("/progress/lastProcessedJournalPid"), "connection:oauth");
  EXPECT_EQ(done.String("/progress/lastProcessedJournalId"), "3");
  EXPECT_EQ(done.Raw("/migrationActive"), "false");
  ExpectNoFileHoldsASecret();  // while the server runs
  EXPECT_NE(Retrieve("amqp").find("NewUriPassw0rd"), std::string::npos);

  // Again: everything is in the target form already.
  ASSERT_EQ(Migration(kMigrate).Int("/status"), 202);
  Json again = WaitForMigration();
  EXPECT_EQ(again.Int("/journalEvents/processed"), 0);
  EXPECT_EQ(again.Int("/journalEvents/skipped"), events_to_migrate);
  Stop();

  ExpectNoFileHoldsASecret();
  const std::string export_path = dir_.path() + "/export.jsonl";
  ASSERT_EQ(RunOn(data_dir(), {"export", "--output", export_path}).exit_code, 0);
  const std::string exported = ReadWholeFile(export_path);
  for (const std::string& secret : Secrets()) EXPECT_EQ(exported.find(secret), std::string::npos) << secret;
  const ToolRun verify = RunTool({"--data-dir", data_dir(), "verify"}, "", EncryptionEnv(key_));
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  // The re-encrypted events keep who made them (the audit trail), byte for byte.
  const ToolRun dump = RunTool({"--data-dir", data_dir(), "dump"}, "", EncryptionEnv(key_));
  ASSERT_EQ(dump.exit_code, 0) << Describe(dump);
  EXPECT_EQ(Metadata(dump.out), metadata_before_);
  EXPECT_NE(StartRefused({}).find("no key is configured"), std::string::npos);
}

TEST_F(EncryptionMigrationTest, KeyRotationLeavesOnlyTheNewKey) {
  Start(Unthrottled(EncryptionEnv(key_)));
  CreateAll();
  Stop();
  const std::string new_key = crypto::AesKey::Generate().ToText();
  Start(Unthrottled(EncryptionEnv(new_key, key_)));
  ASSERT_EQ(Migration(kMigrate).Int("/status"), 202);
  ExpectCompletedWithoutFailures(WaitForMigration());
  Stop();
  // Nothing needs the old key any more: the new key alone reads and verifies it all.
  const ToolRun new_only = RunTool({"--data-dir", data_dir(), "verify"}, "", EncryptionEnv(new_key));
  EXPECT_EQ(new_only.exit_code, 0) << Describe(new_only);
  EXPECT_NE(new_only.out.find("compared decrypted"), std::string::npos);
  const ToolRun old_only = RunTool({"--data-dir", data_dir(), "dump"}, "", EncryptionEnv(key_));
  EXPECT_NE(old_only.exit_code, 0) << Describe(old_only);
  Start(Unthrottled(EncryptionEnv(new_key)));
  EXPECT_NE(Retrieve("hmac").find("SecretKeyWJalr"), std::string::npos);
}

TEST_F(EncryptionMigrationTest, DisablingLeavesPlaintextAndRemovesTheMark) {
  Start(Unthrottled(EncryptionEnv(key_)));
  CreateAll();
  Stop();
  Start(Unthrottled(EncryptionEnv("", key_, /*enabled=*/false)));
  ASSERT_EQ(Migration(kMigrate).Int("/status"), 202);
  ExpectCompletedWithoutFailures(WaitForMigration());
  Stop();
  EXPECT_EQ(FilesContaining(data_dir(), "encrypted_"), 0u);
  // No key needed any more.
  Start(Unthrottled({}));
  EXPECT_NE(Retrieve("oauth").find("ClientS3cretValue"), std::string::npos);
}

TEST_F(EncryptionMigrationTest, AbortResumeAndDittosRefusals) {
  Start(Unthrottled({}));
  // No key at all: Ditto's refusal, as an errorResponse with ask.error.
  Json refused = Migration(kMigrate);
  EXPECT_EQ(refused.String("/type"), "devops.responses:errorResponse");
  EXPECT_EQ(refused.String("/payload/error"), "ask.error");
  EXPECT_EQ(refused.String("/payload/message"),
            "Encryption is not enabled and no old key configured. Cannot migrate without encryption keys.");
  refused = Migration(kAbort);
  EXPECT_EQ(refused.String("/payload/message"), "No migration is currently running.");
  // Before any migration: Ditto's fresh progress.
  Json status = Migration(kStatus);
  EXPECT_EQ(status.String("/type"), "connectivity.responses:migrateEncryptionStatus");
  EXPECT_EQ(status.String("/phase"), "snapshots");
  EXPECT_EQ(status.Raw("/migrationActive"), "false");
  EXPECT_FALSE(status.Has("/progress"));
  // Sent to the wrong actor: ask.error naming the selection.
  const Json misdirected(Send(kStatus).body);
  EXPECT_EQ(misdirected.String("/payload/error"), "ask.error");
  CreateAll();
  Stop();

  // Throttled to 60 documents a minute, one per batch: a second a document.
  std::map<std::string, std::string> env = EncryptionEnv(key_);
  env["CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE"] = "60";
  env["CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE"] = "1";
  Start(env);
  ASSERT_EQ(Migration(kMigrate).Int("/status"), 202);
  refused = Migration(kMigrate);
  EXPECT_EQ(refused.String("/payload/message"),
            "Migration already in progress. Use migrateEncryptionStatus to check progress or "
            "migrateEncryptionAbort to cancel.");
  usleep(300'000);
  status = Migration(kStatus);
  EXPECT_EQ(status.String("/phase"), "in_progress:snapshots");
  EXPECT_EQ(status.Raw("/migrationActive"), "true");
  const Json aborted = Migration(kAbort);
  EXPECT_EQ(aborted.String("/type"), "connectivity.responses:migrateEncryptionAbort");
  EXPECT_EQ(aborted.String("/phase"), "aborted:snapshots");
  EXPECT_TRUE(aborted.String("/abortedAt").has_value());
  status = WaitForMigration();
  EXPECT_EQ(status.String("/phase"), "snapshots");
  Stop();

  // After a restart the saved progress answers; resume finishes it.
  Start(Unthrottled(EncryptionEnv(key_)));
  status = Migration(kStatus);
  EXPECT_EQ(status.String("/phase"), "snapshots");
  EXPECT_EQ(status.String("/progress/lastProcessedSnapshotId"), "amqp");
  const Json resumed = Migration(kResume);
  EXPECT_EQ(resumed.Int("/status"), 202);
  EXPECT_EQ(resumed.Raw("/resumed"), "true");
  status = WaitForMigration();
  ExpectCompletedWithoutFailures(status);
  EXPECT_EQ(status.Int("/journalEvents/processed"), 4);
  // Nothing left to resume: Ditto's already_completed.
  const Json nothing = Migration(kResume);
  EXPECT_EQ(nothing.Int("/status"), 200);
  EXPECT_EQ(nothing.String("/phase"), "already_completed");
  EXPECT_EQ(nothing.Raw("/dryRun"), "false");
  EXPECT_EQ(nothing.Raw("/resumed"), "true");
  Stop();
  ExpectNoFileHoldsASecret();
}

// Creates go on while a migration runs, and kill -9 in the middle of one
// loses nothing: the rows always agree with the journal (recovery does not
// need to rebuild them), and a resume completes it.
TEST_F(EncryptionMigrationTest, ServesWhileItRunsAndSurvivesKillNine) {
  WritePlaintextJournal();
  std::map<std::string, std::string> env = EncryptionEnv(key_);
  env["CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE"] = "1200";
  env["CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE"] = "1";
  env["CONNECTION_SNAPSHOT_THRESHOLD"] = "2";
  int created = 0;
  for (int round = 0; round < 3; ++round) {
    Start(env);
    const Json started = Migration(round == 0 ? kMigrate : kResume);
    // A slow machine (a sanitizer build) may finish the throttled migration within a round.
    const bool finished = round > 0 && started.String("/phase") == "already_completed";
    ASSERT_TRUE(started.Int("/status") == 202 || finished) << started.Raw("");
    for (int i = 0; i < 10; ++i, ++created) {
      const Json answer(Send(CreateCommand(AmqpConnection("during-" + std::to_string(created), "RunP4ss"))).body);
      ASSERT_EQ(answer.Int("/status"), 201);
    }
    EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
    EXPECT_EQ(server_->log().find("disagreed with the journal"), std::string::npos) << server_->log();
  }
  Start(Unthrottled(EncryptionEnv(key_)));
  EXPECT_EQ(server_->log().find("disagreed with the journal"), std::string::npos) << server_->log();
  Json status = Migration(kResume);
  ASSERT_TRUE(status.Int("/status") == 202 || status.String("/phase") == "already_completed") << status.Raw("");
  status = WaitForMigration();
  EXPECT_EQ(status.String("/phase"), "completed");
  for (int i = 0; i < created; ++i) {
    EXPECT_NE(Retrieve("during-" + std::to_string(i)).find("RunP4ss"), std::string::npos) << i;
  }
  ExpectNoFileHoldsASecret();
  EXPECT_EQ(FilesContaining(data_dir(), "RunP4ss"), 0u);
  Stop();
  const ToolRun verify = RunTool({"--data-dir", data_dir(), "verify"}, "", EncryptionEnv(key_));
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
}

}  // namespace
}  // namespace connectivity::tools::testing
