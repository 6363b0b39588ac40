// Metrics, logs, CORS and /metrics against the real server (REF §7.2, §7.3,
// SPEC §4.5, §3): the journal object survives restarts and resets; logs keep
// their capacity and expire; CORS only with the flag; /metrics parses.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

class MonitoringTest : public ServerTest {
 protected:
  std::string Metrics(const std::string& id) {
    const HttpResponse response = Rest(port(), "GET", "/" + id + "/metrics");
    EXPECT_EQ(response.status, 200) << response.body;
    return response.body;
  }
  void Command(const std::string& id, const std::string& command) {
    ASSERT_EQ(Rest(port(), "POST", "/" + id + "/command", "connectivity.commands:" + command, {}, "text/plain").status, 200);
  }
};

TEST_F(MonitoringTest, JournalMetricsCountEventsAndSurviveRestartAndReset) {
  REQUIRE_LOCAL_BROKERS();
  ASSERT_EQ(Rest(port(), "PUT", "/m", RestConnection("open")).status, 201);
  ASSERT_EQ(Rest(port(), "PUT", "/m", RestConnection("open", R"(,"tags":["a"])")).status, 204);
  Command("m", "closeConnection");
  Command("m", "openConnection");
  const Json before(Metrics("m"));
  EXPECT_EQ(before.String("/type"), "connectivity.responses:retrieveConnectionMetrics");
  EXPECT_EQ(before.Int("/journal/revision"), 4);
  EXPECT_EQ(before.Int("/journal/events/connectionCreated/total"), 1);
  EXPECT_EQ(before.Int("/journal/events/connectionCreated/PT1M"), 1);
  EXPECT_EQ(before.Int("/journal/events/connectionModified/PT24H"), 1);
  EXPECT_EQ(before.Int("/journal/events/connectionClosed/PT1H"), 1);
  EXPECT_EQ(before.Int("/journal/events/connectionOpened/total"), 1);
  EXPECT_EQ(before.Int("/journal/events/connectionDeleted/total"), 0);
  EXPECT_TRUE(before.IsNull("/journal/events/connectionDeleted/lastAt"));
  EXPECT_EQ(before.String("/journal/modified"), before.String("/journal/events/connectionModified/lastAt"));
  // Live counters of the real client (connected to the local Mosquitto).
  EXPECT_GE(before.Int("/live/connectSuccesses/PT1M").value_or(0), 1);
  EXPECT_EQ(before.Int("/live/connectFailures/PT1M"), 0);
  EXPECT_TRUE(before.String("/live/connectedSince").has_value());
  // Open: the zero-filled message tree, with _responses.
  EXPECT_EQ(before.Int("/connectionMetrics/inbound/consumed/success/PT1M"), 0);
  EXPECT_TRUE(before.IsNull("/connectionMetrics/inbound/consumed/success/lastMessageAt"));
  EXPECT_TRUE(before.Has("/sourceMetrics/addressMetrics/devices~1#/consumed"));
  EXPECT_TRUE(before.Has("/targetMetrics/addressMetrics/_responses/published"));
  Command("m", "resetConnectionMetrics");
  const Json reset(Metrics("m"));
  EXPECT_EQ(reset.Raw("/journal"), before.Raw("/journal")) << "history is not erased";
  EXPECT_EQ(reset.Int("/live/connectAttempts/PT24H"), 0) << "live counters are zeroed";
  EXPECT_TRUE(reset.IsNull("/live/connectSuccesses/lastAt"));
  RestartServer();
  // The restarted server reconnects by itself; its live counters began empty.
  for (int i = 0; i < 100 && Json(Rest(port(), "GET", "/m/status").body).String("/liveStatus") != "open"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const Json after(Metrics("m"));
  EXPECT_EQ(after.Raw("/journal/events/connectionCreated"), before.Raw("/journal/events/connectionCreated"));
  EXPECT_EQ(after.Int("/journal/events/connectionModified/total"), 1);
  EXPECT_EQ(after.String("/journal/created"), before.String("/journal/created"));
  EXPECT_EQ(after.Int("/live/connectAttempts/PT24H"), 1) << "only the reconnect after the restart";
}

TEST_F(MonitoringTest, ClosedConnectionMetricsUseDittosNullForm) {
  ASSERT_EQ(Rest(port(), "PUT", "/c", RestConnection("closed")).status, 201);
  const Json json(Metrics("c"));
  EXPECT_EQ(json.Raw("/connectionMetrics"), R"({"inbound":null,"outbound":null})");
  EXPECT_EQ(json.Raw("/sourceMetrics"), R"({"addressMetrics":null})");
  EXPECT_EQ(json.Raw("/targetMetrics"), R"({"addressMetrics":null})");
  // SPEC §4.5: `live` has its four members before any connect attempt too.
  const std::string zero = R"({"PT1M":0,"PT1H":0,"PT24H":0,"lastAt":null})";
  EXPECT_EQ(json.Raw("/live"), R"({"connectAttempts":)" + zero + R"(,"connectSuccesses":)" + zero +
                                   R"(,"connectFailures":)" + zero + R"(,"connectedSince":null})");
  const Json piggyback(Send(IdCommand("connectivity.commands:retrieveConnectionMetrics", "c")).body);
  EXPECT_EQ(piggyback.Raw("/journal/revision"), "1");
  EXPECT_EQ(Json(Send(IdCommand("connectivity.commands:retrieveConnectionMetrics", "none")).body).Int("/status"), 404);
}

TEST_F(MonitoringTest, LogsRecordLifecycleAndEvictBeyondCapacity) {
  ServerOptions options;
  options.env = {{"CONNECTIVITY_LOGGER_SUCCESS_CAPACITY", "3"}};
  RestartServer(options);
  ASSERT_EQ(Rest(port(), "PUT", "/l", RestConnection("closed")).status, 201);
  Command("l", "enableConnectionLogs");
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Rest(port(), "PUT", "/l", RestConnection("closed")).status, 204);
  const Json logs(Rest(port(), "GET", "/l/logs").body);
  EXPECT_EQ(logs.String("/connectionId"), "l");
  EXPECT_FALSE(logs.Has("/type"));
  EXPECT_EQ(logs.String("/connectionLogs/0/message"), "Connection modified.");
  EXPECT_TRUE(logs.Has("/connectionLogs/2"));
  EXPECT_FALSE(logs.Has("/connectionLogs/3")) << "capacity 3 keeps the newest three";
  EXPECT_EQ(logs.String("/connectionLogs/0/category"), "connection");
  EXPECT_EQ(logs.String("/connectionLogs/0/level"), "success");
  EXPECT_TRUE(logs.String("/enabledSince").has_value());
  const Json piggyback(Send(IdCommand("connectivity.commands:retrieveConnectionLogs", "l")).body);
  EXPECT_EQ(piggyback.String("/type"), "connectivity.responses:retrieveConnectionLogs");
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:resetConnectionLogs", "l")).body).Int("/status"), 200);
  const Json reset(Rest(port(), "GET", "/l/logs").body);
  EXPECT_EQ(reset.String("/connectionLogs/0/message"), "Successfully reset the logs.");
  EXPECT_FALSE(reset.Has("/connectionLogs/1"));
}

