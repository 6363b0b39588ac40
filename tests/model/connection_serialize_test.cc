// Goal: SerializeConnection produces Ditto's retrieve shape byte for byte, and keeps the layout
// the projector relies on (first four members, `tags` last), and parse/serialise is idempotent.
// Method: expected texts derived by hand from REF (§2.2 example, §3.4 example, §3.1 and §3.5
// rules), compared with the output for REF's example and for fixtures (hosts rewritten to
// 127.0.0.1 by the test helper); layout and idempotence are checked on every valid fixture.
#include <gtest/gtest.h>

#include "src/model/validation.h"
#include "tests/model/model_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/host_rewrite.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kFixtureId = "fixture-connection";

// Parses a fixture as the HTTP API does and gives it an id, as the HTTP layer would.
Connection ParseFixture(std::string_view file) {
  std::string json = test_support::RewriteHostsToLoopback(
      test_support::ReadFixture("connection-examples/" + std::string(file)));
  Connection connection = ParseValid(json, HttpPostOptions());
  connection.id = kFixtureId;
  return connection;
}

TEST(ConnectionSerializeTest, CreateExampleOfRef22) {
  std::string request = test_support::RewriteHostsToLoopback(R"({
      "id": "mqtt-example",
      "connectionType": "mqtt",
      "connectionStatus": "closed",
      "uri": "tcp://broker.example.com:1883",
      "sources": [{ "addresses": ["devices/#"], "qos": 1, "authorizationContext": ["ditto:inbound"] }],
      "targets": []
  })");
  EXPECT_EQ(SerializeConnection(ParseValid(request)),
            R"({"id":"mqtt-example","name":null,"connectionType":"mqtt","connectionStatus":"closed",)"
            R"("uri":"tcp://127.0.0.1:1883","sources":[{"addresses":["devices/#"],"consumerCount":1,)"
            R"("qos":1,"authorizationContext":["ditto:inbound"],"headerMapping":{},"replyTarget":)"
            R"({"address":"{{header:reply-to}}","headerMapping":{},"expectedResponseTypes":)"
            R"(["response","error"],"enabled":true}}],"targets":[],"clientCount":1,)"
            R"("failoverEnabled":true,"validateCertificates":true,"processorPoolSize":1,"tags":[]})");
}

TEST(ConnectionSerializeTest, Amqp10SourceMigrationOfRef34) {
  std::string request = WithMember(kBaseConnection, "connectionType", R"("amqp-10")");
  request = WithMember(request, "sources", R"([{
      "addresses": ["telemetry/tenant"],
      "authorizationContext": ["ditto:inbound-auth-subject"],
      "enforcement": { "input": "{{ header:device_id }}", "filters": ["{{ thing:id }}"] }
  }])");
  EXPECT_EQ(MemberJson(SerializeConnection(ParseValid(request)), "sources/0"),
            R"({"addresses":["telemetry/tenant"],"consumerCount":1,)"
            R"("authorizationContext":["ditto:inbound-auth-subject"],)"
            R"("enforcement":{"input":"{{ header:device_id }}","filters":["{{ thing:id }}"]},)"
            R"("headerMapping":{"correlation-id":"{{header:correlation-id}}",)"
            R"("content-type":"{{header:content-type}}","reply-to":"{{header:reply-to}}"},)"
            R"("replyTarget":{"address":"{{header:reply-to}}","headerMapping":)"
            R"({"correlation-id":"{{header:correlation-id}}","content-type":"{{header:content-type}}"},)"
            R"("expectedResponseTypes":["response","error"],"enabled":true}})");
}

