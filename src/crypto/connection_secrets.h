// ConnectionSecrets: the SecretCodec (src/projector/secret_codec.h, which
// holds the design) with Ditto's keys and pointers.
//
//   Seal: with encryption enabled, every secret (secret_fields.h) becomes
//         "encrypted_" + AES-256-GCM under the current key, with a fresh
//         nonce; otherwise JSON is stored as it is.
//   Open: every encrypted secret is decrypted with the current key, then
//         with the old one (Ditto's fallback during a rotation); with
//         neither configured, values stay as they are.
//
// Which key is "current" for reading follows Ditto's event adapter: the
// configured key if there is one, else the old key (the disable workflow:
// encryption off, the old key set to read what is still encrypted).
//
// The durable mark (journal meta blob "secrets_encrypted", journal/codec.h;
// written by the daemon): a server that starts with encryption
// enabled marks its journal before it writes; a server without any key
// refuses to start on a marked journal, naming
// CONNECTIVITY_CONNECTION_ENCRYPTION_KEY, since it could neither read the
// secrets nor tell them from plaintext. Only a completed disable migration
// removes the mark.
//
// Immutable after Make; thread-safe.
#ifndef CONNECTIVITY_CRYPTO_CONNECTION_SECRETS_H_
#define CONNECTIVITY_CRYPTO_CONNECTION_SECRETS_H_

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "src/crypto/aes_gcm.h"
#include "src/crypto/encryption_settings.h"
#include "src/crypto/secret_fields.h"
#include "src/projector/secret_codec.h"

namespace connectivity::crypto {

class ConnectionSecrets final : public projector::SecretCodec {
 public:
  // An error text names the variable that is wrong.
  static std::variant<std::unique_ptr<ConnectionSecrets>, std::string> Make(const EncryptionSettings& settings);

  Status Seal(std::string& json) const override;
  Status Open(std::string& json) const override;
  bool Seals() const override { return encrypts(); }

  bool encrypts() const { return settings_.enabled && key_.has_value(); }
  // A key to read encrypted values with.
  bool can_decrypt() const { return key_.has_value() || old_key_.has_value(); }
  const AesKey* key() const { return key_ ? &*key_ : nullptr; }
  const AesKey* old_key() const { return old_key_ ? &*old_key_ : nullptr; }
  const SecretFields& fields() const { return fields_; }
  const EncryptionSettings& settings() const { return settings_; }

 private:
  ConnectionSecrets(EncryptionSettings settings, SecretFields fields)
      : settings_(std::move(settings)), fields_(std::move(fields)) {}

  const EncryptionSettings settings_;
  const SecretFields fields_;
  std::optional<AesKey> key_;
  std::optional<AesKey> old_key_;
};

}  // namespace connectivity::crypto

#endif  // CONNECTIVITY_CRYPTO_CONNECTION_SECRETS_H_
