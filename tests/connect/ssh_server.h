// A real sshd (Debian's openssh-server) for the SSH tunnel tests, on a 127.0.0.1 port, started by
// the test: throw-away host and user keys in a private directory (PKCS#8 PEM for the user's key,
// the form Ditto's public-key credentials take), and a throw-away system user for password
// logins (useradd + chpasswd; sshd refuses password logins as root), removed again when the
// server object goes. Everything the server starts is stopped by PID.
//
// Needs root (useradd, sshd's privilege separation). Tests check ok() and skip with error()
// otherwise.
#ifndef CONNECTIVITY_TESTS_CONNECT_SSH_SERVER_H_
#define CONNECTIVITY_TESTS_CONNECT_SSH_SERVER_H_

#include <string>

namespace connectivity::connect::testing {

class SshServer {
 public:
  SshServer();
  ~SshServer();
  SshServer(const SshServer&) = delete;
  SshServer& operator=(const SshServer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string uri() const { return "ssh://127.0.0.1:" + std::to_string(port_); }

  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  const std::string& private_key_pem() const { return private_key_pem_; }
  const std::string& public_key_pem() const { return public_key_pem_; }
  // Of the host key, as "MD5:xx:xx:..." and "SHA256:<base64>".
  const std::string& host_md5() const { return host_md5_; }
  const std::string& host_sha256() const { return host_sha256_; }

  // sshd's log (LogLevel DEBUG1: forwards show as "server_request_direct_tcpip: ... target
  // 127.0.0.1 port N").
  std::string Log() const;
  // Forwards sshd opened to 127.0.0.1:`port` so far.
  int ForwardsTo(int port) const;

  // Stops the server and the sessions it serves (their tunnels break); Start() brings it back on
  // the same port.
  void Stop();
  bool Start();

 private:
  bool Prepare();
  bool CreateUser();

  std::string error_;
  std::string dir_;
  int port_ = 0;
  int pid_ = -1;
  std::string user_;
  std::string password_;
  bool user_created_ = false;
  std::string private_key_pem_;
  std::string public_key_pem_;
  std::string host_md5_;
  std::string host_sha256_;
};

}  // namespace connectivity::connect::testing

#endif  // CONNECTIVITY_TESTS_CONNECT_SSH_SERVER_H_