TEST_F(MonitoringTest, LogsExpireAfterTheirDuration) {
  ServerOptions options;
  options.env = {{"CONNECTIVITY_LOGGER_LOG_DURATION", "1s"}, {"CONNECTIVITY_LOGGER_ACTIVE_CHECK_INTERVAL", "200ms"}};
  RestartServer(options);
  ASSERT_EQ(Rest(port(), "PUT", "/l", RestConnection("closed")).status, 201);
  Command("l", "enableConnectionLogs");
  ASSERT_EQ(Rest(port(), "PUT", "/l", RestConnection("closed")).status, 204);
  EXPECT_EQ(Json(Rest(port(), "GET", "/l/logs").body).String("/connectionLogs/0/message"), "Connection modified.");
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_EQ(Rest(port(), "GET", "/l/logs").body,
            R"({"connectionId":"l","connectionLogs":[],"enabledSince":null,"enabledUntil":null})");
}

// As in Ditto (ditto-testing RestConnectionsIT.logsShouldBeEnabledAfterOpeningConnection): a close
// ends the logging session, with its entries; opening again starts a new one.
TEST_F(MonitoringTest, CloseEndsLoggingAndOpenEnablesItAgain) {
  ASSERT_EQ(Rest(port(), "PUT", "/s", RestConnection("closed")).status, 201);
  Command("s", "enableConnectionLogs");
  ASSERT_EQ(Rest(port(), "PUT", "/s", RestConnection("closed")).status, 204);
  ASSERT_TRUE(Json(Rest(port(), "GET", "/s/logs").body).Has("/connectionLogs/0"));
  Command("s", "closeConnection");
  const std::string closed = R"({"connectionId":"s","connectionLogs":[],"enabledSince":null,"enabledUntil":null})";
  EXPECT_EQ(Rest(port(), "GET", "/s/logs").body, closed);
  const Json piggyback(Send(IdCommand("connectivity.commands:retrieveConnectionLogs", "s")).body);
  EXPECT_TRUE(piggyback.IsNull("/enabledSince"));
  EXPECT_EQ(piggyback.Raw("/connectionLogs"), "[]");
  // Opening enables it again, with only the new session's entries (it needs no broker: the open
  // event is logged whether or not the connect succeeds).
  Send(IdCommand("connectivity.commands:openConnection", "s"));
  const Json opened(Rest(port(), "GET", "/s/logs").body);
  EXPECT_TRUE(opened.String("/enabledSince").has_value());
  EXPECT_TRUE(opened.String("/enabledUntil").has_value());
  EXPECT_EQ(opened.Raw("/connectionLogs").find("Connection modified."), std::string::npos) << opened.Raw("");
  EXPECT_NE(opened.Raw("/connectionLogs").find("Connection opened."), std::string::npos) << opened.Raw("");
  Command("s", "closeConnection");
  EXPECT_EQ(Rest(port(), "GET", "/s/logs").body, closed);
}

