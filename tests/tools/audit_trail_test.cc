// Goal: the audit trail (issue 13 item 4). Every event the REAL server
// writes records who caused it and from where — the authenticated user, the
// client address, the correlation id, the route — and /history,
// `journal-replay dump` and `export` show it as the event's `_metadata`;
// events of a journal from before the audit trail keep `_metadata` null; the
// DevOps password appears nowhere. Method: build/connectivityd over HTTP on
// 127.0.0.1 with a distinctive password, build/journal-replay on its data dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/integration/server_fixture.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

namespace fs = std::filesystem;
using ::connectivity::testing::HttpRequestSpec;
using ::connectivity::testing::HttpResponse;
using ::connectivity::testing::Json;
using ::connectivity::testing::ServerOptions;

constexpr char kPassword[] = "Audit-Trail-Pw-5c1e9";

// A connection body to a port nobody listens on (created closed: no broker needed).
std::string Connection(const std::string& id, const std::string& tag) {
  return R"({"id":")" + id +
         R"(","connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://127.0.0.1:1",)"
         R"("sources":[{"addresses":["a/#"],"qos":1,"authorizationContext":["ditto:inbound"]}],)"
         R"("targets":[],"tags":[")" +
         tag + R"("]})";
}

bool IsUuid(const std::string& text) {
  static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  return std::regex_match(text, kUuid);
}

// Every file under `dir` (recursively) that holds `needle`.
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && ReadWholeFile(entry.path()).find(needle) != std::string::npos) {
      hits.push_back(entry.path());
    }
  }
  return hits;
}

class AuditTrailTest : public ::connectivity::testing::ServerTest {
 protected:
  void SetUp() override { StartServer(WithPassword()); }

  static ServerOptions WithPassword() {
    ServerOptions options;
    options.env["DEVOPS_PASSWORD"] = kPassword;
    return options;
  }

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body = "",
                    std::vector<std::string> headers = {}) {
    HttpRequestSpec spec;
    spec.method = method;
    spec.path = path;
    spec.body = body;
    spec.headers = std::move(headers);
    spec.basic_auth = std::string("devops:") + kPassword;
    if (!body.empty()) spec.headers.push_back("Content-Type: application/json");
    return Fetch(port(), spec);
  }

  HttpResponse Piggyback(const std::string& command, const std::string& headers, const std::string& query = "") {
    return Call("POST", "/devops/piggyback/connectivity" + query,
                R"({"targetActorSelection":"/system/sharding/connection","headers":)" + headers +
                    R"(,"piggybackCommand":)" + command + "}");
  }

  // A REST create with a correlation id, a piggyback modify with one in its
  // envelope, a piggyback close with one in the query only, a REST delete
  // without any.
  void WriteFourEvents() {
    ASSERT_EQ(Call("PUT", "/api/2/connections/audit1", Connection("audit1", "v1"), {"correlation-id: rest-create-1"})
                  .status,
              201);
    const HttpResponse modified =
        Piggyback(::connectivity::testing::Command("connectivity.commands:modifyConnection",
                                                   R"("connection":)" + Connection("audit1", "v2")),
                  R"({"aggregate":false,"correlation-id":"pb-modify-2"})");
    ASSERT_EQ(Json(modified.body).Int("/status"), 204) << modified.body;
    const HttpResponse closed =
        Piggyback(::connectivity::testing::IdCommand("connectivity.commands:closeConnection", "audit1"),
                  R"({"aggregate":false})", "?correlation-id=pb-close-3");
    ASSERT_EQ(Json(closed.body).Int("/status"), 200) << closed.body;
    ASSERT_EQ(Call("DELETE", "/api/2/connections/audit1").status, 204);
  }

  // Checks the four events' `_metadata` in one event-JSON array or lines.
  static void ExpectFourAudits(const std::vector<std::string>& events) {
    ASSERT_EQ(events.size(), 4u);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"rest-create-1", "rest"}, {"pb-modify-2", "piggyback"}, {"pb-close-3", "piggyback"}, {"", "rest"}};
    for (size_t i = 0; i < events.size(); ++i) {
      SCOPED_TRACE("event " + std::to_string(i + 1) + ": " + events[i]);
      const Json event(events[i]);
      EXPECT_EQ(event.Keys("/_metadata"), std::vector<std::string>{"audit"});
      EXPECT_EQ(event.Keys("/_metadata/audit"),
                (std::vector<std::string>{"user", "clientAddress", "correlationId", "route"}));
      EXPECT_EQ(event.String("/_metadata/audit/user"), "devops");
      EXPECT_EQ(event.String("/_metadata/audit/clientAddress"), "127.0.0.1");
      EXPECT_EQ(event.String("/_metadata/audit/route"), expected[i].second);
      const std::string correlation_id = event.String("/_metadata/audit/correlationId").value_or("?");
      if (expected[i].first.empty()) {
        EXPECT_TRUE(IsUuid(correlation_id)) << correlation_id;  // generated by the server
      } else {
        EXPECT_EQ(correlation_id, expected[i].first);
      }
    }
  }

  static std::vector<std::string> Elements(const std::string& array_json) {
    const Json array(array_json);
    std::vector<std::string> elements;
    for (size_t i = 0; array.Has("/" + std::to_string(i)); ++i) elements.push_back(array.Raw("/" + std::to_string(i)));
    return elements;
  }
};

