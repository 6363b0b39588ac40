#include "src/crypto/encryption_settings.h"

#include <charconv>

#include "src/crypto/aes_gcm.h"
#include "src/crypto/secret_fields.h"

namespace connectivity::crypto {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') text.remove_suffix(1);
  return text;
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> CheckKey(std::string_view text) {
  if (text.empty()) return std::nullopt;
  auto parsed = AesKey::Parse(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return "is invalid: " + *error;
  return std::nullopt;
}

}  // namespace

EncryptionSettings::EncryptionSettings() : pointers(DefaultEncryptionPointers()) {}

std::optional<std::string> SetEncryptionEnabled(EncryptionSettings& settings, std::string_view value) {
  // HOCON's booleans.
  const std::string_view v = Trim(value);
  if (v == "true" || v == "yes" || v == "on") {
    settings.enabled = true;
  } else if (v == "false" || v == "no" || v == "off") {
    settings.enabled = false;
  } else {
    return "must be true or false, got '" + std::string(value) + "'";
  }
  return std::nullopt;
}

std::optional<std::string> SetEncryptionKey(EncryptionSettings& settings, std::string_view value) {
  if (auto error = CheckKey(Trim(value))) return error;
  settings.key = std::string(Trim(value));
  return std::nullopt;
}

std::optional<std::string> SetOldEncryptionKey(EncryptionSettings& settings, std::string_view value) {
  if (auto error = CheckKey(Trim(value))) return error;
  settings.old_key = std::string(Trim(value));
  return std::nullopt;
}

std::optional<std::string> SetEncryptionPointers(EncryptionSettings& settings, std::string_view value) {
  std::string_view list = Trim(value);
  if (list.starts_with('[') && list.ends_with(']')) list = list.substr(1, list.size() - 2);
  std::vector<std::string> pointers;
  while (!Trim(list).empty()) {
    const size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
    if (!item.starts_with('/')) {
      return "must be a comma-separated list of JSON pointers such as /uri,/credentials/password, got '" +
             std::string(value) + "'";
    }
    pointers.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  settings.pointers = std::move(pointers);
  return std::nullopt;
}

std::optional<std::string> SetMigrationBatchSize(EncryptionSettings& settings, std::string_view value) {
  const std::optional<uint64_t> n = ParseCount(Trim(value));
  if (!n || *n == 0 || *n > 100'000) {
    return "must be greater than 0 (and at most 100000), was: " + std::string(value);
  }
  settings.migration_batch_size = *n;
  return std::nullopt;
}

std::optional<std::string> SetMigrationMaxDocumentsPerMinute(EncryptionSettings& settings,
                                                             std::string_view value) {
  const std::optional<uint64_t> n = ParseCount(Trim(value));
  if (!n) return "must be >= 0, was: " + std::string(value);
  settings.migration_max_documents_per_minute = *n;
  return std::nullopt;
}

std::optional<std::string> ValidateEncryptionSettings(const EncryptionSettings& settings) {
  if (settings.enabled && settings.key.empty()) {
    return std::string(kEncryptionKeyVariable) +
           " is missing: it is mandatory when encryption is enabled for connections (" +
           kEncryptionEnabledVariable + "=true)";
  }
  if (!settings.key.empty() && settings.key == settings.old_key) {
    return std::string(kEncryptionKeyVariable) + " and " + kOldEncryptionKeyVariable +
           " must be different! If you're not rotating keys, remove " + kOldEncryptionKeyVariable + ".";
  }
  return std::nullopt;
}

std::variant<EncryptionSettings, std::string> EncryptionSettingsFromEnvironment(
    const std::function<std::optional<std::string>(const char*)>& getenv) {
  using Setter = std::optional<std::string> (*)(EncryptionSettings&, std::string_view);
  struct Variable {
    const char* name;
    Setter set;
  };
  static constexpr Variable kVariables[] = {
      {kEncryptionEnabledVariable, SetEncryptionEnabled},
      {kEncryptionKeyVariable, SetEncryptionKey},
      {kOldEncryptionKeyVariable, SetOldEncryptionKey},
      {kEncryptionPointersVariable, SetEncryptionPointers},
      {kMigrationBatchSizeVariable, SetMigrationBatchSize},
      {kMigrationMaxDocumentsVariable, SetMigrationMaxDocumentsPerMinute},
  };
  EncryptionSettings settings;
  for (const Variable& variable : kVariables) {
    if (const std::optional<std::string> value = getenv(variable.name)) {
      if (auto error = variable.set(settings, *value)) return std::string(variable.name) + " " + *error;
    }
  }
  if (auto error = ValidateEncryptionSettings(settings)) return *error;
  return settings;
}

}  // namespace connectivity::crypto
