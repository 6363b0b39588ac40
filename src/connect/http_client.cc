// HTTP push with libcurl, checking what Ditto's HttpPushClientActor.doTestConnection checks: the
// TCP connection to the URI's host and port (http) or the TLS handshake with it (https), and, with
// OAuth credentials, the token request (AsyncJwtLoader: a form POST to the token endpoint that must
// answer 2xx, application/json and an `access_token` that is a JSON Web Token). No request goes
// to the push endpoint itself. While open, the TCP/TLS check is repeated every recheck interval,
// and a failed check is the loss: on the shared connect pool for live connections
// (pooled_client.h), on a thread of its own for test connection.
//
// Outbound safety: CURLOPT_RESOLVE pins each host (endpoint and token endpoint) to its checked
// addresses (curl then never resolves), proxies from the environment are ignored and redirects are
// not followed, so no request can go anywhere else. TLS: peer and host checks per
// validateCertificates, `ca` as the only trusted CAs, a client certificate from `credentials`;
// the token endpoint is verified against the system's CAs, as Ditto's HTTP client does.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <simdjson.h>

#include <cctype>
#include <mutex>

#include "src/connect/clients.h"
#include "src/connect/pooled_client.h"
#include "src/connect/resolver.h"
#include "src/model/connection_uri.h"

namespace connectivity::connect {
namespace {

// A token endpoint's answer is a small JSON object; anything larger is not a token response.
constexpr size_t kTokenResponseBytesMax = 64 * 1024;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The pinned address list of CURLOPT_RESOLVE: "host:port:addr1,addr2".
std::unique_ptr<curl_slist, SlistDeleter> Pin(const std::string& host, int port,
                                              const std::vector<IpAddress>& addresses) {
  std::string pinned = host + ":" + std::to_string(port) + ":";
  for (size_t i = 0; i < addresses.size(); ++i) {
    const std::string ip = addresses[i].ToString();
    pinned += (i > 0 ? "," : "") + (addresses[i].is_v6 ? "[" + ip + "]" : ip);
  }
  return std::unique_ptr<curl_slist, SlistDeleter>(curl_slist_append(nullptr, pinned.c_str()));
}

// Base64url (JWT) to bytes; nullopt if malformed.
std::optional<std::string> DecodeBase64Url(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (standard.size() % 4 != 0) standard += '=';
  std::string out(standard.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(standard.data()),
                                static_cast<int>(standard.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  while (padding < 2 && standard.size() > padding && standard[standard.size() - 1 - padding] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

// ImmutableJsonWebToken.fromToken: three parts, header and payload base64url-encoded JSON objects.
bool IsJsonWebToken(std::string_view token) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 3) return false;
  for (size_t i = 0; i < 2; ++i) {
    std::optional<std::string> json = DecodeBase64Url(parts[i]);
    if (!json) return false;
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(*json).get(object) != simdjson::SUCCESS) return false;
  }
  return true;
}

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kTokenResponseBytesMax) return 0;  // aborts the transfer
  body->append(data, size * count);
  return size * count;
}

class HttpCheck {
 public:
  HttpCheck(const ConnectTarget& target, const ClientSettings& settings, SessionContext& context,
            const std::vector<IpAddress>& addresses)
      : target_(target), settings_(settings), context_(context),
        resolve_(Pin(target.endpoint.host, target.endpoint.port, addresses)),
        url_(target.scheme + "://" + JoinHostPort(target.endpoint.host, target.endpoint.port) + "/") {
    if (target.connect_to) {  // through the SSH tunnel's local end
      const std::string to = target.endpoint.host + ":" + std::to_string(target.endpoint.port) + ":" +
                             target.connect_to->host + ":" + std::to_string(target.connect_to->port);
      connect_to_.reset(curl_slist_append(nullptr, to.c_str()));
    }
  }

  // The connect check, then (first attempt only: `with_token`) the OAuth token.
  ConnectOutcome Run(int64_t deadline_us, bool with_token) {
    ConnectOutcome outcome = Reach(deadline_us);
    if (!outcome.ok || !with_token || !target_.oauth) return outcome;
    if (std::optional<ConnectOutcome> failure = FetchToken(deadline_us)) return *failure;
    return outcome;
  }

