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
      // Service-level rules implemented in validation.h.
      {"invalid-too-many-sources.json",
       "The number of configured sources or targets within a connection exceeded."},
      {"invalid-source-without-addresses.json",
       "Source 0 of connection <fixture-connection>: addresses may not be empty."},
      {"invalid-empty-source-address.json",
       "Source 0 of connection <fixture-connection>: addresses may not be empty."},
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

TEST(ConnectionExamplesTest, ServiceLevelRejectsPassTheModel) {
  ValidationConfig config;
  for (const auto& expectation : test_support::ReadFixtureExpectations()) {
    if (expectation.layer != "service") continue;
    SCOPED_TRACE(expectation.file);
    Connection connection = ParseValid(ReadExample(expectation), OptionsFor(expectation));
    connection.id = "fixture-connection";
    std::optional<DittoError> error = ValidateConnection(connection, config);
    auto message = KnownMessages().find(expectation.file);
    if (message == KnownMessages().end()) continue;  // a rule still to come (REF §4.2 items 3-12)
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->status, expectation.status);
    EXPECT_EQ(error->error, expectation.error);
    EXPECT_EQ(error->message, message->second);
  }
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
