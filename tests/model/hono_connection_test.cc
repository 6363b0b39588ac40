// Hono resolution (src/model/hono_connection.h) against the shapes of Ditto's own test,
// DefaultHonoConnectionFactoryTest: hono-connection-custom-test.json resolved with Ditto's test
// settings must give hono-connection-custom-expected-after-adaptation.json (mapping definitions
// left out; they pass through unchanged), member for member. Ditto keeps header mappings and
// specificConfig in hash maps, so only their members are compared, not their order.
#include "src/model/hono_connection.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/model/model_test_util.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kCustom = R"({
  "id": "test-connection-id", "name": "Things-Hono Test 1", "connectionType": "hono",
  "connectionStatus": "open", "uri": "ssl://hono-endpoint:1",
  "sources": [
    {"addresses": ["telemetry"], "consumerCount": 1, "qos": 0, "authorizationContext": ["nginx:ditto"],
     "headerMapping": {},
     "replyTarget": {"address": "command", "headerMapping": {"user_key1": "user_value1", "device_id": "custom_value1"},
                     "expectedResponseTypes": ["response", "error"], "enabled": true}},
    {"addresses": ["event"], "consumerCount": 1, "qos": 1, "authorizationContext": ["nginx:ditto"],
     "headerMapping": {},
     "replyTarget": {"address": "command", "headerMapping": {"user_key2": "user_value2", "subject": "custom_value2"},
                     "expectedResponseTypes": ["response", "error"], "enabled": true}},
    {"addresses": ["command_response"], "consumerCount": 1, "qos": 0, "authorizationContext": ["nginx:ditto"],
     "headerMapping": {"user_key3": "user_value3", "status": "custom_value3"},
     "replyTarget": {"enabled": false}}
  ],
  "targets": [
    {"address": "command", "topics": ["_/_/things/live/messages", "_/_/things/live/commands"],
     "authorizationContext": ["nginx:ditto"],
     "headerMapping": {"user_key4": "user_value4", "response-required": "custom_value4"}},
    {"address": "command", "topics": ["_/_/things/twin/events", "_/_/things/live/events"],
     "authorizationContext": ["nginx:ditto"],
     "headerMapping": {"user_key5": "user_value5", "correlation-id": "custom_value5"}}
  ],
  "clientCount": 1, "failoverEnabled": true, "validateCertificates": true, "processorPoolSize": 5,
  "specificConfig": {"honoTenantId": "hono-tenant-id", "groupId": "custom_groupId"}
})";

// Ditto's connectivity/service/src/test/resources/test.conf, ditto.connectivity.hono.
HonoSettings DittoTestSettings() {
  HonoSettings settings;
  settings.base_uri = "tcp://localhost:9922";
  settings.validate_certificates = false;
  settings.ca = "-----BEGIN CERTIFICATE-----\n<trusted certificate>\n-----END CERTIFICATE-----";
  settings.sasl_mechanism = "PLAIN";
  settings.bootstrap_servers = "tcp://server1:port1,tcp://server2:port2,tcp://server3:port3";
  settings.username = "test_username";
  settings.password = "test_password_w/special_char";
  return settings;
}

Connection Parse(std::string_view json) {
  auto parsed = ParseConnection(json, ParseOptions{});
  EXPECT_TRUE(std::holds_alternative<Connection>(parsed)) << std::get<DittoError>(parsed).message;
  return std::get<Connection>(std::move(parsed));
}

std::map<std::string, std::string> AsMap(const StringMap& map) { return {map.begin(), map.end()}; }

