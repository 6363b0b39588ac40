// An SSH tunnel of one connection, as Ditto's SshTunnelActor makes it (eclipse-ditto/ditto
// connectivity/service/.../messaging/tunnel/): a session with the SSH server of `sshTunnel.uri`
// (libssh), its host key checked against `knownHosts` when `validateHost` is set, authenticated
// with the tunnel's `plain` (password) or `public-key` credentials, and a local port forward:
// 127.0.0.1:<ephemeral> to the connection's host and port, through a direct-tcpip channel per
// local connection. The client then connects to the local end.
//
// Failures read as Ditto's test connection reports its tunnel's (the cause's message after
// "Cause: "): "Cause: Connection refused" (no SSH server), "Cause: Server key did not validate"
// (host key not in knownHosts), "Cause: No more authentication methods available" (credentials
// refused); FailureKind::kTunnel. Fingerprints are "MD5:<hex pairs>" (any case), "SHA1:<base64>"
// or "SHA256:<base64>" (without padding), as OpenSSH and Apache MINA print them; a fingerprint
// without a prefix is taken as SHA256.
//
// Threading: Establish() and Serve() run on the owner's thread, one after the other; Stop() may be
// called from any thread at any time and makes both return promptly. Not copyable.
#ifndef CONNECTIVITY_CONNECT_SSH_TUNNEL_H_
#define CONNECTIVITY_CONNECT_SSH_TUNNEL_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/connect/clients.h"

namespace connectivity::connect {

class SshTunnel {
 public:
  explicit SshTunnel(const ConnectTarget& target, SharedSettings settings);
  ~SshTunnel();
  SshTunnel(const SshTunnel&) = delete;
  SshTunnel& operator=(const SshTunnel&) = delete;

  // Connects to a checked address of the SSH server, checks its host key, authenticates and opens
  // the local listener, all before `deadline_us` (SteadyMicros). nullopt on success.
  std::optional<ConnectOutcome> Establish(int64_t deadline_us);
  int local_port() const { return local_port_; }

  // Forwards until `done()` holds or Stop() (nullopt), or until the SSH session breaks (the
  // cause, e.g. "the SSH session was closed"). `done` is asked at least every 20 ms.
  std::optional<std::string> Serve(const std::function<bool()>& done);
  // Ends Establish() and Serve() at once (the SSH socket is shut down); thread-safe.
  void Stop();

  // The last failed channel open ("Channel opening failure: ... Connection refused"), cleared.
  std::string TakeForwardError();

 private:
  class Impl;
  Impl* impl_;  // owned; the libssh session lives here (kept out of this header)
  int local_port_ = 0;
};

// True if the host key with these fingerprints ("MD5:..", "SHA1:..", "SHA256:..") matches one
// of `known_hosts` (Apache MINA's KeyUtils.checkFingerPrint rules, see above).
bool MatchesKnownHost(const std::vector<std::string>& fingerprints, const std::vector<std::string>& known_hosts);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_SSH_TUNNEL_H_
