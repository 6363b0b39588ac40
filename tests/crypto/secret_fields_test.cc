#include "src/crypto/secret_fields.h"

#include <gtest/gtest.h>

#include "src/crypto/base64url.h"
#include "src/model/connection.h"

namespace connectivity::crypto {
namespace {

SecretFields Fields(std::vector<std::string> pointers = DefaultEncryptionPointers()) {
  auto made = SecretFields::Make(std::move(pointers));
  EXPECT_TRUE(std::holds_alternative<SecretFields>(made));
  return std::move(std::get<SecretFields>(made));
}

// Canonical JSON, as the service stores it.
std::string Canonical(std::string_view input) {
  model::ParseOptions options;
  auto parsed = model::ParseConnection(input, options);
  EXPECT_TRUE(std::holds_alternative<model::Connection>(parsed))
      << std::get<model::DittoError>(parsed).ToJson();
  return model::SerializeConnection(std::get<model::Connection>(parsed));
}

const char* kAmqpWithPassword = R"({"id":"c1","connectionType":"amqp-091","connectionStatus":"closed",
  "uri":"amqps://user:s3cr3t%2Fpw@broker.example:5671/vhost","sources":[{"addresses":["q"],
  "authorizationContext":["ditto:in"]}]})";

const char* kSshAndOauth = R"({"id":"c2","connectionType":"http-push","connectionStatus":"closed",
  "uri":"https://broker.example:443","targets":[{"address":"POST:/x","topics":["_/_/things/twin/events"],
  "authorizationContext":["ditto:out"]}],
  "credentials":{"type":"oauth-client-credentials","tokenEndpoint":"https://auth.example/token",
  "clientId":"id","clientSecret":"cl13nt \"s3cret\" \u00e9","requestedScopes":"s"},
  "sshTunnel":{"enabled":true,"credentials":{"type":"plain","username":"u","password":"ssh-pw"},
  "validateHost":false,"knownHosts":[],"uri":"ssh://ssh.example:22"}})";

