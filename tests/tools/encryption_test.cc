// Secrets at rest (SPEC §9, issue 13 item 2) end to end: the real server
// with Ditto's encryption settings, the files it leaves in its data dir, and
// journal-replay with and without the key.
#include <gtest/gtest.h>

#include "tests/tools/encryption_test_util.h"

namespace connectivity::tools::testing {
namespace {

TEST_F(EncryptionTest, WithEncryptionFromTheFirstWriteNoFileHoldsASecret) {
  Start(EncryptionEnv(key_));
  CreateAll();
  // The API answers in plaintext: retrieve and history.
  EXPECT_NE(Retrieve("amqp").find("amqps://user:NewUriPassw0rd@127.0.0.1:5671"), std::string::npos);
  EXPECT_NE(Retrieve("hmac").find("SecretKeyWJalr"), std::string::npos);
  EXPECT_NE(Retrieve("hmac").find(SshKeyNeedle()), std::string::npos);
  HttpRequestSpec history;
  history.path = "/api/2/connections/amqp/history";
  const std::string events = Fetch(server_->port(), history).body;
  EXPECT_NE(events.find("UriPassw0rd@"), std::string::npos);
  EXPECT_NE(events.find("NewUriPassw0rd@"), std::string::npos);
  Stop();  // a last snapshot pass and a flush: state rows and table files

  for (const std::string& secret : Secrets()) EXPECT_EQ(FilesContaining(data_dir(), secret), 0u) << secret;
  const std::string export_path = dir_.path() + "/export.jsonl";
  ASSERT_EQ(RunOn(data_dir(), {"export", "--output", export_path}).exit_code, 0);
  const std::string exported = ReadWholeFile(export_path);
  for (const std::string& secret : Secrets()) EXPECT_EQ(exported.find(secret), std::string::npos) << secret;
  EXPECT_NE(exported.find("amqps://user:encrypted_"), std::string::npos);

  // journal-replay: encrypted_ values as they are without the key, plaintext with it.
  const ToolRun keyless = RunOn(data_dir(), {"dump", "--connection", "amqp"});
  EXPECT_EQ(keyless.exit_code, 0) << Describe(keyless);
  EXPECT_EQ(keyless.out.find("UriPassw0rd"), std::string::npos);
  EXPECT_NE(keyless.out.find(R"("password":"encrypted_)"), std::string::npos);
  const ToolRun keyed = RunTool({"--data-dir", data_dir(), "dump", "--connection", "amqp"}, "", EncryptionEnv(key_));
  EXPECT_NE(keyed.out.find("NewUriPassw0rd"), std::string::npos) << Describe(keyed);
  EXPECT_NE(keyed.out.find("SshPassw0rd"), std::string::npos);

  const ToolRun verify_keyless = RunOn(data_dir(), {"verify"});
  EXPECT_EQ(verify_keyless.exit_code, 0) << Describe(verify_keyless);
  EXPECT_NE(verify_keyless.out.find("encrypted values: no key (set CONNECTIVITY_CONNECTION_ENCRYPTION_KEY to "
                                    "compare them decrypted): not compared in 1 snapshots (their ciphertext "
                                    "differs from the journal's by nonce), the same ciphertext as the journal in 2"),
            std::string::npos)
      << verify_keyless.out;
  const ToolRun verify_keyed = RunTool({"--data-dir", data_dir(), "verify"}, "", EncryptionEnv(key_));
  EXPECT_EQ(verify_keyed.exit_code, 0) << Describe(verify_keyed);
  EXPECT_NE(verify_keyed.out.find("encrypted values: compared decrypted"), std::string::npos);

  // An import of the export is marked as encrypted as well.
  const std::string imported = dir_.path() + "/imported";
  ASSERT_EQ(RunTool({"--data-dir", imported, "import", "--input", export_path}).exit_code, 0);
  for (const std::string& secret : Secrets()) EXPECT_EQ(FilesContaining(imported, secret), 0u) << secret;
  ServerOptions options;
  options.data_dir = imported;
  options.wait_until_ready = false;
  ServerProcess keyless_on_import(std::move(options));
  EXPECT_EQ(keyless_on_import.WaitExit(20000), 1) << keyless_on_import.log();
}

TEST_F(EncryptionTest, TheServerRefusesAJournalItCannotReadAndRotatesWithTheOldKey) {
  Start(EncryptionEnv(key_));
  CreateAll();
  Stop();
  // No key: refused, naming the setting.
  std::string log = StartRefused({});
  EXPECT_NE(log.find("holds encrypted connection secrets and no key is configured: set "
                     "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY"),
            std::string::npos)
      << log;
  // A wrong key: Ditto's message, and the settings named.
  log = StartRefused(EncryptionEnv(crypto::AesKey::Generate().ToText()));
  EXPECT_NE(log.find("Decryption of connection field failed. Verify that the configured encryption key matches"),
            std::string::npos)
      << log;
  for (const std::string& secret : Secrets()) EXPECT_EQ(log.find(secret), std::string::npos) << secret;

  // Rotation: a new key, the old one as fallback; everything reads and new
  // writes use the new key.
  const std::string new_key = crypto::AesKey::Generate().ToText();
  Start(EncryptionEnv(new_key, key_));
  EXPECT_NE(Retrieve("amqp").find("NewUriPassw0rd"), std::string::npos);
  EXPECT_NE(Retrieve("oauth").find("ClientS3cretValue"), std::string::npos);
  ASSERT_EQ(::connectivity::testing::Json(Send(CreateCommand(AmqpConnection("rotated", "RotatedPassw0rd"))).body)
                .Int("/status"),
            201);
  Stop();
  EXPECT_EQ(FilesContaining(data_dir(), "RotatedPassw0rd"), 0u);
  const ToolRun new_key_only =
      RunTool({"--data-dir", data_dir(), "dump", "--connection", "rotated"}, "", EncryptionEnv(new_key));
  EXPECT_NE(new_key_only.out.find("RotatedPassw0rd"), std::string::npos) << Describe(new_key_only);
  const ToolRun both = RunTool({"--data-dir", data_dir(), "verify"}, "", EncryptionEnv(new_key, key_));
  EXPECT_EQ(both.exit_code, 0) << Describe(both);
}

TEST_F(EncryptionTest, WithoutEncryptionTheSecretsAreInTheFilesWhichIsWhatTheGrepWouldFind) {
  // The control for the grep above: the same writes without encryption.
  Start({});
  CreateAll();
  Stop();
  EXPECT_GT(FilesContaining(data_dir(), "NewUriPassw0rd"), 0u);
  EXPECT_GT(FilesContaining(data_dir(), "SecretKeyWJalr"), 0u);
}

TEST_F(EncryptionTest, SettingsErrorsStopTheStartNamingTheVariable) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED", "true"}},
       "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY is missing: it is mandatory when encryption is enabled"},
      {{{"CONNECTIVITY_CONNECTION_ENCRYPTION_KEY", "c2hvcnQ"}},
       "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY is invalid: 256 bits symmetrical key required. Provided is 40 "
       "bits key."},
      {{{"CONNECTIVITY_CONNECTION_ENCRYPTION_KEY", key_}, {"CONNECTIVITY_CONNECTION_OLD_ENCRYPTION_KEY", key_}},
       "must be different"},
      {{{"CONNECTIVITY_CONNECTION_ENCRYPTION_POINTERS", "uri"}}, "CONNECTIVITY_CONNECTION_ENCRYPTION_POINTERS"},
  };
  for (const Case& c : cases) {
    ServerOptions options;
    options.data_dir = data_dir();
    options.env = c.env;
    options.wait_until_ready = false;
    ServerProcess server(std::move(options));
    EXPECT_EQ(server.WaitExit(20000), 2);
    EXPECT_NE(server.log().find(c.expected), std::string::npos) << server.log();
    EXPECT_EQ(server.log().find(key_), std::string::npos);
  }
}

}  // namespace
}  // namespace connectivity::tools::testing
