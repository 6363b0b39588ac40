#include "src/connect/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdlib>

#include "src/connect/outbound_rules.h"

namespace connectivity::connect {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Status LoadTrustedCas(SSL_CTX* context, std::string_view pem) {
  X509_STORE* store = X509_STORE_new();
  BioPtr bio = MemoryBio(pem);
  int loaded = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++loaded;
    X509_free(cert);
  }
  ERR_clear_error();  // the loop ends with a "no start line" error
  if (loaded == 0) {
    X509_STORE_free(store);
    return Status::InvalidArgument("`ca` holds no PEM certificate");
  }
  SSL_CTX_set_cert_store(context, store);  // the context owns it now
  return Status::Ok();
}

Status LoadClientCertificate(SSL_CTX* context, const TlsOptions& tls) {
  if (tls.client_cert_pem) {
    BioPtr bio = MemoryBio(*tls.client_cert_pem);
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    const bool ok = cert != nullptr && SSL_CTX_use_certificate(context, cert) == 1;
    X509_free(cert);
    if (!ok) return Status::InvalidArgument("client certificate: " + DrainSslErrors());
  }
  if (tls.client_key_pem) {
    BioPtr bio = MemoryBio(*tls.client_key_pem);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    const bool ok = key != nullptr && SSL_CTX_use_PrivateKey(context, key) == 1;
    EVP_PKEY_free(key);
    if (!ok) return Status::InvalidArgument("client key: " + DrainSslErrors());
  }
  return Status::Ok();
}

// Handshakes run on the thread that drives the library, which reads the reason right after.
thread_local std::string last_verify_error;

int RecordVerifyResult(int preverify_ok, X509_STORE_CTX* store) {
  if (preverify_ok == 0) {
    last_verify_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  }
  return preverify_ok;
}

}  // namespace

std::string TakeLastVerifyError() {
  std::string error = std::move(last_verify_error);
  last_verify_error.clear();
  return error;
}

Status ConfigureClientContext(SSL_CTX* context, const TlsOptions& tls, std::string_view host) {
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (!tls.validate_certificates) {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, &RecordVerifyResult);
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(context);
    const std::string expected(host);
    const int set = ParseIpAddress(expected)
                        ? X509_VERIFY_PARAM_set1_ip_asc(param, expected.c_str())
                        : X509_VERIFY_PARAM_set1_host(param, expected.c_str(), expected.size());
    if (set != 1) return Status::InvalidArgument("cannot verify host '" + expected + "'");
    if (tls.ca_pem) {
      CONNECTIVITY_RETURN_IF_ERROR(LoadTrustedCas(context, *tls.ca_pem));
    } else if (SSL_CTX_set_default_verify_paths(context) != 1) {
      return Status::Internal("no system trust store: " + DrainSslErrors());
    }
  }
  return LoadClientCertificate(context, tls);
}

Result<SslContextPtr> NewClientContext(const TlsOptions& tls, std::string_view host) {
  SslContextPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context) return Status::Internal("SSL_CTX_new: " + DrainSslErrors());
  CONNECTIVITY_RETURN_IF_ERROR(ConfigureClientContext(context.get(), tls, host));
  return context;
}

std::string DrainSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof(line));
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text;
}

Result<PemFile> PemFile::Write(std::string_view pem) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                     "/connectivity-pem-XXXXXX";
  const int fd = mkstemp(path.data());  // mode 0600
  if (fd < 0) return Status::IOError("cannot create a temporary PEM file");
  PemFile file(path);
  size_t written = 0;
  while (written < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + written, pem.size() - written);
    if (n <= 0) {
      ::close(fd);
      return Status::IOError("cannot write a temporary PEM file");
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  return file;
}

PemFile::~PemFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace connectivity::connect
