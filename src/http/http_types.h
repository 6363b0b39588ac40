// HttpRequest and HttpAnswer: the HTTP layer's own request and answer types,
// so the API handlers (piggyback, REST, health, metrics) can be written and
// tested without Pistache. server.cc converts to and from Pistache.
#ifndef CONNECTIVITY_HTTP_HTTP_TYPES_H_
#define CONNECTIVITY_HTTP_HTTP_TYPES_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/model/errors.h"

namespace connectivity::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query, not decoded
  // Query parameters, URL-decoded, in request order.
  std::vector<std::pair<std::string, std::string>> query;
  // Header names lower-cased; a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
  std::string body;
  // The client's IP address (the TLS front's X-Forwarded-For when one is
  // configured); empty if unknown.
  std::string client_address;
  // The user authentication accepted (the router sets it before any API
  // handler sees the request); empty with authentication off. Never the
  // password. For the audit trail (request_origin.h).
  std::string user;

  std::optional<std::string_view> Header(std::string_view lower_case_name) const;
  std::optional<std::string_view> QueryParameter(std::string_view name) const;
};

struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed instead (chunked): each call appends the
  // next piece to `chunk` and returns false after the last one. For answers
  // too large to build in memory at once (the connection list).
  std::function<bool(std::string& chunk)> stream;
};

// Answers a request, from any thread, exactly once.
using Respond = std::function<void(HttpAnswer)>;

HttpAnswer JsonAnswer(int status, std::string body);
// A Ditto error JSON with its own status as the HTTP status (304 has no body).
HttpAnswer ErrorAnswer(int status, std::string error_json);
HttpAnswer ErrorAnswer(const model::DittoError& error);
// 405 in Ditto's error JSON, with the Allow header.
HttpAnswer MethodNotAllowedAnswer(const HttpRequest& request, std::string_view allow);

std::string AsciiLower(std::string_view text);
// %XX escapes decoded; with `plus_is_space` (query strings) also '+'.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_HTTP_TYPES_H_
