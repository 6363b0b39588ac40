// Item 9 of REF §4.2: the SSH tunnel of a connection (Ditto's SshTunnelValidator). Ditto checks
// the tunnel whenever it is configured, enabled or not: URI, then credentials, then known hosts.
#include "src/model/certificates.h"
#include "src/model/connection_uri.h"
#include "src/model/validation.h"

namespace connectivity::model {
namespace {

// SshTunnelValidator#validateUri: every problem after the emptiness check is reported inside
// "The SSH server URI '<uri>' is not valid: <problem>".
std::optional<DittoError> ValidateTunnelUri(const std::string& uri, const HostValidator& hosts) {
  if (uri.empty()) return ConnectionConfigurationInvalid("The URI of the ssh server must not be empty.");
  std::string problem;
  const std::optional<ConnectionUri> parsed = ParseServerUri(uri);
  if (!parsed) {
    problem = "Malformed URI, expected the form ssh://{hostname}:{port}.";
  } else if (parsed->scheme != "ssh") {
    problem = "The scheme for the ssh endpoint must be 'ssh'.";
  } else if (std::optional<DittoError> blocked = hosts.Validate(parsed->host)) {
    problem = blocked->message;
  } else {
    return std::nullopt;
  }
  return ConnectionConfigurationInvalid("The SSH server URI '" + MaskUriPassword(uri) +
                                        "' is not valid: " + problem);
}

struct TunnelCredentialsVisitor {
  std::optional<DittoError> operator()(const UserPasswordCredentials& plain) const {
    if (plain.username.empty()) {
      return ConnectionConfigurationInvalid("SSH tunnel username must not be empty.");
    }
    if (plain.password.empty()) {
      return ConnectionConfigurationInvalid("SSH tunnel password must not be empty.");
    }
    return std::nullopt;
  }
  std::optional<DittoError> operator()(const SshPublicKeyCredentials& keys) const {
    return ValidateSshKeyPair(keys);
  }
  template <typename Other>
  std::optional<DittoError> operator()(const Other&) const {
    return std::nullopt;  // reported below by type name
  }
};

std::optional<DittoError> ValidateTunnelCredentials(const Credentials& credentials) {
  const bool supported = std::holds_alternative<UserPasswordCredentials>(credentials) ||
                         std::holds_alternative<SshPublicKeyCredentials>(credentials);
  if (!supported) {
    return ConnectionConfigurationInvalid("Credentials type " +
                                          std::string(CredentialsTypeName(credentials)) +
                                          " cannot be used for an ssh tunnel.");
  }
  return std::visit(TunnelCredentialsVisitor{}, credentials);
}

}  // namespace

std::optional<DittoError> ValidateSshTunnel(const SshTunnel& tunnel, const HostValidator& hosts) {
  if (auto error = ValidateTunnelUri(tunnel.uri, hosts)) return error;
  if (auto error = ValidateTunnelCredentials(tunnel.credentials)) return error;
  if (tunnel.validate_host && tunnel.known_hosts.empty()) {
    // Sic: Ditto's message lacks the space in "validationis".
    return ConnectionConfigurationInvalid(
        "Specify at least one fingerprint if host validationis enabled.");
  }
  return std::nullopt;
}

}  // namespace connectivity::model
