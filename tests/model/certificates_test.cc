// Goal: item 6 of REF §4.2 and the SSH key pair: real PEM keys and certificates pass, and garbage,
// wrong labels, non-RSA keys and broken base64 are rejected with Ditto's "bad format" message for
// the right JSON pointer, key before certificate before `ca`; `ca` is ignored without certificate
// validation; an insecure scheme with `ca` is rejected by the type's validator.
// Method: keys and a self-signed certificate generated with OpenSSL (tests/support/test_pki.h).
#include "src/model/certificates.h"

#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"
#include "tests/support/test_pki.h"

namespace connectivity::model {
namespace {

using test_support::GetTestPki;

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out.push_back(c);
  }
  return out + "\"";
}

std::string WithClientCert(const std::string& key, const std::string& cert) {
  std::string json = BaseConnectionOfType("mqtt");
  json = WithMember(json, "uri", R"("ssl://127.0.0.1:8883")");
  return WithMember(json, "credentials",
                    R"({"type":"client-cert","cert":)" + JsonString(cert) + R"(,"key":)" + JsonString(key) + "}");
}

const std::string kKeyMessage =
    "/credentials/key: bad format. Expect PEM-encoded PKCS #8 data specified by RFC-7468 starting "
    "with '-----BEGIN PRIVATE KEY-----'";
const std::string kCertMessage =
    "/credentials/cert: bad format. Expect PEM-encoded DER data specified by RFC-7468 starting with "
    "'-----BEGIN CERTIFICATE-----'";
const std::string kCaMessage =
    "/ca: bad format. Expect PEM-encoded DER data specified by RFC-7468 starting with "
    "'-----BEGIN CERTIFICATE-----'";

TEST(CertificatesTest, PemChecks) {
  const auto& pki = GetTestPki();
  EXPECT_TRUE(IsPemRsaPrivateKey(pki.rsa_private_key_pem));
  EXPECT_TRUE(IsPemRsaPrivateKey("\n  " + pki.rsa_private_key_pem + "\n\n"));
  EXPECT_FALSE(IsPemRsaPrivateKey(pki.ec_private_key_pem));
  EXPECT_FALSE(IsPemRsaPrivateKey("-----BEGIN PRIVATE KEY-----\n<client private key>\n-----END PRIVATE KEY-----"));
  EXPECT_FALSE(IsPemRsaPrivateKey("x" + pki.rsa_private_key_pem));
  EXPECT_FALSE(IsPemRsaPrivateKey(pki.certificate_pem));
  EXPECT_TRUE(IsPemRsaPublicKey(pki.rsa_public_key_pem));
  EXPECT_FALSE(IsPemRsaPublicKey(pki.rsa_private_key_pem));
  EXPECT_TRUE(IsPemCertificateChain(pki.certificate_pem));
  EXPECT_TRUE(IsPemCertificateChain(pki.certificate_pem + pki.certificate_pem));
  EXPECT_TRUE(IsPemCertificateChain("subject=whatever\n" + pki.certificate_pem));
  EXPECT_FALSE(IsPemCertificateChain("-----BEGIN CERTIFICATE-----\n<broker certificate>\n-----END CERTIFICATE-----"));
  EXPECT_FALSE(IsPemCertificateChain("no certificate at all"));
  std::string corrupted = pki.certificate_pem;
  corrupted.insert(corrupted.size() / 2, "*");
  EXPECT_FALSE(IsPemCertificateChain(corrupted));
}

TEST(CertificatesTest, ClientCertificateCredentials) {
  const auto& pki = GetTestPki();
  ExpectValid(WithClientCert(pki.rsa_private_key_pem, pki.certificate_pem));
  ExpectError(WithClientCert("garbage", pki.certificate_pem), kConfigInvalid, kKeyMessage,
              "Please format your client key as PEM-encoded unencrypted PKCS #8.");
  ExpectError(WithClientCert(pki.ec_private_key_pem, pki.certificate_pem), kConfigInvalid, kKeyMessage);
  ExpectError(WithClientCert(pki.rsa_private_key_pem, "garbage"), kConfigInvalid, kCertMessage,
              kDefaultDescription);
  // The key is checked before the certificate.
  ExpectError(WithClientCert("garbage", "garbage"), kConfigInvalid, kKeyMessage);
}

TEST(CertificatesTest, KeyOrCertificateAloneIsNotParsed) {
  std::string json = WithMember(BaseConnectionOfType("mqtt"), "credentials",
                                R"({"type":"client-cert","key":"garbage"})");
  ExpectValid(json);  // Ditto builds no key manager without both
}

TEST(CertificatesTest, TrustedCertificates) {
  const auto& pki = GetTestPki();
  std::string json = WithMember(BaseConnectionOfType("mqtt"), "uri", R"("ssl://127.0.0.1:8883")");
  ExpectValid(WithMember(json, "ca", JsonString(pki.certificate_pem)));
  ExpectError(WithMember(json, "ca", R"("-----BEGIN CERTIFICATE-----\n<x>\n-----END CERTIFICATE-----")"),
              kConfigInvalid, kCaMessage, kDefaultDescription);
  // Certificates are not loaded when they are not validated.
  ExpectValid(WithMember(WithMember(json, "ca", R"("garbage")"), "validateCertificates", "false"));
  // Client credentials come first.
  std::string both = WithClientCert("garbage", pki.certificate_pem);
  ExpectError(WithMember(both, "ca", R"("garbage")"), kConfigInvalid, kKeyMessage);
}

TEST(CertificatesTest, TrustedCertificatesNeedASecureScheme) {
  const auto& pki = GetTestPki();
  std::string json = WithMember(BaseConnectionOfType("amqp-091"), "ca", JsonString(pki.certificate_pem));
  ExpectError(json, "connectivity:connection.uri.invalid",
              "The connection has trusted certificates configured but uses an insecure protocol.",
              "Either switch to a secure protocol ([amqps]) or remove the trusted certificates.");
  ExpectValid(WithMember(json, "uri", R"("amqps://127.0.0.1:5671")"));
}

TEST(CertificatesTest, SshKeyPair) {
  const auto& pki = GetTestPki();
  SshPublicKeyCredentials keys{"user", pki.rsa_public_key_pem, pki.rsa_private_key_pem};
  EXPECT_FALSE(ValidateSshKeyPair(keys).has_value());
  keys.private_key = "garbage";
  std::optional<DittoError> error = ValidateSshKeyPair(keys);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message,
            "/credentials/privateKey: bad format. Expect PEM-encoded PKCS #8 data specified by RFC-7468 "
            "starting with '-----BEGIN PRIVATE KEY-----'");
  keys.private_key = pki.rsa_private_key_pem;
  keys.public_key = pki.certificate_pem;
  error = ValidateSshKeyPair(keys);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message,
            "/credentials/publicKey: bad format. Expect PEM-encoded PKCS #8 data specified by RFC-7468 "
            "starting with '-----BEGIN PUBLIC KEY-----'");
  EXPECT_EQ(error->description, "Please format your public key as PEM-encoded unencrypted PKCS #8.");
}

}  // namespace
}  // namespace connectivity::model
