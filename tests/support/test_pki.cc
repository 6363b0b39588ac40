#include "tests/support/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <cstdio>

namespace connectivity::test_support {
namespace {

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(bio);
  return text;
}

std::string PrivateKeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return Drain(bio);
}

std::string PublicKeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  return Drain(bio);
}

std::string SelfSignedPem(EVP_PKEY* key) {
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 3600L * 24 * 365);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("connectivity-test"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  X509_sign(certificate, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  X509_free(certificate);
  return Drain(bio);
}

TestPki Generate() {
  TestPki pki;
  EVP_PKEY* rsa = EVP_RSA_gen(2048);
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  if (rsa == nullptr || ec == nullptr) {
    std::fprintf(stderr, "test_pki: OpenSSL key generation failed\n");
    std::abort();
  }
  pki.rsa_private_key_pem = PrivateKeyPem(rsa);
  pki.rsa_public_key_pem = PublicKeyPem(rsa);
  pki.certificate_pem = SelfSignedPem(rsa);
  pki.ec_private_key_pem = PrivateKeyPem(ec);
  EVP_PKEY_free(rsa);
  EVP_PKEY_free(ec);
  return pki;
}

}  // namespace

const TestPki& GetTestPki() {
  static const TestPki* pki = new TestPki(Generate());
  return *pki;
}

}  // namespace connectivity::test_support
