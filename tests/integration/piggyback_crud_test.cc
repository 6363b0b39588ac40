// The piggyback CRUD cycle against the real server: shapes of every answer
// (REF §2.2), revisions (REF §6.2), delete/re-create, tags, selected fields,
// and that everything survives a restart.
#include <gtest/gtest.h>

#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

class PiggybackCrudTest : public ServerTest {};

TEST_F(PiggybackCrudTest, CreateAnswersTheDittoShape) {
  const HttpResponse response = Create(MqttConnection("mqtt-example"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body,
            R"({"type":"connectivity.responses:createConnection","status":201,"connection":{)"
            R"("id":"mqtt-example","name":null,"connectionType":"mqtt","connectionStatus":"closed",)"
            R"("uri":")" + MqttUri() + R"(","sources":[{"addresses":["devices/#"],"consumerCount":1,)"
            R"("qos":1,"authorizationContext":["ditto:inbound"],"headerMapping":{},"replyTarget":{)"
            R"("address":"{{header:reply-to}}","headerMapping":{},"expectedResponseTypes":)"
            R"(["response","error"],"enabled":true}}],"targets":[],"clientCount":1,)"
            R"("failoverEnabled":true,"validateCertificates":true,"processorPoolSize":1,"tags":[]}})");
}

TEST_F(PiggybackCrudTest, RetrieveReturnsWhatCreateAnswered) {
  const Json created(Create(MqttConnection("c1")).body);
  const HttpResponse retrieved = Retrieve("c1");
  ASSERT_EQ(retrieved.status, 200);
  const Json json(retrieved.body);
  EXPECT_EQ(json.String("/type"), "connectivity.responses:retrieveConnection");
  EXPECT_EQ(json.Int("/status"), 200);
  EXPECT_EQ(json.Raw("/connection"), created.Raw("/connection"));
}

TEST_F(PiggybackCrudTest, SecondCreateConflicts) {
  ASSERT_EQ(Json(Create(MqttConnection("c1")).body).Int("/status"), 201);
  const Json json(Create(MqttConnection("c1")).body);
  EXPECT_EQ(json.Int("/status"), 409);
  EXPECT_EQ(json.String("/error"), "connectivity:connection.conflict");
  EXPECT_EQ(json.String("/message"), "The Connection with ID 'c1' was already created.");
}

TEST_F(PiggybackCrudTest, ModifyIsAnUpsert) {
  const Json created(Send(Command("connectivity.commands:modifyConnection",
                                  R"("connection":)" + MqttConnection("c1"))).body);
  EXPECT_EQ(created.String("/type"), "connectivity.responses:createConnection");
  EXPECT_EQ(created.Int("/status"), 201);
  const HttpResponse modified = Send(Command("connectivity.commands:modifyConnection",
                                             R"("connection":)" + MqttConnection("c1", R"(,"tags":["x"])")));
  EXPECT_EQ(modified.body, R"({"type":"connectivity.responses:modifyConnection","status":204,"connectionId":"c1"})");
  EXPECT_EQ(Json(Retrieve("c1").body).Strings("/connection/tags"), std::vector<std::string>{"x"});
}

TEST_F(PiggybackCrudTest, ModifyCannotChangeTypeWithoutSudo) {
  ASSERT_EQ(Json(Create(MqttConnection("c1")).body).Int("/status"), 201);
  std::string mqtt5 = MqttConnection("c1");
  mqtt5.replace(mqtt5.find("\"mqtt\""), 6, "\"mqtt-5\"");
  const std::string modify = Command("connectivity.commands:modifyConnection", R"("connection":)" + mqtt5);
  const Json refused(Send(modify).body);
  EXPECT_EQ(refused.Int("/status"), 400);
  EXPECT_EQ(refused.String("/message"), "ConnectionType <mqtt-5> of existing connection <c1> cannot be changed!");
  const Json allowed(Send(modify, R"({"aggregate":false,"ditto-sudo":true})").body);
  EXPECT_EQ(allowed.Int("/status"), 204);
}

TEST_F(PiggybackCrudTest, OpenCloseDeleteAndRevisions) {
  REQUIRE_LOCAL_BROKERS();
  ASSERT_EQ(Json(Create(MqttConnection("c1")).body).Int("/status"), 201);
  EXPECT_EQ(Send(IdCommand("connectivity.commands:openConnection", "c1")).body,
            R"({"type":"connectivity.responses:openConnection","status":200,"connectionId":"c1"})");
  EXPECT_EQ(Json(Retrieve("c1").body).String("/connection/connectionStatus"), "open");
  EXPECT_EQ(Send(IdCommand("connectivity.commands:closeConnection", "c1")).body,
            R"({"type":"connectivity.responses:closeConnection","status":200,"connectionId":"c1"})");
  const Json selected(Send(Command("connectivity.commands:retrieveConnection",
                                   R"("connectionId":"c1","selectedFields":"connectionStatus,_revision,id")")).body);
  // Emission order (id, _revision, connectionStatus), not selector order; open/close keep _revision.
  EXPECT_EQ(selected.Raw("/connection"), R"({"id":"c1","_revision":1,"connectionStatus":"closed"})");
  EXPECT_EQ(Send(IdCommand("connectivity.commands:deleteConnection", "c1")).body,
            R"({"type":"connectivity.responses:deleteConnection","status":204,"connectionId":"c1"})");
  for (const char* type : {"retrieveConnection", "openConnection", "closeConnection", "deleteConnection"}) {
    const Json gone(Send(IdCommand(std::string("connectivity.commands:") + type, "c1")).body);
    EXPECT_EQ(gone.Int("/status"), 404) << type;
    EXPECT_EQ(gone.String("/error"), "connectivity:connection.notfound") << type;
  }
  // Re-creating continues the revisions: create 1, open 2, close 3, delete 4 -> 5.
  ASSERT_EQ(Json(Create(MqttConnection("c1")).body).Int("/status"), 201);
  const Json recreated(Send(Command("connectivity.commands:retrieveConnection",
                                    R"("connectionId":"c1","selectedFields":"_revision")")).body);
  EXPECT_EQ(recreated.Int("/connection/_revision"), 5);
}

TEST_F(PiggybackCrudTest, HiddenFieldsOnlyWhenSelected) {
  ASSERT_EQ(Json(Create(MqttConnection("c1")).body).Int("/status"), 201);
  const Json plain(Retrieve("c1").body);
  EXPECT_FALSE(plain.Has("/connection/_revision"));
  EXPECT_FALSE(plain.Has("/connection/__lifecycle"));
  const Json hidden(Send(Command("connectivity.commands:retrieveConnection",
                                 R"("connectionId":"c1","selectedFields":"id,_revision,_created,_modified,__lifecycle")")).body);
  EXPECT_EQ(hidden.Keys("/connection"),
            (std::vector<std::string>{"__lifecycle", "id", "_revision", "_modified", "_created"}));
  EXPECT_EQ(hidden.String("/connection/__lifecycle"), "ACTIVE");
  EXPECT_EQ(hidden.String("/connection/_created"), hidden.String("/connection/_modified"));
}

TEST_F(PiggybackCrudTest, ListsIdsSortedAndByTag) {
  for (const char* id : {"b", "a:1", "c"}) {
    const std::string tags = std::string(id) == "c" ? "" : R"(,"tags":["prod"])";
    ASSERT_EQ(Json(Create(MqttConnection(id, tags)).body).Int("/status"), 201);
  }
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:deleteConnection", "b")).body).Int("/status"), 204);
  const std::string ids_selection = "/user/connectivityRoot/connectionIdsRetrieval";
  EXPECT_EQ(Send(R"({"type":"connectivity.commands:retrieveAllConnectionIds"})", R"({"aggregate":false})", ids_selection).body,
            R"({"type":"connectivity.responses:retrieveAllConnectionIds","status":200,"connectionIds":["a:1","c"]})");
  EXPECT_EQ(Send(Command("connectivity.sudo.commands:sudoRetrieveConnectionIdsByTag", R"("tag":"prod")"),
                 R"({"aggregate":false})", ids_selection).body,
            R"({"type":"connectivity.sudo.responses:sudoRetrieveConnectionIdsByTag","status":200,"connectionIds":["a:1"]})");
  EXPECT_EQ(Send(IdCommand("connectivity.sudo.commands:sudoRetrieveConnectionTags", "a:1")).body,
            R"({"type":"connectivity.sudo.responses:sudoRetrieveConnectionTags","status":200,"connectionTags":["prod"]})");
}

TEST_F(PiggybackCrudTest, EverythingSurvivesRestart) {
  REQUIRE_LOCAL_BROKERS();
  ASSERT_EQ(Json(Create(MqttConnection("c1", R"(,"tags":["t"])")).body).Int("/status"), 201);
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:openConnection", "c1")).body).Int("/status"), 200);
  ASSERT_EQ(Json(Create(MqttConnection("c2")).body).Int("/status"), 201);
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:deleteConnection", "c2")).body).Int("/status"), 204);
  const std::string before = Retrieve("c1").body;
  RestartServer();
  EXPECT_EQ(Retrieve("c1").body, before);
  EXPECT_EQ(Json(Retrieve("c2").body).Int("/status"), 404);
  // c2's revisions continue after the restart: create 1, delete 2 -> 3.
  ASSERT_EQ(Json(Create(MqttConnection("c2")).body).Int("/status"), 201);
  EXPECT_EQ(Json(Send(Command("connectivity.commands:retrieveConnection",
                              R"("connectionId":"c2","selectedFields":"_revision")")).body).Int("/connection/_revision"),
            3);
}

}  // namespace
}  // namespace connectivity::testing
