// EncryptionSettings: Ditto 3.9's `connection.encryption` configuration
// (connectivity.conf), read from the same environment variables:
//
//   CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED   encryption-enabled      false
//   CONNECTIVITY_CONNECTION_ENCRYPTION_KEY       symmetrical-key         ""
//   CONNECTIVITY_CONNECTION_OLD_ENCRYPTION_KEY   old-symmetrical-key     ""
//   CONNECTIVITY_CONNECTION_ENCRYPTION_POINTERS  json-pointers           Ditto's nine
//   CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE migration.batch-size    10
//   CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE
//                                                migration.max-documents-per-minute  200 (0: no limit)
//
// The pointers are a comma-separated list ("/uri,/credentials/password");
// a HOCON-style list (["/uri", "/credentials/password"]) is read as well.
// Keys are base64url text of 256 bits (aes_gcm.h).
//
// What the combination means (Ditto's EncryptionMigrationActor):
//   enabled, key             -> new writes encrypted with the key; reads
//                               decrypt with the key, then the old key;
//   not enabled, old key     -> new writes in plaintext; reads decrypt with
//                               the (old) key: the "disable" workflow;
//   not enabled, no key      -> plaintext, nothing to decrypt.
// Validation as Ditto's DefaultFieldsEncryptionConfig (each error names the
// variable): a key is mandatory when encryption is enabled; the two keys
// must differ; the batch size is > 0; keys must be 256-bit base64url.
//
// Pure functions, thread-compatible.
#ifndef CONNECTIVITY_CRYPTO_ENCRYPTION_SETTINGS_H_
#define CONNECTIVITY_CRYPTO_ENCRYPTION_SETTINGS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace connectivity::crypto {

inline constexpr const char* kEncryptionEnabledVariable = "CONNECTIVITY_CONNECTION_ENCRYPTION_ENABLED";
inline constexpr const char* kEncryptionKeyVariable = "CONNECTIVITY_CONNECTION_ENCRYPTION_KEY";
inline constexpr const char* kOldEncryptionKeyVariable = "CONNECTIVITY_CONNECTION_OLD_ENCRYPTION_KEY";
inline constexpr const char* kEncryptionPointersVariable = "CONNECTIVITY_CONNECTION_ENCRYPTION_POINTERS";
inline constexpr const char* kMigrationBatchSizeVariable = "CONNECTIVITY_ENCRYPTION_MIGRATION_BATCH_SIZE";
inline constexpr const char* kMigrationMaxDocumentsVariable =
    "CONNECTIVITY_ENCRYPTION_MIGRATION_MAX_DOCS_PER_MINUTE";

struct EncryptionSettings {
  bool enabled = false;
  // Base64url text as configured (surrounding blanks removed); "" = none.
  std::string key;
  std::string old_key;
  std::vector<std::string> pointers;  // Ditto's defaults unless configured
  // The encryption migration (src/service/encryption_migration.h): what one
  // batch processes and how many documents a minute at most (0: no limit).
  uint64_t migration_batch_size = 10;
  uint64_t migration_max_documents_per_minute = 200;

  EncryptionSettings();
};

// Setters for one variable's value: an error text (without the variable's
// name), or nullopt.
std::optional<std::string> SetEncryptionEnabled(EncryptionSettings& settings, std::string_view value);
std::optional<std::string> SetEncryptionKey(EncryptionSettings& settings, std::string_view value);
std::optional<std::string> SetOldEncryptionKey(EncryptionSettings& settings, std::string_view value);
std::optional<std::string> SetEncryptionPointers(EncryptionSettings& settings, std::string_view value);
std::optional<std::string> SetMigrationBatchSize(EncryptionSettings& settings, std::string_view value);
std::optional<std::string> SetMigrationMaxDocumentsPerMinute(EncryptionSettings& settings,
                                                             std::string_view value);

// The checks that need every value, with the variable names in the text.
std::optional<std::string> ValidateEncryptionSettings(const EncryptionSettings& settings);

// Reads every variable above through `getenv` and validates (the replay
// tool; the server reads them with its other flags, src/daemon/config.cc).
std::variant<EncryptionSettings, std::string> EncryptionSettingsFromEnvironment(
    const std::function<std::optional<std::string>(const char*)>& getenv);

}  // namespace connectivity::crypto

#endif  // CONNECTIVITY_CRYPTO_ENCRYPTION_SETTINGS_H_
