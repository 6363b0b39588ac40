#include "tests/support/host_rewrite.h"

#include <variant>

#include "src/model/json_tree.h"

namespace connectivity::test_support {
namespace {

constexpr std::string_view kLoopback = "127.0.0.1";

using model::JsonNode;

// Replaces the host of one `host[:port]` entry, keeping leading blanks and the port.
std::string RewriteServer(std::string_view server) {
  const size_t start = server.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::string(server);
  std::string out(server.substr(0, start));
  out.append(kLoopback);
  const size_t colon = server.find(':', start);
  if (colon != std::string_view::npos) out.append(server.substr(colon));
  return out;
}

void RewriteStringMember(JsonNode* object, std::string_view key,
                         std::string (*rewrite)(std::string_view)) {
  if (object == nullptr || !object->IsObject()) return;
  JsonNode* value = object->Find(key);
  if (value != nullptr && value->IsString()) value->text = rewrite(value->text);
}

}  // namespace

std::string RewriteUriHostToLoopback(std::string_view uri) {
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);
  const size_t authority_start = scheme_end + 3;
  const size_t authority_end = std::min(uri.find_first_of("/?#", authority_start), uri.size());
  const size_t at = uri.substr(0, authority_end).rfind('@');
  const size_t host_start =
      (at == std::string_view::npos || at < authority_start) ? authority_start : at + 1;
  size_t host_end = authority_end;
  if (host_start < authority_end && uri[host_start] == '[') {
    const size_t close = uri.find(']', host_start);
    if (close != std::string_view::npos && close < authority_end) host_end = close + 1;
  } else {
    host_end = std::min(uri.find(':', host_start), authority_end);
  }
  std::string out(uri.substr(0, host_start));
  out.append(kLoopback);
  out.append(uri.substr(host_end));
  return out;
}

std::string RewriteServerListToLoopback(std::string_view servers) {
  std::string out;
  size_t start = 0;
  while (start <= servers.size()) {
    const size_t end = std::min(servers.find_first_of(",;", start), servers.size());
    out.append(RewriteServer(servers.substr(start, end - start)));
    if (end < servers.size()) out.push_back(servers[end]);
    start = end + 1;
  }
  return out;
}

std::string RewriteHostsToLoopback(std::string_view connection_json) {
  auto parsed = model::ParseJsonTree(connection_json);
  auto* tree = std::get_if<model::ParsedJson>(&parsed);
  if (tree == nullptr || !tree->root.IsObject()) return std::string(connection_json);
  JsonNode& root = tree->root;
  RewriteStringMember(&root, "uri", RewriteUriHostToLoopback);
  RewriteStringMember(root.Find("specificConfig"), "bootstrapServers",
                      RewriteServerListToLoopback);
  RewriteStringMember(root.Find("credentials"), "tokenEndpoint", RewriteUriHostToLoopback);
  RewriteStringMember(root.Find("sshTunnel"), "uri", RewriteUriHostToLoopback);
  return model::ToCompactJson(root);
}

}  // namespace connectivity::test_support
