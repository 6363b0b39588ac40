// The REST API against the real server (REF §9, SPEC §4.2): the whole
// lifecycle, upserts, commands, media types, id rules, listing, and
// conditional requests including two writers racing with one If-Match.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

class RestTest : public ServerTest {
 protected:
  std::string CreateViaPost(const std::string& body = RestConnection()) {
    const HttpResponse created = Rest(port(), "POST", "", body);
    EXPECT_EQ(created.status, 201) << created.body;
    return Json(created.body).String("/id").value_or("");
  }
};

TEST_F(RestTest, PostGeneratesAnIdAndAnswersLocationAndEtag) {
  const HttpResponse created = Rest(port(), "POST", "", RestConnection());
  ASSERT_EQ(created.status, 201) << created.body;
  const Json json(created.body);
  const std::string id = json.String("/id").value_or("");
  EXPECT_EQ(id.size(), 36u) << "a UUID";
  EXPECT_EQ(created.Header("location"), "http://127.0.0.1:" + std::to_string(port()) + "/api/2/connections/" + id);
  EXPECT_EQ(created.Header("etag"), "\"rev:1\"");
  EXPECT_EQ(created.Header("entity-revision"), "1");
  const HttpResponse retrieved = Rest(port(), "GET", "/" + id);
  EXPECT_EQ(retrieved.status, 200);
  EXPECT_EQ(retrieved.body, created.body);
}

TEST_F(RestTest, PostDefaultsTheStatusToUnknown) {
  std::string body = RestConnection();
  body.erase(body.find(R"("connectionStatus":"closed",)"), std::string(R"("connectionStatus":"closed",)").size());
  const HttpResponse created = Rest(port(), "POST", "", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Json(created.body).String("/connectionStatus"), "unknown");
}

TEST_F(RestTest, IdsAreNotSettableOnPostNorDifferentOnPut) {
  const HttpResponse post = Rest(port(), "POST", "", R"({"id":"mine",)" + RestConnection().substr(1));
  EXPECT_EQ(post.status, 400);
  EXPECT_EQ(Json(post.body).String("/error"), "connectivity:id.notsettable");
  const HttpResponse put = Rest(port(), "PUT", "/a", R"({"id":"b",)" + RestConnection().substr(1));
  EXPECT_EQ(put.status, 400);
  EXPECT_EQ(Json(put.body).String("/error"), "connectivity:id.notsettable");
  EXPECT_EQ(Rest(port(), "PUT", "/a", R"({"id":"a",)" + RestConnection().substr(1)).status, 201);
}

TEST_F(RestTest, PutIsAnUpsertAndDeleteRemoves) {
  const HttpResponse created = Rest(port(), "PUT", "/conn-1", RestConnection());
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("location"), "http://127.0.0.1:" + std::to_string(port()) + "/api/2/connections/conn-1");
  EXPECT_EQ(Json(created.body).String("/id"), "conn-1");
  const HttpResponse modified = Rest(port(), "PUT", "/conn-1", RestConnection("closed", R"(,"tags":["x"])"));
  EXPECT_EQ(modified.status, 204);
  EXPECT_EQ(modified.body, "");
  EXPECT_EQ(modified.Header("etag"), "\"rev:2\"");
  EXPECT_EQ(Json(Rest(port(), "GET", "/conn-1").body).Strings("/tags"), std::vector<std::string>{"x"});
  EXPECT_EQ(Rest(port(), "DELETE", "/conn-1").status, 204);
  const HttpResponse gone = Rest(port(), "GET", "/conn-1");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Json(gone.body).String("/error"), "connectivity:connection.notfound");
  EXPECT_EQ(Rest(port(), "DELETE", "/conn-1").status, 404);
}

TEST_F(RestTest, PutMayChangeTheTypeBecauseTheHttpApiIsSudo) {
  ASSERT_EQ(Rest(port(), "PUT", "/c", RestConnection()).status, 201);
  std::string mqtt5 = RestConnection();
  mqtt5.replace(mqtt5.find("\"mqtt\""), 6, "\"mqtt-5\"");
  EXPECT_EQ(Rest(port(), "PUT", "/c", mqtt5).status, 204);
  EXPECT_EQ(Json(Rest(port(), "GET", "/c").body).String("/connectionType"), "mqtt-5");
}

