// Goal: item 12 of REF §4.2 for HTTP push: schemes, no sources, `<VERB>:<path>` targets with the
// supported verbs, header mapping and address placeholders, idleTimeout 0..60 s, parallelism > 0,
// omitRequestBody methods; each with a valid case and the exact error, in Ditto's order.
// Method: ValidateConnection on variations of BaseConnectionOfType("http-push").
#include <gtest/gtest.h>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

std::string Http() { return BaseConnectionOfType("http-push"); }

constexpr std::string_view kMethods = "Supported methods are: PUT, PATCH, POST, GET, DELETE";

TEST(HttpPushTest, UriScheme) {
  ExpectValid(WithMember(Http(), "uri", R"("http://127.0.0.1:80")"));
  ExpectError(WithMember(Http(), "uri", R"("ftp://127.0.0.1:21")"), "connectivity:connection.uri.invalid",
              "The URI scheme 'ftp' is not valid for HTTP.", "Accepted URI schemes are: http, https");
}

TEST(HttpPushTest, NoSources) {
  ExpectError(WithMember(Http(), "sources", R"([{"addresses":["any"],"authorizationContext":["x"]}])"),
              kConfigInvalid, "A connection of type 'http-push' may not have any source.", kDefaultDescription);
}

TEST(HttpPushTest, TargetAddress) {
  for (std::string_view valid : {"POST:/api", "PUT:/things/{{ thing:id }}", "GET:", "PATCH:/x", "DELETE:/y"}) {
    ExpectValid(WithMember(Http(), "targets/0/address", "\"" + std::string(valid) + "\""));
  }
  ExpectError(WithMember(Http(), "targets/0/address", R"("events")"), kConfigInvalid,
              "Target of address 'events' of connection 'test-connection': Target address has invalid format. "
              "Expect '<VERB>:/<path>', for example 'POST:/api'.",
              kMethods);
  ExpectError(WithMember(Http(), "targets/0/address", R"("HEAD:/x")"), kConfigInvalid,
              "Target of address 'HEAD:/x' of connection 'test-connection': The method 'HEAD' is not supported",
              kMethods);
  ExpectError(WithMember(Http(), "targets/0/address", R"("post:/x")"), kConfigInvalid,
              "Target of address 'post:/x' of connection 'test-connection': The method 'post' is not supported");
  // Placeholders are checked before the format.
  ExpectError(WithMember(Http(), "targets/0/address", R"("{{ nope:x }}")"), kConfigInvalid,
              "The placeholder 'nope:x' could not be resolved.");
}

TEST(HttpPushTest, IdleTimeout) {
  for (std::string_view valid : {"0", "60s", "1m", "500ms", "59.5s"}) {
    ExpectValid(WithMember(Http(), "specificConfig", R"({"idleTimeout":")" + std::string(valid) + "\"}"));
  }
  ExpectError(WithMember(Http(), "specificConfig", R"({"idleTimeout":"61s"})"), kConfigInvalid,
              "Idle timeout '61' is not within the allowed range of [0, 60] seconds.",
              "Please adjust the timeout to be within the allowed range.");
  ExpectError(WithMember(Http(), "specificConfig", R"({"idleTimeout":"60.5s"})"), kConfigInvalid,
              "Idle timeout '60' is not within the allowed range of [0, 60] seconds.");
  ExpectError(WithMember(Http(), "specificConfig", R"({"idleTimeout":"-1ms"})"), kConfigInvalid,
              "Idle timeout '-1' is not within the allowed range of [0, 60] seconds.");
  ExpectError(WithMember(Http(), "specificConfig", R"({"idleTimeout":"never"})"), kConfigInvalid,
              "The configured value 'never' of 'idleTimeout' is invalid: Invalid value at 'idleTimeout': No number "
              "in duration value 'never'");
  ValidationConfig config;
  config.http_request_timeout_ms = 120'000;  // the default must lie in the range, too
  ExpectError(Http(), kConfigInvalid, "Idle timeout '120' is not within the allowed range of [0, 60] seconds.",
              "*", config);
}

TEST(HttpPushTest, Parallelism) {
  ExpectValid(WithMember(Http(), "specificConfig", R"({"parallelism":"8"})"));
  ExpectError(WithMember(Http(), "specificConfig", R"({"parallelism":"0"})"), kConfigInvalid,
              "The configured value '0' of 'parallelism' is invalid. It must be a positive integer.");
  ExpectError(WithMember(Http(), "specificConfig", R"({"parallelism":"many"})"), kConfigInvalid,
              "The configured value 'many' of 'parallelism' is invalid. It must be a positive integer.");
}

TEST(HttpPushTest, OmitRequestBody) {
  ExpectValid(WithMember(Http(), "specificConfig", R"({"omitRequestBody":"GET,HEAD,OPTIONS"})"));
  ExpectValid(WithMember(Http(), "specificConfig", R"({"omitRequestBody":""})"));
  ExpectError(WithMember(Http(), "specificConfig", R"({"omitRequestBody":"GET,DELET,POST"})"), kConfigInvalid,
              "The configured value '[GET, DELET, POST]' of 'omitRequestBody' is invalid. It contains an invalid "
              "HTTP method: DELET");
  ValidationConfig config;
  config.http_omit_request_body_methods = {"GET", "get"};
  ExpectError(Http(), kConfigInvalid,
              "The configured value '[GET, get]' of 'omitRequestBody' is invalid. It contains an invalid HTTP "
              "method: get",
              "*", config);
}

TEST(HttpPushTest, OrderOfChecks) {
  // Targets before the OAuth endpoint before the specificConfig.
  std::string json = WithMember(Http(), "specificConfig", R"({"parallelism":"0"})");
  json = WithMember(json, "credentials",
                    R"({"type":"oauth-client-credentials","tokenEndpoint":"http://127.0.0.1/t","clientId":"c",)"
                    R"("clientSecret":"s","requestedScopes":"a"})");
  ExpectError(WithMember(json, "targets/0/address", R"("x")"), kConfigInvalid,
              "Target of address 'x' of connection 'test-connection': Target address has invalid format. Expect "
              "'<VERB>:/<path>', for example 'POST:/api'.");
  ExpectError(json, kConfigInvalid,
              "The OAuth2 token endpoint must be accessed via HTTPS in order not to transmit the client secret in "
              "plain text.");
}

}  // namespace
}  // namespace connectivity::model
