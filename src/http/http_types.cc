#include "src/http/http_types.h"

#include <cctype>

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

HttpAnswer ErrorAnswer(const model::DittoError& error) { return ErrorAnswer(error.status, error.ToJson()); }

HttpAnswer MethodNotAllowedAnswer(const HttpRequest& request, std::string_view allow) {
  HttpAnswer answer = ErrorAnswer(model::MethodNotAllowed(request.method, request.path));
  answer.headers.emplace_back("Allow", std::string(allow));
  return answer;
}

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace connectivity::http
