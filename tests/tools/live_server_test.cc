// Goal: journal-replay works next to a running server that takes writes
// (SPEC §6: a RocksDB secondary instance) and never disturbs it. Method: a
// thread creates and modifies connections through the REAL server without
// pause while the test runs `stats`, `state` and `verify` against the
// server's data dir again and again; every run must exit 0 with nothing on
// stderr, the counts must never go down, and the server must have answered
// every command. The runs span more than one snapshot pass of the server
// (every 5 s; CONNECTION_SNAPSHOT_THRESHOLD=1 adds historical snapshots),
// so `verify` also meets state rows written while events keep coming.
// Afterwards the final counts equal what the writer did.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/integration/server_fixture.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

using ::connectivity::testing::Command;
using ::connectivity::testing::CreateCommand;
using ::connectivity::testing::Json;
using ::connectivity::testing::MqttConnection;

class LiveServerTest : public ::connectivity::testing::ServerTest {
 protected:
  void SetUp() override {
    ::connectivity::testing::ServerOptions options;
    options.env["CONNECTION_SNAPSHOT_THRESHOLD"] = "1";
    StartServer(options);
  }

  // Creates live-0, live-1, ... and modifies each once, until stopped.
  void Write() {
    for (int index = 0; !stop_.load(); ++index) {
      const std::string id = "live-" + std::to_string(index);
      if (Json(Create(MqttConnection(id)).body).Int("/status") != 201) ++failures_;
      const std::string modify =
          Command("connectivity.commands:modifyConnection",
                  R"("connection":)" + MqttConnection(id, R"(,"tags":["modified"])"));
      if (Json(Send(modify).body).Int("/status") != 204) ++failures_;
      events_.fetch_add(2);
    }
  }

  // Longer than the server's snapshot interval (5 s).
  static constexpr std::chrono::milliseconds kDuration{6500};

  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  std::atomic<uint64_t> events_{0};
};

TEST_F(LiveServerTest, ToolRunsBesideAServerTakingWrites) {
  std::thread writer([this] { Write(); });
  int64_t events_seen = 0;
  int64_t events_first = -1;
  size_t states_seen = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 4 || std::chrono::steady_clock::now() - start < kDuration; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const ToolRun stats = RunOn(data_dir(), {"stats", "--json"});
    ASSERT_EQ(stats.exit_code, 0) << Describe(stats);
    EXPECT_EQ(stats.err, "");
    const int64_t events = Json(stats.out).Int("/events").value_or(-1);
    EXPECT_GE(events, events_seen);
    events_seen = events;
    if (events_first < 0) events_first = events;

    const ToolRun state = RunOn(data_dir(), {"state", "--json"});
    ASSERT_EQ(state.exit_code, 0) << Describe(state);
    EXPECT_EQ(state.err, "");
    const size_t states = ParseStateLines(state.out).size();
    EXPECT_GE(states, states_seen);
    states_seen = states;

    const ToolRun verify = RunOn(data_dir(), {"verify"});
    EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
    EXPECT_EQ(verify.err, "");
  }
  // A snapshot pass happened while the writer ran, and verify accepted it.
  const ToolRun snapshots = RunOn(data_dir(), {"stats", "--json"});
  EXPECT_GT(Json(snapshots.out).Int("/snapshots/stateRows").value_or(0), 0) << snapshots.out;
  EXPECT_GT(Json(snapshots.out).Int("/snapshots/historical").value_or(0), 0) << snapshots.out;
  stop_.store(true);
  writer.join();
  EXPECT_EQ(failures_.load(), 0);
  EXPECT_GT(events_seen, events_first);  // the tool saw writes land between its runs
  const ToolRun verify = RunOn(data_dir(), {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);

  // Everything acknowledged is visible to the next run.
  const ToolRun stats = RunOn(data_dir(), {"stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << Describe(stats);
  EXPECT_EQ(Json(stats.out).Int("/events"), static_cast<int64_t>(events_.load()));
  EXPECT_EQ(Json(stats.out).Int("/connections/live"), static_cast<int64_t>(events_.load() / 2));
  // The server is still fine.
  EXPECT_EQ(Json(Create(MqttConnection("after")).body).Int("/status"), 201);
}

}  // namespace
}  // namespace connectivity::tools::testing
