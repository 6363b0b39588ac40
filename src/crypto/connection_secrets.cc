#include "src/crypto/connection_secrets.h"

namespace connectivity::crypto {
namespace {

std::variant<std::optional<AesKey>, std::string> ParseOptionalKey(const std::string& text, const char* variable) {
  if (text.empty()) return std::optional<AesKey>();
  auto parsed = AesKey::Parse(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::string(variable) + " is invalid: " + *error;
  return std::optional<AesKey>(std::get<AesKey>(parsed));
}

}  // namespace

std::variant<std::unique_ptr<ConnectionSecrets>, std::string> ConnectionSecrets::Make(
    const EncryptionSettings& settings) {
  if (auto error = ValidateEncryptionSettings(settings)) return *error;
  auto fields = SecretFields::Make(settings.pointers);
  if (auto* error = std::get_if<std::string>(&fields)) return std::string(kEncryptionPointersVariable) + ": " + *error;
  auto key = ParseOptionalKey(settings.key, kEncryptionKeyVariable);
  if (auto* error = std::get_if<std::string>(&key)) return *error;
  auto old_key = ParseOptionalKey(settings.old_key, kOldEncryptionKeyVariable);
  if (auto* error = std::get_if<std::string>(&old_key)) return *error;
  std::unique_ptr<ConnectionSecrets> secrets(
      new ConnectionSecrets(settings, std::move(std::get<SecretFields>(fields))));
  secrets->key_ = std::get<std::optional<AesKey>>(key);
  secrets->old_key_ = std::get<std::optional<AesKey>>(old_key);
  return secrets;
}

Status ConnectionSecrets::Seal(std::string& json) const {
  if (!encrypts()) return Status::Ok();
  return fields_.Encrypt(json, *key_);
}

Status ConnectionSecrets::Open(std::string& json) const {
  return fields_.Decrypt(json, key(), old_key());
}

}  // namespace connectivity::crypto
