#include "src/http/cluster_routing.h"

#include <array>

#include "src/http/json_input.h"

namespace connectivity::http {
namespace {

constexpr std::array<std::string_view, 6> kLiveStateCommands = {
    "connectivity.commands:retrieveConnectionStatus", "connectivity.commands:retrieveConnectionMetrics",
    "connectivity.commands:retrieveConnectionLogs",   "connectivity.commands:resetConnectionMetrics",
    "connectivity.commands:enableConnectionLogs",     "connectivity.commands:resetConnectionLogs"};

void AppendEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
}

}  // namespace

std::optional<std::string> LiveStateTarget(const HttpRequest& request, const std::vector<std::string_view>& segments) {
  if (segments.size() == 5 && segments[0] == "api" && segments[2] == "connections" &&
      (segments[4] == "status" || segments[4] == "metrics" || segments[4] == "logs")) {
    return std::string(segments[3]);
  }
  if (segments.size() < 2 || segments[0] != "devops" || segments[1] != "piggyback") return std::nullopt;
  auto parsed = ParseJson(request.body);
  auto* root = std::get_if<simdjson::dom::element>(&parsed);
  if (root == nullptr) return std::nullopt;
  simdjson::dom::object command;
  std::string_view type;
  std::string_view id;
  if ((*root)["piggybackCommand"].get(command) != simdjson::SUCCESS) return std::nullopt;
  if (command["type"].get(type) != simdjson::SUCCESS || command["connectionId"].get(id) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  for (std::string_view live : kLiveStateCommands) {
    if (type == live) return std::string(id);
  }
  return std::nullopt;
}

std::string PathAndQuery(const HttpRequest& request) {
  std::string out = request.path;
  for (size_t i = 0; i < request.query.size(); ++i) {
    out.push_back(i == 0 ? '?' : '&');
    AppendEncoded(out, request.query[i].first);
    out.push_back('=');
    AppendEncoded(out, request.query[i].second);
  }
  return out;
}

}  // namespace connectivity::http
