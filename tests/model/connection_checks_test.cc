// Goal: every model-level check of REF §4.1 (plus SPEC §4.3's positivity rule) answers with
// Ditto's exact code, message and description, each shown next to a valid counterpart, and the
// checks fire in Ditto's order when a connection breaks several rules at once.
// Method: edit one member of a valid base connection per test and parse it.
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace connectivity::model {
namespace {

void ExpectError(const DittoError& error, std::string_view code, std::string_view message) {
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.error, code);
  EXPECT_EQ(error.message, message);
}

TEST(ConnectionChecksTest, BaseConnectionIsValid) {
  Connection connection = ParseValid(kBaseConnection);
  EXPECT_EQ(connection.id, "test-connection");
  EXPECT_EQ(connection.connection_type, ConnectionType::kAmqp091);
}

TEST(ConnectionChecksTest, MissingConnectionType) {
  DittoError error = ParseInvalid(WithoutMember(kBaseConnection, "connectionType"));
  ExpectError(error, "json.field.missing", "JSON did not include required </connectionType> field!");
  EXPECT_EQ(error.description, "Check if all required JSON fields were set.");
  // JSON null means "no value" in Ditto's JSON library.
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "connectionType", "null")),
              "json.field.missing", "JSON did not include required </connectionType> field!");
}

TEST(ConnectionChecksTest, MissingConnectionStatusUnlessDefaulted) {
  std::string json = WithoutMember(kBaseConnection, "connectionStatus");
  ExpectError(ParseInvalid(json), "json.field.missing",
              "JSON did not include required </connectionStatus> field!");
  ParseOptions options = PiggybackOptions();
  options.default_connection_status = "unknown";
  EXPECT_EQ(ParseValid(json, options).connection_status, "unknown");
  // A given status wins over the default.
  EXPECT_EQ(ParseValid(kBaseConnection, options).connection_status, "closed");
}

TEST(ConnectionChecksTest, MissingUriExceptForHono) {
  std::string json = WithoutMember(kBaseConnection, "uri");
  ExpectError(ParseInvalid(json), "json.field.missing", "JSON did not include required </uri> field!");
  Connection hono = ParseValid(WithMember(json, "connectionType", R"("hono")"));
  EXPECT_EQ(hono.uri, "");
}

TEST(ConnectionChecksTest, MissingIdOnlyWhenRequired) {
  std::string json = WithoutMember(kBaseConnection, "id");
  ExpectError(ParseInvalid(json), "json.field.missing", "JSON did not include required </id> field!");
  EXPECT_EQ(ParseValid(json, HttpPostOptions()).id, "");
}

TEST(ConnectionChecksTest, MissingTargetAddressAndEnforcementInput) {
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "targets/0/address", "null")),
              "json.field.missing", "JSON did not include required </address> field!");
  std::string enforcement = R"({"filters": ["{{ thing:id }}"]})";
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "sources/0/enforcement", enforcement)),
              "json.field.missing", "JSON did not include required </input> field!");
  ParseValid(WithMember(kBaseConnection, "sources/0/enforcement",
                        R"({"input": "{{ header:device_id }}"})"));
}

TEST(ConnectionChecksTest, WrongJsonTypesNameFieldAndType) {
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "sources", "{}")), "json.invalid",
              "Value for </sources> is not of type <JsonArray>!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "clientCount", R"("1")")), "json.invalid",
              "Value for </clientCount> is not of type <int>!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "clientCount", "1.5")), "json.invalid",
              "Value for </clientCount> is not of type <int>!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "failoverEnabled", "1")), "json.invalid",
              "Value for </failoverEnabled> is not of type <boolean>!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "sources/0/addresses", R"(["a", 1])")),
              "json.invalid", "Value for </sources/0/addresses/1> is not of type <String>!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "targets/0/qos", "[]")), "json.invalid",
              "Value for </targets/0/qos> is not of type <int>!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "specificConfig", "[]")), "json.invalid",
              "Value for </specificConfig> is not of type <JsonObject>!");
  // An integral value is an int however it is written (as in Ditto's JSON library).
  EXPECT_EQ(ParseValid(WithMember(kBaseConnection, "clientCount", "2.0")).client_count, 2);
}

TEST(ConnectionChecksTest, UnknownConnectionTypeAndStatus) {
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "connectionType", R"("amqp-0.9.1")")),
              "json.invalid", "Connection type <amqp-0.9.1> is invalid!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "connectionStatus", R"("opened")")),
              "json.invalid", "Connection status <opened> is invalid!");
  for (const char* status : {"open", "closed", "failed", "misconfigured", "unknown"}) {
    std::string value = std::string("\"") + status + "\"";
    EXPECT_EQ(ParseValid(WithMember(kBaseConnection, "connectionStatus", value)).connection_status,
              status);
  }
}