TEST(ConnectionSerializeTest, SpecificConfigIsStringified) {
  EXPECT_EQ(SerializeConnection(ParseFixture("valid-mqtt-specific-config-last-will.json")),
            R"({"id":"fixture-connection","name":"mqtt-specific-config","connectionType":"mqtt",)"
            R"("connectionStatus":"closed","uri":"tcp://127.0.0.1:1883","sources":[{"addresses":)"
            R"(["device/telemetry/#"],"consumerCount":1,"qos":2,"authorizationContext":)"
            R"(["ditto:inbound-auth-subject"],"headerMapping":{},"replyTarget":{"address":)"
            R"("{{header:reply-to}}","headerMapping":{},"expectedResponseTypes":["response","error"],)"
            R"("enabled":true}}],"targets":[],"clientCount":1,"failoverEnabled":true,)"
            R"("validateCertificates":true,"processorPoolSize":1,"specificConfig":{"clientId":)"
            R"("my-mqtt-client-id","reconnectForRedelivery":"false","cleanSession":"false",)"
            R"("separatePublisherClient":"false","publisherId":"my-mqtt-publisher-id",)"
            R"("reconnectForRedeliveryDelay":"5s","keepAlive":"60s","lastWillTopic":)"
            R"("my/last/will/topic","lastWillQos":"1","lastWillRetain":"false","lastWillMessage":)"
            R"("connection lost"},"tags":[]})");
}

TEST(ConnectionSerializeTest, TopicsAreReserialisedCanonically) {
  EXPECT_EQ(SerializeConnection(ParseFixture("valid-amqp091-target-filters-extra-fields.json")),
            R"j({"id":"fixture-connection","name":"amqp091-filtered-targets","connectionType":)j"
            R"j("amqp-091","connectionStatus":"closed","uri":"amqp://user:password@127.0.0.1:5672/vhost",)j"
            R"j("sources":[],"targets":[{"address":"exchangeName/{{ thing:id }}","topics":[)j"
            R"j("_/_/things/twin/events?namespaces=org.eclipse.ditto&filter=gt(attributes/counter,42)",)j"
            R"j("_/_/things/twin/events?filter=gt(attributes/placement,'Kitchen')&extraFields=)j"
            R"j(attributes/placement","_/_/things/live/messages?namespaces=org.eclipse.ditto"],)j"
            R"j("authorizationContext":["ditto:outbound-auth-subject"],"headerMapping":{"message-id":)j"
            R"j("{{ header:correlation-id }}","content-type":"{{ header:content-type }}","subject":)j"
            R"j("{{ topic:subject }}","reply-to":"all-replies"}}],"clientCount":1,)j"
            R"j("failoverEnabled":true,"validateCertificates":true,"processorPoolSize":1,"tags":[]})j");
}

TEST(ConnectionSerializeTest, OAuthCredentialsWriteAudienceNull) {
  EXPECT_EQ(MemberJson(SerializeConnection(ParseFixture("valid-http-push-oauth-client-credentials.json")),
                       "credentials"),
            R"({"type":"oauth-client-credentials","tokenEndpoint":"https://127.0.0.1/oauth2/token",)"
            R"("clientId":"my-client-id","clientSecret":"my-client-secret","requestedScopes":)"
            R"("scope-1 scope-2","audience":null})");
}

