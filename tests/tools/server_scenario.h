// A fixed life of three connections driven through the REAL server
// (creates, modifies, opens, closes, deletes and a re-create), recording
// after every command what the server answered: each connection's retrieve
// and the wall-clock time. Tests compare journal-replay's view of the
// journal the server wrote against these answers.
#ifndef CONNECTIVITY_TESTS_TOOLS_SERVER_SCENARIO_H_
#define CONNECTIVITY_TESTS_TOOLS_SERVER_SCENARIO_H_

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "src/base/clock.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::tools::testing {

using ::connectivity::testing::Command;
using ::connectivity::testing::CreateCommand;
using ::connectivity::testing::HttpResponse;
using ::connectivity::testing::IdCommand;
using ::connectivity::testing::Json;
using ::connectivity::testing::MqttConnection;

class ServerScenario {
 public:
  struct Step {
    std::string id;         // the connection the command changed
    std::string type;       // its event: created, modified, opened, closed, deleted
    uint64_t revision = 0;  // that connection's revision after it
    int64_t time_us = 0;    // taken after the answer, before the next command
    // Every connection that exists after the command -> its retrieved JSON.
    std::map<std::string, std::string> answers;
  };

  using Send = std::function<HttpResponse(const std::string& command)>;
  explicit ServerScenario(Send send) : send_(std::move(send)) {}

  void Run() {
    Do(CreateCommand(MqttConnection("c1")), "c1", "created", 201);
    Do(CreateCommand(MqttConnection("c2")), "c2", "created", 201);
    Do(Modify(MqttConnection("c1", R"(,"tags":["x"])")), "c1", "modified", 204);
    Do(IdCommand("connectivity.commands:openConnection", "c1"), "c1", "opened", 200);
    Do(IdCommand("connectivity.commands:closeConnection", "c1"), "c1", "closed", 200);
    Do(IdCommand("connectivity.commands:deleteConnection", "c2"), "c2", "deleted", 204);
    Do(CreateCommand(MqttConnection("c2", R"(,"tags":["again"])")), "c2", "created", 201);
    Do(Modify(MqttConnection("c2", R"(,"tags":["again","more"])")), "c2", "modified", 204);
    Do(CreateCommand(MqttConnection("c3")), "c3", "created", 201);
    Do(IdCommand("connectivity.commands:deleteConnection", "c3"), "c3", "deleted", 204);
    Do(IdCommand("connectivity.commands:openConnection", "c2"), "c2", "opened", 200);
    Do(Modify(MqttConnection("c1", R"(,"tags":["y"])")), "c1", "modified", 204);
  }

  // What the server answers now for every connection the scenario touched
  // (absent: 404).
  std::map<std::string, std::string> RetrieveAll() {
    std::map<std::string, std::string> answers;
    for (const std::string& id : ids_) {
      const Json json(send_(IdCommand("connectivity.commands:retrieveConnection", id)).body);
      if (json.Int("/status") == 200) answers[id] = json.Raw("/connection");
    }
    return answers;
  }

  const std::vector<Step>& steps() const { return steps_; }
  const std::set<std::string>& ids() const { return ids_; }
  uint64_t events() const { return steps_.size(); }
  const std::map<std::string, uint64_t>& revisions() const { return revisions_; }

 private:
  static std::string Modify(const std::string& connection) {
    return Command("connectivity.commands:modifyConnection", R"("connection":)" + connection);
  }

  void Do(const std::string& command, const std::string& id, const std::string& type,
          int64_t status) {
    const HttpResponse response = send_(command);
    if (type == "opened") {
      // An open is journaled (desired status) before the service connects
      // for real; without a broker the answer may report the failed
      // connect. The event is what the scenario needs.
      const Json retrieved(send_(IdCommand("connectivity.commands:retrieveConnection", id)).body);
      ASSERT_EQ(retrieved.String("/connection/connectionStatus"), "open") << response.body;
    } else {
      ASSERT_EQ(Json(response.body).Int("/status"), status) << command << "\n" << response.body;
    }
    ids_.insert(id);
    Step step;
    step.id = id;
    step.type = type;
    step.revision = ++revisions_[id];
    step.answers = RetrieveAll();
    step.time_us = SystemClock::Instance()->NowMicros();
    steps_.push_back(std::move(step));
  }

  Send send_;
  std::vector<Step> steps_;
  std::set<std::string> ids_;
  std::map<std::string, uint64_t> revisions_;
};

}  // namespace connectivity::tools::testing

#endif  // CONNECTIVITY_TESTS_TOOLS_SERVER_SCENARIO_H_