TEST(ConnectionChecksTest, InvalidId) {
  DittoError error = ParseInvalid(WithMember(kBaseConnection, "id", R"("my connection")"));
  ExpectError(error, "connectivity:connection.id.invalid",
              "The Connection ID 'my connection' is not valid.");
  EXPECT_EQ(error.description, "It must be conform to the regular expression: <[a-zA-Z0-9-_:]{1,100}>.");
  ParseValid(WithMember(kBaseConnection, "id", R"("a-Z_0:9")"));
  // An id in an HTTP body is checked too (the HTTP layer compares it with the path).
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "id", R"("")"), HttpPostOptions()),
              "connectivity:connection.id.invalid", "The Connection ID '' is not valid.");
}

TEST(ConnectionChecksTest, InvalidUriMasksPassword) {
  DittoError error = ParseInvalid(
      WithMember(kBaseConnection, "uri", R"("amqp://user:s3cr3t@127.0.0.1:5672/vhost?x=1")"));
  ExpectError(error, "connectivity:connection.uri.invalid",
              "The Connection URI 'amqp://user:*****@127.0.0.1:5672/vhost?x=1' has an invalid format.");
  EXPECT_EQ(error.description,
            "The accepted format is {protocol}://{username}:{password}@{hostname}:{port}/{path}");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "uri", R"("amqp://127.0.0.1")")),
              "connectivity:connection.uri.invalid",
              "The Connection URI 'amqp://127.0.0.1' has an invalid format.");
  // A blank URI passes the model (the service's scheme check rejects it later).
  EXPECT_EQ(ParseValid(WithMember(kBaseConnection, "uri", R"("  ")")).uri, "");
}

TEST(ConnectionChecksTest, UnknownTopic) {
  DittoError error = ParseInvalid(
      WithMember(kBaseConnection, "targets/0/topics", R"(["_/_/things/twin/evil"])"));
  ExpectError(error, "connectivity:topic.invalid",
              "The topic '_/_/things/twin/evil' could not be parsed.");
  EXPECT_EQ(error.description,
            "'Unknown topic: _/_/things/twin/evil' - check if the format is the expected one.");
}

TEST(ConnectionChecksTest, SourceOrTargetRequired) {
  std::string json = WithMember(WithMember(kBaseConnection, "sources", "[]"), "targets", "[]");
  ExpectError(ParseInvalid(json), "connectivity:connection.configuration.invalid",
              "Either a source or a target must be specified in the configuration of a connection!");
  EXPECT_EQ(ParseInvalid(json).description,
            "Make sure all required properties are set and valid in the configuration.");
  ParseValid(WithMember(kBaseConnection, "sources", "[]"));
  ParseValid(WithMember(kBaseConnection, "targets", "[]"));
}

TEST(ConnectionChecksTest, MissingAuthorizationContexts) {
  constexpr std::string_view kCode = "connectivity:connection.configuration.invalid";
  std::string sources_missing = WithMember(
      kBaseConnection, "sources",
      R"([{"addresses": ["a1", "a2"]}, {"addresses": ["a2", "a3"], "authorizationContext": []}])");
  ExpectError(ParseInvalid(sources_missing), kCode,
              "The Sources [a1, a2, a3] are missing an authorization context.");
  std::string targets_missing = WithMember(kBaseConnection, "targets/0/authorizationContext", "[]");
  ExpectError(ParseInvalid(targets_missing), kCode,
              "The Targets [target-address] are missing an authorization context.");
  std::string both = WithMember(sources_missing, "targets/0/authorizationContext", "[1]");
  ExpectError(ParseInvalid(both), kCode,
              "The Sources [a1, a2, a3] and Targets [target-address] are missing an "
              "authorization context.");
}

TEST(ConnectionChecksTest, ConnectionAnnouncementsNeedClientCountOne) {
  std::string json =
      WithMember(kBaseConnection, "targets/0/topics", R"(["_/_/connections/announcements"])");
  ParseValid(json);
  ExpectError(ParseInvalid(WithMember(json, "clientCount", "2")),
              "connectivity:connection.configuration.invalid",
              "Connection announcements (topic _/_/connections/announcements) can only be used "
              "with client count 1.");
  ParseValid(WithMember(kBaseConnection, "clientCount", "2"));
}

TEST(ConnectionChecksTest, ClientCountAndProcessorPoolSizeMustBePositive) {
  constexpr std::string_view kCode = "connectivity:connection.configuration.invalid";
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "clientCount", "0")), kCode,
              "The client count must be positive!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "clientCount", "-3")), kCode,
              "The client count must be positive!");
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "processorPoolSize", "0")), kCode,
              "The processor pool size must be positive!");
  Connection connection = ParseValid(WithMember(
      WithMember(kBaseConnection, "clientCount", "3"), "processorPoolSize", "5"));
  EXPECT_EQ(connection.client_count, 3);
  EXPECT_EQ(connection.processor_pool_size, 5);
}

TEST(ConnectionChecksTest, NulCharacterAnywhereIsRejected) {
  for (std::string_view path : {"name", "sources/0/headerMapping", "specificConfig"}) {
    std::string value = path == "name" ? R"("a\u0000b")" : R"({"k\u0000": "v"})";
    DittoError error = ParseInvalid(WithMember(kBaseConnection, path, value));
    ExpectError(error, "json.invalid",
                "JSON contains a string with the forbidden character '\\u0000'");
    EXPECT_EQ(error.description, "We do not accept any JSON strings containing the null character.");
  }
  ParseValid(WithMember(kBaseConnection, "name", R"("a\u0001b")"));
}

