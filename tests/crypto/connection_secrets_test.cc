#include "src/crypto/connection_secrets.h"

#include <gtest/gtest.h>

#include <map>

#include "src/projector/event_payload.h"

namespace connectivity::crypto {
namespace {

std::variant<EncryptionSettings, std::string> FromEnv(std::map<std::string, std::string> env) {
  return EncryptionSettingsFromEnvironment([&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

std::string Error(const std::variant<EncryptionSettings, std::string>& parsed) {
  return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "";
}

TEST(EncryptionSettingsTest, DefaultsAreDittos) {
  auto parsed = FromEnv({});
  ASSERT_TRUE(std::holds_alternative<EncryptionSettings>(parsed));
  const EncryptionSettings& settings = std::get<EncryptionSettings>(parsed);
  EXPECT_FALSE(settings.enabled);
  EXPECT_EQ(settings.pointers.size(), 9u);
  EXPECT_EQ(settings.pointers.front(), "/uri");
  EXPECT_EQ(settings.migration_batch_size, 10u);
  EXPECT_EQ(settings.migration_max_documents_per_minute, 200u);
}

TEST(EncryptionSettingsTest, ErrorsNameTheVariableAndNeverTheKey) {
  const std::string key = AesKey::Generate().ToText();
  EXPECT_EQ(Error(FromEnv({{kEncryptionEnabledVariable, "true"}})),
            "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY is missing: it is mandatory when encryption is enabled "
            "for connections (CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED=true)");
  EXPECT_NE(Error(FromEnv({{kEncryptionKeyVariable, key}, {kOldEncryptionKeyVariable, key}})).find("must be different"),
            std::string::npos);
  const std::string short_key = "c2hvcnQta2V5";
  const std::string error = Error(FromEnv({{kEncryptionKeyVariable, short_key}}));
  EXPECT_EQ(error, "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY is invalid: 256 bits symmetrical key required. "
                   "Provided is 72 bits key.");
  EXPECT_EQ(error.find(short_key), std::string::npos);
  EXPECT_NE(Error(FromEnv({{kEncryptionEnabledVariable, "maybe"}})).find(kEncryptionEnabledVariable), std::string::npos);
  EXPECT_NE(Error(FromEnv({{kMigrationBatchSizeVariable, "0"}})).find(kMigrationBatchSizeVariable), std::string::npos);
  EXPECT_NE(Error(FromEnv({{kEncryptionPointersVariable, "uri"}})).find(kEncryptionPointersVariable), std::string::npos);
}

TEST(EncryptionSettingsTest, PointersAsCommaListOrHoconList) {
  auto parsed = FromEnv({{kEncryptionPointersVariable, "/uri, /credentials/password"}});
  ASSERT_TRUE(std::holds_alternative<EncryptionSettings>(parsed));
  EXPECT_EQ(std::get<EncryptionSettings>(parsed).pointers, (std::vector<std::string>{"/uri", "/credentials/password"}));
  parsed = FromEnv({{kEncryptionPointersVariable, R"(["/uri","/credentials/password"])"}});
  ASSERT_TRUE(std::holds_alternative<EncryptionSettings>(parsed));
  EXPECT_EQ(std::get<EncryptionSettings>(parsed).pointers, (std::vector<std::string>{"/uri", "/credentials/password"}));
}

std::unique_ptr<ConnectionSecrets> Make(const EncryptionSettings& settings) {
  auto made = ConnectionSecrets::Make(settings);
  EXPECT_TRUE(std::holds_alternative<std::unique_ptr<ConnectionSecrets>>(made));
  return std::move(std::get<std::unique_ptr<ConnectionSecrets>>(made));
}

TEST(ConnectionSecretsTest, SealsWhenEnabledAndOpensWithEitherKey) {
  const std::string plain = R"({"id":"x","uri":"tcp://u:pw@h:1","credentials":{"password":"p"}})";
  EncryptionSettings old_settings;
  old_settings.enabled = true;
  old_settings.key = AesKey::Generate().ToText();
  const auto old_secrets = Make(old_settings);
  std::string stored = plain;
  ASSERT_TRUE(old_secrets->Seal(stored).ok());
  EXPECT_NE(stored, plain);

  // Rotation: the old key moves to old_key, a new key is current.
  EncryptionSettings rotated = old_settings;
  rotated.old_key = old_settings.key;
  rotated.key = AesKey::Generate().ToText();
  std::string copy = stored;
  ASSERT_TRUE(Make(rotated)->Open(copy).ok());
  EXPECT_EQ(copy, plain);

  // Disable workflow: not enabled, the old key reads; new writes are plaintext.
  EncryptionSettings disabled;
  disabled.old_key = old_settings.key;
  const auto disabling = Make(disabled);
  copy = stored;
  ASSERT_TRUE(disabling->Open(copy).ok());
  EXPECT_EQ(copy, plain);
  copy = plain;
  ASSERT_TRUE(disabling->Seal(copy).ok());
  EXPECT_EQ(copy, plain);
  EXPECT_FALSE(disabling->encrypts());
  EXPECT_TRUE(disabling->can_decrypt());

  // No key: nothing is opened.
  const auto keyless = Make(EncryptionSettings());
  copy = stored;
  ASSERT_TRUE(keyless->Open(copy).ok());
  EXPECT_EQ(copy, stored);
  EXPECT_FALSE(keyless->can_decrypt());
}

TEST(ConnectionSecretsTest, OpenEventDecryptsTheBodyAndKeepsTheAuditSection) {
  const std::string plain = R"({"id":"x","uri":"tcp://u:pw@h:1","credentials":{"password":"p"}})";
  EncryptionSettings settings;
  settings.enabled = true;
  settings.key = AesKey::Generate().ToText();
  const auto secrets = Make(settings);
  journal::Event event;
  event.stream = "x";
  event.revision = 1;
  event.type = static_cast<uint8_t>(projector::EventType::kCreated);
  event.payload = plain;
  ASSERT_TRUE(secrets->Seal(event.payload).ok());
  const std::string sealed_body = event.payload;
  const projector::RequestOrigin origin{"devops", "127.0.0.1", "c-1", "rest"};
  projector::AppendAudit(origin, event.payload);
  const std::string audit(projector::PayloadAudit(event.payload));

  ASSERT_TRUE(projector::OpenEvent(*secrets, event).ok());
  EXPECT_EQ(projector::PayloadBody(event.payload), plain);
  EXPECT_EQ(projector::PayloadAudit(event.payload), audit);
  EXPECT_EQ(projector::PayloadOrigin(event.payload)->value(), origin);
  EXPECT_NE(sealed_body, plain);
}

}  // namespace
}  // namespace connectivity::crypto
