// Goal: every connection example (tests/fixtures/connection-examples, REF-derived) gets the answer
// expectations.tsv promises from the layers this library owns: model-level rejects carry the
// exact code and (where INDEX.md quotes it) message; service-level ones pass the model (so the
// service, not the parser, reports them); valid ones pass both the model and the validation.
// Method: read each fixture, rewrite its hosts to 127.0.0.1, parse as the row's send mode does.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "src/model/validation.h"
#include "tests/model/model_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/host_rewrite.h"

namespace connectivity::model {
namespace {

using test_support::FixtureExpectation;

std::string ReadExample(const FixtureExpectation& expectation) {
  return test_support::RewriteHostsToLoopback(test_support::ReadFixture(expectation.Path()));
}

ParseOptions OptionsFor(const FixtureExpectation& expectation) {
  return expectation.send == "piggyback" ? PiggybackOptions() : HttpPostOptions();
}

// Messages quoted by INDEX.md (and, for the hosts, the rewrite to 127.0.0.1).
const std::map<std::string, std::string>& KnownMessages() {
  static const auto* messages = new std::map<std::string, std::string>{
      {"invalid-missing-auth.json", "The Sources [telemetry/tenant] are missing an authorization context."},
      {"invalid-target-empty-auth.json",
       "The Targets [exchangeName/routingKey] are missing an authorization context."},
      {"invalid-target-missing-address.json", "JSON did not include required </address> field!"},
      {"invalid-missing-uri.json", "JSON did not include required </uri> field!"},
      {"invalid-unknown-connection-type.json", "Connection type <amqp-0.9.1> is invalid!"},
      {"invalid-client-count-zero.json", "The client count must be positive!"},
      {"invalid-id-characters.json", "The Connection ID 'heldout connection #1' is not valid."},
      {"invalid-uri-missing-port.json",
       "The Connection URI 'amqps://foo:*****@127.0.0.1' has an invalid format."},
      {"invalid-uri-with-query.json",
       "The Connection URI 'amqp://127.0.0.1:5672/vhost?heartbeat=10' has an invalid format."},
      // Service-level rules (validation.h), as Ditto words them for these examples.
      {"invalid-too-many-sources.json",
       "The number of configured sources or targets within a connection exceeded."},
      {"invalid-source-without-addresses.json",
       "Source 0 of connection <fixture-connection>: addresses may not be empty."},
      {"invalid-empty-source-address.json",
       "Source 0 of connection <fixture-connection>: addresses may not be empty."},
      {"invalid-amqp10-enforcement-input.json", "The placeholder 'thing:id' could not be resolved."},
      {"invalid-amqp10-header-mapping-placeholder.json",
       "The placeholder 'thing:invalid' could not be resolved."},
      {"invalid-duplicate-issued-ack-labels.json",
       "An issued acknowledgement label may only be used for one target of the connection."},
      {"invalid-http-push-hmac-unknown-algorithm.json",
       "Unsupported HMAC algorithm: az-monitor-2016-04-02"},
      {"invalid-http-push-oauth-http-token-endpoint.json",
       "The OAuth2 token endpoint must be accessed via HTTPS in order not to transmit the client "
       "secret in plain text."},
      {"invalid-http-push-omit-body-method.json",
       "The configured value '[GET, DELET, POST]' of 'omitRequestBody' is invalid. It contains an "
       "invalid HTTP method: DELET"},
      {"invalid-http-push-target-address-format.json",
       "Target of address 'events' of connection 'fixture-connection': Target address has invalid "
       "format. Expect '<VERB>:/<path>', for example 'POST:/api'."},
      {"invalid-http-push-with-source.json", "A connection of type 'http-push' may not have any source."},
      {"invalid-kafka-bootstrap-servers-format.json",
       "The provided list of bootstrap servers '127.0.0.1:123;127.0.0.1:456' is not valid"},
      {"invalid-kafka-missing-bootstrap-servers.json",
       "The provided list of bootstrap servers 'null' is not valid"},
      {"invalid-kafka-source-address-placeholder.json",
       "The provided topic 'ditto/{{thing:id}}' is not valid: Topic name \"ditto/{{thing:id}}\" is "
       "illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"},
      {"invalid-kafka-ssh-tunnel.json", "SSH tunneling not supported."},
      {"invalid-kafka-target-partition.json", "Can not parse partition number from notANumber."},
      {"invalid-mqtt-client-cert-placeholder-pem.json",
       "/credentials/key: bad format. Expect PEM-encoded PKCS #8 data specified by RFC-7468 starting "
       "with '-----BEGIN PRIVATE KEY-----'"},
      {"invalid-mqtt-last-will-qos.json", "<5> is not a valid MQTT QoS code."},
      {"invalid-mqtt-qos-out-of-range.json",
       "Invalid value '3' for configuration 'qos' in Source of index 0 of connection 'fixture-connection'"},
      {"invalid-mqtt-source-missing-qos.json",
       "MQTT Source <Source of index 0 of connection 'fixture-connection'> must contain QoS value."},
      {"invalid-mqtt-target-missing-qos.json",
       "MQTT Target <Target of address 'ditto/out' of connection 'fixture-connection'> must contain QoS "
       "value."},
      {"invalid-mqtt3-client-count-2.json", "Client count limited to 1 for MQTT 3.1.1 connections."},
      {"invalid-mqtt3-consumer-count-2.json", "Consumer count limited to 1 for MQTT 3.1.1 connections."},
      {"invalid-mqtt3-header-mapping.json",
       "The placeholder 'header:OVERWRITE-CORrelation-id' could not be resolved."},
      {"invalid-source-declared-ack-prefix.json", "Acknowledgement label <somethingWrong:test> is invalid."},
      {"invalid-target-rql-filter.json",
       "Unexpected end of input, expected ',' (line 1, column 22):\neq(attributes/counter\n"
       "                     ^"},
      {"invalid-unknown-payload-mapping-reference.json", "The mapper <invalid> could not be loaded."},
      {"invalid-uri-scheme-mqtt-amqp.json", "The URI scheme 'amqp' is not valid for MQTT 3.1.1."},
  };
  return *messages;
}

TEST(ConnectionExamplesTest, EveryExampleHasOneExpectation) {
  std::set<std::string> files;
  const auto directory = std::filesystem::path(CONNECTIVITY_SOURCE_DIR) / "tests/fixtures/connection-examples";
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".json") files.insert(entry.path().filename().string());
  }
  std::set<std::string> rows;
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    EXPECT_TRUE(rows.insert(expectation.file).second) << "duplicate row " << expectation.file;
    EXPECT_TRUE(expectation.send == "post" || expectation.send == "piggyback");
    EXPECT_TRUE(expectation.layer == "model" || expectation.layer == "service" ||
                expectation.layer == "valid");
    EXPECT_EQ(expectation.IsValid(), expectation.status == 201) << expectation.file;
  }
  EXPECT_EQ(rows, files);
  EXPECT_EQ(files.size(), 53u);
}