TEST_F(RestTest, ListReturnsAllConnectionsInIdOrderWithFieldsAndIdsOnly) {
  for (const char* id : {"c", "a", "b"}) ASSERT_EQ(Rest(port(), "PUT", std::string("/") + id, RestConnection()).status, 201);
  ASSERT_EQ(Rest(port(), "DELETE", "/b").status, 204);
  const HttpResponse list = Rest(port(), "GET", "");
  ASSERT_EQ(list.status, 200);
  const Json json(list.body);
  EXPECT_EQ(json.String("/0/id"), "a");
  EXPECT_EQ(json.String("/1/id"), "c");
  EXPECT_FALSE(json.Has("/2"));
  EXPECT_EQ(Rest(port(), "GET", "?ids-only=true").body, R"(["a","c"])");
  EXPECT_EQ(Rest(port(), "GET", "?fields=id").body, R"(["a","c"])");
  EXPECT_EQ(Rest(port(), "GET", "?fields=id,_revision").body, R"([{"id":"a","_revision":1},{"id":"c","_revision":1}])");
}

TEST_F(RestTest, ListHasNoHundredCap) {
  for (int i = 0; i < 130; ++i) {
    ASSERT_EQ(Create(MqttConnection("bulk-" + std::to_string(1000 + i))).status, 200);
  }
  const HttpResponse list = Rest(port(), "GET", "?ids-only=true");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list.body).Strings("").size(), 130u);
  const HttpResponse full = Rest(port(), "GET", "");
  EXPECT_TRUE(Json(full.body).Has("/129/id"));
}

TEST_F(RestTest, GetWithFieldsSelectsHiddenFields) {
  const std::string id = CreateViaPost();
  const Json json(Rest(port(), "GET", "/" + id + "?fields=id,_revision,_created,_modified,connectionStatus").body);
  EXPECT_EQ(json.Keys(""), (std::vector<std::string>{"id", "_revision", "_modified", "_created", "connectionStatus"}));
  const HttpResponse bad = Rest(port(), "GET", "/" + id + "?fields=id,(");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad.body).String("/error"), "json.fieldselector.invalid");
}

TEST_F(RestTest, CommandsAreTextPlainAndExact) {
  REQUIRE_LOCAL_BROKERS();
  const std::string id = CreateViaPost();
  const std::string path = "/" + id + "/command";
  EXPECT_EQ(Rest(port(), "POST", path, "connectivity.commands:openConnection", {}, "text/plain").status, 200);
  EXPECT_EQ(Json(Rest(port(), "GET", "/" + id).body).String("/connectionStatus"), "open");
  EXPECT_EQ(Rest(port(), "POST", path, "connectivity.commands:closeConnection", {}, "text/plain").status, 200);
  for (const char* ok : {"connectivity.commands:resetConnectionMetrics", "connectivity.commands:enableConnectionLogs",
                         "connectivity.commands:resetConnectionLogs"}) {
    const HttpResponse response = Rest(port(), "POST", path, ok, {}, "text/plain; charset=UTF-8");
    EXPECT_EQ(response.status, 200) << ok;
    EXPECT_EQ(response.body, "") << ok;
  }
  const HttpResponse invalid = Rest(port(), "POST", path, " connectivity.commands:openConnection", {}, "text/plain");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(Json(invalid.body).String("/error"), "connectivity:command.invalid");
  EXPECT_EQ(Rest(port(), "POST", path, "connectivity.commands:openConnection", {}, "application/json").status, 415);
  EXPECT_EQ(Rest(port(), "POST", "/nope/command", "connectivity.commands:openConnection", {}, "text/plain").status, 404);
}

