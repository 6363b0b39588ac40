// A test fixture that runs one real server on a fresh data directory.
#ifndef CONNECTIVITY_TESTS_INTEGRATION_SERVER_FIXTURE_H_
#define CONNECTIVITY_TESTS_INTEGRATION_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "tests/integration/http_client.h"
#include "tests/integration/json_util.h"
#include "tests/integration/server_process.h"

namespace connectivity::testing {

// The brokers scripts/test starts (scripts/brokers): tests that open
// connections need them and skip without (a plain ctest on a laptop).
inline bool BrokersAvailable() { return std::getenv("CONNECTIVITY_BROKERS") != nullptr; }
#define REQUIRE_LOCAL_BROKERS()                                                        \
  do {                                                                                 \
    if (!::connectivity::testing::BrokersAvailable()) {                                \
      GTEST_SKIP() << "opens connections: needs the local brokers (run scripts/test)"; \
    }                                                                                  \
  } while (0)

// Mosquitto's anonymous listener: where opened test connections connect.
inline std::string MqttUri() {
  const char* port = std::getenv("CONNECTIVITY_MOSQUITTO_ANON_PORT");
  return std::string("tcp://127.0.0.1:") + (port != nullptr ? port : "1884");
}

// A small valid MQTT connection to the local Mosquitto (created closed).
inline std::string MqttConnection(const std::string& id, const std::string& extra = "") {
  return R"({"id":")" + id +
         R"(","connectionType":"mqtt","connectionStatus":"closed","uri":")" + MqttUri() + R"(",)"
         R"("sources":[{"addresses":["devices/#"],"qos":1,"authorizationContext":["ditto:inbound"]}],)"
         R"("targets":[])" +
         extra + "}";
}

inline std::string Command(const std::string& type, const std::string& members) {
  return R"({"type":")" + type + R"(",)" + members + "}";
}

inline std::string CreateCommand(const std::string& connection_json) {
  return Command("connectivity.commands:createConnection", R"("connection":)" + connection_json);
}

inline std::string IdCommand(const std::string& type, const std::string& id) {
  return Command(type, R"("connectionId":")" + id + R"(")");
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }
  // A failed test shows what the server said (its log is deleted with the test's directory).
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << "--- server log ---\n" << server_->log() << "--- end ---\n";
  }

  void StartServer(ServerOptions options = {}) {
    options.data_dir = data_dir();
    server_ = std::make_unique<ServerProcess>(std::move(options));
    ASSERT_TRUE(server_->ok()) << server_->log();
  }
  void RestartServer(ServerOptions options = {}) {
    ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
    StartServer(std::move(options));
  }
  std::string data_dir() const { return dir_.path() + "/data"; }
  uint16_t port() const { return server_->port(); }

  HttpResponse Send(const std::string& command, const std::string& headers = R"({"aggregate":false})",
                    const std::string& selection = "/system/sharding/connection") {
    return Piggyback(port(), command, headers, selection);
  }
  HttpResponse Create(const std::string& connection_json) { return Send(CreateCommand(connection_json)); }
  HttpResponse Retrieve(const std::string& id) {
    return Send(IdCommand("connectivity.commands:retrieveConnection", id));
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_INTEGRATION_SERVER_FIXTURE_H_
