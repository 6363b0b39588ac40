// Goal: the service-level validation (REF §4.2) through the real server binary:
//   - every connection example whose INDEX row names a service-level error answers piggyback
//     createConnection with exactly that code and status, as a bare error JSON (not wrapped in a
//     devops errorResponse; REF §1.5, SPEC §4.1) in an HTTP 200; the valid ones are still created;
//   - every invalid example sent as create, as modify of an existing valid connection of the same
//     type and id, as modify of a new id, and (service-level ones) as testConnection is rejected
//     and nothing is persisted: retrieve answers 404, or the old connection byte for byte;
//   - the server's environment reaches the validation (source limit, blocked hosts, OAuth https),
//     and openConnection re-validates the stored connection against the current settings.
// Method: examples from tests/fixtures/connection-examples, hosts rewritten to 127.0.0.1.
#include <gtest/gtest.h>

#include "tests/integration/server_fixture.h"
#include "tests/support/fixtures.h"
#include "tests/support/host_rewrite.h"

namespace connectivity::testing {
namespace {

using test_support::FixtureExpectation;

std::string Stem(const FixtureExpectation& fixture) {
  return fixture.file.substr(0, fixture.file.size() - std::string(".json").size());
}

// The example with its hosts on loopback and the id `id` (unless it carries its own).
std::string ExampleWithId(const FixtureExpectation& fixture, const std::string& id) {
  std::string json = test_support::RewriteHostsToLoopback(test_support::ReadFixture(fixture.Path()));
  if (Json(json).Has("/id")) return json;
  return "{\"id\":\"" + id + "\"," + json.substr(1);
}

// A valid example of the same connection type as `fixture` (amqp-091 for an unknown type).
const FixtureExpectation& ValidOfSameType(const FixtureExpectation& fixture,
                                          const std::vector<FixtureExpectation>& all) {
  const std::string json = test_support::ReadFixture(fixture.Path());
  const std::string type = Json(json).String("/connectionType").value_or("amqp-091");
  const FixtureExpectation* fallback = nullptr;
  for (const FixtureExpectation& candidate : all) {
    if (!candidate.IsValid()) continue;
    const std::string candidate_type =
        Json(test_support::ReadFixture(candidate.Path())).String("/connectionType").value_or("");
    if (candidate_type == type) return candidate;
    if (candidate_type == "amqp-091" && fallback == nullptr) fallback = &candidate;
  }
  return *fallback;
}

std::string Modify(const std::string& connection) {
  return Command("connectivity.commands:modifyConnection", R"("connection":)" + connection);
}

std::string TestCommand(const std::string& connection) {
  return Command("connectivity.commands:testConnection", R"("connection":)" + connection);
}

class ValidationTest : public ServerTest {
 protected:
  // The answer to an invalid example carries its code and status: bare for service-level errors,
  // inside a devops errorResponse for model-level ones.
  void ExpectRejected(const HttpResponse& response, const FixtureExpectation& fixture,
                      const std::string& what) {
    SCOPED_TRACE(fixture.file + " via " + what);
    EXPECT_EQ(response.status, 200);
    const Json answer(response.body);
    ASSERT_TRUE(answer.valid()) << response.body;
    if (fixture.layer == "service") {
      EXPECT_FALSE(answer.Has("/type")) << response.body;
      EXPECT_EQ(answer.String("/error"), fixture.error) << response.body;
      EXPECT_EQ(answer.Int("/status"), fixture.status) << response.body;
      EXPECT_TRUE(answer.Has("/message")) << response.body;
    } else {
      EXPECT_EQ(answer.String("/type"), "devops.responses:errorResponse") << response.body;
      EXPECT_EQ(answer.String("/payload/error"), fixture.error) << response.body;
      EXPECT_EQ(answer.Int("/payload/status"), fixture.status) << response.body;
    }
  }

