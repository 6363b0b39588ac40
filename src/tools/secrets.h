// The journal-replay tool's view of stored secrets (SPEC §9).
//
// The tool reads the server's encryption settings from the same environment
// variables (src/crypto/encryption_settings.h). With a key it decrypts what
// it shows (dump, state) and what verify compares; without one it shows the
// "encrypted_" values as they are, and verify compares the rest of each
// snapshot and says that it skipped the encrypted values (two encryptions of
// one value differ by their nonce). export writes what the journal stores
// (ciphertext once encryption is on); import and rebuild-snapshots fold and
// write the stored form as it is, so they need no key and never write a
// plaintext secret the journal held encrypted.
#ifndef CONNECTIVITY_SRC_TOOLS_SECRETS_H_
#define CONNECTIVITY_SRC_TOOLS_SECRETS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "src/crypto/connection_secrets.h"

namespace connectivity::tools {

// From the environment; an error names the variable.
std::variant<std::shared_ptr<const crypto::ConnectionSecrets>, std::string> SecretsFromEnvironment(
    const std::function<std::optional<std::string>(const char*)>& getenv);

// Encryption off, no key, Ditto's pointers (when an Invocation has none).
const crypto::ConnectionSecrets& NoSecrets();

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_SECRETS_H_