TEST_F(AuditTrailTest, HistoryDumpAndExportNameUserAddressCorrelationIdAndRoute) {
  ASSERT_NO_FATAL_FAILURE(WriteFourEvents());
  const HttpResponse history = Call("GET", "/api/2/connections/audit1/history");
  ASSERT_EQ(history.status, 200) << history.body;
  ExpectFourAudits(Elements(history.body));
  // The replay tool reads the journal itself (a secondary instance while the server runs).
  const ToolRun dump = RunOn(data_dir(), {"dump", "--connection", "audit1"});
  ASSERT_EQ(dump.exit_code, 0) << Describe(dump);
  ExpectFourAudits(Lines(dump.out));
  EXPECT_EQ(Lines(dump.out), Elements(history.body));  // byte for byte the same events

  const ToolRun exported = RunOn(data_dir(), {"export"});
  ASSERT_EQ(exported.exit_code, 0) << Describe(exported);
  std::vector<std::string> lines = Lines(exported.out);
  ASSERT_EQ(lines.size(), 5u) << exported.out;
  lines.erase(lines.begin());  // the header
  ExpectFourAudits(lines);

  // The password is nowhere: not in the journal's files, not in any answer or output, not in the log.
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  EXPECT_EQ(FilesHolding(data_dir(), kPassword), std::vector<std::string>{});
  EXPECT_GT(FilesHolding(data_dir(), "pb-modify-2").size(), 0u);  // the grep does see what is stored
  for (const std::string* text : {&history.body, &dump.out, &dump.err, &exported.out}) {
    EXPECT_EQ(text->find(kPassword), std::string::npos) << *text;
  }
  EXPECT_EQ(server_->log().find(kPassword), std::string::npos);
}

TEST_F(AuditTrailTest, ExportImportKeepsTheAuditAndAServerOnTheImportShowsIt) {
  ASSERT_NO_FATAL_FAILURE(WriteFourEvents());
  const std::string before = Call("GET", "/api/2/connections/audit1/history").body;
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  const std::string file = dir_.path() + "/export.jsonl";
  ASSERT_EQ(RunOn(data_dir(), {"export", "--output", file}).exit_code, 0);
  const std::string imported = dir_.path() + "/imported";
  const ToolRun import = RunOn(imported, {"import", "--input", file});
  ASSERT_EQ(import.exit_code, 0) << Describe(import);
  ServerOptions options = WithPassword();
  options.data_dir = imported;
  ::connectivity::testing::ServerProcess server(options);
  ASSERT_TRUE(server.ok()) << server.log();
  HttpRequestSpec spec;
  spec.path = "/api/2/connections/audit1/history";
  spec.basic_auth = std::string("devops:") + kPassword;
  EXPECT_EQ(::connectivity::testing::Fetch(server.port(), spec).body, before);
}

