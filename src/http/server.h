// HttpServer: the Pistache endpoint in front of the Router.
//
// Pistache is used only here. Its request parser is kept, but the bytes reach it only through
// RequestFramer (request_framing.h): every request's framing is checked and bounded first, and
// every limit is answered in Ditto's error JSON. The connections, their timeouts and admission
// are ConnectionTable's (connection_table.h); Pistache's own header, body and keep-alive
// timeouts are set out of reach. HTTP/1.1 connections are persistent unless the client asks for
// `Connection: close`, and every answer's `Connection` header says what the server does. A
// request pipelined behind another is not parsed: the first is answered with `Connection: close`
// and the connection closed after it (Pistache's parser cannot keep the bytes after a request).
// Handlers never block on fsync: the router answers writes from the journal's completion thread
// through a moved ResponseWriter.
#ifndef CONNECTIVITY_HTTP_SERVER_H_
#define CONNECTIVITY_HTTP_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "src/base/status.h"
#include "src/http/connection_table.h"
#include "src/http/router.h"

namespace Pistache::Http {
class Endpoint;
}

namespace connectivity::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port (see port())
  int threads = 2;
  // Connections, timeouts and the framing limits (request line, header section, body).
  ConnectionLimits limits;
  // With the TLS front (src/daemon/tls_front.h) every connection comes from
  // it: a request's client address is then the last X-Forwarded-For entry,
  // which the front appends. Never trusted otherwise.
  bool trust_forwarded_for = false;
};

class HttpServer {
 public:
  HttpServer(ServerConfig config, std::shared_ptr<const Router> router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on background threads.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting and closes connections. Idempotent.
  void Shutdown();

  // Open HTTP connections, connections refused over --max-connections, 408s sent (for /metrics).
  const ConnectionTable& connections() const { return *table_; }

 private:
  const ServerConfig config_;
  std::shared_ptr<const Router> router_;
  std::shared_ptr<ConnectionTable> table_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_SERVER_H_
