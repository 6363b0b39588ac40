// The REST API under /api/2/connections (REF §9, SPEC §4.2): CRUD with
// generated ids and upserts, commands, status/metrics/logs, conditional
// requests, and history. Errors carry their real HTTP status.
#ifndef CONNECTIVITY_HTTP_REST_H_
#define CONNECTIVITY_HTTP_REST_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/http/http_types.h"
#include "src/service/connection_service.h"

namespace connectivity::http {

class RestApi {
 public:
  // `instance`: this service's instance id, shown in synthetic statuses.
  RestApi(service::ConnectionService& service, std::string instance)
      : service_(service), instance_(std::move(instance)) {}

  // `segments`: the path segments after /api/2/connections.
  void Handle(const HttpRequest& request, const std::vector<std::string_view>& segments,
              Respond respond);

 private:
  void HandleCollection(const HttpRequest& request, Respond respond);
  void HandleConnection(const HttpRequest& request, const std::string& id, Respond respond);
  void HandleSubresource(const HttpRequest& request, const std::string& id,
                         std::string_view resource, Respond respond);

  void List(const HttpRequest& request, Respond respond);
  void Create(const HttpRequest& request, Respond respond);
  void DryRun(const HttpRequest& request, Respond respond);
  void Retrieve(const HttpRequest& request, const std::string& id, Respond respond);
  void Put(const HttpRequest& request, const std::string& id, Respond respond);
  void Delete(const HttpRequest& request, const std::string& id, Respond respond);
  void Command(const HttpRequest& request, const std::string& id, Respond respond);
  void Metrics(const HttpRequest& request, const std::string& id, Respond respond);
  void Status(const HttpRequest& request, const std::string& id, Respond respond);
  void Logs(const HttpRequest& request, const std::string& id, Respond respond);
  void History(const HttpRequest& request, const std::string& id, Respond respond);

  service::ConnectionService& service_;
  const std::string instance_;
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_REST_H_