TEST_F(RestTest, WrongMediaTypeIs415AndBadInputIs4xx) {
  const HttpResponse form = Rest(port(), "POST", "", RestConnection(), {}, "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(Json(form.body).String("/error"), "mediatype.unsupported");
  const HttpResponse garbage = Rest(port(), "POST", "", "{not json");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(Json(garbage.body).String("/error"), "json.invalid");
  const HttpResponse bad_id = Rest(port(), "GET", "/has%20space");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(Json(bad_id.body).String("/error"), "connectivity:connection.id.invalid");
  HttpRequestSpec json_get;
  json_get.path = "/api/2/connections";
  json_get.headers = {"Content-Type: application/json"};
  EXPECT_EQ(Fetch(port(), json_get).status, 200) << "GET with a JSON content type is fine";
  EXPECT_EQ(Rest(port(), "GET", "/x/unknown").status, 404);
  EXPECT_EQ(Rest(port(), "PATCH", "/x").status, 405);
  HttpRequestSpec v1;
  v1.path = "/api/1/connections";
  EXPECT_EQ(Json(Fetch(port(), v1).body).String("/error"), "api.version.notsupported");
}

TEST_F(RestTest, AuthenticationAppliesToTheRestApi) {
  HttpRequestSpec spec;
  spec.path = "/api/2/connections";
  spec.basic_auth = "";
  EXPECT_EQ(Fetch(port(), spec).status, 401);
  spec.basic_auth = "devops:nope";
  EXPECT_EQ(Fetch(port(), spec).status, 401);
}

TEST_F(RestTest, ConditionalRequests) {
  ASSERT_EQ(Rest(port(), "PUT", "/c", RestConnection()).status, 201);
  EXPECT_EQ(Rest(port(), "GET", "/c", "", {"If-Match: \"rev:1\""}).status, 200);
  const HttpResponse failed = Rest(port(), "GET", "/c", "", {"If-Match: \"rev:7\""});
  EXPECT_EQ(failed.status, 412);
  EXPECT_EQ(Json(failed.body).String("/error"), "connectivity:precondition.failed");
  EXPECT_EQ(Rest(port(), "GET", "/c", "", {"If-None-Match: \"rev:1\""}).status, 304);
  EXPECT_EQ(Rest(port(), "GET", "/c", "", {"If-None-Match: *"}).status, 304);
  EXPECT_EQ(Rest(port(), "GET", "/c", "", {"If-None-Match: \"rev:0\""}).status, 200);
  EXPECT_EQ(Rest(port(), "PUT", "/c", RestConnection(), {"If-None-Match: *"}).status, 412);
  EXPECT_EQ(Rest(port(), "PUT", "/new", RestConnection(), {"If-Match: *"}).status, 412);
  EXPECT_EQ(Rest(port(), "PUT", "/new", RestConnection(), {"If-None-Match: *"}).status, 201);
  EXPECT_EQ(Rest(port(), "DELETE", "/c", "", {"If-Match: \"rev:9\""}).status, 412);
  EXPECT_EQ(Rest(port(), "POST", "/c/command", "connectivity.commands:openConnection", {"If-Match: \"rev:9\""}, "text/plain").status, 412);
  EXPECT_EQ(Rest(port(), "DELETE", "/c", "", {"If-Match: \"rev:1\""}).status, 204);
}

TEST_F(RestTest, TwoWritersRacingWithTheSameIfMatchExactlyOneWins) {
  for (int round = 0; round < 10; ++round) {
    const std::string id = "/race-" + std::to_string(round);
    ASSERT_EQ(Rest(port(), "PUT", id, RestConnection()).status, 201);
    long statuses[2] = {0, 0};
    std::thread writers[2];
    for (int w = 0; w < 2; ++w) {
      writers[w] = std::thread([&, w] {
        statuses[w] = Rest(port(), "PUT", id, RestConnection("closed", R"(,"tags":["w)" + std::to_string(w) + "\"]"),
                           {"If-Match: \"rev:1\""}).status;
      });
    }
    for (std::thread& writer : writers) writer.join();
    EXPECT_EQ(std::min(statuses[0], statuses[1]), 204) << round;
    EXPECT_EQ(std::max(statuses[0], statuses[1]), 412) << round;
  }
}

}  // namespace
}  // namespace connectivity::testing
