// Hono through the real server (issue 12, REF row 17): retrieveResolvedHonoConnection answers the
// stored hono connection resolved with the HONO_CONNECTION_* settings into the Kafka connection
// Ditto would build; other types answer 404; a hono connection's test connection goes to the
// resolved Kafka (the settings' bootstrap servers), never to an address of its own.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

std::string HonoConnection(const std::string& id, const std::string& status = "closed") {
  return R"({"id":")" + id + R"(","connectionType":"hono","connectionStatus":")" + status + R"(",)"
         R"("sources":[{"addresses":["telemetry","event"],"qos":1,"authorizationContext":["nginx:ditto"],)"
         R"("replyTarget":{"address":"command","headerMapping":{},"expectedResponseTypes":["response"],"enabled":true}},)"
         R"({"addresses":["command_response"],"qos":0,"authorizationContext":["nginx:ditto"]}],)"
         R"("targets":[{"address":"command","topics":["_/_/things/live/messages"],"authorizationContext":["nginx:ditto"]}],)"
         R"("specificConfig":{"honoTenantId":"tenant-1"}})";
}

class HonoTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.env = {{"HONO_CONNECTION_URI", "tcp://127.0.0.1:9"},
                   {"HONO_CONNECTION_BOOTSTRAP_SERVERS", "127.0.0.1:9, 127.0.0.1:19"},
                   {"HONO_CONNECTION_SASL_MECHANISM", "SCRAM_SHA_256"},
                   {"HONO_CONNECTION_HONO_USERNAME", "hono user"},
                   {"HONO_CONNECTION_HONO_PASSWORD", "s3cret/pass"},
                   {"HONO_CONNECTION_VALIDATE_CERTIFICATE", "true"},
                   {"CONNECTIVITY_CLIENT_CONNECT_TIMEOUT", "2s"}};
    StartServer(options);
  }
  Json Resolved(const std::string& id, const std::string& extra = "") {
    return Json(Send(Command("connectivity.commands:retrieveResolvedHonoConnection",
                             R"("connectionId":")" + id + R"(")" + extra))
                    .body);
  }
};

TEST_F(HonoTest, RetrieveResolvedHonoConnectionAnswersTheKafkaConnection) {
  ASSERT_EQ(Json(Create(HonoConnection("h1")).body).Int("/status"), 201);
  const Json resolved = Resolved("h1");
  EXPECT_EQ(resolved.String("/type"), "connectivity.responses:retrieveConnection");
  EXPECT_EQ(resolved.Int("/status"), 200);
  EXPECT_EQ(resolved.String("/connection/connectionType"), "hono");
  EXPECT_EQ(resolved.String("/connection/uri"), "tcp://hono+user:s3cret%2Fpass@127.0.0.1:9");
  EXPECT_EQ(resolved.Raw("/connection/validateCertificates"), "true");
  EXPECT_EQ(resolved.String("/connection/specificConfig/honoTenantId"), "tenant-1");
  EXPECT_EQ(resolved.String("/connection/specificConfig/saslMechanism"), "scram-sha-256");
  EXPECT_EQ(resolved.String("/connection/specificConfig/bootstrapServers"), "127.0.0.1:9,127.0.0.1:19");
  EXPECT_EQ(resolved.String("/connection/specificConfig/groupId"), "h1");
  EXPECT_EQ(resolved.Raw("/connection/sources/0/addresses"), R"(["hono.telemetry.tenant-1","hono.event.tenant-1"])");
  EXPECT_EQ(resolved.String("/connection/sources/0/replyTarget/address"), "hono.command.tenant-1/{{thing:id}}");
  EXPECT_EQ(resolved.String("/connection/sources/0/replyTarget/headerMapping/device_id"), "{{ thing:id }}");
  EXPECT_EQ(resolved.Raw("/connection/sources/1/addresses"), R"(["hono.command_response.tenant-1"])");
  EXPECT_EQ(resolved.String("/connection/sources/1/headerMapping/status"), "{{ header:status }}");
  EXPECT_EQ(resolved.String("/connection/targets/0/address"), "hono.command.tenant-1/{{thing:id}}");
  EXPECT_EQ(resolved.String("/connection/targets/0/headerMapping/response-required"), "{{ header:response-required }}");
  // The stored connection is unchanged.
  EXPECT_EQ(Json(Retrieve("h1").body).String("/connection/uri"), "");
  // selectedFields, hidden fields included.
  const Json selected = Resolved("h1", R"(,"selectedFields":"id,uri,_revision")");
  EXPECT_EQ(selected.Raw("/connection"), R"({"id":"h1","_revision":1,"uri":"tcp://hono+user:s3cret%2Fpass@127.0.0.1:9"})");
}

TEST_F(HonoTest, OtherTypesAndUnknownIdsAre404) {
  ASSERT_EQ(Json(Create(MqttConnection("m1")).body).Int("/status"), 201);
  const Json mqtt = Resolved("m1");
  EXPECT_EQ(mqtt.Int("/status"), 404);
  EXPECT_EQ(mqtt.String("/error"), "connectivity:connection.notfound");
  EXPECT_EQ(Resolved("none").Int("/status"), 404);
  EXPECT_EQ(Resolved("no spaces").String("/payload/error"), "connectivity:connection.id.invalid");
}

TEST_F(HonoTest, TestConnectionGoesToTheResolvedKafka) {
  // Port 9 (discard) is closed on loopback: the test reaches the settings' bootstrap servers.
  const Json tested(Send(Command("connectivity.commands:testConnection", R"("connection":)" + HonoConnection("t1"))).body);
  EXPECT_EQ(tested.Int("/status"), 504) << tested.Raw("");
  EXPECT_EQ(tested.String("/error"), "connectivity:connection.failed");
  const std::string description = tested.String("/description").value_or("");
  EXPECT_NE(description.find("127.0.0.1:9"), std::string::npos) << description;
  EXPECT_NE(description.find("(Kafka)"), std::string::npos) << description;
  EXPECT_EQ(description.find("s3cret"), std::string::npos) << description;
}

TEST_F(HonoTest, OpenHonoConnectionsConnectToTheResolvedKafka) {
  ASSERT_EQ(Json(Create(HonoConnection("o1", "open")).body).Int("/status"), 201);
  std::string details;
  for (int i = 0; i < 100 && details.find("127.0.0.1:9") == std::string::npos; ++i) {
    details = Json(Rest(port(), "GET", "/o1/status").body).String("/clientStatus/0/statusDetails").value_or("");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(details.find("127.0.0.1:9"), std::string::npos) << details;
  EXPECT_NE(details.find("(Kafka)"), std::string::npos) << details;
}

}  // namespace
}  // namespace connectivity::testing
