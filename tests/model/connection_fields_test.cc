// Goal: each field rule of REF §3.1-3.8 and the legacy migrations of REF §6.3 hold: defaults,
// emitted-only-if rules, set semantics, coercions, migrations and Ditto's JSON quirks.
// Method: parse small variations of a valid connection and look at the typed result or at the
// member in SerializeConnection's output.
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"

namespace connectivity::model {
namespace {

std::string Serialized(std::string_view json) { return SerializeConnection(ParseValid(json)); }

TEST(ConnectionFieldsTest, DefaultsAreMaterialised) {
  std::string out = Serialized(kBaseConnection);
  EXPECT_EQ(MemberJson(out, "name"), "null");
  EXPECT_EQ(MemberJson(out, "clientCount"), "1");
  EXPECT_EQ(MemberJson(out, "failoverEnabled"), "true");
  EXPECT_EQ(MemberJson(out, "validateCertificates"), "true");
  EXPECT_EQ(MemberJson(out, "processorPoolSize"), "1");
  EXPECT_EQ(MemberJson(out, "tags"), "[]");
  EXPECT_EQ(MemberJson(out, "sources/0/consumerCount"), "1");
  EXPECT_EQ(MemberJson(out, "targets/0/headerMapping"), "{}");
  for (std::string_view absent : {"specificConfig", "mappingDefinitions", "credentials", "ca",
                                  "sshTunnel", "sources/0/qos", "targets/0/payloadMapping"}) {
    EXPECT_EQ(MemberJson(out, absent), "<absent>") << absent;
  }
}

TEST(ConnectionFieldsTest, NonObjectSourcesAndTargetsAreSkippedKeepingIndex) {
  std::string json = WithMember(kBaseConnection, "sources",
                                R"([1, "x", null, {"addresses": [], "authorizationContext": ["s"]}])");
  json = WithMember(json, "targets", R"([true, {"address": "t", "authorizationContext": ["s"]}])");
  Connection connection = ParseValid(json);
  ASSERT_EQ(connection.sources.size(), 1u);
  EXPECT_EQ(connection.sources[0].index, 3);
  ASSERT_EQ(connection.targets.size(), 1u);
  EXPECT_EQ(connection.targets[0].address, "t");
}

TEST(ConnectionFieldsTest, SetsDropDuplicatesAndKeepOrder) {
  std::string json = WithMember(kBaseConnection, "sources/0/addresses", R"(["b", "a", "b", "c"])");
  json = WithMember(json, "tags", R"(["t2", 5, "t1", "t2", null, "t3"])");
  json = WithMember(json, "targets/0/topics",
                    R"(["_/_/things/live/events", "_/_/things/twin/events", "_/_/things/live/events"])");
  Connection connection = ParseValid(json);
  EXPECT_EQ(connection.sources[0].addresses, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(connection.tags, (std::vector<std::string>{"t2", "t1", "t3"}));
  EXPECT_EQ(connection.targets[0].topics.size(), 2u);
}

TEST(ConnectionFieldsTest, HeaderMappingKeepsOrderAndDropsNonStrings) {
  std::string json = WithMember(kBaseConnection, "targets/0/headerMapping",
                                R"({"z": "1", "a": 2, "m": "3", "b": null, "z": "4"})");
  // A duplicate key keeps its first position and its last value (Ditto's JSON objects).
  EXPECT_EQ(MemberJson(Serialized(json), "targets/0/headerMapping"), R"({"z":"4","m":"3"})");
}

TEST(ConnectionFieldsTest, SpecificConfigValuesBecomeStrings) {
  std::string json = WithMember(
      kBaseConnection, "specificConfig",
      R"({"s": "x", "n": 2, "d": 1.50, "b": true, "z": null, "o": {"k": [1, "v"]}, "a": [ ]})");
  EXPECT_EQ(MemberJson(Serialized(json), "specificConfig"),
            R"({"s":"x","n":"2","d":"1.50","b":"true","z":"null","o":"{\"k\":[1,\"v\"]}","a":"[]"})");
  EXPECT_EQ(MemberJson(Serialized(WithMember(kBaseConnection, "specificConfig", "{}")),
                       "specificConfig"),
            "<absent>");
}

TEST(ConnectionFieldsTest, MappingDefinitionsKeepOptionsVerbatim) {
  std::string json = WithMember(kBaseConnection, "mappingDefinitions", R"({
      "js": {"mappingEngine": "JavaScript",
             "options": {"incomingScript": "function a() { return \"x\"; }", "n": 1.0, "e": {}},
             "incomingConditions": {"c": true}},
      "skipped": 5})");
  EXPECT_EQ(MemberJson(Serialized(json), "mappingDefinitions"),
            R"({"js":{"mappingEngine":"JavaScript","options":{"incomingScript":"function a() { )"
            R"(return \"x\"; }","n":1.0,"e":{}},"incomingConditions":{"c":"true"}}})");
  EXPECT_EQ(ParseInvalid(WithMember(kBaseConnection, "mappingDefinitions",
                                    R"({"js": {"mappingEngine": "JavaScript"}})"))
                .message,
            "JSON did not include required </options> field!");
}

