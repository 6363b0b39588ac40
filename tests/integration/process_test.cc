// The server as a process: kill -9 under concurrent load loses no
// acknowledged create, a second server on the same data dir exits at once,
// bad flags exit 2 with a one-line error, SIGTERM exits 0.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

class ProcessTest : public ServerTest {};

TEST_F(ProcessTest, KillDashNineLosesNoAcknowledgedCreate) {
  std::mutex mutex;
  std::map<std::string, std::string> acknowledged;  // id -> connection as answered
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int writer = 0; writer < 16; ++writer) {
    writers.emplace_back([&, writer] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = "w" + std::to_string(writer) + "-" + std::to_string(i);
        const HttpResponse response = Piggyback(port(), CreateCommand(MqttConnection(id)));
        const Json json(response.body);
        if (response.status == 200 && json.Int("/status") == 201) {
          std::lock_guard lock(mutex);
          acknowledged[id] = json.Raw("/connection");
        }
        if (response.status == 0) return;  // the server is gone
      }
    });
  }
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= 300) break;
  }
  EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
  stop = true;
  for (std::thread& thread : writers) thread.join();

  StartServer();
  ASSERT_GE(acknowledged.size(), 300u);
  for (const auto& [id, connection] : acknowledged) {
    const Json json(Retrieve(id).body);
    ASSERT_EQ(json.Int("/status"), 200) << id;
    EXPECT_EQ(json.Raw("/connection"), connection) << id;
  }
}

TEST_F(ProcessTest, SecondServerOnTheSameDataDirExitsAtOnce) {
  ServerOptions options;
  options.data_dir = data_dir();
  options.wait_until_ready = false;
  ServerProcess second(std::move(options));
  EXPECT_EQ(second.WaitExit(10000), 1);
  EXPECT_NE(second.log().find("is in use by another connectivityd process"), std::string::npos) << second.log();
  // The first one is unharmed.
  EXPECT_EQ(Json(Create(MqttConnection("still-works")).body).Int("/status"), 201);
}

TEST_F(ProcessTest, BadFlagsExitTwoWithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--bogus"}, "unknown flag '--bogus'"},
      {{"--threads", "zero"}, "--threads must be an integer"},
      {{"--max-body-bytes", "-1"}, "--max-body-bytes must be a positive integer"},
      {{"--piggyback-compat", "ditto9"}, "--piggyback-compat must be ditto3 or ditto2"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    ServerOptions options;
    options.data_dir = dir.path() + "/data";
    options.args = c.args;
    options.wait_until_ready = false;
    options.ready_timeout_ms = 300;
    ServerProcess server(std::move(options));
    EXPECT_EQ(server.WaitExit(10000), 2) << c.args[0];
    const std::string log = server.log();
    EXPECT_NE(log.find(c.expected), std::string::npos) << log;
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  }
}

TEST_F(ProcessTest, BadEnvironmentValueExitsTwo) {
  TempDir dir;
  ServerOptions options;
  options.data_dir = dir.path() + "/data";
  options.env = {{"DEVOPS_SECURED", "maybe"}};
  options.wait_until_ready = false;
  options.ready_timeout_ms = 300;
  ServerProcess server(std::move(options));
  EXPECT_EQ(server.WaitExit(10000), 2);
  EXPECT_NE(server.log().find("DEVOPS_SECURED must be true or false"), std::string::npos) << server.log();
}

TEST_F(ProcessTest, SigtermExitsZeroAndKeepsData) {
  ASSERT_EQ(Json(Create(MqttConnection("c1")).body).Int("/status"), 201);
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  EXPECT_NE(server_->log().find("stopped"), std::string::npos);
  StartServer();
  EXPECT_EQ(Json(Retrieve("c1").body).Int("/status"), 200);
}

}  // namespace
}  // namespace connectivity::testing
