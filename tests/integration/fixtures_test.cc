// Every connection example of tests/fixtures/connection-examples through the
// real server's piggyback createConnection (hosts rewritten to 127.0.0.1):
// the valid ones are created and read back unchanged; the ones REF §4.1
// rejects at model level answer a devops errorResponse with the expected
// code, and nothing is persisted.
#include <gtest/gtest.h>

#include "tests/integration/server_fixture.h"
#include "tests/support/fixtures.h"
#include "tests/support/host_rewrite.h"

namespace connectivity::testing {
namespace {

using test_support::FixtureExpectation;

// The fixture as a piggyback connection: hosts on loopback, and an id (the
// file's stem) unless the file carries its own.
std::string PiggybackConnection(const FixtureExpectation& fixture) {
  std::string json = test_support::RewriteHostsToLoopback(test_support::ReadFixture(fixture.Path()));
  if (Json(json).Has("/id")) return json;
  const std::string id = fixture.file.substr(0, fixture.file.size() - std::string(".json").size());
  return "{\"id\":\"" + id + "\"," + json.substr(1);
}

class FixturesTest : public ServerTest {};

TEST_F(FixturesTest, ValidExamplesAreCreatedAndReadBack) {
  int count = 0;
  for (const FixtureExpectation& fixture : test_support::ReadFixtureExpectations()) {
    if (!fixture.IsValid()) continue;
    ++count;
    const std::string connection = PiggybackConnection(fixture);
    const HttpResponse created = Create(connection);
    const Json answer(created.body);
    ASSERT_EQ(answer.Int("/status"), 201) << fixture.file << ": " << created.status << " " << created.error << " "
                                          << created.body;
    const std::string id = Json(connection).String("/id").value();
    EXPECT_EQ(Json(Retrieve(id).body).Raw("/connection"), answer.Raw("/connection")) << fixture.file;
  }
  EXPECT_GE(count, 15);
}

TEST_F(FixturesTest, ModelLevelInvalidExamplesAreRejectedAndNotPersisted) {
  int count = 0;
  for (const FixtureExpectation& fixture : test_support::ReadFixtureExpectations()) {
    if (fixture.layer != "model") continue;
    ++count;
    const std::string connection = PiggybackConnection(fixture);
    const HttpResponse response = Create(connection);
    EXPECT_EQ(response.status, 200) << fixture.file;
    const Json answer(response.body);
    EXPECT_EQ(answer.String("/type"), "devops.responses:errorResponse") << fixture.file << ": " << response.body;
    EXPECT_EQ(answer.String("/payload/error"), fixture.error) << fixture.file << ": " << response.body;
    EXPECT_EQ(answer.Int("/payload/status"), fixture.status) << fixture.file;
    const std::optional<std::string> id = Json(connection).String("/id");
    if (id && fixture.error != "connectivity:connection.id.invalid") {
      EXPECT_EQ(Json(Retrieve(*id).body).Int("/status"), 404) << fixture.file;
    }
  }
  EXPECT_GE(count, 8);
  const std::string ids = Send(R"({"type":"connectivity.commands:retrieveAllConnectionIds"})", R"({"aggregate":false})",
                               "/user/connectivityRoot/connectionIdsRetrieval").body;
  EXPECT_EQ(Json(ids).Strings("/connectionIds").size(), 0u) << ids;
}

}  // namespace
}  // namespace connectivity::testing