TEST(ConnectionExamplesTest, ModelLevelRejects) {
  int checked = 0;
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (expectation.layer != "model") continue;
    SCOPED_TRACE(expectation.file);
    DittoError error = ParseInvalid(ReadExample(expectation), OptionsFor(expectation));
    EXPECT_EQ(error.status, expectation.status);
    EXPECT_EQ(error.error, expectation.error);
    auto message = KnownMessages().find(expectation.file);
    if (message != KnownMessages().end()) {
      EXPECT_EQ(error.message, message->second);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(ConnectionExamplesTest, ServiceLevelRejectsPassTheModelAndFailValidation) {
  ValidationConfig config;
  int checked = 0;
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (expectation.layer != "service") continue;
    SCOPED_TRACE(expectation.file);
    Connection connection = ParseValid(ReadExample(expectation), OptionsFor(expectation));
    connection.id = "fixture-connection";
    std::optional<DittoError> error = ValidateConnection(connection, config);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->status, expectation.status);
    EXPECT_EQ(error->error, expectation.error);
    auto message = KnownMessages().find(expectation.file);
    ASSERT_NE(message, KnownMessages().end()) << "every service-level example has its message here";
    EXPECT_EQ(error->message, message->second);
    ++checked;
  }
  EXPECT_EQ(checked, 28);
}

TEST(ConnectionExamplesTest, ValidExamplesPassModelAndValidation) {
  int checked = 0;
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (!expectation.IsValid()) continue;
    SCOPED_TRACE(expectation.file);
    Connection connection = ParseValid(ReadExample(expectation), OptionsFor(expectation));
    connection.id = "fixture-connection";
    std::optional<DittoError> error = ValidateConnection(connection, ValidationConfig{});
    EXPECT_FALSE(error.has_value()) << error->ToJson();
    ++checked;
  }
  EXPECT_EQ(checked, 15);
}

TEST(ConnectionExamplesTest, PiggybackExamplesNeedTheirId) {
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (expectation.send != "piggyback") continue;
    SCOPED_TRACE(expectation.file);
    // Without the id rules, the same body would be accepted by the model.
    std::string json = WithMember(ReadExample(expectation), "id", R"("valid-id")");
    ParseValid(json);
  }
}

}  // namespace
}  // namespace connectivity::model