  void ExpectAbsent(const std::string& id, const std::string& why) {
    EXPECT_EQ(Json(Retrieve(id).body).Int("/status"), 404) << id << " after " << why;
  }
};

TEST_F(ValidationTest, ServiceLevelExamplesAnswerTheirErrorBare) {
  int count = 0;
  for (const FixtureExpectation& fixture : test_support::ReadFixtureExpectations()) {
    if (fixture.layer != "service") continue;
    ++count;
    const std::string id = Stem(fixture);
    ExpectRejected(Create(ExampleWithId(fixture, id)), fixture, "create");
    ExpectAbsent(id, "create");
  }
  EXPECT_EQ(count, 28);
}

TEST_F(ValidationTest, ValidExamplesAreStillCreated) {
  int count = 0;
  for (const FixtureExpectation& fixture : test_support::ReadFixtureExpectations()) {
    if (!fixture.IsValid()) continue;
    ++count;
    const HttpResponse created = Create(ExampleWithId(fixture, Stem(fixture)));
    EXPECT_EQ(Json(created.body).Int("/status"), 201) << fixture.file << ": " << created.body;
  }
  EXPECT_EQ(count, 15);
}

TEST_F(ValidationTest, InvalidExamplesPersistNothingThroughCreateModifyAndTest) {
  const std::vector<FixtureExpectation> all = test_support::ReadFixtureExpectations();
  int count = 0;
  for (const FixtureExpectation& fixture : all) {
    if (fixture.IsValid()) continue;
    ++count;
    const std::string id = Stem(fixture);
    const std::string invalid = ExampleWithId(fixture, id);
    const bool id_is_valid = fixture.error != "connectivity:connection.id.invalid";

    ExpectRejected(Send(Modify(ExampleWithId(fixture, id + "-new"))), fixture, "modify of a new id");
    if (id_is_valid) ExpectAbsent(id + "-new", "modify of a new id");
    if (fixture.layer == "service") {
      ExpectRejected(Send(TestCommand(ExampleWithId(fixture, id + "-test"))), fixture, "test");
      ExpectAbsent(id + "-test", "test");
    }
    if (!id_is_valid) continue;  // no valid connection can have this id

    ASSERT_EQ(Json(Create(ExampleWithId(ValidOfSameType(fixture, all), id)).body).Int("/status"), 201)
        << fixture.file;
    const std::string before = Retrieve(id).body;
    ExpectRejected(Send(Modify(invalid)), fixture, "modify of an existing connection");
    EXPECT_EQ(Retrieve(id).body, before) << fixture.file;
    // A deleted id keeps its entry: a create of it is decided on that entry, and the decision
    // validates (only a brand-new id is validated before it gets an entry).
    ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:deleteConnection", id)).body).Int("/status"), 204);
    ExpectRejected(Create(invalid), fixture, "create of a deleted id");
    ExpectAbsent(id, "create of a deleted id");
  }
  EXPECT_EQ(count, 38);
}

TEST_F(ValidationTest, ServerSettingsReachTheValidation) {
  ServerOptions options;
  options.env = {{"CONNECTION_SOURCE_NUMBER", "1"},
                 {"CONNECTIVITY_CONNECTION_BLOCKED_HOSTNAMES", "localhost"},
                 {"CONNECTIVITY_CONNECTION_ALLOWED_HOSTNAMES", "allowed.invalid"},
                 {"CONNECTIVITY_HTTP_OAUTH2_ENFORCE_HTTPS", "false"}};
  RestartServer(options);
  const Json blocked(Create(MqttConnection("blocked")).body);
  EXPECT_EQ(blocked.String("/error"), "connectivity:connection.configuration.invalid");
  EXPECT_EQ(blocked.String("/message"),
            "The configured host '127.0.0.1' may not be used for the connection because the host is blocked: the "
            "hostname resolved to a loopback address (127.0.0.1).");
  const std::string two_sources =
      R"({"id":"two","connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://allowed.invalid:1883",)"
      R"("sources":[{"addresses":["a"],"qos":1,"authorizationContext":["x"]},)"
      R"({"addresses":["b"],"qos":1,"authorizationContext":["x"]}]})";
  EXPECT_EQ(Json(Create(two_sources).body).String("/description"),
            "The number of configured sources for connection: two is above the limit of 1.");
  const std::string http_token =
      R"({"id":"oauth","connectionType":"http-push","connectionStatus":"closed","uri":"https://allowed.invalid:443",)"
      R"("targets":[{"address":"POST:/x","topics":["_/_/things/twin/events"],"authorizationContext":["x"]}],)"
      R"("credentials":{"type":"oauth-client-credentials","tokenEndpoint":"http://allowed.invalid/token",)"
      R"("clientId":"c","clientSecret":"s","requestedScopes":"a"}})";
  EXPECT_EQ(Json(Create(http_token).body).Int("/status"), 201) << "https is not enforced";
}

TEST_F(ValidationTest, OpenRevalidatesTheStoredConnection) {
  ASSERT_EQ(Json(Create(MqttConnection("stored")).body).Int("/status"), 201);
  const std::string before = Retrieve("stored").body;
  ServerOptions options;
  options.env = {{"CONNECTIVITY_CONNECTION_BLOCKED_HOSTNAMES", "localhost"}};
  RestartServer(options);
  const Json opened(Send(IdCommand("connectivity.commands:openConnection", "stored")).body);
  EXPECT_EQ(opened.Int("/status"), 400);
  EXPECT_EQ(opened.String("/error"), "connectivity:connection.configuration.invalid");
  EXPECT_EQ(Retrieve("stored").body, before);  // still closed, nothing appended
}

}  // namespace
}  // namespace connectivity::testing
