// Goal: item 11 of REF §4.2 (Ditto's ResponseDiversionValidator): expected response types of a
// diversion source, the target connection id in `divert-response-to-connection`, the authorized
// senders of a diversion target, and no topics on a diversion target's targets.
// Method: ValidateConnection on amqp-10 connections with the diversion settings.
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

std::string WithSourceHeader(std::string_view key, std::string_view value) {
  return WithMember(BaseConnectionOfType("amqp-10"), "sources/0/headerMapping",
                    "{\"" + std::string(key) + "\":\"" + std::string(value) + "\"}");
}

TEST(ResponseDiversionTest, ExpectedResponseTypes) {
  std::string json = WithSourceHeader("divert-expected-response-types", "response, error,nack");
  ExpectValid(WithMember(json, "specificConfig", R"({"is-diversion-source":"true"})"));
  json = WithSourceHeader("divert-expected-response-types", "response,answer");
  ExpectValid(json);  // only checked for a diversion source
  ExpectError(WithMember(json, "specificConfig", R"({"is-diversion-source":"TRUE"})"), kConfigInvalid,
              "Invalid response type in <divert-expected-response-types>: answer. Valid types are: response, "
              "error, nack");
}

TEST(ResponseDiversionTest, TargetConnection) {
  ExpectValid(WithSourceHeader("divert-response-to-connection", "other-connection"));
  ExpectError(WithSourceHeader("divert-response-to-connection", " "), kConfigInvalid,
              "The divert-response-to-connection in headerMapping must not be empty");
  ExpectError(WithSourceHeader("divert-response-to-connection", "not valid!"), kConfigInvalid,
              "Invalid target connection ID format in divert-response-to-connection: not valid!");
  ExpectError(WithSourceHeader("divert-response-to-connection", "test-connection"), kConfigInvalid,
              "It is pointless to divert responses to the originating connection, it will receive the responses "
              "by default. Remove the divert-response-to-connection from the headerMapping of connection: "
              "test-connection");
}

TEST(ResponseDiversionTest, DiversionTarget) {
  std::string json = WithMember(BaseConnectionOfType("amqp-10"), "targets/0/topics", "[]");
  ExpectValid(WithMember(json, "specificConfig",
                         R"({"is-diversion-target":"true","authorized-connections-as-sources":"a, b-2"})"));
  ExpectError(WithMember(json, "specificConfig",
                         R"({"is-diversion-target":"true","authorized-connections-as-sources":"a,b c"})"),
              "connectivity:connection.id.invalid", "The Connection ID 'b c' is not valid.");
  ExpectError(WithMember(BaseConnectionOfType("amqp-10"), "specificConfig", R"({"is-diversion-target":"true"})"),
              kConfigInvalid,
              "Connection test-connection has topics configured in target ImmutableTarget [address=out, "
              "topics=[_/_/things/twin/events]] but isDiversionTarget is true. When isDiversionTarget is true, no "
              "topics must be configured in targets.");
}

}  // namespace
}  // namespace connectivity::model
