// Item 10 of REF §4.2: credentials (Ditto's CredentialsValidationVisitor). HMAC credentials only
// for amqp-10 and http-push, never together with URI user-info, with a configured algorithm;
// OAuth credentials only for http-push, with a URL as token endpoint (whose host passes the host
// rules) and RFC 6749 scopes. Whether the token endpoint is https is checked later, by the
// http-push validator.
#include <array>

#include "src/model/connection_uri.h"
#include "src/model/java_compat.h"
#include "src/model/validation.h"

namespace connectivity::model {
namespace {

std::optional<DittoError> ValidateHmac(const Connection& connection, const HmacCredentials& hmac,
                                       const ValidationConfig& config) {
  if (connection.connection_type != ConnectionType::kAmqp10 &&
      connection.connection_type != ConnectionType::kHttpPush) {
    return ConnectionConfigurationInvalid("HMAC credentials are not supported for the connection type.",
                                          "Only HTTP and AMQP 1.0 connections support HMAC credentials.");
  }
  if (UriHasUserInfo(connection.uri)) {
    return ConnectionConfigurationInvalid(
        "There are conflicting authentication mechanisms.",
        "HMAC credentials and URI userinfo may not be present at the same time.");
  }
  for (const std::string& algorithm : config.hmac_algorithms) {
    if (algorithm == hmac.algorithm) return std::nullopt;
  }
  std::string supported;
  for (const std::string& algorithm : JavaHashOrder(config.hmac_algorithms)) {
    supported += (supported.empty() ? "" : ", ") + algorithm;
  }
  return ConnectionConfigurationInvalid("Unsupported HMAC algorithm: " + hmac.algorithm,
                                        "Supported algorithms: " + supported);
}

bool IsScopeCharacter(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0x21 || (byte >= 0x23 && byte <= 0x5B) || (byte >= 0x5D && byte <= 0x7E);
}

// `^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$`
bool AreValidScopes(std::string_view scopes) {
  bool in_token = false;
  for (char c : scopes) {
    if (c == ' ') {
      if (!in_token) return false;
      in_token = false;
    } else if (IsScopeCharacter(c)) {
      in_token = true;
    } else {
      return false;
    }
  }
  return in_token;
}

std::optional<DittoError> ValidateOAuth(const Connection& connection, const std::string& endpoint,
                                        const std::string& scopes, const HostValidator& hosts) {
  if (connection.connection_type != ConnectionType::kHttpPush) {
    return ConnectionConfigurationInvalid(
        "OAuth client credentials are only supported for HTTP connection type.",
        "Only HTTP connections support OAuth client credentials.");
  }
  const JavaUrl url = ParseJavaUrl(endpoint);
  if (!url.error.empty()) {
    return ConnectionConfigurationInvalid("Invalid token endpoint '" + MaskUriPassword(endpoint) +
                                              "' provided: " + url.error,
                                          "Provide a valid URL as token endpoint.");
  }
  if (auto error = hosts.Validate(url.host)) return error;
  if (!AreValidScopes(scopes)) {
    DittoError error = ConnectionConfigurationInvalid(
        "Invalid format of requested scopes: " + scopes,
        "Provide scopes as space separated list (RFC6749 section 3.3).");
    error.href = "https://datatracker.ietf.org/doc/html/rfc6749#section-3.3";
    return error;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DittoError> ValidateCredentials(const Connection& connection,
                                              const ValidationConfig& config,
                                              const HostValidator& hosts) {
  if (!connection.credentials) return std::nullopt;
  const Credentials& credentials = *connection.credentials;
  if (const auto* hmac = std::get_if<HmacCredentials>(&credentials)) {
    return ValidateHmac(connection, *hmac, config);
  }
  if (const auto* oauth = std::get_if<OAuthClientCredentials>(&credentials)) {
    return ValidateOAuth(connection, oauth->token_endpoint, oauth->requested_scopes, hosts);
  }
  if (const auto* oauth = std::get_if<OAuthPasswordCredentials>(&credentials)) {
    return ValidateOAuth(connection, oauth->token_endpoint, oauth->requested_scopes, hosts);
  }
  return std::nullopt;  // client-cert, plain and public-key need nothing here
}

}  // namespace connectivity::model
