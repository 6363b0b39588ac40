// OpenSSL client-side TLS settings shared by the clients (rabbitmq-c and libmosquitto take an
// SSL_CTX; Proton and libcurl get the same material through their own options).
//
// Clients connect to a checked IP address (outbound rules), so certificate host-name checks must
// be made against the configured host, not the address: ConfigureClientContext puts the expected
// host (or IP literal) into the context's verify parameters, which every SSL object created from
// the context inherits.
#ifndef CONNECTIVITY_CONNECT_TLS_H_
#define CONNECTIVITY_CONNECT_TLS_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/connect/target.h"

namespace connectivity::connect {

// validate_certificates: verify the chain (against `ca_pem`, else the system store) and `host`;
// otherwise verify nothing. Loads the client certificate and key if given.
Status ConfigureClientContext(SSL_CTX* context, const TlsOptions& tls, std::string_view host);

struct SslContextFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslContextPtr = std::unique_ptr<SSL_CTX, SslContextFree>;
Result<SslContextPtr> NewClientContext(const TlsOptions& tls, std::string_view host);

// The OpenSSL error queue as one line (and cleared); "" if empty.
std::string DrainSslErrors();

// Why the last certificate verification on this thread failed ("certificate has expired",
// "Hostname mismatch", ...), and cleared; "" if none failed. Contexts made here record it, so a
// library that swallows the OpenSSL error queue (libmosquitto) still yields a clear cause.
std::string TakeLastVerifyError();

// A private temporary file holding PEM text, removed when destroyed: Proton's SSL options take
// file paths only.
class PemFile {
 public:
  static Result<PemFile> Write(std::string_view pem);
  PemFile(PemFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  PemFile& operator=(PemFile&&) = delete;
  ~PemFile();
  const std::string& path() const { return path_; }

 private:
  explicit PemFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_TLS_H_
