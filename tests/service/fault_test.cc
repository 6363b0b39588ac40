// What the server does when the disk fails (SPEC §5), through a fault-
// injection file system under the journal and real HTTP in front:
//   (a) a failing fsync: that command answers 503, so do all later writes,
//       reads go on, /health says DOWN; after a restart nothing
//       acknowledged is missing;
//   (b) power loss: every byte not synced is dropped, and every
//       acknowledged command is still there on reopen.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "storage/fault_injection_fs.h"
#include "storage/temp_dir.h"
#include "tests/integration/server_fixture.h"
#include "tests/service/in_process_server.h"

namespace connectivity::testing {
namespace {

class FaultTest : public ::testing::Test {
 protected:
  std::string CreateAndGetConnection(uint16_t port, const std::string& id) {
    const Json json(Piggyback(port, CreateCommand(MqttConnection(id))).body);
    EXPECT_EQ(json.Int("/status"), 201) << id;
    return json.Raw("/connection");
  }
  int64_t InnerStatus(uint16_t port, const std::string& command) {
    return Json(Piggyback(port, command).body).Int("/status").value_or(-1);
  }

  storage::ScopedTempDir dir_{"fault-test"};
  storage::FaultInjectionEnv fault_ = storage::MakeFaultInjectionEnv();
};

TEST_F(FaultTest, FailedSyncRefusesWritesKeepsReadsAndLosesNothingAcknowledged) {
  std::map<std::string, std::string> acknowledged;
  {
    InProcessServer server(dir_.Sub("data"), fault_.env.get());
    ASSERT_TRUE(server.ok()) << server.error().ToString();
    for (const char* id : {"a", "b"}) acknowledged[id] = CreateAndGetConnection(server.port(), id);

    fault_.fs->SetFaults(storage::Faults{.fail_sync = true, .file_suffix = ".log"});
    const Json refused(Piggyback(server.port(), CreateCommand(MqttConnection("c"))).body);
    EXPECT_EQ(refused.Int("/status"), 503);
    EXPECT_GT(fault_.fs->injected_failures(), 0u);
    fault_.fs->ClearFaults();  // the disk recovers, but the journal stays refusing
    EXPECT_EQ(InnerStatus(server.port(), CreateCommand(MqttConnection("d"))), 503);
    EXPECT_EQ(InnerStatus(server.port(), IdCommand("connectivity.commands:openConnection", "a")), 503);
    EXPECT_EQ(InnerStatus(server.port(), IdCommand("connectivity.commands:retrieveConnection", "a")), 200);
    HttpRequestSpec health;
    health.path = "/health";
    EXPECT_EQ(Fetch(server.port(), health).status, 503);
  }
  InProcessServer restarted(dir_.Sub("data"), fault_.env.get());
  ASSERT_TRUE(restarted.ok()) << restarted.error().ToString();
  for (const auto& [id, connection] : acknowledged) {
    const Json json(Piggyback(restarted.port(), IdCommand("connectivity.commands:retrieveConnection", id)).body);
    EXPECT_EQ(json.Raw("/connection"), connection) << id;
  }
  EXPECT_EQ(InnerStatus(restarted.port(), IdCommand("connectivity.commands:retrieveConnection", "d")), 404);
  EXPECT_EQ(InnerStatus(restarted.port(), CreateCommand(MqttConnection("e"))), 201);
}

TEST_F(FaultTest, PowerLossKeepsEveryAcknowledgedCommand) {
  std::map<std::string, std::string> acknowledged;
  {
    InProcessServer server(dir_.Sub("data"), fault_.env.get());
    ASSERT_TRUE(server.ok()) << server.error().ToString();
    std::vector<std::thread> writers;
    std::mutex mutex;
    for (int writer = 0; writer < 8; ++writer) {
      writers.emplace_back([&, writer] {
        for (int i = 0; i < 25; ++i) {
          const std::string id = "p" + std::to_string(writer) + "-" + std::to_string(i);
          const std::string connection = CreateAndGetConnection(server.port(), id);
          std::lock_guard lock(mutex);
          acknowledged[id] = connection;
        }
      });
    }
    for (std::thread& thread : writers) thread.join();
    // Unsynced writes after the last acknowledged command: a snapshot pass.
    ASSERT_TRUE(server.service().TakeSnapshot().ok());
    fault_.fs->SimulateCrash();
  }
  ASSERT_TRUE(fault_.fs->DropUnsyncedData().ok());
  InProcessServer restarted(dir_.Sub("data"), fault_.env.get());
  ASSERT_TRUE(restarted.ok()) << restarted.error().ToString();
  ASSERT_EQ(acknowledged.size(), 200u);
  for (const auto& [id, connection] : acknowledged) {
    const Json json(Piggyback(restarted.port(), IdCommand("connectivity.commands:retrieveConnection", id)).body);
    EXPECT_EQ(json.Raw("/connection"), connection) << id;
  }
}

}  // namespace
}  // namespace connectivity::testing