TEST_F(AuditTrailTest, EventsFromBeforeTheAuditTrailKeepMetadataNull) {
  // An export as builds before the audit trail wrote it: no "_metadata".
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  const std::string file = dir_.path() + "/old.jsonl";
  {
    std::ofstream out(file);
    out << R"({"format":"connectivity-journal-export","version":1,"events":1})" << "\n"
        << R"({"sequence":1,"timestamp":"2026-01-02T03:04:05.000006Z","connectionId":"old1","revision":1,)"
        << R"("type":"connectivity.events:connectionCreated","connection":)"
        << R"({"id":"old1","name":null,"connectionType":"mqtt","connectionStatus":"closed",)"
        << R"("uri":"tcp://127.0.0.1:1","sources":[],"targets":[{"address":"a","topics":[],"qos":0,)"
        << R"("authorizationContext":["ditto:x"],"headerMapping":{}}],"clientCount":1,)"
        << R"("failoverEnabled":true,"validateCertificates":true,"processorPoolSize":1,"tags":[]}})" << "\n";
  }
  const std::string old_dir = dir_.path() + "/old";
  const ToolRun import = RunOn(old_dir, {"import", "--input", file});
  ASSERT_EQ(import.exit_code, 0) << Describe(import);
  ServerOptions options = WithPassword();
  options.data_dir = old_dir;
  server_ = std::make_unique<::connectivity::testing::ServerProcess>(options);
  ASSERT_TRUE(server_->ok()) << server_->log();
  // A change today on top of the old event: only the new event has an audit.
  HttpRequestSpec close;
  close.method = "POST";
  close.path = "/api/2/connections/old1/command";
  close.body = "connectivity.commands:closeConnection";
  close.headers = {"Content-Type: text/plain", "correlation-id: new-close"};
  close.basic_auth = std::string("devops:") + kPassword;
  ASSERT_EQ(::connectivity::testing::Fetch(port(), close).status, 200);
  const Json history(Call("GET", "/api/2/connections/old1/history").body);
  EXPECT_TRUE(history.IsNull("/0/_metadata"));
  EXPECT_EQ(history.String("/1/_metadata/audit/correlationId"), "new-close");
  const ToolRun dump = RunOn(old_dir, {"dump"});
  ASSERT_EQ(dump.exit_code, 0) << Describe(dump);
  ASSERT_EQ(Lines(dump.out).size(), 2u);
  EXPECT_TRUE(Json(Lines(dump.out)[0]).IsNull("/_metadata"));
  // Its export is what it was for the old event (no member), with the new one's audit.
  const std::vector<std::string> exported = Lines(RunOn(old_dir, {"export"}).out);
  ASSERT_EQ(exported.size(), 3u);
  EXPECT_EQ(exported[1] + "\n", Lines(ReadWholeFile(file))[1] + "\n");
  EXPECT_EQ(Json(exported[2]).String("/_metadata/audit/route"), "rest");
}

TEST_F(AuditTrailTest, WithAuthenticationOffTheUserIsNull) {
  ServerOptions options;
  options.env["DEVOPS_SECURED"] = "false";
  RestartServer(options);
  ASSERT_EQ(Call("PUT", "/api/2/connections/anon1", Connection("anon1", "v1")).status, 201);
  const Json history(Call("GET", "/api/2/connections/anon1/history").body);
  EXPECT_TRUE(history.IsNull("/0/_metadata/audit/user"));
  EXPECT_EQ(history.String("/0/_metadata/audit/clientAddress"), "127.0.0.1");
  EXPECT_EQ(history.String("/0/_metadata/audit/route"), "rest");
}

}  // namespace
}  // namespace connectivity::tools::testing