TEST_F(MonitoringTest, CorsOnlyWithTheFlag) {
  HttpRequestSpec preflight;
  preflight.method = "OPTIONS";
  preflight.path = "/api/2/connections";
  preflight.basic_auth = "";
  preflight.headers = {"Origin: http://ui.example", "Access-Control-Request-Method: PUT"};
  const HttpResponse off = Fetch(port(), preflight);
  EXPECT_GE(off.status, 400);
  EXPECT_EQ(off.Header("access-control-allow-origin"), "");
  ServerOptions options;
  options.args = {"--cors-allow-origin", "http://ui.example"};
  RestartServer(options);
  const HttpResponse on = Fetch(port(), preflight);
  EXPECT_EQ(on.status, 204);
  EXPECT_EQ(on.Header("access-control-allow-origin"), "http://ui.example");
  EXPECT_NE(on.Header("access-control-allow-methods").find("PUT"), std::string::npos);
  EXPECT_NE(on.Header("access-control-allow-headers").find("if-match"), std::string::npos);
  const HttpResponse get = Rest(port(), "PUT", "/x", RestConnection());
  EXPECT_EQ(get.Header("access-control-allow-origin"), "http://ui.example");
  EXPECT_NE(get.Header("access-control-expose-headers").find("etag"), std::string::npos);
}

// A small Prometheus text-format (0.0.4) checker: every sample line is
// `name{labels} value`, declared by a TYPE line before it; histogram
// buckets are cumulative and end with +Inf equal to _count.
std::map<std::string, double> ParsePrometheus(const std::string& text) {
  std::map<std::string, double> samples;
  std::set<std::string> declared;
  const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  const std::regex sample_line(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN)$)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (std::regex_match(line, match, type_line)) {
      declared.insert(match[1]);
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, match, sample_line)) << line;
    if (match.empty()) continue;
    std::string family = match[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (!declared.count(family) && family.size() > strlen(suffix) &&
          family.compare(family.size() - strlen(suffix), strlen(suffix), suffix) == 0) {
        family.resize(family.size() - strlen(suffix));
      }
    }
    EXPECT_TRUE(declared.count(family)) << "no TYPE before " << line;
    samples[std::string(match[1]) + std::string(match[2])] = std::stod(match[3]);
  }
  return samples;
}

