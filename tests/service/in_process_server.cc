#include "tests/service/in_process_server.h"

#include "src/recovery/recovery.h"

namespace connectivity::testing {

InProcessServer::InProcessServer(const std::string& data_dir, rocksdb::Env* env) {
  journal::JournalOptions options;
  options.env = env;
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(data_dir, options);
  if (!journal.ok()) {
    error_ = journal.status();
    return;
  }
  journal_ = std::move(*journal);
  Result<recovery::Recovered> recovered = recovery::Recover(*journal_, *SystemClock::Instance());
  if (!recovered.ok()) {
    error_ = recovered.status();
    return;
  }
  service_ = std::make_unique<service::ConnectionService>(*journal_, std::move(*recovered),
                                                          service::ServiceOptions{}, *SystemClock::Instance());
  service_->Start();
  http::RouterConfig router_config;
  router_ = std::make_shared<http::Router>(router_config);
  api_ = std::make_unique<http::Api>(*service_, router_config);
  router_->Attach(api_.get());
  http::ServerConfig server_config;
  server_config.port = 0;
  server_config.threads = 4;
  server_ = std::make_unique<http::HttpServer>(server_config, router_);
  error_ = server_->Start();
}

InProcessServer::~InProcessServer() {
  if (router_) router_->Detach();
  if (journal_) journal_->Close();
  if (server_) server_->Shutdown();
  if (service_) service_->Stop();
  service_.reset();
  journal_.reset();
}

}  // namespace connectivity::testing
