#include "src/tools/secrets.h"

namespace connectivity::tools {

std::variant<std::shared_ptr<const crypto::ConnectionSecrets>, std::string> SecretsFromEnvironment(
    const std::function<std::optional<std::string>(const char*)>& getenv) {
  auto settings = crypto::EncryptionSettingsFromEnvironment(getenv);
  if (auto* error = std::get_if<std::string>(&settings)) return *error;
  auto made = crypto::ConnectionSecrets::Make(std::get<crypto::EncryptionSettings>(settings));
  if (auto* error = std::get_if<std::string>(&made)) return *error;
  return std::shared_ptr<const crypto::ConnectionSecrets>(
      std::move(std::get<std::unique_ptr<crypto::ConnectionSecrets>>(made)));
}

const crypto::ConnectionSecrets& NoSecrets() {
  static const std::unique_ptr<crypto::ConnectionSecrets> none =
      std::move(std::get<std::unique_ptr<crypto::ConnectionSecrets>>(
          crypto::ConnectionSecrets::Make(crypto::EncryptionSettings())));
  return *none;
}

}  // namespace connectivity::tools
