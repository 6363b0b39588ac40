// HTTP push with libcurl: there is no session to keep, so "connected" means the target endpoint
// answers: a HEAD request to the URI's base (scheme://host:port/path) with the URI's credentials
// as Basic auth. 401, 403 and 407 are an authentication failure; any other HTTP answer (404 and
// 405 included) proves the endpoint reachable. While open, the check is repeated every
// recheck interval, and a failed check is the loss.
//
// Outbound safety: CURLOPT_RESOLVE pins the host to the checked addresses (curl then never
// resolves), proxies from the environment are ignored and redirects are not followed, so the
// request cannot go anywhere else. TLS: peer and host checks per validateCertificates, `ca` as the
// only trusted CAs, a client certificate from `credentials`.
#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "src/connect/clients.h"
#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string EncodePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? "/" : out;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class HttpCheck {
 public:
  HttpCheck(const ConnectTarget& target, SessionContext& context,
            const std::vector<IpAddress>& addresses)
      : target_(target), context_(context) {
    std::string pinned = target.endpoint.host + ":" + std::to_string(target.endpoint.port) + ":";
    for (size_t i = 0; i < addresses.size(); ++i) {
      const std::string ip = addresses[i].ToString();
      pinned += (i > 0 ? "," : "") + (addresses[i].is_v6 ? "[" + ip + "]" : ip);
    }
    resolve_.reset(curl_slist_append(nullptr, pinned.c_str()));
    url_ = target.scheme + "://" + JoinHostPort(target.endpoint.host, target.endpoint.port) +
           EncodePath(target.path);
  }

  ConnectOutcome Run(int64_t deadline_us) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return Failure(FailureKind::kOther, target_, "curl_easy_init failed");
    char error[CURL_ERROR_SIZE] = {};
    Configure(curl.get(), error, deadline_us);
    const CURLcode rc = curl_easy_perform(curl.get());
    if (rc == CURLE_OK) {
      long code = 0;
      curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
      const std::string detail = "HTTP " + std::to_string(code) + " to HEAD " + EncodePath(target_.path);
      if (code == 401 || code == 403 || code == 407) {
        return Failure(FailureKind::kAuthentication, target_, detail);
      }
      return Success(target_, detail);
    }
    return CurlFailure(curl.get(), rc, error);
  }

 private:
  void Configure(CURL* curl, char* error, int64_t deadline_us) {
    const long left_ms = static_cast<long>(std::max<int64_t>(1, (deadline_us - SteadyMicros()) / 1000));
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve_.get());
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, left_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, left_ms);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &context_);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &AbortOnStop);
    if (target_.username) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl, CURLOPT_USERNAME, target_.username->c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, target_.password.value_or("").c_str());
    }
    if (target_.tls.enabled) ConfigureTls(curl);
  }

  void ConfigureTls(CURL* curl) {
    const TlsOptions& tls = target_.tls;
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, tls.validate_certificates ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, tls.validate_certificates ? 2L : 0L);
    if (tls.ca_pem) {
      curl_blob blob{const_cast<char*>(tls.ca_pem->data()), tls.ca_pem->size(), CURL_BLOB_COPY};
      curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (tls.client_cert_pem && tls.client_key_pem) {
      curl_blob cert{const_cast<char*>(tls.client_cert_pem->data()), tls.client_cert_pem->size(),
                     CURL_BLOB_COPY};
      curl_blob key{const_cast<char*>(tls.client_key_pem->data()), tls.client_key_pem->size(),
                    CURL_BLOB_COPY};
      curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
      curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
    }
  }

  static int AbortOnStop(void* data, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<SessionContext*>(data)->stop_requested() ? 1 : 0;
  }

  ConnectOutcome CurlFailure(CURL* curl, CURLcode rc, const char* error) {
    const std::string detail = *error != '\0' ? error : curl_easy_strerror(rc);
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
        if (os_errno == ECONNREFUSED) return Failure(FailureKind::kRefused, target_, kRefusedDetail);
        return Failure(KindForErrno(static_cast<int>(os_errno)), target_, detail);
      case CURLE_OPERATION_TIMEDOUT:
        return Failure(FailureKind::kTimeout, target_,
                       "no HTTP response, " + WithinSeconds(context_.timeout_us()) + " (" + detail + ")");
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return Failure(FailureKind::kTls, target_, detail);
      case CURLE_ABORTED_BY_CALLBACK:
        return Failure(FailureKind::kOther, target_, "closed before the check completed");
      default:
        return Failure(FailureKind::kProtocol, target_, detail);
    }
  }

  const ConnectTarget& target_;
  SessionContext& context_;
  std::unique_ptr<curl_slist, SlistDeleter> resolve_;
  std::string url_;
};

void RunHttp(const ConnectTarget& target, const ClientSettings& settings, SessionContext& context) {
  InitCurlOnce();
  auto resolved = ResolveChecked(settings, target, target.endpoint, context.deadline_us());
  if (auto* failure = std::get_if<ConnectOutcome>(&resolved)) {
    context.ReportResult(std::move(*failure));
    return;
  }
  HttpCheck check(target, context, std::get<std::vector<IpAddress>>(resolved));
  ConnectOutcome outcome = check.Run(context.deadline_us());
  if (!outcome.ok && context.stop_requested()) return;
  const bool connected = outcome.ok;
  context.ReportResult(std::move(outcome));
  if (!connected) return;
  while (!context.WaitForStop(settings.recheck_interval_us)) {
    ConnectOutcome again = check.Run(SteadyMicros() + settings.timeout_us);
    if (context.stop_requested()) return;
    if (!again.ok) {
      context.ReportLost(again);
      return;
    }
  }
}

}  // namespace

std::unique_ptr<Client> MakeHttpClient(ConnectTarget target, SharedSettings settings,
                                       ClientCallbacks callbacks) {
  const int64_t timeout_us = settings->timeout_us;
  return MakeThreadedClient(
      [target = std::move(target), settings = std::move(settings)](SessionContext& context) {
        RunHttp(target, *settings, context);
      },
      std::move(callbacks), timeout_us);
}

}  // namespace connectivity::connect
