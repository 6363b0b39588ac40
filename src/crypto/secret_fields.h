// SecretFields: the secret values of a connection's JSON, found by the
// configured pointers, and their encryption and decryption (Ditto 3.9's
// JsonFieldsEncryptor, connectivity service).
//
// Value form (REF §3.1): an encrypted value is "encrypted_" followed by the
// ciphertext of aes_gcm.h. Pointers (Ditto's defaults, also ours):
//   /uri, /credentials/key, /sshTunnel/credentials/password,
//   /sshTunnel/credentials/privateKey, /credentials/parameters/accessKey,
//   /credentials/parameters/secretKey, /credentials/parameters/sharedKey,
//   /credentials/clientSecret, /credentials/password
// Only string values are touched; a pointer to an absent or non-string value
// is skipped.
//
// The secret of a value:
//   * /uri: the password of the URI's user info, as written (still
//     percent-encoded), e.g. amqps://user:encrypted_NOHO...@host:5671; a URI
//     without a password keeps its value; a value without a scheme (a hono
//     connection's "") or already in the encrypted form is a secret as a
//     whole, as Ditto's encryptor treats a value that is not a URI.
//   * every other pointer: the whole value. (Ditto applies its URI rule to
//     every pointer, so a secret that happens to read as a URI, e.g. a
//     password "abc:def", keeps its plaintext there; here it is encrypted.)
// Encryption takes every secret, even one that already starts with the
// prefix (a user may write such a password): decryption then gives back
// exactly what the user wrote. Decryption touches only secrets in the
// encrypted form; a plaintext value (written before encryption was enabled)
// reads as it is. A value that has the prefix but is not ciphertext at all
// (not base64url, or too short to hold an iv and a tag) is a user's
// plaintext that happens to start with the prefix, and reads as it is too
// (Ditto would refuse it). Without any key, decryption leaves every value as
// it is (the caller decides whether that is allowed: the server refuses to
// start on a journal marked as holding encrypted secrets, see
// src/crypto/connection_secrets.h).
//
// Edits replace the string tokens of the secrets and leave every other byte
// of the JSON as it was (json_text.h), so that Decrypt(Encrypt(json)) ==
// json for the canonical JSON model::SerializeConnection writes.
//
// Errors carry Ditto's messages (ConnectionConfigurationInvalidException):
//   "Encryption of connection field failed. Verify that the configured
//    encryption key is a valid 256-bit AES key."
//   "Decryption of connection field failed. Verify that the configured
//    encryption key matches the key used to encrypt the data."
//   "Decryption of connection field failed with both current and old keys.
//    Verify that the configured encryption keys match the keys used to
//    encrypt the data."
//
// Immutable after Make; thread-safe.
#ifndef CONNECTIVITY_CRYPTO_SECRET_FIELDS_H_
#define CONNECTIVITY_CRYPTO_SECRET_FIELDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/base/status.h"
#include "src/crypto/aes_gcm.h"

namespace connectivity::crypto {

inline constexpr std::string_view kEncryptedPrefix = "encrypted_";

inline constexpr std::string_view kEncryptionFailedMessage =
    "Encryption of connection field failed. Verify that the configured encryption key is a valid "
    "256-bit AES key.";
inline constexpr std::string_view kDecryptionFailedMessage =
    "Decryption of connection field failed. Verify that the configured encryption key matches the "
    "key used to encrypt the data.";
inline constexpr std::string_view kDecryptionFailedBothKeysMessage =
    "Decryption of connection field failed with both current and old keys. Verify that the "
    "configured encryption keys match the keys used to encrypt the data.";

// Ditto's default pointers, in Ditto's order.
const std::vector<std::string>& DefaultEncryptionPointers();

// Which key opens an encrypted secret.
enum class KeyMatch : uint8_t { kCurrent, kOld, kNone };

// What a JSON's secrets look like (for migrations and the tool).
struct SecretCensus {
  uint32_t plaintext = 0;        // secrets not in the encrypted form
  uint32_t encrypted = 0;        // secrets in the encrypted form
  uint32_t current_key = 0;      // ... that the current key opens
  uint32_t old_key = 0;          // ... that only the old key opens
  uint32_t undecryptable = 0;    // ... that no given key opens
};

class SecretFields {
 public:
  // nullopt-free: an error names the pointer that is not a JSON pointer.
  static std::variant<SecretFields, std::string> Make(std::vector<std::string> pointers);

  // Every secret becomes "encrypted_" + its ciphertext under `key`.
  Status Encrypt(std::string& json, const AesKey& key) const;

  // Every encrypted secret decrypted with `key`, else with `fallback`
  // (either may be null; with neither, nothing changes). `changed` (may be
  // null) receives how many secrets were decrypted.
  Status Decrypt(std::string& json, const AesKey* key, const AesKey* fallback,
                 uint32_t* changed = nullptr) const;

  // Replaces every encrypted secret by the bare prefix "encrypted_", so that
  // two encryptions of one value compare equal; returns how many it replaced.
  uint32_t MaskEncrypted(std::string& json) const;

  // Counts the secrets by form (and by key, for the keys given).
  SecretCensus Census(std::string_view json, const AesKey* current, const AesKey* old) const;

  // True if `json` may hold an encrypted secret (a cheap test: the prefix
  // occurs somewhere); false means Decrypt and MaskEncrypted change nothing.
  static bool MayHoldEncrypted(std::string_view json);

  const std::vector<std::string>& pointers() const { return pointers_; }

 private:
  struct Pointer {
    std::vector<std::string> tokens;
    bool is_uri = false;  // "/uri": only the user info's password is the secret
  };
  // One secret in the JSON text.
  struct Secret {
    size_t token_begin = 0;  // the string token (with quotes) in the JSON
    size_t token_end = 0;
    std::string value;       // the token unescaped
    size_t begin = 0;        // the secret within `value`
    size_t end = 0;
    std::string_view text() const { return std::string_view(value).substr(begin, end - begin); }
    bool encrypted() const;
  };
  using Rewrite = std::function<Result<std::optional<std::string>>(const Secret& secret)>;

  SecretFields() = default;
  std::vector<Secret> Find(std::string_view json) const;
  // Applies `rewrite` to every secret (nullopt: keep it); all or nothing.
  Status Edit(std::string& json, const Rewrite& rewrite, uint32_t* changed = nullptr) const;

  std::vector<std::string> pointers_;
  std::vector<Pointer> parsed_;
};

}  // namespace connectivity::crypto

#endif  // CONNECTIVITY_CRYPTO_SECRET_FIELDS_H_
