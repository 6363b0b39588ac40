#include "src/model/certificates.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "src/model/java_compat.h"

namespace connectivity::model {
namespace {

// Base64 as java.util.Base64.getDecoder(): the standard alphabet, '=' padding optional but only
// at the end; nullopt on anything else.
std::optional<std::vector<unsigned char>> DecodeBase64(std::string_view text) {
  std::vector<unsigned char> out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    else if (c >= '0' && c <= '9') value = c - '0' + 52;
    else if (c == '+') value = 62;
    else if (c == '/') value = 63;
    else if (c == '=') {
      ++padding;
      continue;
    }
    if (value < 0 || padding > 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xFF));
    }
  }
  if (padding > 2 || bits >= 6) return std::nullopt;  // a dangling single character
  return out;
}

// Keys#pemRegex: `\s*+-----BEGIN <label>-----([A-Za-z0-9+/=\s]*+)-----END <label>-----\s*+`,
// matched against the whole text; returns the decoded body.
std::optional<std::vector<unsigned char>> MatchPemKey(std::string_view pem, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  size_t i = 0;
  while (i < pem.size() && IsJavaWhitespace(pem[i])) ++i;
  if (pem.substr(i, begin.size()) != begin) return std::nullopt;
  i += begin.size();
  std::string body;
  for (; i < pem.size() && pem[i] != '-'; ++i) {
    const char c = pem[i];
    const bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '+' || c == '/' || c == '=';
    if (base64) body.push_back(c);
    else if (!IsJavaWhitespace(c)) return std::nullopt;
  }
  if (pem.substr(i, end.size()) != end) return std::nullopt;
  for (i += end.size(); i < pem.size(); ++i) {
    if (!IsJavaWhitespace(pem[i])) return std::nullopt;
  }
  return DecodeBase64(body);
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

bool IsRsa(const PkeyPtr& key) { return key != nullptr && EVP_PKEY_base_id(key.get()) == EVP_PKEY_RSA; }

DittoError BadFormat(std::string_view pointer, std::string_view label, std::string_view format,
                     std::string description) {
  return ConnectionConfigurationInvalid(
      std::string(pointer) + ": bad format. Expect PEM-encoded " + std::string(format) +
          " data specified by RFC-7468 starting with '-----BEGIN " + std::string(label) + "-----'",
      std::move(description));
}

std::optional<DittoError> CheckPrivateKey(std::string_view pem, std::string_view pointer) {
  if (IsPemRsaPrivateKey(pem)) return std::nullopt;
  return BadFormat(pointer, "PRIVATE KEY", "PKCS #8",
                   "Please format your client key as PEM-encoded unencrypted PKCS #8.");
}

}  // namespace

bool IsPemRsaPrivateKey(std::string_view pem) {
  const std::optional<std::vector<unsigned char>> der = MatchPemKey(pem, "PRIVATE KEY");
  if (!der || der->empty()) return false;
  const unsigned char* cursor = der->data();
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, static_cast<long>(der->size()));
  const bool complete = info != nullptr && cursor == der->data() + der->size();
  PkeyPtr key(complete ? EVP_PKCS82PKEY(info) : nullptr);
  PKCS8_PRIV_KEY_INFO_free(info);
  ERR_clear_error();
  return IsRsa(key);
}

bool IsPemRsaPublicKey(std::string_view pem) {
  const std::optional<std::vector<unsigned char>> der = MatchPemKey(pem, "PUBLIC KEY");
  if (!der || der->empty()) return false;
  const unsigned char* cursor = der->data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der->size())));
  const bool complete = cursor == der->data() + der->size();
  ERR_clear_error();
  return complete && IsRsa(key);
}

bool IsPemCertificateChain(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  int certificates = 0;
  bool valid = true;
  while (true) {
    X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (certificate == nullptr) {
      const unsigned long error = ERR_peek_last_error();
      // The normal end: no further "-----BEGIN" line.
      valid = ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
      break;
    }
    X509_free(certificate);
    ++certificates;
  }
  ERR_clear_error();
  BIO_free(bio);
  return valid && certificates > 0;
}

std::optional<DittoError> ValidateCertificates(const Connection& connection) {
  const ClientCertificateCredentials* client = nullptr;
  if (connection.credentials) client = std::get_if<ClientCertificateCredentials>(&*connection.credentials);
  if (!connection.ca && client == nullptr) return std::nullopt;
  // SSLContextCreator#clientCertificate: the key manager needs both key and certificate.
  if (client != nullptr && client->key && client->cert) {
    if (auto error = CheckPrivateKey(*client->key, "/credentials/key")) return error;
    if (!IsPemCertificateChain(*client->cert)) {
      return BadFormat("/credentials/cert", "CERTIFICATE", "DER", "");
    }
  }
  // Trusted certificates are only loaded when certificates are validated.
  if (connection.validate_certificates && connection.ca && !IsPemCertificateChain(*connection.ca)) {
    return BadFormat("/ca", "CERTIFICATE", "DER", "");
  }
  return std::nullopt;
}

std::optional<DittoError> ValidateSshKeyPair(const SshPublicKeyCredentials& credentials) {
  if (auto error = CheckPrivateKey(credentials.private_key, "/credentials/privateKey")) return error;
  if (!IsPemRsaPublicKey(credentials.public_key)) {
    return BadFormat("/credentials/publicKey", "PUBLIC KEY", "PKCS #8",
                     "Please format your public key as PEM-encoded unencrypted PKCS #8.");
  }
  return std::nullopt;
}

}  // namespace connectivity::model