TEST(ConnectionFieldsTest, LegacyMappingContextBecomesJavascriptDefinition) {
  std::string json = WithMember(kBaseConnection, "mappingContext",
                                R"({"mappingEngine": "JavaScript", "options": {"a": "b"}})");
  json = WithMember(json, "sources/0/payloadMapping", R"(["Ditto"])");
  Connection connection = ParseValid(json);
  ASSERT_EQ(connection.mapping_definitions.size(), 1u);
  EXPECT_EQ(connection.mapping_definitions[0].first, "javascript");
  EXPECT_EQ(connection.mapping_definitions[0].second.options_json, R"({"a":"b"})");
  EXPECT_EQ(connection.sources[0].payload_mapping, (std::vector<std::string>{"Ditto", "javascript"}));
  EXPECT_EQ(connection.targets[0].payload_mapping, (std::vector<std::string>{"javascript"}));
  EXPECT_EQ(MemberJson(SerializeConnection(connection), "mappingContext"), "<absent>");
}

TEST(ConnectionFieldsTest, CredentialsAreKeptCompleteByType) {
  std::string json = WithMember(kBaseConnection, "credentials",
                                R"({"password": "p", "type": "plain", "username": "u", "x": 1})");
  EXPECT_EQ(MemberJson(Serialized(json), "credentials"),
            R"({"type":"plain","username":"u","password":"p"})");
  json = WithMember(kBaseConnection, "credentials",
                    R"({"type": "hmac", "algorithm": "aws4-hmac-sha256",
                        "parameters": {"region": "eu", "secretKey": "k"}})");
  EXPECT_EQ(MemberJson(Serialized(json), "credentials"),
            R"({"type":"hmac","algorithm":"aws4-hmac-sha256","parameters":{"region":"eu","secretKey":"k"}})");
  json = WithMember(kBaseConnection, "credentials",
                    R"({"type": "oauth-password", "tokenEndpoint": "https://127.0.0.1/token",
                        "clientId": "c", "requestedScopes": "s", "username": "u", "password": "p"})");
  EXPECT_EQ(MemberJson(Serialized(json), "credentials"),
            R"({"type":"oauth-password","tokenEndpoint":"https://127.0.0.1/token","clientId":"c",)"
            R"("requestedScopes":"s","username":"u","password":"p"})");
  json = WithMember(kBaseConnection, "credentials", R"({"type": "client-cert"})");
  EXPECT_EQ(MemberJson(Serialized(json), "credentials"), R"({"type":"client-cert"})");
}

TEST(ConnectionFieldsTest, BlankCaIsAbsent) {
  EXPECT_FALSE(ParseValid(WithMember(kBaseConnection, "ca", R"(" \n ")")).ca.has_value());
  EXPECT_EQ(ParseValid(WithMember(kBaseConnection, "ca", R"("PEM")")).ca, "PEM");
}

TEST(ConnectionFieldsTest, SshTunnelFieldsAreRequired) {
  std::string tunnel = R"({"enabled": true, "credentials": {"type": "public-key", "username": "u",
      "publicKey": "pub", "privateKey": "priv"}, "validateHost": true,
      "knownHosts": ["MD5:e0:3a"], "uri": "ssh://127.0.0.1:22"})";
  EXPECT_EQ(MemberJson(Serialized(WithMember(kBaseConnection, "sshTunnel", tunnel)), "sshTunnel"),
            R"({"enabled":true,"credentials":{"type":"public-key","username":"u","publicKey":"pub",)"
            R"("privateKey":"priv"},"validateHost":true,"knownHosts":["MD5:e0:3a"],)"
            R"("uri":"ssh://127.0.0.1:22"})");
  for (std::string_view field : {"enabled", "credentials", "validateHost", "uri"}) {
    std::string json = WithMember(kBaseConnection, "sshTunnel", tunnel);
    json = WithMember(json, "sshTunnel/" + std::string(field), "null");
    EXPECT_EQ(ParseInvalid(json).message,
              "JSON did not include required </" + std::string(field) + "> field!");
  }
}

TEST(ConnectionFieldsTest, ReplyTargetMigrationDependsOnType) {
  std::string amqp = Serialized(WithMember(kBaseConnection, "sources/0/headerMapping",
                                           R"({"x": "1", "content-type": "mine"})"));
  EXPECT_EQ(MemberJson(amqp, "sources/0/headerMapping"),
            R"({"correlation-id":"{{header:correlation-id}}","content-type":"mine",)"
            R"("reply-to":"{{header:reply-to}}","x":"1"})");
  EXPECT_EQ(MemberJson(amqp, "sources/0/replyTarget"),
            R"({"address":"{{header:reply-to}}","headerMapping":{"correlation-id":)"
            R"("{{header:correlation-id}}","content-type":"{{header:content-type}}"},)"
            R"("expectedResponseTypes":["response","error"],"enabled":true})");
  std::string mqtt = Serialized(WithMember(kBaseConnection, "connectionType", R"("mqtt")"));
  EXPECT_EQ(MemberJson(mqtt, "sources/0/headerMapping"), "{}");
  EXPECT_EQ(MemberJson(mqtt, "sources/0/replyTarget"),
            R"({"address":"{{header:reply-to}}","headerMapping":{},)"
            R"("expectedResponseTypes":["response","error"],"enabled":true})");
}