TEST(ConnectionChecksTest, MalformedJsonAndNonObjects) {
  for (std::string_view json : {"", "{", "{\"id\":}", "[]", "\"text\"", "42", "{} {}", "nul"}) {
    DittoError error = ParseInvalid(json);
    EXPECT_EQ(error.error, "json.invalid") << json;
    EXPECT_EQ(error.status, 400);
  }
  // Ditto reads the literal null as an empty object.
  ExpectError(ParseInvalid("null"), "json.field.missing",
              "JSON did not include required </connectionType> field!");
}

// Several problems at once: the first in Ditto's order wins (REF §4.1 where it is explicit).
TEST(ConnectionChecksTest, OrderOfChecks) {
  std::string json = WithMember(kBaseConnection, "id", R"("bad id")");
  json = WithMember(json, "connectionType", R"("nope")");
  EXPECT_EQ(ParseInvalid(json).message, "Connection type <nope> is invalid!");
  json = WithMember(json, "connectionType", R"("mqtt")");
  json = WithoutMember(json, "connectionStatus");
  EXPECT_EQ(ParseInvalid(json).error, "connectivity:connection.id.invalid");
  json = WithMember(json, "id", R"("good-id")");
  EXPECT_EQ(ParseInvalid(json).error, "json.field.missing");
  json = WithMember(json, "connectionStatus", R"("open")");
  json = WithMember(json, "uri", R"("tcp://127.0.0.1")");
  json = WithMember(json, "targets/0/topics", R"(["unknown"])");
  EXPECT_EQ(ParseInvalid(json).error, "connectivity:connection.uri.invalid");
  json = WithMember(json, "uri", R"("tcp://127.0.0.1:1883")");
  json = WithMember(json, "sources/0/authorizationContext", "[]");
  EXPECT_EQ(ParseInvalid(json).error, "connectivity:topic.invalid");
  json = WithMember(json, "targets/0/topics", "[]");
  json = WithMember(json, "clientCount", "0");
  EXPECT_EQ(ParseInvalid(json).message,
            "The Sources [source-address] are missing an authorization context.");
  json = WithMember(json, "sources/0/authorizationContext", R"(["ditto:inbound"])");
  EXPECT_EQ(ParseInvalid(json).message, "The client count must be positive!");
  // A wrong JSON type is found when its field is read, before the builder's checks.
  json = WithMember(json, "processorPoolSize", "true");
  EXPECT_EQ(ParseInvalid(json).error, "json.invalid");
}

TEST(ConnectionChecksTest, AcknowledgementLabelSyntax) {
  std::string json = WithMember(kBaseConnection, "targets/0/issuedAcknowledgementLabel", R"("ab")");
  DittoError error = ParseInvalid(json);
  ExpectError(error, "acknowledgement:label.invalid", "Acknowledgement label <ab> is invalid.");
  ParseValid(WithMember(kBaseConnection, "targets/0/issuedAcknowledgementLabel",
                        R"("{{connection:id}}:done")"));
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "sources/0/declaredAcks", R"(["a b c"])")),
              "acknowledgement:label.invalid", "Acknowledgement label <a b c> is invalid.");
}

TEST(ConnectionChecksTest, UnknownCredentialType) {
  DittoError error = ParseInvalid(WithMember(
      kBaseConnection, "credentials", R"({"type": "magic", "password": "s3cr3t"})"));
  ExpectError(error, "json.invalid", "Unknown credential type <magic>");
  EXPECT_EQ(error.ToJson().find("s3cr3t"), std::string::npos);
  ExpectError(ParseInvalid(WithMember(kBaseConnection, "credentials",
                                      R"({"type": "plain", "username": "u"})")),
              "json.field.missing", "JSON did not include required </password> field!");
}

// A connection nested in a larger document (the piggyback envelope) parses from its subtree.
TEST(ConnectionChecksTest, ParseConnectionTreeMatchesParseConnection) {
  std::string envelope = R"({"type":"connectivity.commands:createConnection","connection":)" +
                         std::string(kBaseConnection) + "}";
  JsonNode tree = ParseTree(envelope);
  auto parsed = ParseConnectionTree(std::move(*tree.Find("connection")), PiggybackOptions());
  ASSERT_TRUE(std::holds_alternative<Connection>(parsed));
  EXPECT_EQ(SerializeConnection(std::get<Connection>(parsed)),
            SerializeConnection(ParseValid(kBaseConnection)));
  JsonNode broken = ParseTree(WithMember(kBaseConnection, "name", R"("x\u0000")"));
  auto error = ParseConnectionTree(std::move(broken), PiggybackOptions());
  ASSERT_TRUE(std::holds_alternative<DittoError>(error));
  EXPECT_EQ(std::get<DittoError>(error).message,
            "JSON contains a string with the forbidden character '\\u0000'");
  EXPECT_EQ(std::get<DittoError>(ParseConnectionTree(JsonNode::Array(), {})).error, "json.invalid");
}

}  // namespace
}  // namespace connectivity::model
