// Helpers shared by the model tests: parse-and-expect wrappers and small JSON edits.
#ifndef CONNECTIVITY_TESTS_MODEL_MODEL_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_MODEL_MODEL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include "src/model/connection.h"
#include "src/model/json_tree.h"

namespace connectivity::model {

// A valid piggyback connection: one amqp-091 source and one target, a URI with a password.
inline constexpr std::string_view kBaseConnection = R"({
  "id": "test-connection",
  "connectionType": "amqp-091",
  "connectionStatus": "closed",
  "uri": "amqp://user:s3cr3t@127.0.0.1:5672/vhost",
  "sources": [{"addresses": ["source-address"], "authorizationContext": ["ditto:inbound"]}],
  "targets": [{"address": "target-address", "topics": ["_/_/things/twin/events"],
               "authorizationContext": ["ditto:outbound"]}]
})";

inline ParseOptions PiggybackOptions() { return ParseOptions{}; }

inline ParseOptions HttpPostOptions() {
  ParseOptions options;
  options.id_required = false;
  options.default_connection_status = "unknown";
  return options;
}

inline JsonNode ParseTree(std::string_view json) {
  auto parsed = ParseJsonTree(json);
  if (auto* error = std::get_if<DittoError>(&parsed)) {
    ADD_FAILURE() << "test JSON does not parse: " << error->message << "\n" << json;
    return JsonNode::Object();
  }
  return std::get<ParsedJson>(std::move(parsed)).root;
}

// `json` with the member at `path` ('/'-separated; numbers index arrays) set to the JSON value
// `value_json`. Intermediate members must exist.
inline std::string WithMember(std::string_view json, std::string_view path,
                              std::string_view value_json) {
  JsonNode root = ParseTree(json);
  JsonNode* node = &root;
  std::string_view rest = path;
  while (true) {
    const size_t slash = rest.find('/');
    std::string key(rest.substr(0, slash));
    if (slash == std::string_view::npos) {
      node->Set(key, ParseTree(value_json));
      return ToCompactJson(root);
    }
    node = node->IsArray() ? &node->items.at(std::stoul(key)) : node->Find(key);
    if (node == nullptr) {
      ADD_FAILURE() << "no member " << key << " in path " << path;
      return ToCompactJson(root);
    }
    rest.remove_prefix(slash + 1);
  }
}

// `json` without the top-level member `key`.
inline std::string WithoutMember(std::string_view json, std::string_view key) {
  JsonNode root = ParseTree(json);
  root.Remove(key);
  return ToCompactJson(root);
}

inline Connection ParseValid(std::string_view json, const ParseOptions& options = {}) {
  auto result = ParseConnection(json, options);
  if (auto* error = std::get_if<DittoError>(&result)) {
    ADD_FAILURE() << "expected a valid connection, got " << error->ToJson() << "\n" << json;
    return Connection{};
  }
  return std::get<Connection>(std::move(result));
}

inline DittoError ParseInvalid(std::string_view json, const ParseOptions& options = {}) {
  auto result = ParseConnection(json, options);
  if (auto* connection = std::get_if<Connection>(&result)) {
    ADD_FAILURE() << "expected an error, got " << SerializeConnection(*connection) << "\n" << json;
    return DittoError{};
  }
  return std::get<DittoError>(std::move(result));
}

// The compact JSON of one member (by path) of a serialised connection.
inline std::string MemberJson(std::string_view json, std::string_view path) {
  JsonNode root = ParseTree(json);
  const JsonNode* node = &root;
  std::string_view rest = path;
  while (node != nullptr && !rest.empty()) {
    const size_t slash = rest.find('/');
    std::string key(rest.substr(0, slash));
    node = node->IsArray() ? &node->items.at(std::stoul(key)) : node->Find(key);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return node == nullptr ? "<absent>" : ToCompactJson(*node);
}

}  // namespace connectivity::model

#endif  // CONNECTIVITY_TESTS_MODEL_MODEL_TEST_UTIL_H_
