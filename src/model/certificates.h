// Certificates and keys of a connection, parsed with OpenSSL as Ditto parses them with Java's
// CertificateFactory and RSA KeyFactory (REF §4.2 item 6; Ditto's SSLContextCreator, Keys,
// ExceptionMapper, TrustManagerFactoryFactory, PublicKeyAuthenticationFactory).
//
// Rules:
//   - client-cert credentials with both `key` and `cert`: `key` must be exactly one PEM
//     "PRIVATE KEY" block (PKCS #8, unencrypted, RSA), then `cert` one or more PEM certificates;
//   - `ca`, when `validateCertificates` is true: one or more PEM certificates;
//   - SSH public-key credentials: `privateKey` as above, `publicKey` one PEM "PUBLIC KEY" block
//     (X.509 SubjectPublicKeyInfo, RSA).
// A failure is connection.configuration.invalid with Ditto's message shape:
//   "<json pointer>: bad format. Expect PEM-encoded <format> data specified by RFC-7468 starting
//    with '-----BEGIN <label>-----'"
// The key material itself never appears in a message.
#ifndef CONNECTIVITY_MODEL_CERTIFICATES_H_
#define CONNECTIVITY_MODEL_CERTIFICATES_H_

#include <optional>
#include <string_view>

#include "src/model/connection.h"
#include "src/model/errors.h"

namespace connectivity::model {

// Item 6: `ca` and client-cert credentials (ConnectionValidator#validateFormatOfCertificates).
std::optional<DittoError> ValidateCertificates(const Connection& connection);

// The key pair of SSH public-key credentials (private key first, as Ditto).
std::optional<DittoError> ValidateSshKeyPair(const SshPublicKeyCredentials& credentials);

// The single checks, for tests.
bool IsPemRsaPrivateKey(std::string_view pem);
bool IsPemRsaPublicKey(std::string_view pem);
bool IsPemCertificateChain(std::string_view pem);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_CERTIFICATES_H_
