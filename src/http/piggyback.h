// The DevOps piggyback endpoint (REF §1, §2; SPEC §4.1):
// POST /devops/piggyback[/connectivity[/{instance}]].
//
// Order of checks, as Ditto's gateway and connectivity service apply them:
//   1. addressing: a path or body naming another service or instance is
//      answered 408 with body `null` (nobody else answers here);
//   2. envelope (gateway): JSON, object, required fields, header values ->
//      plain error JSON with its real HTTP status;
//   3. command parsing (service): unknown type, json.* errors (prefixed
//      "Error when parsing Json type '<type>': "), invalid ids, model-level
//      connection checks -> devops.responses:errorResponse, HTTP 200;
//   4. targetActorSelection: a selection that does not serve the command ->
//      errorResponse with 503 ask.error naming the selection, HTTP 200;
//   5. execution: the command response or a bare error JSON, HTTP 200.
// Answers of 3-5 are nested as {"connectivity":{"<instance>":...}} unless
// header aggregate=false (and not in ditto2 compatibility mode).
// Stages 1-4 are parsing (piggyback_command.h); this file executes the command.
#ifndef CONNECTIVITY_HTTP_PIGGYBACK_H_
#define CONNECTIVITY_HTTP_PIGGYBACK_H_

#include <optional>
#include <string>

#include "src/http/http_types.h"
#include "src/http/piggyback_command.h"
#include "src/service/connection_service.h"

namespace connectivity::http {

class PiggybackApi {
 public:
  PiggybackApi(service::ConnectionService& service, PiggybackConfig config)
      : service_(service), config_(std::move(config)) {}

  // `path_service` / `path_instance`: the optional path segments after /devops/piggyback.
  void Handle(const HttpRequest& request, std::optional<std::string> path_service,
              std::optional<std::string> path_instance, Respond respond);

 private:
  service::ConnectionService& service_;
  const PiggybackConfig config_;
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_PIGGYBACK_H_
