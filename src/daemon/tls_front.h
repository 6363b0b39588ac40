// TlsFront: TLS on the HTTP endpoint (issue 13 item 1), terminated by
// Debian's haproxy in front of the server, started and stopped with it.
//
// Why not in-process: Debian's Pistache runs SSL_accept on its single accept
// thread on a blocking socket with no timeout, so one client that connects
// and sends nothing stops every new connection; useSSLAuth always makes
// client certificates mandatory; and it has no minimum protocol version
// (TOOLCHAIN.md §10). haproxy handshakes on its event loop, so silent
// clients cost it a socket each and stall nobody.
//
// What it does: checks the files first in-process with OpenSSL (a clear
// error naming the flag for a missing or unreadable file, or a key that is
// not the certificate's), writes an haproxy configuration into a private
// temporary directory (mode 0700; the certificate and key joined into one
// file, mode 0600, as haproxy reads them; removed once haproxy has read
// them), and runs `haproxy -db` as a child that dies with this process
// (PR_SET_PDEATHSIG). haproxy binds the public --listen address with TLS 1.2
// or newer only (ssl-min-ver TLSv1.2), requires client certificates signed
// by --tls-client-ca when given (verify required), and forwards plain HTTP
// with keep-alive to the server on a loopback port, replacing any
// X-Forwarded-For with the client's address (the server trusts that header
// only in this mode: login throttling and logs see the real client).
// haproxy's own answers (a request it cannot parse, a timeout, the server
// down) are Ditto's error JSON.
//
// Threads: Start and Stop from the main thread.
#ifndef CONNECTIVITY_DAEMON_TLS_FRONT_H_
#define CONNECTIVITY_DAEMON_TLS_FRONT_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "src/base/status.h"

namespace connectivity::daemon {

struct TlsFrontOptions {
  std::string cert_file;       // --tls-cert: PEM chain, the server's first
  std::string key_file;        // --tls-key: PEM private key
  std::string client_ca_file;  // --tls-client-ca: empty = no client certificates
  std::string haproxy = "haproxy";
  std::string listen_host;     // the public address
  uint16_t listen_port = 0;    // 0: a free port is picked
  uint16_t backend_port = 0;   // the server's plain HTTP on 127.0.0.1
  int64_t request_timeout_s = 70;  // beyond the longest piggyback timeout (60 s)
};

// Checks the certificate, key and client CA files; an error names the flag.
Status CheckTlsFiles(const TlsFrontOptions& options);

class TlsFront {
 public:
  TlsFront() = default;
  ~TlsFront();  // Stop()
  TlsFront(const TlsFront&) = delete;
  TlsFront& operator=(const TlsFront&) = delete;

  // Checks the files, starts haproxy and waits until it accepts
  // connections on the public port (at most 10 s).
  Status Start(const TlsFrontOptions& options);
  // The public port haproxy serves TLS on (after Start).
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Stops haproxy (SIGTERM) and waits for it. Idempotent.
  void Stop();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;  // the private temporary directory, removed by Stop
};

}  // namespace connectivity::daemon

#endif  // CONNECTIVITY_DAEMON_TLS_FRONT_H_
