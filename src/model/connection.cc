// Names of the model's enumerations and small helpers (connection.h).
#include "src/model/connection.h"

#include <array>

namespace connectivity::model {
namespace {

constexpr std::array<std::pair<ConnectionType, std::string_view>, 7> kConnectionTypeNames = {{
    {ConnectionType::kAmqp091, "amqp-091"},
    {ConnectionType::kAmqp10, "amqp-10"},
    {ConnectionType::kMqtt, "mqtt"},
    {ConnectionType::kMqtt5, "mqtt-5"},
    {ConnectionType::kKafka, "kafka"},
    {ConnectionType::kHttpPush, "http-push"},
    {ConnectionType::kHono, "hono"},
}};

constexpr std::array<std::string_view, 5> kConnectionStatuses = {"open", "closed", "failed",
                                                                 "misconfigured", "unknown"};

// Visitor for CredentialsTypeName.
struct CredentialsTypeNameVisitor {
  std::string_view operator()(const ClientCertificateCredentials&) const { return "client-cert"; }
  std::string_view operator()(const UserPasswordCredentials&) const { return "plain"; }
  std::string_view operator()(const SshPublicKeyCredentials&) const { return "public-key"; }
  std::string_view operator()(const HmacCredentials&) const { return "hmac"; }
  std::string_view operator()(const OAuthClientCredentials&) const {
    return "oauth-client-credentials";
  }
  std::string_view operator()(const OAuthPasswordCredentials&) const { return "oauth-password"; }
};

}  // namespace

std::string_view ConnectionTypeName(ConnectionType type) {
  for (const auto& [value, name] : kConnectionTypeNames) {
    if (value == type) return name;
  }
  return "";
}

std::optional<ConnectionType> ParseConnectionType(std::string_view name) {
  for (const auto& [value, type_name] : kConnectionTypeNames) {
    if (type_name == name) return value;
  }
  return std::nullopt;
}

bool IsValidConnectionStatus(std::string_view status) {
  for (std::string_view valid : kConnectionStatuses) {
    if (valid == status) return true;
  }
  return false;
}

const std::string* FindInStringMap(const StringMap& map, std::string_view key) {
  for (const auto& [existing, value] : map) {
    if (existing == key) return &value;
  }
  return nullptr;
}

void SetInStringMap(StringMap& map, std::string_view key, std::string value) {
  for (auto& [existing, existing_value] : map) {
    if (existing == key) {
      existing_value = std::move(value);
      return;
    }
  }
  map.emplace_back(std::string(key), std::move(value));
}

std::string_view ResponseTypeName(ResponseType type) {
  switch (type) {
    case ResponseType::kResponse:
      return "response";
    case ResponseType::kError:
      return "error";
    case ResponseType::kNack:
      return "nack";
  }
  return "";
}

std::string_view CredentialsTypeName(const Credentials& credentials) {
  return std::visit(CredentialsTypeNameVisitor{}, credentials);
}

}  // namespace connectivity::model
