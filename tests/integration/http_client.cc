#include "tests/integration/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace connectivity::testing {
namespace {

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
  (*headers)[name] = value;
  return size * count;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpResponse Fetch(uint16_t port, const HttpRequestSpec& spec) {
  GlobalInit();
  HttpResponse response;
  CURL* curl = curl_easy_init();
  const bool https = !spec.ca_file.empty();
  const std::string url = std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port) + spec.path;
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");  // Pistache has no 100-continue
  for (const std::string& header : spec.headers) headers = curl_slist_append(headers, header.c_str());
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, spec.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, spec.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body.size()));
  }
  if (spec.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (https) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, spec.ca_file.c_str());
    if (!spec.client_cert_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_SSLCERT, spec.client_cert_file.c_str());
      curl_easy_setopt(curl, CURLOPT_SSLKEY, spec.client_key_file.c_str());
    }
  }
  if (!spec.basic_auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, spec.basic_auth.c_str());
  }
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  } else {
    response.error = error;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return response;
}

}  // namespace connectivity::testing
