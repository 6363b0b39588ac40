// InProcessServer: journal + recovery + service + HTTP on a loopback port,
// in the test process, so a test can put a fault-injection file system under
// the journal and still drive the server over real HTTP.
#ifndef CONNECTIVITY_TESTS_SERVICE_IN_PROCESS_SERVER_H_
#define CONNECTIVITY_TESTS_SERVICE_IN_PROCESS_SERVER_H_

#include <memory>
#include <string>

#include "journal/journal.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/service/connection_service.h"

namespace connectivity::testing {

class InProcessServer {
 public:
  // Opens (or reopens) the data dir with `env` (null: the default Env).
  InProcessServer(const std::string& data_dir, rocksdb::Env* env);
  ~InProcessServer();

  bool ok() const { return error_.ok(); }
  const Status& error() const { return error_; }
  uint16_t port() const { return server_ ? server_->port() : 0; }
  service::ConnectionService& service() { return *service_; }
  journal::Journal& journal() { return *journal_; }

 private:
  Status error_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<service::ConnectionService> service_;
  std::shared_ptr<http::Router> router_;
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_SERVICE_IN_PROCESS_SERVER_H_
