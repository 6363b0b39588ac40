// Fuzz target `piggyback`: the body of POST /devops/piggyback/connectivity, as
// src/http/piggyback_command.cc parses it (json_input.cc: simdjson with a depth limit; the
// envelope, its headers and query parameters; every command type with its members: connection
// ids, the connection of create/modify/test, selectedFields, historical-query and timeout
// headers; the targetActorSelection), then what execution does with the parsed values short of
// the service: the answers' JSON, the connection's validation and serialisation, the field
// selector applied to a stored connection.
//
// Input: an optional first line `?<query string>` (split at '&' and '=' and percent-decoded, as
// server.cc does with what Pistache hands over), then the request body.
// Properties, beyond "no crash, no sanitizer report":
//   - an answer of stages 1-2 is a 4xx (408 `null` for another addressee) with a JSON body;
//   - an error of stages 3-4 is a 4xx, or the 503 ask.error of a selection that serves nobody;
//   - every answer and error response is valid JSON (messages echo client input).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz/fuzz_support.h"
#include "src/http/command_responses.h"
#include "src/http/piggyback_command.h"
#include "src/model/validation.h"
#include "src/projector/stored_connection.h"

namespace connectivity::fuzz {
namespace {

constexpr std::string_view kStoredJson =
    R"({"id":"fuzz","name":null,"connectionType":"mqtt","connectionStatus":"closed",)"
    R"("uri":"tcp://127.0.0.1:1883","sources":[{"addresses":["a/#"],"consumerCount":1,"qos":1,)"
    R"("authorizationContext":["ditto:inbound"],"headerMapping":{}}],"targets":[],)"
    R"("clientCount":1,"failoverEnabled":true,"validateCertificates":true,)"
    R"("processorPoolSize":1,"tags":["t"]})";

void ExpectJson(std::string_view text, std::string_view what) {
  static simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  simdjson::dom::element root;
  Expect(parser.parse(padded).get(root) == simdjson::SUCCESS, what, text);
}

void UseCommand(const http::PiggybackCommand& command) {
  static const model::ValidationConfig kValidation;
  if (command.connection) {
    if (auto error = model::ValidateConnection(*command.connection, kValidation)) {
      ExpectClientError(*error, "a parsed connection's validation fails with a 4xx");
      ExpectJson(http::DevOpsErrorResponse("0", *error), "an error response is JSON");
    }
    const std::string json = model::SerializeConnection(*command.connection);
    ExpectJson(http::ConnectionResponse("connectivity.responses:createConnection", 201, json),
               "a connection response is JSON");
  }
  if (command.selector) {
    projector::ConnectionState state;
    state.id = "fuzz";
    state.revision = 1;
    state.connection_revision = 1;
    state.json = kStoredJson;
    ExpectJson(command.selector->Apply(projector::StoredJsonWithHiddenFields(state)),
               "a selection of a stored connection is JSON");
  }
  ExpectJson(http::ConnectionIdResponse(command.type, 200, command.connection_id), "an id response is JSON");
  ExpectJson(http::StringListResponse(command.type, 200, "connectionIds", {command.tag}),
             "a list response is JSON");
}

void FuzzRequest(const http::HttpRequest& request, const std::optional<std::string>& path_service,
                 const std::optional<std::string>& path_instance) {
  static const http::PiggybackConfig kConfig;
  auto parsed = http::ParsePiggybackRequest(request, path_service, path_instance, kConfig);
  if (auto* answer = std::get_if<http::HttpAnswer>(&parsed)) {
    Expect(answer->status >= 400 && answer->status < 500, "an envelope answer is a 4xx", answer->body);
    ExpectJson(answer->body, "an envelope answer is JSON");
    return;
  }
  const http::PiggybackRequest& piggyback = std::get<http::PiggybackRequest>(parsed);
  if (auto* error = std::get_if<model::DittoError>(&piggyback.command)) {
    Expect((error->status >= 400 && error->status < 500) || error->error == "ask.error",
           "a command error is a 4xx or ask.error", error->ToJson());
    ExpectJson(http::DevOpsErrorResponse(kConfig.instance, *error), "an error response is JSON");
    return;
  }
  UseCommand(std::get<http::PiggybackCommand>(piggyback.command));
}

std::vector<std::pair<std::string, std::string>> Query(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> query;
  while (!text.empty()) {
    const size_t end = std::min(text.find('&'), text.size());
    const std::string_view piece = text.substr(0, end);
    const size_t equals = std::min(piece.find('='), piece.size());
    query.emplace_back(http::PercentDecode(piece.substr(0, equals), true),
                       http::PercentDecode(piece.substr(std::min(equals + 1, piece.size())), true));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return query;
}

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  std::string_view input = fuzz::AsText(data, size);
  http::HttpRequest request;
  request.method = "POST";
  if (!input.empty() && input.front() == '?') {
    const size_t line_end = std::min(input.find('\n'), input.size());
    request.query = fuzz::Query(input.substr(1, line_end - 1));
    input.remove_prefix(std::min(line_end + 1, input.size()));
  }
  request.body = std::string(input);
  request.path = "/devops/piggyback/connectivity";
  fuzz::FuzzRequest(request, "connectivity", std::nullopt);
  // The same on /devops/piggyback, where the envelope's serviceName and instance count.
  request.path = "/devops/piggyback";
  fuzz::FuzzRequest(request, std::nullopt, std::nullopt);
  return 0;
}
