// Secrets at rest (SPEC §9, issue 13 item 2) end to end: the real server
// with Ditto's encryption settings, the files it leaves in its data dir, and
// journal-replay with and without the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/crypto/aes_gcm.h"
#include "tests/integration/server_fixture.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

using ::connectivity::testing::CreateCommand;
using ::connectivity::testing::Fetch;
using ::connectivity::testing::HttpRequestSpec;
using ::connectivity::testing::HttpResponse;
using ::connectivity::testing::Piggyback;
using ::connectivity::testing::ServerOptions;
using ::connectivity::testing::ServerProcess;
using ::connectivity::testing::TempDir;

// One secret for each kind of pointer: a URI's password, an SSH password,
// HMAC parameters, an OAuth client secret.
const std::vector<std::string> kSecrets = {"UriPassw0rd", "SshPassw0rd", "AccessKeyAKIA", "SecretKeyWJalr",
                                           "ClientS3cretValue", "NewUriPassw0rd"};

std::string AmqpConnection(const std::string& id, const std::string& password) {
  return R"({"id":")" + id + R"(","connectionType":"amqp-091","connectionStatus":"closed",)"
         R"("uri":"amqps://user:)" + password + R"(@127.0.0.1:5671","sources":[{"addresses":["q"],)"
         R"("authorizationContext":["ditto:in"]}],"sshTunnel":{"enabled":false,"credentials":)"
         R"({"type":"plain","username":"u","password":"SshPassw0rd"},"validateHost":false,)"
         R"("uri":"ssh://127.0.0.1:22"}})";
}

std::string HttpPushConnection(const std::string& id) {
  return R"({"id":")" + id + R"(","connectionType":"http-push","connectionStatus":"closed",)"
         R"("uri":"https://127.0.0.1:443","targets":[{"address":"POST:/x","topics":["_/_/things/twin/events"],)"
         R"("authorizationContext":["ditto:out"]}],"credentials":{"type":"hmac","algorithm":"aws4-hmac-sha256",)"
         R"("parameters":{"region":"eu-west-1","service":"iot","accessKey":"AccessKeyAKIA",)"
         R"("secretKey":"SecretKeyWJalr"}}})";
}

std::string OAuthConnection(const std::string& id) {
  return R"({"id":")" + id + R"(","connectionType":"http-push","connectionStatus":"closed",)"
         R"("uri":"https://127.0.0.1:443","targets":[{"address":"POST:/x","topics":["_/_/things/twin/events"],)"
         R"("authorizationContext":["ditto:out"]}],"credentials":{"type":"oauth-client-credentials",)"
         R"("tokenEndpoint":"https://127.0.0.1/token","clientId":"cid","clientSecret":"ClientS3cretValue",)"
         R"("requestedScopes":"s"}})";
}

// How many files under `dir` contain `needle` (grep -r -l | wc -l).
size_t FilesContaining(const std::string& dir, const std::string& needle) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (ReadWholeFile(entry.path().string()).find(needle) != std::string::npos) ++files;
  }
  return files;
}

std::map<std::string, std::string> EncryptionEnv(const std::string& key, const std::string& old_key = "",
                                                 bool enabled = true) {
  std::map<std::string, std::string> env;
  env["CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED"] = enabled ? "true" : "false";
  if (!key.empty()) env["CONNECTIVITY_CONNECTION_ENCRYPTION_KEY"] = key;
  if (!old_key.empty()) env["CONNECTIVITY_CONNECTION_OLD_ENCRYPTION_KEY"] = old_key;
  return env;
}

class EncryptionTest : public ::testing::Test {
 protected:
  std::string data_dir() const { return dir_.path() + "/data"; }

  void Start(std::map<std::string, std::string> env) {
    ServerOptions options;
    options.data_dir = data_dir();
    options.env = std::move(env);
    server_ = std::make_unique<ServerProcess>(std::move(options));
    ASSERT_TRUE(server_->ok()) << server_->log();
  }
  void Stop() { ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log(); }
  // Starts a server that must refuse to start; returns its log.
  std::string StartRefused(std::map<std::string, std::string> env) {
    ServerOptions options;
    options.data_dir = data_dir();
    options.env = std::move(env);
    options.wait_until_ready = false;
    ServerProcess server(std::move(options));
    EXPECT_EQ(server.WaitExit(20000), 1) << server.log();
    return server.log();
  }
  HttpResponse Send(const std::string& command) { return Piggyback(server_->port(), command); }
  std::string Retrieve(const std::string& id) {
    return Send(R"({"type":"connectivity.commands:retrieveConnection","connectionId":")" + id + R"("})").body;
  }
  void CreateAll() {
    for (const std::string& connection :
         {AmqpConnection("amqp", "UriPassw0rd"), HttpPushConnection("hmac"), OAuthConnection("oauth")}) {
      ASSERT_EQ(::connectivity::testing::Json(Send(CreateCommand(connection)).body).Int("/status"), 201);
    }
    // A modify over REST with a new password.
    HttpRequestSpec put;
    put.method = "PUT";
    put.path = "/api/2/connections/amqp";
    put.headers = {"Content-Type: application/json"};
    put.body = AmqpConnection("amqp", "NewUriPassw0rd");
    ASSERT_EQ(Fetch(server_->port(), put).status, 204);
    // A status change: its state row is sealed by the snapshot pass, with
    // a nonce of its own.
    ASSERT_EQ(::connectivity::testing::Json(
                  Send(R"({"type":"connectivity.commands:closeConnection","connectionId":"hmac"})").body)
                  .Int("/status"),
              200);
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  const std::string key_ = crypto::AesKey::Generate().ToText();
};

TEST_F(EncryptionTest, WithEncryptionFromTheFirstWriteNoFileHoldsASecret) {
  Start(EncryptionEnv(key_));
  CreateAll();
  // The API answers in plaintext: retrieve and history.
  EXPECT_NE(Retrieve("amqp").find("amqps://user:NewUriPassw0rd@127.0.0.1:5671"), std::string::npos);
  EXPECT_NE(Retrieve("hmac").find("SecretKeyWJalr"), std::string::npos);
  HttpRequestSpec history;
  history.path = "/api/2/connections/amqp/history";
  const std::string events = Fetch(server_->port(), history).body;
  EXPECT_NE(events.find("UriPassw0rd@"), std::string::npos);
  EXPECT_NE(events.find("NewUriPassw0rd@"), std::string::npos);
  Stop();  // a last snapshot pass and a flush: state rows and table files

  for (const std::string& secret : kSecrets) EXPECT_EQ(FilesContaining(data_dir(), secret), 0u) << secret;
  const std::string export_path = dir_.path() + "/export.jsonl";
  ASSERT_EQ(RunOn(data_dir(), {"export", "--output", export_path}).exit_code, 0);
  const std::string exported = ReadWholeFile(export_path);
  for (const std::string& secret : kSecrets) EXPECT_EQ(exported.find(secret), std::string::npos) << secret;
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
  for (const std::string& secret : kSecrets) EXPECT_EQ(FilesContaining(imported, secret), 0u) << secret;
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
  for (const std::string& secret : kSecrets) EXPECT_EQ(log.find(secret), std::string::npos) << secret;

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