TEST(ConnectionSerializeTest, SshTunnelIsEchoed) {
  std::string out = SerializeConnection(ParseFixture("valid-amqp091-ssh-tunnel-disabled.json"));
  EXPECT_EQ(MemberJson(out, "sshTunnel"),
            R"({"enabled":false,"credentials":{"type":"plain","username":"someUser","password":)"
            R"("somePassword"},"validateHost":false,"knownHosts":["someFingerprint"],)"
            R"("uri":"ssh://127.0.0.1:2222"})");
  EXPECT_EQ(MemberJson(out, "failoverEnabled"), "false");
  EXPECT_EQ(MemberJson(out, "validateCertificates"), "false");
}

TEST(ConnectionSerializeTest, ExplicitReplyTargetAndEmptySets) {
  std::string out = SerializeConnection(ParseFixture("valid-kafka-docs-example.json"));
  EXPECT_EQ(MemberJson(out, "sources/0"),
            R"({"addresses":["theTopic"],"consumerCount":1,"qos":1,"authorizationContext":)"
            R"(["ditto:inbound-auth-subject"],"enforcement":{"input":"{{ header:device_id }}",)"
            R"("filters":["{{ entity:id }}"]},"acknowledgementRequests":{"includes":[]},)"
            R"("headerMapping":{},"payloadMapping":["Ditto"],"replyTarget":{"address":)"
            R"("theReplyTopic","headerMapping":{},"expectedResponseTypes":["response","error",)"
            R"("nack"],"enabled":true}})");
  EXPECT_EQ(MemberJson(out, "specificConfig"),
            R"({"bootstrapServers":"127.0.0.1:9092,127.0.0.1:9092","saslMechanism":"plain"})");
}

// The projector splices hidden fields into the text without parsing it (connection.h).
TEST(ConnectionSerializeTest, LayoutForEveryValidFixture) {
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (!expectation.IsValid()) continue;
    SCOPED_TRACE(expectation.file);
    std::string out = SerializeConnection(ParseFixture(expectation.file));
    EXPECT_EQ(out.rfind(R"({"id":")", 0), 0u);
    JsonNode tree = ParseTree(out);
    ASSERT_GE(tree.keys.size(), 5u);
    EXPECT_EQ(tree.keys[0], "id");
    EXPECT_EQ(tree.keys[1], "name");
    EXPECT_EQ(tree.keys[2], "connectionType");
    EXPECT_EQ(tree.keys[3], "connectionStatus");
    EXPECT_EQ(tree.keys.back(), "tags");
    const size_t name_at = out.find(R"(,"name":)");
    const size_t type_at = out.find(R"(,"connectionType":")");
    const size_t status_at = out.find(R"(,"connectionStatus":")");
    EXPECT_EQ(name_at, 6 + ToCompactJson(tree.items[0]).size());
    EXPECT_EQ(type_at, name_at + 8 + ToCompactJson(tree.items[1]).size());
    EXPECT_EQ(status_at, type_at + 18 + ToCompactJson(tree.items[2]).size());
    const std::string tags = R"(,"tags":)" + ToCompactJson(tree.items.back()) + "}";
    EXPECT_EQ(out.substr(out.size() - tags.size()), tags);
  }
}

// Found by the fuzz target `connection` (fuzz/corpus/connection/regression-nul-in-topic): a
// topic parameter with `%00` was stored with a raw U+0000, so the stored connection (re-parsed by
// open) was refused with json.invalid.
TEST(ConnectionSerializeTest, ValidConnectionWithEncodedNulInATopicSurvivesARoundTrip) {
  const std::string json = WithMember(kBaseConnection, "targets/0/topics",
                                      R"(["_/_/things/twin/events?namespaces=a%00b"])");
  const Connection connection = ParseValid(json);
  EXPECT_FALSE(ValidateConnection(connection, ValidationConfig{}).has_value());
  const std::string stored = SerializeConnection(connection);
  EXPECT_EQ(stored.find("\\u0000"), std::string::npos) << stored;
  EXPECT_EQ(ParseValid(stored), connection);
}

TEST(ConnectionSerializeTest, ParseOfSerialisedIsIdempotentForEveryValidFixture) {
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (!expectation.IsValid()) continue;
    SCOPED_TRACE(expectation.file);
    std::string once = SerializeConnection(ParseFixture(expectation.file));
    std::string twice = SerializeConnection(ParseValid(once));
    EXPECT_EQ(twice, once);
  }
}

TEST(ConnectionSerializeTest, TagsAreLastEvenWithEveryOptionalMember) {
  std::string json = WithMember(kBaseConnection, "tags", R"(["a","b"])");
  json = WithMember(json, "ca", R"("PEM")");
  json = WithMember(json, "specificConfig", R"({"k":"v"})");
  json = WithMember(json, "credentials", R"({"type":"client-cert","cert":"c"})");
  json = WithMember(json, "sshTunnel", R"({"enabled":false,"credentials":{"type":"plain",
      "username":"u","password":"p"},"validateHost":false,"uri":"ssh://127.0.0.1:22"})");
  json = WithMember(json, "mappingDefinitions", R"({"m":{"mappingEngine":"Ditto","options":{}}})");
  std::string out = SerializeConnection(ParseValid(json));
  JsonNode tree = ParseTree(out);
  EXPECT_EQ(tree.keys, (std::vector<std::string>{
                           "id", "name", "connectionType", "connectionStatus", "uri", "sources",
                           "targets", "clientCount", "failoverEnabled", "validateCertificates",
                           "processorPoolSize", "specificConfig", "mappingDefinitions",
                           "credentials", "ca", "sshTunnel", "tags"}));
  const std::string tags = R"(,"tags":["a","b"]})";
  EXPECT_EQ(out.substr(out.size() - tags.size()), tags);
}

}  // namespace
}  // namespace connectivity::model
