#include "src/http/cluster_routing.h"

#include <array>
#include <utility>

#include "src/base/json_writer.h"
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

bool AnsweredByEveryInstance(const HttpRequest& request, const std::vector<std::string_view>& segments) {
  if (segments.size() > 3 || (segments.size() == 3 && segments[2] != "connectivity")) return false;
  auto parsed = ParseJson(request.body);
  auto* root = std::get_if<simdjson::dom::element>(&parsed);
  if (root == nullptr) return false;
  if ((*root)["instance"].error() == simdjson::SUCCESS) return false;
  simdjson::dom::element aggregate;
  if ((*root)["headers"]["aggregate"].get(aggregate) == simdjson::SUCCESS) {
    bool flag = true;
    std::string_view text;
    if (aggregate.get(flag) == simdjson::SUCCESS) {
      if (!flag) return false;
    } else if (aggregate.get(text) == simdjson::SUCCESS) {
      if (text != "true" && text != "TRUE" && text != "True") return false;
    } else {
      return false;
    }
  }
  std::string_view type;
  if ((*root)["piggybackCommand"]["type"].get(type) != simdjson::SUCCESS) return false;
  constexpr std::string_view kRead = "connectivity.commands:retrieve";
  if (type.substr(0, kRead.size()) != kRead) return false;
  for (std::string_view live : kLiveStateCommands) {
    if (type == live) return false;
  }
  return true;
}

AnswerGather::AnswerGather(size_t expected, Respond respond) : pending_(expected), respond_(std::move(respond)) {}

void AnswerGather::Local(HttpAnswer answer) { Add(true, std::move(answer)); }

void AnswerGather::Remote(HttpAnswer answer) { Add(false, std::move(answer)); }

void AnswerGather::Add(bool local, HttpAnswer answer) {
  std::map<std::string, std::string> nested;
  bool is_nested = false;
  if (answer.status == 200 && !answer.stream) {
    // Its own parser: the caller may still hold elements of this thread's (ParseJson).
    simdjson::dom::parser parser;
    simdjson::dom::object by_instance;
    if (parser.parse(answer.body)["connectivity"].get(by_instance) == simdjson::SUCCESS) {
      is_nested = true;
      for (auto field : by_instance) nested[std::string(field.key)] = simdjson::minify(field.value);
    }
  }
  std::optional<HttpAnswer> plain;
  std::map<std::string, std::string> all;
  {
    MutexLock lock(mutex_);
    if (is_nested) {
      by_instance_.merge(nested);
    } else if (local) {
      local_plain_ = std::move(answer);
    }
    if (--pending_ != 0) return;
    plain = std::move(local_plain_);
    all = std::move(by_instance_);
  }
  if (plain) return respond_(std::move(*plain));
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("connectivity").BeginObject();
  for (const auto& [instance, inner] : all) w.Key(instance).Raw(inner);
  w.EndObject().EndObject();
  respond_(JsonAnswer(200, std::move(body)));
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