TEST_F(MonitoringTest, PrometheusMetricsParseAndCount) {
  REQUIRE_LOCAL_BROKERS();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Json(Create(MqttConnection("p" + std::to_string(i))).body).Int("/status"), 201);
  ASSERT_EQ(Json(Send(IdCommand("connectivity.commands:openConnection", "p0")).body).Int("/status"), 200);
  HttpRequestSpec spec;
  spec.path = "/metrics";
  spec.basic_auth = "";
  const HttpResponse response = Fetch(port(), spec);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type").rfind("text/plain", 0), 0u);
  const std::map<std::string, double> samples = ParsePrometheus(response.body);
  EXPECT_EQ(samples.at("connectivity_journal_appends_total"), 4);
  EXPECT_EQ(samples.at(R"(connectivity_events_total{type="connectionCreated"})"), 3);
  EXPECT_EQ(samples.at(R"(connectivity_connections{desired_status="open"})"), 1);
  EXPECT_EQ(samples.at(R"(connectivity_connections{desired_status="closed"})"), 2);
  EXPECT_EQ(samples.at(R"(connectivity_journal_append_latency_seconds_bucket{le="+Inf"})"), 4);
  EXPECT_GE(samples.at(R"(connectivity_journal_batch_events_count)"), 1);
  EXPECT_EQ(samples.at(R"(connectivity_http_requests_total{route="piggyback",code="200"})"), 4);
  EXPECT_TRUE(samples.count(R"(connectivity_http_request_duration_seconds_bucket{route="piggyback",le="+Inf"})"));
  EXPECT_TRUE(samples.count("connectivity_recovery_duration_seconds"));
  EXPECT_TRUE(samples.count("connectivity_snapshot_passes_total"));
  EXPECT_EQ(samples.at("connectivity_up"), 1);
  // RocksDB's memory: the default block cache (32 MiB) and the memtables holding the four events.
  EXPECT_EQ(samples.at(R"(connectivity_storage_memory_bytes{kind="block_cache_capacity"})"), 32 << 20);
  EXPECT_GT(samples.at(R"(connectivity_storage_memory_bytes{kind="memtables"})"), 0);
  EXPECT_TRUE(samples.count(R"(connectivity_storage_memory_bytes{kind="block_cache"})"));
  EXPECT_TRUE(samples.count(R"(connectivity_storage_memory_bytes{kind="table_readers"})"));
  for (const auto& [name, value] : samples) EXPECT_EQ(name.find("p0"), std::string::npos) << "no ids as labels";
}

// jemalloc's counts reach /metrics, so that benchmarks can divide allocations by requests.
// Sanitizer builds replace malloc, so jemalloc counts nothing there.
TEST_F(MonitoringTest, HeapAllocationsAreCountedForBenchmarks) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "malloc is the sanitizer's";
#endif
  HttpRequestSpec spec;
  spec.path = "/metrics";
  spec.basic_auth = "";
  const std::map<std::string, double> before = ParsePrometheus(Fetch(port(), spec).body);
  ASSERT_TRUE(before.count("connectivity_heap_allocations_total"));
  EXPECT_GT(before.at("connectivity_heap_allocated_bytes"), 0);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(Json(Create(MqttConnection("heap" + std::to_string(i))).body).Int("/status"), 201);
  }
  const std::map<std::string, double> after = ParsePrometheus(Fetch(port(), spec).body);
  // Each create allocates dozens of times (request, model, event, reply): far more than 50 in all.
  EXPECT_GT(after.at("connectivity_heap_allocations_total") - before.at("connectivity_heap_allocations_total"), 50 * 10);
}

}  // namespace
}  // namespace connectivity::testing
