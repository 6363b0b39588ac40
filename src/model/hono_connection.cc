#include "src/model/hono_connection.h"

#include <algorithm>
#include <cctype>

#include "src/model/connection_uri.h"
#include "src/model/java_compat.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kAliases[] = {"telemetry", "event", "command", "command_response"};

bool IsAlias(std::string_view address) {
  return std::find(std::begin(kAliases), std::end(kAliases), address) != std::end(kAliases);
}

bool Contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// HeaderMappingBuilder#putIfAbsent.
void PutIfAbsent(StringMap& mapping, std::string_view key, std::string_view value) {
  if (FindInStringMap(mapping, key) == nullptr) mapping.emplace_back(key, value);
}

// java.net.URLEncoder.encode(text, UTF_8).
std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool IsSpace(char c) { return IsJavaWhitespace(c); }

// uri.replaceFirst("(\\S+://)(\\S+)", "$1" + user + ":" + password + "@$2"): the first run of
// non-space characters with a "://" (its last one) followed by at least one character.
std::string WithCredentials(std::string_view uri, std::string_view user, std::string_view password) {
  size_t start = 0;
  while (start < uri.size()) {
    while (start < uri.size() && IsSpace(uri[start])) ++start;
    size_t end = start;
    while (end < uri.size() && !IsSpace(uri[end])) ++end;
    const std::string_view run = uri.substr(start, end - start);
    size_t at = run.rfind("://");  // greedy: the last one that has a character after it
    while (at != std::string_view::npos && at > 0 && at + 3 >= run.size()) at = run.rfind("://", at - 1);
    if (at != std::string_view::npos && at > 0) {
      const size_t split = start + at + 3;
      return std::string(uri.substr(0, split)) + UrlEncode(user) + ":" + UrlEncode(password) + "@" +
             std::string(uri.substr(split));
    }
    start = end;
  }
  return std::string(uri);
}

// HonoConfig.SaslMechanism#toString.
std::string SaslMechanismValue(std::string_view name) {
  std::string value;
  for (char c : name) value += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value;
}

// DefaultHonoConfig: the comma list, each item trimmed, duplicates dropped, joined with ",".
std::string BootstrapServers(std::string_view list) {
  std::vector<std::string> servers;
  for (const std::string& item : JavaSplit(list, ',')) {
    std::string server(JavaTrim(item));
    if (!Contains(servers, server)) servers.push_back(std::move(server));
  }
  std::string joined;
  for (const std::string& server : servers) joined += (joined.empty() ? "" : ",") + server;
  return joined;
}

class Resolver {
 public:
  Resolver(const Connection& hono, const HonoSettings& settings) : settings_(settings) {
    const std::string* tenant = FindInStringMap(hono.specific_config, "honoTenantId");
    tenant_ = tenant != nullptr ? *tenant : hono.id;
  }

  std::string SourceAddress(const std::string& address) const {
    return IsAlias(address) ? "hono." + address + "." + tenant_ : address;
  }
  std::string TargetAddress(const std::string& address) const {
    return IsAlias(address) ? "hono." + address + "." + tenant_ + "/{{thing:id}}" : address;
  }

  void ResolveSource(Source& source) const {
    const std::vector<std::string> original = source.addresses;
    source.addresses.clear();
    for (const std::string& address : original) {
      std::string resolved = SourceAddress(address);
      if (!Contains(source.addresses, resolved)) source.addresses.push_back(std::move(resolved));
    }
    if (Contains(original, "telemetry") || Contains(original, "event")) {
      if (source.reply_target) ResolveReplyTarget(*source.reply_target);
    } else {
      source.reply_target.reset();
    }
    if (Contains(original, "command_response")) {
      PutIfAbsent(source.header_mapping, "correlation-id", "{{ header:correlation-id }}");
      PutIfAbsent(source.header_mapping, "status", "{{ header:status }}");
    }
  }

  void ResolveReplyTarget(ReplyTarget& reply_target) const {
    const bool command = reply_target.address == "command";
    reply_target.address = TargetAddress(reply_target.address);
    PutIfAbsent(reply_target.header_mapping, "correlation-id", "{{ header:correlation-id }}");
    if (command) {
      PutIfAbsent(reply_target.header_mapping, "device_id", "{{ thing:id }}");
      PutIfAbsent(reply_target.header_mapping, "subject",
                  "{{ header:subject | fn:default(topic:action-subject) | fn:default(topic:criterion) }}-response");
    }
  }

  void ResolveTarget(Target& target) const {
    target.address = TargetAddress(target.address);
    PutIfAbsent(target.header_mapping, "device_id", "{{ thing:id }}");
    PutIfAbsent(target.header_mapping, "correlation-id", "{{ header:correlation-id }}");
    PutIfAbsent(target.header_mapping, "subject", "{{ header:subject | fn:default(topic:action-subject) }}");
    const bool live = std::any_of(target.topics.begin(), target.topics.end(), [](const FilteredTopic& t) {
      return t.topic == Topic::kLiveMessages || t.topic == Topic::kLiveCommands;
    });
    if (live) PutIfAbsent(target.header_mapping, "response-required", "{{ header:response-required }}");
  }

  void ResolveSpecificConfig(Connection& connection) const {
    const std::string* group_id = FindInStringMap(connection.specific_config, "groupId");
    const std::string group = group_id != nullptr ? *group_id : connection.id;
    SetInStringMap(connection.specific_config, "saslMechanism", SaslMechanismValue(settings_.sasl_mechanism));
    SetInStringMap(connection.specific_config, "bootstrapServers", BootstrapServers(settings_.bootstrap_servers));
    SetInStringMap(connection.specific_config, "groupId", group);
  }

 private:
  const HonoSettings& settings_;
  std::string tenant_;
};

}  // namespace

std::optional<std::string> ParseHonoSaslMechanism(std::string_view text) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view name : {"PLAIN", "SCRAM_SHA_256", "SCRAM_SHA_512"}) {
    if (upper == name) return std::string(name);
  }
  return std::nullopt;
}

Connection ResolveHonoConnection(const Connection& hono, const HonoSettings& settings) {
  const Resolver resolver(hono, settings);
  Connection resolved = hono;
  resolved.uri = WithCredentials(settings.base_uri, settings.username, settings.password);
  resolved.validate_certificates = settings.validate_certificates;
  resolved.ca = IsBlank(settings.ca) ? std::nullopt : std::optional<std::string>(settings.ca);
  resolver.ResolveSpecificConfig(resolved);
  for (Source& source : resolved.sources) resolver.ResolveSource(source);
  for (Target& target : resolved.targets) resolver.ResolveTarget(target);
  return resolved;
}

}  // namespace connectivity::model