TEST(SecretFieldsTest, EncryptsOnlyTheUriPasswordAndRoundTripsByteForByte) {
  const SecretFields fields = Fields();
  const AesKey key = AesKey::Generate();
  const std::string plain = Canonical(kAmqpWithPassword);
  std::string stored = plain;
  ASSERT_TRUE(fields.Encrypt(stored, key).ok());
  EXPECT_EQ(stored.find("s3cr3t"), std::string::npos);
  EXPECT_NE(stored.find(R"("uri":"amqps://user:encrypted_)"), std::string::npos) << stored;
  EXPECT_NE(stored.find("@broker.example:5671/vhost\""), std::string::npos) << stored;
  ASSERT_TRUE(fields.Decrypt(stored, &key, nullptr).ok());
  EXPECT_EQ(stored, plain);
}

TEST(SecretFieldsTest, EncryptsWholeValuesOfTheOtherPointers) {
  const SecretFields fields = Fields();
  const AesKey key = AesKey::Generate();
  const std::string plain = Canonical(kSshAndOauth);
  std::string stored = plain;
  ASSERT_TRUE(fields.Encrypt(stored, key).ok());
  for (const char* secret : {"cl13nt", "s3cret", "ssh-pw"}) EXPECT_EQ(stored.find(secret), std::string::npos) << secret;
  EXPECT_NE(stored.find(R"("clientSecret":"encrypted_)"), std::string::npos);
  EXPECT_NE(stored.find(R"("password":"encrypted_)"), std::string::npos);
  // Not secrets: the URI without user info, the user name, the client id.
  EXPECT_NE(stored.find(R"("uri":"https://broker.example:443")"), std::string::npos);
  EXPECT_NE(stored.find(R"("username":"u")"), std::string::npos);
  ASSERT_TRUE(fields.Decrypt(stored, &key, nullptr).ok());
  EXPECT_EQ(stored, plain);
}

TEST(SecretFieldsTest, AUriWithoutSchemeIsASecretAsAWhole) {
  const SecretFields fields = Fields({"/uri"});
  const AesKey key = AesKey::Generate();
  std::string json = R"({"uri":""})";
  ASSERT_TRUE(fields.Encrypt(json, key).ok());
  EXPECT_TRUE(json.starts_with(R"({"uri":"encrypted_)")) << json;
  ASSERT_TRUE(fields.Decrypt(json, &key, nullptr).ok());
  EXPECT_EQ(json, R"({"uri":""})");
  json = R"({"uri":"tcp://user@host:1883"})";  // user info without password
  ASSERT_TRUE(fields.Encrypt(json, key).ok());
  EXPECT_EQ(json, R"({"uri":"tcp://user@host:1883"})");
}

TEST(SecretFieldsTest, AValueThatLooksEncryptedIsEncryptedAgainAndComesBack) {
  const SecretFields fields = Fields({"/password"});
  const AesKey key = AesKey::Generate();
  const std::string literal = "encrypted_" + *EncryptWithPrefixIv("x", AesKey::Generate());
  std::string json = R"({"password":")" + literal + "\"}";
  const std::string plain = json;
  ASSERT_TRUE(fields.Encrypt(json, key).ok());
  ASSERT_NE(json, plain);
  ASSERT_TRUE(fields.Decrypt(json, &key, nullptr).ok());
  EXPECT_EQ(json, plain);
}

TEST(SecretFieldsTest, DecryptFallsBackToTheOldKeyWithDittosMessages) {
  const SecretFields fields = Fields();
  const AesKey old_key = AesKey::Generate();
  const AesKey new_key = AesKey::Generate();
  const std::string plain = Canonical(kSshAndOauth);
  std::string stored = plain;
  ASSERT_TRUE(fields.Encrypt(stored, old_key).ok());
  std::string copy = stored;
  ASSERT_TRUE(fields.Decrypt(copy, &new_key, &old_key).ok());
  EXPECT_EQ(copy, plain);
  copy = stored;
  Status status = fields.Decrypt(copy, &new_key, nullptr);
  EXPECT_EQ(status.message(), kDecryptionFailedMessage);
  EXPECT_EQ(copy, stored);  // unchanged on error
  const AesKey other = AesKey::Generate();
  status = fields.Decrypt(copy, &new_key, &other);
  EXPECT_EQ(status.message(), kDecryptionFailedBothKeysMessage);
  // Without keys nothing is touched.
  ASSERT_TRUE(fields.Decrypt(copy, nullptr, nullptr).ok());
  EXPECT_EQ(copy, stored);
}

TEST(SecretFieldsTest, PlaintextAndPrefixLiteralsReadAsTheyAre) {
  const SecretFields fields = Fields({"/password"});
  const AesKey key = AesKey::Generate();
  for (const std::string json : {R"({"password":"plain"})", R"({"password":"encrypted_not-base64!"})",
                                 R"({"password":"encrypted_abc"})"}) {
    std::string copy = json;
    ASSERT_TRUE(fields.Decrypt(copy, &key, nullptr).ok()) << json;
    EXPECT_EQ(copy, json);
  }
}

TEST(SecretFieldsTest, MaskAndCensus) {
  const SecretFields fields = Fields();
  const AesKey key = AesKey::Generate();
  const AesKey old_key = AesKey::Generate();
  std::string a = Canonical(kSshAndOauth);
  std::string b = a;
  ASSERT_TRUE(fields.Encrypt(a, key).ok());
  ASSERT_TRUE(fields.Encrypt(b, key).ok());
  EXPECT_NE(a, b);  // fresh nonces
  SecretCensus census = fields.Census(a, &key, &old_key);
  EXPECT_EQ(census.encrypted, 2u);
  EXPECT_EQ(census.current_key, 2u);
  EXPECT_EQ(census.plaintext, 0u);
  census = fields.Census(a, &old_key, &key);
  EXPECT_EQ(census.old_key, 2u);
  census = fields.Census(a, nullptr, nullptr);
  EXPECT_EQ(census.undecryptable, 2u);
  EXPECT_EQ(fields.MaskEncrypted(a), 2u);
  EXPECT_EQ(fields.MaskEncrypted(b), 2u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(fields.Census(Canonical(kSshAndOauth), nullptr, nullptr).plaintext, 2u);
}

TEST(SecretFieldsTest, RejectsPointersThatAreNotPointers) {
  EXPECT_TRUE(std::holds_alternative<std::string>(SecretFields::Make({"uri"})));
  EXPECT_TRUE(std::holds_alternative<std::string>(SecretFields::Make({""})));
}

TEST(SecretFieldsTest, EveryValidFixtureRoundTrips) {
  // Not from fixtures on disk: a connection with every default pointer set.
  const std::string plain = Canonical(R"({"id":"c3","connectionType":"mqtt","connectionStatus":"closed",
    "uri":"ssl://u%40x:p%3Aw@broker.example:8883","sources":[{"addresses":["a/#"],"qos":1,
    "authorizationContext":["ditto:in"]}],
    "credentials":{"type":"client-cert","cert":"-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
    "key":"-----BEGIN PRIVATE KEY-----\nsecret-key\n-----END PRIVATE KEY-----"}})");
  const SecretFields fields = Fields();
  const AesKey key = AesKey::Generate();
  std::string stored = plain;
  ASSERT_TRUE(fields.Encrypt(stored, key).ok());
  EXPECT_EQ(stored.find("secret-key"), std::string::npos);
  EXPECT_EQ(stored.find("p%3Aw"), std::string::npos);
  EXPECT_NE(stored.find("ssl://u%40x:encrypted_"), std::string::npos) << stored;
  ASSERT_TRUE(fields.Decrypt(stored, &key, nullptr).ok());
  EXPECT_EQ(stored, plain);
}

}  // namespace
}  // namespace connectivity::crypto