TEST(ConnectionFieldsTest, ReplyTargetFields) {
  // Unknown response types are dropped, names are case-insensitive, `enabled` comes last.
  std::string json = WithMember(kBaseConnection, "sources/0/replyTarget",
                                R"({"enabled": false, "expectedResponseTypes": ["NACK", "bogus",
                                    "nack", "error"], "address": "a"})");
  EXPECT_EQ(MemberJson(Serialized(json), "sources/0/replyTarget"),
            R"({"address":"a","headerMapping":{},"expectedResponseTypes":["nack","error"],"enabled":false})");
  // Disabled without a reply target: only `enabled`, and no migration.
  json = WithMember(kBaseConnection, "sources/0/replyTarget", R"({"enabled": false})");
  std::string out = Serialized(json);
  EXPECT_EQ(MemberJson(out, "sources/0/replyTarget"), R"({"enabled":false})");
  EXPECT_EQ(MemberJson(out, "sources/0/headerMapping"), "{}");
  // A reply target without address is ignored, so the default one is synthesised.
  json = WithMember(kBaseConnection, "sources/0/replyTarget", R"({"headerMapping": {"a": "b"}})");
  EXPECT_EQ(MemberJson(Serialized(json), "sources/0/replyTarget/address"),
            R"("{{header:reply-to}}")");
}

TEST(ConnectionFieldsTest, SourceOptionalMembers) {
  std::string json = WithMember(kBaseConnection, "sources/0/acknowledgementRequests",
                                R"({"includes": ["ack-one", 5, "ack-one"], "filter": "f"})");
  json = WithMember(json, "sources/0/declaredAcks", R"(["test-connection:done"])");
  json = WithMember(json, "sources/0/payloadMapping", R"(["Ditto", 1, "Ditto"])");
  std::string out = Serialized(json);
  EXPECT_EQ(MemberJson(out, "sources/0/acknowledgementRequests"), R"({"includes":["ack-one"],"filter":"f"})");
  EXPECT_EQ(MemberJson(out, "sources/0/declaredAcks"), R"(["test-connection:done"])");
  EXPECT_EQ(MemberJson(out, "sources/0/payloadMapping"), R"(["Ditto","Ditto"])");
}

TEST(ConnectionFieldsTest, UriIsStoredInAsciiForm) {
  Connection connection =
      ParseValid(WithMember(kBaseConnection, "uri", R"("amqp://us\u00e9r:p@127.0.0.1:5672/v\u00e4")"));
  EXPECT_EQ(connection.uri, "amqp://us%C3%A9r:p@127.0.0.1:5672/v%C3%A4");
}

TEST(ConnectionFieldsTest, LegacyConnectionLevelAuthorizationContext) {
  std::string json = WithMember(kBaseConnection, "authorizationContext", R"(["legacy:subject"])");
  json = WithMember(json, "sources", R"([{"addresses": ["a"]}, {"addresses": ["b"],
                                        "authorizationContext": ["own"]}])");
  json = WithMember(json, "targets", R"([{"address": "t"}])");
  Connection connection = ParseValid(json);
  EXPECT_EQ(connection.sources[0].authorization_context, (std::vector<std::string>{"legacy:subject"}));
  EXPECT_EQ(connection.sources[1].authorization_context, (std::vector<std::string>{"own"}));
  EXPECT_EQ(connection.targets[0].authorization_context, (std::vector<std::string>{"legacy:subject"}));
  // A member that is present, even as null, is kept as it is (Ditto's `contains`).
  EXPECT_EQ(ParseInvalid(WithMember(json, "targets/0/authorizationContext", "null")).message,
            "The Targets [t] are missing an authorization context.");
  ParseOptions no_migration;
  no_migration.migrate_legacy_fields = false;
  EXPECT_EQ(ParseInvalid(json, no_migration).message,
            "The Sources [a] and Targets [t] are missing an authorization context.");
}

TEST(ConnectionFieldsTest, LegacySourceFiltersAndTopicActionSubject) {
  std::string json = WithMember(kBaseConnection, "sources/0/filters", R"(["{{ thing:id }}"])");
  json = WithMember(json, "sources/0/headerMapping", R"({"s": "{{ topic:action|subject }}"})");
  json = WithMember(json, "targets/0/address", R"("out/{{ topic:action|subject }}")");
  std::string out = Serialized(json);
  EXPECT_EQ(MemberJson(out, "sources/0/enforcement"),
            R"({"input":"{{ source:address }}","filters":["{{ thing:id }}"]})");
  EXPECT_EQ(MemberJson(out, "sources/0/headerMapping/s"), R"("{{ topic:action-subject }}")");
  EXPECT_EQ(MemberJson(out, "targets/0/address"), R"("out/{{ topic:action-subject }}")");
}

}  // namespace
}  // namespace connectivity::model
