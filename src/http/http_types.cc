#include "src/http/http_types.h"

namespace connectivity::http {

std::optional<std::string_view> HttpRequest::Header(std::string_view lower_case_name) const {
  const auto it = headers.find(std::string(lower_case_name));
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> HttpRequest::QueryParameter(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

HttpAnswer JsonAnswer(int status, std::string body) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

HttpAnswer ErrorAnswer(int status, std::string error_json) {
  HttpAnswer answer;
  answer.status = status;
  if (status != 304) answer.body = std::move(error_json);
  return answer;
}

}  // namespace connectivity::http
