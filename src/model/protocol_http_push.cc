// HTTP push (Ditto's HttpPushValidator, HttpPublishTarget, HttpPushSpecificConfig): schemes
// http/https; no sources; targets: header mapping, address placeholders, `<VERB>:<path>` with a
// supported verb, extraFields; payload mapping references; OAuth token endpoint https (when
// enforced); specificConfig idleTimeout (0..60 s), parallelism (> 0), omitRequestBody (methods).
#include <array>

#include "src/model/connection_uri.h"
#include "src/model/java_compat.h"
#include "src/model/protocol_validation.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kSupportedMethods = "PUT, PATCH, POST, GET, DELETE";

bool IsSupportedTargetMethod(std::string_view method) {
  for (std::string_view known : {"PUT", "PATCH", "POST", "GET", "DELETE"}) {
    if (method == known) return true;
  }
  return false;
}

// Pekko HTTP's HttpMethods#lookup: the registered methods, case-sensitive.
bool IsHttpMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kMethods = {
      "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"};
  for (std::string_view known : kMethods) {
    if (method == known) return true;
  }
  return false;
}

MaybeValidationError ValidateTargetAddress(const Target& target, const Connection& connection) {
  const size_t colon = target.address.find(':');
  if (colon == std::string::npos) {
    return ConnectionConfigurationInvalid(
        TargetDescription(target, connection) +
            ": Target address has invalid format. Expect '<VERB>:/<path>', for example 'POST:/api'.",
        "Supported methods are: " + std::string(kSupportedMethods));
  }
  const std::string method = target.address.substr(0, colon);
  if (!IsSupportedTargetMethod(method)) {
    return ConnectionConfigurationInvalid(
        TargetDescription(target, connection) + ": The method '" + method + "' is not supported",
        "Supported methods are: " + std::string(kSupportedMethods));
  }
  return std::nullopt;
}

MaybeValidationError ValidateHttpTarget(const Target& target, const Connection& connection) {
  if (auto error = ValidateHeaderMapping(target.header_mapping)) return error;
  if (auto error = ValidateTemplate(target.address, kOutboundPlaceholders)) return error;
  if (auto error = ValidateTargetAddress(target, connection)) return error;
  return ValidateExtraFields(target);
}

// HttpPushValidator#validateCredentials. Ditto checks only client-credentials; this service
// checks the password flow too (SPEC §3: OAuth token endpoints must be https), since it sends a
// password to the same endpoint.
MaybeValidationError ValidateTokenEndpointIsHttps(const Connection& connection,
                                                  const ValidationConfig& config) {
  if (!config.oauth2_enforce_https || !connection.credentials) return std::nullopt;
  const std::string* endpoint = nullptr;
  if (const auto* client = std::get_if<OAuthClientCredentials>(&*connection.credentials)) {
    endpoint = &client->token_endpoint;
  } else if (const auto* password = std::get_if<OAuthPasswordCredentials>(&*connection.credentials)) {
    endpoint = &password->token_endpoint;
  }
  if (endpoint == nullptr || ParseJavaUrl(*endpoint).protocol == "https") return std::nullopt;
  return ConnectionConfigurationInvalid(
      "The OAuth2 token endpoint must be accessed via HTTPS in order not to transmit the client "
      "secret in plain text.");
}

MaybeValidationError ValidateIdleTimeout(const Connection& connection, const ValidationConfig& config) {
  const std::string* configured = FindInStringMap(connection.specific_config, "idleTimeout");
  int64_t nanos = config.http_request_timeout_ms * 1'000'000;
  if (configured != nullptr) {
    const auto parsed = TypesafeDurationNanos("idleTimeout", *configured);
    if (const auto* problem = std::get_if<std::string>(&parsed)) {
      return ConnectionConfigurationInvalid("The configured value '" + *configured +
                                                "' of 'idleTimeout' is invalid: " + *problem,
                                            "Please adjust the timeout to be within the allowed range.");
    }
    nanos = std::get<int64_t>(parsed);
  }
  constexpr int64_t kMaxNanos = int64_t{60} * 1'000'000'000;
  if (nanos >= 0 && nanos <= kMaxNanos) return std::nullopt;
  const int64_t seconds = nanos / 1'000'000'000 - (nanos % 1'000'000'000 < 0 ? 1 : 0);
  return ConnectionConfigurationInvalid("Idle timeout '" + std::to_string(seconds) +
                                            "' is not within the allowed range of [0, 60] seconds.",
                                        "Please adjust the timeout to be within the allowed range.");
}

MaybeValidationError ValidateParallelism(const Connection& connection) {
  const std::string* configured = FindInStringMap(connection.specific_config, "parallelism");
  if (configured == nullptr) return std::nullopt;  // default 1
  const auto parsed = TypesafeInt("parallelism", *configured);
  const int32_t* value = std::get_if<int32_t>(&parsed);
  if (value != nullptr && *value > 0) return std::nullopt;
  return ConnectionConfigurationInvalid("The configured value '" +
                                        (value != nullptr ? std::to_string(*value) : *configured) +
                                        "' of 'parallelism' is invalid. It must be a positive integer.");
}

MaybeValidationError ValidateOmitRequestBody(const Connection& connection, const ValidationConfig& config) {
  const std::string* configured = FindInStringMap(connection.specific_config, "omitRequestBody");
  const std::vector<std::string> methods =
      configured != nullptr ? JavaSplit(*configured, ',') : config.http_omit_request_body_methods;
  for (const std::string& method : methods) {
    if (method.empty() || IsHttpMethod(method)) continue;
    return ConnectionConfigurationInvalid("The configured value '" + JavaListToString(methods) +
                                          "' of 'omitRequestBody' is invalid. It contains an invalid "
                                          "HTTP method: " + method);
  }
  return std::nullopt;
}

}  // namespace

MaybeValidationError ValidateHttpPush(const Connection& connection, const ValidationConfig& config) {
  if (auto error = ValidateUriScheme(connection, {"http", "https"}, {"https"}, "HTTP")) return error;
  if (!connection.sources.empty()) {
    return ConnectionConfigurationInvalid("A connection of type 'http-push' may not have any source.");
  }
  for (const Target& target : connection.targets) {
    if (auto error = ValidateHttpTarget(target, connection)) return error;
  }
  if (auto error = ValidatePayloadMappingReferences(connection, config)) return error;
  if (auto error = ValidateTokenEndpointIsHttps(connection, config)) return error;
  if (auto error = ValidateIdleTimeout(connection, config)) return error;
  if (auto error = ValidateParallelism(connection)) return error;
  return ValidateOmitRequestBody(connection, config);
}

}  // namespace connectivity::model
