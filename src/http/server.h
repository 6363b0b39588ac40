// HttpServer: the Pistache endpoint in front of the Router.
//
// Pistache is used only here. Limits from TOOLCHAIN.md §3 are set
// explicitly: the request buffer (well above --max-body-bytes, so ordinary
// oversized bodies reach the router's own 413), header/body/keep-alive
// timeouts. Handlers never block on fsync: the router answers writes from
// the journal's commit thread through a moved ResponseWriter.
#ifndef CONNECTIVITY_HTTP_SERVER_H_
#define CONNECTIVITY_HTTP_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "src/base/status.h"
#include "src/http/router.h"

namespace Pistache::Http {
class Endpoint;
}

namespace connectivity::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port (see port())
  int threads = 2;
  size_t body_bytes_max = 1 << 20;
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

 private:
  const ServerConfig config_;
  std::shared_ptr<const Router> router_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_SERVER_H_
