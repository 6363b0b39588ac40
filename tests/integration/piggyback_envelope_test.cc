// The piggyback envelope against the real server (REF §1, SPEC §4.1):
// aggregation and nesting, addressing (selections, instances), response-
// required, authentication, and malformed input of every kind getting a
// clear 4xx in Ditto's error JSON — never a 500.
#include <gtest/gtest.h>

#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

class PiggybackEnvelopeTest : public ServerTest {
 protected:
  HttpResponse Raw(const std::string& body, const std::string& path = "/devops/piggyback/connectivity",
                   const std::string& auth = "devops:foobar") {
    HttpRequestSpec spec;
    spec.method = "POST";
    spec.path = path;
    spec.body = body;
    spec.basic_auth = auth;
    spec.headers.push_back("Content-Type: text/plain");  // the route does not check it
    return Fetch(port(), spec);
  }
  std::string AllIds(const std::string& headers) {
    return R"({"targetActorSelection":"/user/connectivityRoot/connectionIdsRetrieval","headers":)" +
           headers + R"(,"piggybackCommand":{"type":"connectivity.commands:retrieveAllConnectionIds"}})";
  }
};

TEST_F(PiggybackEnvelopeTest, AggregateByDefaultNestsByServiceAndInstance) {
  const HttpResponse response = Raw(AllIds("{}"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            R"({"connectivity":{"0":{"type":"connectivity.responses:retrieveAllConnectionIds","status":200,"connectionIds":[]}}})");
}

TEST_F(PiggybackEnvelopeTest, AggregateFalseGivesTheBareAnswerAndAcceptsStrings) {
  EXPECT_EQ(Json(Raw(AllIds(R"({"aggregate":false})")).body).String("/type"),
            "connectivity.responses:retrieveAllConnectionIds");
  EXPECT_EQ(Json(Raw(AllIds(R"({"aggregate":"false"})")).body).String("/type"),
            "connectivity.responses:retrieveAllConnectionIds");
}

TEST_F(PiggybackEnvelopeTest, AllPiggybackPathsServe) {
  for (const char* path : {"/devops/piggyback", "/devops/piggyback/connectivity", "/devops/piggyback/connectivity/0"}) {
    EXPECT_EQ(Raw(AllIds(R"({"aggregate":false})"), path).status, 200) << path;
  }
}

TEST_F(PiggybackEnvelopeTest, OtherInstanceOrServiceGets408Null) {
  for (const char* path : {"/devops/piggyback/connectivity/7", "/devops/piggyback/things"}) {
    const HttpResponse response = Raw(AllIds("{}"), path);
    EXPECT_EQ(response.status, 408) << path;
    EXPECT_EQ(response.body, "null") << path;
  }
  const std::string body = R"({"targetActorSelection":"/user/connectivityRoot/connectionIdsRetrieval","headers":{},"instance":"9","piggybackCommand":{"type":"connectivity.commands:retrieveAllConnectionIds"}})";
  EXPECT_EQ(Raw(body, "/devops/piggyback").status, 408);
}

TEST_F(PiggybackEnvelopeTest, SingletonSuffixIsAccepted) {
  const std::string body = R"({"targetActorSelection":"/user/connectivityRoot/connectionIdsRetrieval/singleton","headers":{"aggregate":false},"piggybackCommand":{"type":"connectivity.commands:retrieveAllConnectionIds"}})";
  EXPECT_EQ(Json(Raw(body).body).Int("/status"), 200);
}

TEST_F(PiggybackEnvelopeTest, WrongSelectionGetsAskError) {
  const std::string body = R"({"targetActorSelection":"/system/sharding/connection","headers":{"aggregate":false},"piggybackCommand":{"type":"connectivity.commands:retrieveAllConnectionIds"}})";
  const HttpResponse response = Raw(body);
  EXPECT_EQ(response.status, 200);
  const Json json(response.body);
  EXPECT_EQ(json.String("/type"), "devops.responses:errorResponse");
  EXPECT_EQ(json.Int("/status"), 503);
  EXPECT_EQ(json.String("/payload/error"), "ask.error");
  EXPECT_NE(json.String("/payload/message").value_or("").find("/system/sharding/connection"), std::string::npos);
  const Json unknown(Raw(R"({"targetActorSelection":"/user/nothing","headers":{"aggregate":false},"piggybackCommand":{"type":"connectivity.commands:retrieveAllConnectionIds"}})").body);
  EXPECT_EQ(unknown.String("/payload/error"), "ask.error");
}

TEST_F(PiggybackEnvelopeTest, Ditto2CompatNestsEvenWithoutAggregate) {
  ServerOptions options;
  options.args = {"--piggyback-compat", "ditto2"};
  RestartServer(options);
  EXPECT_EQ(Json(Raw(AllIds(R"({"aggregate":false})")).body).String("/connectivity/0/type"),
            "connectivity.responses:retrieveAllConnectionIds");
}

TEST_F(PiggybackEnvelopeTest, ResponseRequiredFalseExecutesAndAnswers202) {
  const std::string body = R"({"targetActorSelection":"/system/sharding/connection","headers":{"response-required":false},"piggybackCommand":)" +
                           CreateCommand(MqttConnection("quiet")) + "}";
  const HttpResponse response = Raw(body);
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(Json(Retrieve("quiet").body).Int("/status"), 200);
}

TEST_F(PiggybackEnvelopeTest, AuthenticationFailuresAre401PlainText) {
  for (const char* auth : {"", "devops:wrong", "admin:foobar"}) {
    const HttpResponse response = Raw(AllIds("{}"), "/devops/piggyback/connectivity", auth);
    EXPECT_EQ(response.status, 401) << auth;
    EXPECT_EQ(response.Header("www-authenticate"), R"(Basic realm="DITTO-DEVOPS",charset=UTF-8)") << auth;
    EXPECT_EQ(response.Header("content-type").rfind("text/plain", 0), 0u) << auth;
  }
}

TEST_F(PiggybackEnvelopeTest, PasswordAndSecuredFlagFromEnvironment) {
  ServerOptions with_password;
  with_password.env = {{"DEVOPS_PASSWORD", "s3cret"}};
  RestartServer(with_password);
  EXPECT_EQ(Raw(AllIds("{}")).status, 401);
  EXPECT_EQ(Raw(AllIds("{}"), "/devops/piggyback/connectivity", "devops:s3cret").status, 200);
  ServerOptions unsecured;
  unsecured.env = {{"DEVOPS_SECURED", "false"}};
  RestartServer(unsecured);
  EXPECT_EQ(Raw(AllIds("{}"), "/devops/piggyback/connectivity", "").status, 200);
}

struct MalformedCase {
  const char* name;
  std::string body;
  long http_status;
  const char* error;
};

TEST_F(PiggybackEnvelopeTest, MalformedEnvelopesGetRealStatusAndDittoErrors) {
  const std::vector<MalformedCase> cases = {
      {"not json", "{nope", 400, "json.invalid"},
      {"empty", "", 400, "json.invalid"},
      {"array", "[1,2]", 400, "json.format.invalid"},
      {"no selection", R"({"headers":{},"piggybackCommand":{}})", 400, "json.field.missing"},
      {"no headers", R"({"targetActorSelection":"/x","piggybackCommand":{}})", 400, "json.field.missing"},
      {"no command", R"({"targetActorSelection":"/x","headers":{}})", 400, "json.field.missing"},
      {"selection number", R"({"targetActorSelection":5,"headers":{},"piggybackCommand":{}})", 400, "json.invalid"},
      {"headers array", R"({"targetActorSelection":"/x","headers":[],"piggybackCommand":{}})", 400, "json.invalid"},
      {"command string", R"({"targetActorSelection":"/x","headers":{},"piggybackCommand":"x"})", 400, "json.invalid"},
      {"timeout too long", R"({"targetActorSelection":"/x","headers":{"timeout":"2m"},"piggybackCommand":{}})", 400, "gateway:timeout.invalid"},
      {"timeout garbage", R"({"targetActorSelection":"/x","headers":{"timeout":"soon"},"piggybackCommand":{}})", 400, "header.invalid"},
      {"deep nesting", std::string(5000, '[') + std::string(5000, ']'), 400, "json.invalid"},
  };
  for (const MalformedCase& c : cases) {
    const HttpResponse response = Raw(c.body);
    EXPECT_EQ(response.status, c.http_status) << c.name << ": " << response.body;
    const Json json(response.body);
    EXPECT_EQ(json.String("/error"), c.error) << c.name << ": " << response.body;
    EXPECT_EQ(json.Int("/status"), c.http_status) << c.name;
  }
}

TEST_F(PiggybackEnvelopeTest, UnknownOrMissingTypeIsNotParsable) {
  const Json unknown(Send(R"({"type":"connectivity.commands:frobnicate"})").body);
  EXPECT_EQ(unknown.String("/type"), "devops.responses:errorResponse");
  EXPECT_EQ(unknown.Int("/status"), 400);
  EXPECT_EQ(unknown.String("/serviceName"), "connectivity");
  EXPECT_EQ(unknown.String("/instance"), "0");
  EXPECT_EQ(unknown.String("/payload/error"), "json.type.notparsable");
  EXPECT_EQ(unknown.String("/payload/message"),
            "ExecutePiggybackCommand with PiggybackCommand <connectivity.commands:frobnicate> cannot be "
            "executed by this service as there is no mapping strategy for it!");
  const Json missing(Send(R"({"connectionId":"x"})").body);
  EXPECT_EQ(missing.String("/payload/error"), "json.type.notparsable");
}

TEST_F(PiggybackEnvelopeTest, CommandParseErrorsAreWrappedAndPrefixed) {
  const Json missing(Send(R"({"type":"connectivity.commands:createConnection","connection":{"id":"x","connectionStatus":"closed","uri":"tcp://127.0.0.1:1883"}})").body);
  EXPECT_EQ(missing.String("/type"), "devops.responses:errorResponse");
  EXPECT_EQ(missing.String("/payload/error"), "json.field.missing");
  EXPECT_EQ(missing.String("/payload/message"),
            "Error when parsing Json type 'connectivity.commands:createConnection': JSON did not "
            "include required </connectionType> field!");
  const Json bad_id(Send(IdCommand("connectivity.commands:retrieveConnection", "no spaces allowed")).body);
  EXPECT_EQ(bad_id.String("/payload/error"), "connectivity:connection.id.invalid");
  EXPECT_EQ(bad_id.String("/payload/message"), "The Connection ID 'no spaces allowed' is not valid.");
  const Json no_id(Send(R"({"type":"connectivity.commands:deleteConnection"})").body);
  EXPECT_EQ(no_id.String("/payload/message"),
            "Error when parsing Json type 'connectivity.commands:deleteConnection': JSON did not "
            "include required </connectionId> field!");
}

TEST_F(PiggybackEnvelopeTest, NulCharacterIsAWrappedParseErrorAndNotPersisted) {
  for (const char* type : {"createConnection", "modifyConnection", "testConnection"}) {
    SCOPED_TRACE(type);
    const std::string command_type = std::string("connectivity.commands:") + type;
    const Json json(Send(Command(command_type, R"("connection":)" + MqttConnection("nul", R"(,"name":"a\u0000b")"))).body);
    EXPECT_EQ(json.String("/type"), "devops.responses:errorResponse");
    EXPECT_EQ(json.Int("/status"), 400);
    EXPECT_EQ(json.Int("/payload/status"), 400);
    EXPECT_EQ(json.String("/payload/error"), "json.invalid");
    EXPECT_EQ(json.String("/payload/message"), "Error when parsing Json type '" + command_type +
                                                   "': JSON contains a string with the forbidden character '\\u0000'");
  }
  EXPECT_EQ(Json(Retrieve("nul").body).Int("/status"), 404);
}

TEST_F(PiggybackEnvelopeTest, WrongTypesNeverEchoTheValue) {
  const Json json(Send(R"({"type":"connectivity.commands:createConnection","connection":"amqp://user:hunter2@127.0.0.1:5672"})").body);
  EXPECT_EQ(json.String("/payload/error"), "json.invalid");
  EXPECT_EQ(json.Raw("/payload").find("hunter2"), std::string::npos) << json.Raw("/payload");
}

TEST_F(PiggybackEnvelopeTest, TwoMebibyteBodyIs413AndNothingIsLost) {
  ASSERT_EQ(Json(Create(MqttConnection("kept")).body).Int("/status"), 201);
  const std::string big = CreateCommand(MqttConnection("big", R"(,"name":")" + std::string(2 << 20, 'x') + "\""));
  const HttpResponse response = Raw(R"({"targetActorSelection":"/system/sharding/connection","headers":{},"piggybackCommand":)" + big + "}");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(Json(response.body).Int("/status"), 413);
  EXPECT_EQ(Json(Retrieve("big").body).Int("/status"), 404);
  EXPECT_EQ(Json(Retrieve("kept").body).Int("/status"), 200);
}

TEST_F(PiggybackEnvelopeTest, OnlyPostIsRouted) {
  HttpRequestSpec spec;
  spec.path = "/devops/piggyback/connectivity";
  EXPECT_EQ(Fetch(port(), spec).status, 405);
}

TEST_F(PiggybackEnvelopeTest, HealthAndUnknownPaths) {
  HttpRequestSpec health;
  health.path = "/health";
  health.basic_auth = "";
  const HttpResponse up = Fetch(port(), health);
  EXPECT_EQ(up.status, 200);
  EXPECT_EQ(up.body, R"({"status":"UP"})");
  HttpRequestSpec unknown;
  unknown.path = "/nowhere";
  const HttpResponse missing = Fetch(port(), unknown);
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(Json(missing.body).valid());
}

}  // namespace
}  // namespace connectivity::testing