 private:
  // TCP connect (http) or TLS handshake (https), and nothing sent (CURLOPT_CONNECT_ONLY).
  ConnectOutcome Reach(int64_t deadline_us) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return Failure(FailureKind::kOther, target_, "curl_easy_init failed");
    char error[CURL_ERROR_SIZE] = {};
    Configure(curl.get(), url_, resolve_.get(), error, deadline_us);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECT_ONLY, 1L);
    if (connect_to_) curl_easy_setopt(curl.get(), CURLOPT_CONNECT_TO, connect_to_.get());
    if (target_.tls.enabled) ConfigureTls(curl.get());
    const CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK) return CurlFailure(curl.get(), rc, error);
    const std::string where = target_.endpoint.host + ":" + std::to_string(target_.endpoint.port);
    return Success(target_, target_.tls.enabled ? "TLS connection to '" + where + "' established successfully."
                                                : "TCP connection to '" + where + "' established successfully");
  }

  // AsyncJwtLoader's token request; nullopt if it yields a token. Failures read as Ditto's test
  // connection reports them (the JwtInvalidException's message behind "Cause: ").
  std::optional<ConnectOutcome> FetchToken(int64_t deadline_us) {
    const OAuthTokenRequest& oauth = *target_.oauth;
    const std::string request_failed = "Cause: Request to token endpoint <" + oauth.token_endpoint + "> failed.";
    const std::string invalid_response =
        "Cause: Received invalid JSON web token response from <" + oauth.token_endpoint + ">.";
    const std::optional<model::ConnectionUri> uri = model::ParseServerUri(oauth.token_endpoint);
    if (!uri || uri->host.empty()) return TokenFailure(request_failed);
    const std::string host = uri->host.front() == '[' ? uri->host.substr(1, uri->host.size() - 2) : uri->host;
    const int port = uri->port > 0 ? uri->port : (uri->scheme == "https" ? 443 : 80);
    CheckedAddresses checked = CheckedResolve(settings_, host, deadline_us);
    if (checked.failure != FailureKind::kNone) return TokenFailure(request_failed);
    auto pinned = Pin(host, port, checked.addresses);
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return TokenFailure(request_failed);
    char error[CURL_ERROR_SIZE] = {};
    Configure(curl.get(), oauth.token_endpoint, pinned.get(), error, deadline_us);
    std::unique_ptr<curl_slist, SlistDeleter> headers(
        curl_slist_append(nullptr, "Accept: application/json"));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, oauth.form.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(oauth.form.size()));
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    if (curl_easy_perform(curl.get()) != CURLE_OK) return TokenFailure(request_failed);
    long code = 0;
    char* content_type = nullptr;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_TYPE, &content_type);
    const std::string_view media = content_type == nullptr ? "" : std::string_view(content_type);
    if (code < 200 || code > 299 || media.substr(0, media.find(';')) != "application/json") {
      return TokenFailure(invalid_response);
    }
    simdjson::dom::parser parser;
    std::string_view token;
    if (parser.parse(body).at_key("access_token").get(token) != simdjson::SUCCESS) {
      return TokenFailure(invalid_response);
    }
    if (!IsJsonWebToken(token)) return TokenFailure("Cause: The JSON Web Token is not valid.");
    return std::nullopt;
  }

  ConnectOutcome TokenFailure(std::string description) const {
    ConnectOutcome failure;
    failure.failure = FailureKind::kAuthentication;
    failure.description = std::move(description);
    for (const std::string& secret : target_.oauth->secrets) {
      failure.description = ScrubSecret(std::move(failure.description), secret);
    }
    return failure;
  }

  void Configure(CURL* curl, const std::string& url, curl_slist* pinned, char* error, int64_t deadline_us) {
    const long left_ms = static_cast<long>(std::max<int64_t>(1, (deadline_us - SteadyMicros()) / 1000));
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_RESOLVE, pinned);
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
                       "no answer, " + WithinSeconds(context_.timeout_us()) + " (" + detail + ")");
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
  const ClientSettings& settings_;
  SessionContext& context_;
  std::unique_ptr<curl_slist, SlistDeleter> resolve_;
  std::unique_ptr<curl_slist, SlistDeleter> connect_to_;  // the SSH tunnel's local end, if any
  std::string url_;
};

// The first check with the token; rechecks reach the endpoint again (no token).
class HttpCheckSession final : public CheckSession {
 public:
  HttpCheckSession(const ConnectTarget& target, const ClientSettings& settings, SessionContext& context)
      : target_(target), settings_(settings), context_(context) {}

  ConnectOutcome Connect() override {
    InitCurlOnce();
    auto resolved = ResolveChecked(settings_, target_, target_.endpoint, context_.deadline_us());
    if (auto* failure = std::get_if<ConnectOutcome>(&resolved)) return std::move(*failure);
    check_.emplace(target_, settings_, context_, std::get<std::vector<IpAddress>>(resolved));
    return check_->Run(context_.deadline_us(), /*with_token=*/true);
  }

  std::optional<ConnectOutcome> Recheck() override {
    ConnectOutcome again = check_->Run(SteadyMicros() + settings_.timeout_us, /*with_token=*/false);
    if (again.ok) return std::nullopt;
    return again;
  }

 private:
  const ConnectTarget& target_;
  const ClientSettings& settings_;
  SessionContext& context_;
  std::optional<HttpCheck> check_;
};

}  // namespace

std::unique_ptr<CheckSession> MakeHttpCheckSession(const ConnectTarget& target, const ClientSettings& settings,
                                                   SessionContext& context) {
  return std::make_unique<HttpCheckSession>(target, settings, context);
}

std::unique_ptr<Client> MakeHttpClient(ConnectTarget target, SharedSettings settings,
                                       ClientCallbacks callbacks) {
  return MakeThreadedCheckClient(std::move(target), std::move(settings), &MakeHttpCheckSession,
                                 std::move(callbacks));
}

}  // namespace connectivity::connect
