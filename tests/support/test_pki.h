// Keys and certificates for tests, generated with OpenSSL once per process (no files, no network):
// an RSA key pair with a self-signed certificate, and an EC key (which Ditto's RSA-only key reading
// rejects).
#ifndef CONNECTIVITY_TESTS_SUPPORT_TEST_PKI_H_
#define CONNECTIVITY_TESTS_SUPPORT_TEST_PKI_H_

#include <string>

namespace connectivity::test_support {

struct TestPki {
  std::string rsa_private_key_pem;  // "-----BEGIN PRIVATE KEY-----" (PKCS #8, unencrypted)
  std::string rsa_public_key_pem;   // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo)
  std::string certificate_pem;      // self-signed X.509 for the RSA key
  std::string ec_private_key_pem;   // PKCS #8 of a P-256 key
};

// The same material for every call (generated on first use).
const TestPki& GetTestPki();

}  // namespace connectivity::test_support

#endif  // CONNECTIVITY_TESTS_SUPPORT_TEST_PKI_H_