TEST(HonoConnection, ResolvesLikeDittosCustomTest) {
  const Connection resolved = ResolveHonoConnection(Parse(kCustom), DittoTestSettings());
  EXPECT_EQ(resolved.connection_type, ConnectionType::kHono);
  EXPECT_EQ(resolved.uri, "tcp://test_username:test_password_w%2Fspecial_char@localhost:9922");
  EXPECT_FALSE(resolved.validate_certificates);
  EXPECT_EQ(resolved.ca, DittoTestSettings().ca);
  EXPECT_EQ(AsMap(resolved.specific_config),
            (std::map<std::string, std::string>{
                {"honoTenantId", "hono-tenant-id"},
                {"saslMechanism", "plain"},
                {"bootstrapServers", "tcp://server1:port1,tcp://server2:port2,tcp://server3:port3"},
                {"groupId", "custom_groupId"}}));

  ASSERT_EQ(resolved.sources.size(), 3u);
  EXPECT_EQ(resolved.sources[0].addresses, std::vector<std::string>{"hono.telemetry.hono-tenant-id"});
  ASSERT_TRUE(resolved.sources[0].reply_target.has_value());
  EXPECT_EQ(resolved.sources[0].reply_target->address, "hono.command.hono-tenant-id/{{thing:id}}");
  EXPECT_EQ(AsMap(resolved.sources[0].reply_target->header_mapping),
            (std::map<std::string, std::string>{
                {"device_id", "custom_value1"},
                {"user_key1", "user_value1"},
                {"subject", "{{ header:subject | fn:default(topic:action-subject) | fn:default(topic:criterion) }}-response"},
                {"correlation-id", "{{ header:correlation-id }}"}}));
  EXPECT_EQ(resolved.sources[1].addresses, std::vector<std::string>{"hono.event.hono-tenant-id"});
  EXPECT_EQ(AsMap(resolved.sources[1].reply_target->header_mapping),
            (std::map<std::string, std::string>{{"device_id", "{{ thing:id }}"},
                                                {"subject", "custom_value2"},
                                                {"user_key2", "user_value2"},
                                                {"correlation-id", "{{ header:correlation-id }}"}}));
  EXPECT_EQ(resolved.sources[2].addresses, std::vector<std::string>{"hono.command_response.hono-tenant-id"});
  EXPECT_FALSE(resolved.sources[2].reply_target.has_value());
  EXPECT_FALSE(resolved.sources[2].reply_target_enabled);
  EXPECT_EQ(AsMap(resolved.sources[2].header_mapping),
            (std::map<std::string, std::string>{{"status", "custom_value3"},
                                                {"user_key3", "user_value3"},
                                                {"correlation-id", "{{ header:correlation-id }}"}}));

  ASSERT_EQ(resolved.targets.size(), 2u);
  for (const Target& target : resolved.targets) {
    EXPECT_EQ(target.address, "hono.command.hono-tenant-id/{{thing:id}}");
  }
  EXPECT_EQ(AsMap(resolved.targets[0].header_mapping),
            (std::map<std::string, std::string>{{"user_key4", "user_value4"},
                                                {"device_id", "{{ thing:id }}"},
                                                {"response-required", "custom_value4"},
                                                {"subject", "{{ header:subject | fn:default(topic:action-subject) }}"},
                                                {"correlation-id", "{{ header:correlation-id }}"}}));
  EXPECT_EQ(AsMap(resolved.targets[1].header_mapping),
            (std::map<std::string, std::string>{{"user_key5", "user_value5"},
                                                {"device_id", "{{ thing:id }}"},
                                                {"subject", "{{ header:subject | fn:default(topic:action-subject) }}"},
                                                {"correlation-id", "custom_value5"}}));
}

TEST(HonoConnection, DefaultsAndImplicitTenant) {
  // Ditto's connectivity.conf defaults; no honoTenantId and no groupId: the connection id.
  Connection hono = Parse(R"({"id":"my-hono","connectionType":"hono","connectionStatus":"closed",
    "sources":[{"addresses":["telemetry","event"],"authorizationContext":["nginx:ditto"],"qos":1}],
    "targets":[{"address":"command","topics":["_/_/things/twin/events"],"authorizationContext":["nginx:ditto"]}],
    "ca":"-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"})");
  const Connection resolved = ResolveHonoConnection(hono, HonoSettings{});
  EXPECT_EQ(resolved.uri, "tcp://honoUsername:honoPassword@localhost:9092");
  EXPECT_EQ(resolved.sources[0].addresses,
            (std::vector<std::string>{"hono.telemetry.my-hono", "hono.event.my-hono"}));
  EXPECT_EQ(resolved.targets[0].address, "hono.command.my-hono/{{thing:id}}");
  EXPECT_EQ(FindInStringMap(resolved.targets[0].header_mapping, "response-required"), nullptr)
      << "only for live messages and live commands";
  EXPECT_EQ(AsMap(resolved.specific_config),
            (std::map<std::string, std::string>{
                {"saslMechanism", "plain"}, {"bootstrapServers", "localhost:9092"}, {"groupId", "my-hono"}}));
  EXPECT_FALSE(resolved.ca.has_value()) << "a blank ca setting removes the connection's, as Ditto's builder does";
  // The default reply target of the model (REF §3.4) is resolved like any other.
  ASSERT_TRUE(resolved.sources[0].reply_target.has_value());
  EXPECT_EQ(FindInStringMap(resolved.sources[0].reply_target->header_mapping, "device_id"), nullptr);
  EXPECT_NE(FindInStringMap(resolved.sources[0].reply_target->header_mapping, "correlation-id"), nullptr);
}

TEST(HonoConnection, UriCredentialsAndSettingsSpellings) {
  HonoSettings settings;
  settings.username = "user name";
  settings.password = "p@ss:w*rd~";
  settings.base_uri = "ssl://kafka.example:9094";
  settings.sasl_mechanism = "SCRAM_SHA_512";
  settings.bootstrap_servers = " a:1 , b:2,a:1";
  Connection hono;
  hono.id = "h";
  hono.connection_type = ConnectionType::kHono;
  const Connection resolved = ResolveHonoConnection(hono, settings);
  EXPECT_EQ(resolved.uri, "ssl://user+name:p%40ss%3Aw*rd%7E@kafka.example:9094");
  EXPECT_EQ(*FindInStringMap(resolved.specific_config, "saslMechanism"), "scram-sha-512");
  EXPECT_EQ(*FindInStringMap(resolved.specific_config, "bootstrapServers"), "a:1,b:2");
  settings.base_uri = "no-scheme:9092";  // no "://": Ditto's replaceFirst leaves it alone
  EXPECT_EQ(ResolveHonoConnection(hono, settings).uri, "no-scheme:9092");
  EXPECT_EQ(ParseHonoSaslMechanism("scram_sha_256"), "SCRAM_SHA_256");
  EXPECT_EQ(ParseHonoSaslMechanism("SCRAM-SHA-256"), std::nullopt) << "the enum's name, as Typesafe's getEnum";
}

}  // namespace
}  // namespace connectivity::model
