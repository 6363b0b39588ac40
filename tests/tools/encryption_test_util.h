// Shared by the secrets-at-rest tests (encryption_test.cc,
// encryption_migration_test.cc): connections with secrets in every kind of
// pointer, the real server with Ditto's encryption settings, and a grep of
// the data dir.
#ifndef CONNECTIVITY_TESTS_TOOLS_ENCRYPTION_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_TOOLS_ENCRYPTION_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/crypto/aes_gcm.h"
#include "tests/integration/server_fixture.h"
#include "tests/support/test_pki.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {

using ::connectivity::testing::CreateCommand;
using ::connectivity::testing::Fetch;
using ::connectivity::testing::HttpRequestSpec;
using ::connectivity::testing::HttpResponse;
using ::connectivity::testing::Piggyback;
using ::connectivity::testing::ServerOptions;
using ::connectivity::testing::ServerProcess;
using ::connectivity::testing::TempDir;

// One secret for each kind of pointer: a URI's password, an SSH password,
// an SSH private key (24 characters from the middle of the test key's
// base64), HMAC parameters, an OAuth client secret.
inline std::string SshKeyNeedle() {
  const std::string& pem = test_support::GetTestPki().rsa_private_key_pem;
  return pem.substr(pem.find('\n', pem.find('\n') + 1) + 1, 24);  // the start of the body's second line
}

inline const std::vector<std::string>& Secrets() {
  static const std::vector<std::string> secrets = {"UriPassw0rd",   "SshPassw0rd",    SshKeyNeedle(),
                                                   "AccessKeyAKIA", "SecretKeyWJalr", "ClientS3cretValue",
                                                   "NewUriPassw0rd"};
  return secrets;
}

inline std::string AmqpConnection(const std::string& id, const std::string& password) {
  return R"({"id":")" + id + R"(","connectionType":"amqp-091","connectionStatus":"closed",)"
         R"("uri":"amqps://user:)" + password + R"(@127.0.0.1:5671","sources":[{"addresses":["q"],)"
         R"("authorizationContext":["ditto:in"]}],"sshTunnel":{"enabled":false,"credentials":)"
         R"({"type":"plain","username":"u","password":"SshPassw0rd"},"validateHost":false,)"
         R"("uri":"ssh://127.0.0.1:22"}})";
}

// A PEM as a JSON string's content.
inline std::string JsonEscapedPem(const std::string& pem) {
  std::string out;
  for (char c : pem) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

inline std::string HttpPushConnection(const std::string& id) {
  const test_support::TestPki& pki = test_support::GetTestPki();
  return R"({"id":")" + id + R"(","connectionType":"http-push","connectionStatus":"closed",)"
         R"("uri":"https://127.0.0.1:443","targets":[{"address":"POST:/x","topics":["_/_/things/twin/events"],)"
         R"("authorizationContext":["ditto:out"]}],"credentials":{"type":"hmac","algorithm":"aws4-hmac-sha256",)"
         R"("parameters":{"region":"eu-west-1","service":"iot","accessKey":"AccessKeyAKIA",)"
         R"("secretKey":"SecretKeyWJalr"}},"sshTunnel":{"enabled":false,"credentials":{"type":"public-key",)"
         R"("username":"u","publicKey":")" + JsonEscapedPem(pki.rsa_public_key_pem) + R"(","privateKey":")" +
         JsonEscapedPem(pki.rsa_private_key_pem) + R"("},"validateHost":false,"uri":"ssh://127.0.0.1:22"}})";
}

inline std::string OAuthConnection(const std::string& id) {
  return R"({"id":")" + id + R"(","connectionType":"http-push","connectionStatus":"closed",)"
         R"("uri":"https://127.0.0.1:443","targets":[{"address":"POST:/x","topics":["_/_/things/twin/events"],)"
         R"("authorizationContext":["ditto:out"]}],"credentials":{"type":"oauth-client-credentials",)"
         R"("tokenEndpoint":"https://127.0.0.1/token","clientId":"cid","clientSecret":"ClientS3cretValue",)"
         R"("requestedScopes":"s"}})";
}

// How many files under `dir` contain `needle` (grep -r -l | wc -l).
inline size_t FilesContaining(const std::string& dir, const std::string& needle) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (ReadWholeFile(entry.path().string()).find(needle) != std::string::npos) ++files;
  }
  return files;
}

inline std::map<std::string, std::string> EncryptionEnv(const std::string& key, const std::string& old_key = "",
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
  // A command to /user/connectivityRoot/encryptionMigration.
  ::connectivity::testing::Json Migration(const std::string& command) {
    return ::connectivity::testing::Json(
        Piggyback(server_->port(), command, R"({"aggregate":false})", "/user/connectivityRoot/encryptionMigration")
            .body);
  }
  // Polls migrateEncryptionStatus until the migration is no longer active.
  ::connectivity::testing::Json WaitForMigration() {
    for (int i = 0; i < 3000; ++i) {
      ::connectivity::testing::Json status = Migration(R"({"type":"connectivity.commands:migrateEncryptionStatus"})");
      if (status.Raw("/migrationActive") == "false") return status;
      usleep(10'000);
    }
    ADD_FAILURE() << "the migration did not end within 30 s";
    return Migration(R"({"type":"connectivity.commands:migrateEncryptionStatus"})");
  }
  std::string Retrieve(const std::string& id) {
    return Send(R"({"type":"connectivity.commands:retrieveConnection","connectionId":")" + id + R"("})").body;
  }
  void CreateAll() {
    for (const std::string& connection :
         {AmqpConnection("amqp", "UriPassw0rd"), HttpPushConnection("hmac"), OAuthConnection("oauth")}) {
      const std::string answer = Send(CreateCommand(connection)).body;
      ASSERT_EQ(::connectivity::testing::Json(answer).Int("/status"), 201) << answer;
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

}  // namespace connectivity::tools::testing

#endif  // CONNECTIVITY_TESTS_TOOLS_ENCRYPTION_TEST_UTIL_H_
