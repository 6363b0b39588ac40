// Goal: the piggyback request is parsed without the service (piggyback_command.h), and what it
// echoes from a client stays valid JSON.
// Method: ParsePiggybackRequest on small requests; answers read back with simdjson.
#include "src/http/piggyback_command.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace connectivity::http {
namespace {

constexpr std::string_view kRetrieve =
    R"({"targetActorSelection":"/system/sharding/connection","headers":{},)"
    R"("piggybackCommand":{"type":"connectivity.commands:retrieveConnection","connectionId":"c1"}})";

HttpRequest Request(std::string_view body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/devops/piggyback/connectivity";
  request.body = std::string(body);
  return request;
}

bool IsJson(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(simdjson::padded_string(text)).get(root) == simdjson::SUCCESS;
}

TEST(PiggybackCommandTest, ParsesACommandWithoutExecutingIt) {
  auto parsed = ParsePiggybackRequest(Request(kRetrieve), "connectivity", std::nullopt, {});
  ASSERT_TRUE(std::holds_alternative<PiggybackRequest>(parsed));
  const PiggybackRequest& request = std::get<PiggybackRequest>(parsed);
  ASSERT_TRUE(std::holds_alternative<PiggybackCommand>(request.command));
  const PiggybackCommand& command = std::get<PiggybackCommand>(request.command);
  EXPECT_EQ(command.kind, PiggybackCommandKind::kRetrieve);
  EXPECT_EQ(command.connection_id, "c1");
  EXPECT_TRUE(request.nest);
}

// Found by the fuzz target `piggyback` (fuzz/corpus/piggyback/regression-query-not-utf8): the
// answer to `?timeout=%FF` quoted the byte 0xFF and was not UTF-8, so not JSON.
TEST(PiggybackCommandTest, AnInvalidHeaderFromTheQueryIsAnsweredInJson) {
  HttpRequest request = Request(kRetrieve);
  request.query = {{"timeout", "\xFF"}};
  auto parsed = ParsePiggybackRequest(request, "connectivity", std::nullopt, {});
  ASSERT_TRUE(std::holds_alternative<HttpAnswer>(parsed));
  const HttpAnswer& answer = std::get<HttpAnswer>(parsed);
  EXPECT_EQ(answer.status, 400);
  EXPECT_TRUE(IsJson(answer.body)) << answer.body;
  EXPECT_NE(answer.body.find("The value '\xEF\xBF\xBD' of the header 'timeout'"), std::string::npos)
      << answer.body;
}

}  // namespace
}  // namespace connectivity::http
