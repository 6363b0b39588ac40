// Goal: journal-replay reads the journal the REAL server writes the way the
// server answers. Method: drive build/connectivityd through a fixed life of
// three connections (ServerScenario: creates, modifies, opens, closes,
// deletes, a re-create), recording every retrieve answer and the time after
// each command; then run build/journal-replay against the server's data dir
// (while it runs: a secondary instance) and compare `state` (now, at each
// revision, at each recorded time) with those answers, and check that each
// `dump` filter selects exactly the events it names.
#include <gtest/gtest.h>

#include <set>

#include "src/base/time_format.h"
#include "tests/integration/server_fixture.h"
#include "tests/tools/server_scenario.h"
#include "tests/tools/tools_test_util.h"

namespace connectivity::tools::testing {
namespace {

class ServerJournalTest : public ::connectivity::testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    scenario_ = std::make_unique<ServerScenario>(
        [this](const std::string& command) { return Send(command); });
    ASSERT_NO_FATAL_FAILURE(scenario_->Run());
  }

  // The `state --json` lines of a run, checked for exit 0.
  std::map<std::string, StateLine> State(std::vector<std::string> args) {
    args.insert(args.begin(), {"state", "--json"});
    const ToolRun run = RunOn(data_dir(), args);
    EXPECT_EQ(run.exit_code, 0) << Describe(run);
    EXPECT_EQ(run.err, "");
    return ParseStateLines(run.out);
  }

  // The dump lines of a run, as parsed JSON texts.
  std::vector<std::string> Dump(std::vector<std::string> args) {
    args.insert(args.begin(), "dump");
    const ToolRun run = RunOn(data_dir(), args);
    EXPECT_EQ(run.exit_code, 0) << Describe(run);
    return Lines(run.out);
  }

  // "id rev N type" of each dumped event, to compare selections readably.
  static std::vector<std::string> Summaries(const std::vector<std::string>& lines) {
    std::vector<std::string> summaries;
    for (const std::string& line : lines) {
      const Json json(line);
      summaries.push_back(json.String("/connectionId").value_or("?") + " rev " +
                          std::to_string(json.Int("/revision").value_or(0)) + " " +
                          json.String("/type").value_or("?"));
    }
    return summaries;
  }

  // The same for the scenario steps that pass `keep`.
  template <typename Predicate>
  std::vector<std::string> ExpectedSummaries(Predicate keep) const {
    std::vector<std::string> summaries;
    for (const ServerScenario::Step& step : scenario_->steps()) {
      if (!keep(step)) continue;
      std::string type = step.type;
      type[0] = static_cast<char>(type[0] - 'a' + 'A');
      summaries.push_back(step.id + " rev " + std::to_string(step.revision) +
                          " connectivity.events:connection" + type);
    }
    return summaries;
  }

  std::unique_ptr<ServerScenario> scenario_;
};

TEST_F(ServerJournalTest, CurrentStateEqualsTheServersAnswers) {
  const std::map<std::string, std::string> answers = scenario_->RetrieveAll();
  const std::map<std::string, StateLine> states = State({});
  ASSERT_EQ(states.size(), scenario_->ids().size());
  for (const auto& [id, state] : states) {
    EXPECT_EQ(state.revision, scenario_->revisions().at(id)) << id;
    if (answers.contains(id)) {
      EXPECT_EQ(state.lifecycle, "ACTIVE") << id;
      EXPECT_EQ(state.connection, answers.at(id)) << id;
    } else {
      EXPECT_EQ(state.lifecycle, "DELETED") << id;  // the server answers 404
    }
  }
  EXPECT_EQ(answers.size(), 2u);  // c1 and c2; c3 is deleted
}

TEST_F(ServerJournalTest, HumanStateShowsTheSameConnectionJson) {
  const ToolRun run = RunOn(data_dir(), {"state", "--connection", "c1"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  const std::string prefix =
      "c1 revision " + std::to_string(scenario_->revisions().at("c1")) + " ACTIVE ";
  ASSERT_TRUE(run.out.starts_with(prefix)) << run.out;
  const std::string connection = run.out.substr(prefix.size(), run.out.size() - prefix.size() - 1);
  EXPECT_EQ(Json(connection).Raw(""), scenario_->RetrieveAll().at("c1"));
}

TEST_F(ServerJournalTest, StateAtEachRevisionEqualsWhatTheServerAnsweredThen) {
  for (const ServerScenario::Step& step : scenario_->steps()) {
    SCOPED_TRACE(step.id + " revision " + std::to_string(step.revision));
    const std::map<std::string, StateLine> states =
        State({"--connection", step.id, "--at-revision", std::to_string(step.revision)});
    ASSERT_EQ(states.size(), 1u);
    const StateLine& state = states.at(step.id);
    EXPECT_EQ(state.revision, step.revision);
    if (step.answers.contains(step.id)) {
      EXPECT_EQ(state.lifecycle, "ACTIVE");
      EXPECT_EQ(state.connection, step.answers.at(step.id));
    } else {
      EXPECT_EQ(state.lifecycle, "DELETED");
    }
  }
}

TEST_F(ServerJournalTest, StateAtEachTimeEqualsWhatTheServerAnsweredThen) {
  for (size_t index = 0; index < scenario_->steps().size(); ++index) {
    const ServerScenario::Step& step = scenario_->steps()[index];
    SCOPED_TRACE("after step " + std::to_string(index) + " at " + FormatIsoMicros(step.time_us));
    const std::map<std::string, StateLine> states = State({"--at", FormatIsoMicros(step.time_us)});
    std::map<std::string, std::string> active;
    for (const auto& [id, state] : states) {
      if (state.lifecycle == "ACTIVE") active[id] = state.connection;
    }
    EXPECT_EQ(active, step.answers);
  }
}

TEST_F(ServerJournalTest, StateBeforeTheFirstEventIsEmptyAndUnknownRevisionsFail) {
  EXPECT_TRUE(State({"--at", "2000-01-01T00:00:00Z"}).empty());
  const ToolRun beyond = RunOn(data_dir(), {"state", "--connection", "c1", "--at-revision", "99"});
  EXPECT_EQ(beyond.exit_code, 1) << Describe(beyond);
  EXPECT_NE(beyond.err.find("has no revision 99"), std::string::npos) << beyond.err;
  const ToolRun unknown = RunOn(data_dir(), {"state", "--connection", "nope"});
  EXPECT_EQ(unknown.exit_code, 1) << Describe(unknown);
  EXPECT_NE(unknown.err.find("no connection 'nope'"), std::string::npos) << unknown.err;
}

TEST_F(ServerJournalTest, DumpPrintsEveryEventInJournalOrderAsDittoEventJson) {
  const std::vector<std::string> lines = Dump({});
  EXPECT_EQ(Summaries(lines), ExpectedSummaries([](const auto&) { return true; }));
  std::string previous_time;
  for (const std::string& line : lines) {
    const Json json(line);
    // REF §6.1 field order.
    const std::vector<std::string> keys = json.Keys("");
    ASSERT_GE(keys.size(), 5u) << line;
    EXPECT_EQ(
        std::vector<std::string>(keys.begin(), keys.begin() + 5),
        (std::vector<std::string>{"type", "_timestamp", "_metadata", "revision", "connectionId"}));
    // The scenario's commands came by piggyback (the audit trail; audit_trail_test.cc has the rest).
    EXPECT_EQ(json.String("/_metadata/audit/route"), "piggyback");
    EXPECT_EQ(json.String("/_metadata/audit/user"), "devops");
    const std::string time = json.String("/_timestamp").value_or("");
    EXPECT_GT(time, previous_time);  // ISO-8601 UTC sorts as text
    previous_time = time;
  }
}

TEST_F(ServerJournalTest, DumpFiltersByConnectionAndRevision) {
  EXPECT_EQ(Summaries(Dump({"--connection", "c1"})),
            ExpectedSummaries([](const auto& step) { return step.id == "c1"; }));
  EXPECT_EQ(Summaries(Dump({"--connection", "c2", "--from-revision", "2", "--to-revision", "3"})),
            ExpectedSummaries([](const auto& step) {
              return step.id == "c2" && step.revision >= 2 && step.revision <= 3;
            }));
  EXPECT_EQ(Summaries(Dump({"--from-revision", "4"})),
            ExpectedSummaries([](const auto& step) { return step.revision >= 4; }));
}

TEST_F(ServerJournalTest, DumpFiltersByType) {
  EXPECT_EQ(Summaries(Dump({"--type", "deleted"})),
            ExpectedSummaries([](const auto& step) { return step.type == "deleted"; }));
  EXPECT_EQ(Summaries(Dump({"--type", "connectionOpened,connectivity.events:connectionClosed"})),
            ExpectedSummaries(
                [](const auto& step) { return step.type == "opened" || step.type == "closed"; }));
}

TEST_F(ServerJournalTest, DumpFiltersByTime) {
  const std::vector<ServerScenario::Step>& steps = scenario_->steps();
  // Events strictly after step 2's time and at or before step 6's: steps 3..6.
  const std::vector<std::string> lines = Dump({"--since", FormatIsoMicros(steps[2].time_us + 1),
                                               "--until", FormatIsoMicros(steps[6].time_us)});
  const std::vector<std::string> expected = ExpectedSummaries([&](const auto& step) {
    return step.time_us > steps[2].time_us && step.time_us <= steps[6].time_us;
  });
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(Summaries(lines), expected);
}

TEST_F(ServerJournalTest, TimeBoundsAreInclusiveToTheMicrosecond) {
  // The exact commit time of c2's delete (its revision 2), from the dump.
  const std::vector<std::string> deleted =
      Dump({"--connection", "c2", "--from-revision", "2", "--to-revision", "2"});
  ASSERT_EQ(deleted.size(), 1u);
  const std::string time = Json(deleted[0]).String("/_timestamp").value_or("");
  const std::optional<int64_t> time_us = ParseIsoMicros(time);
  ASSERT_TRUE(time_us.has_value()) << time;
  const std::string before = FormatIsoMicros(*time_us - 1);

  EXPECT_EQ(Summaries(Dump({"--since", time, "--until", time})),
            (std::vector<std::string>{"c2 rev 2 connectivity.events:connectionDeleted"}));
  EXPECT_EQ(State({"--at", time}).at("c2").lifecycle, "DELETED");
  EXPECT_EQ(State({"--at", before}).at("c2").lifecycle, "ACTIVE");
  EXPECT_EQ(State({"--connection", "c2", "--at", time}).at("c2").revision, 2u);
  EXPECT_EQ(State({"--connection", "c2", "--at", before}).at("c2").revision, 1u);
}

TEST_F(ServerJournalTest, DumpedConnectionCarriesItsHiddenFieldsAsAfterTheEvent) {
  // c2 was re-created (revision 3) and modified (revision 4): the modify keeps
  // the re-create's _created, even when the filter starts at revision 4.
  const std::vector<std::string> lines =
      Dump({"--connection", "c2", "--from-revision", "3", "--to-revision", "4"});
  ASSERT_EQ(lines.size(), 2u);
  const Json created(lines[0]);
  const Json modified(lines[1]);
  EXPECT_EQ(created.String("/connection/__lifecycle"), "ACTIVE");
  EXPECT_EQ(created.Int("/connection/_revision"), 3);
  EXPECT_EQ(created.String("/connection/_created"), created.String("/_timestamp"));
  EXPECT_EQ(modified.Int("/connection/_revision"), 4);
  EXPECT_EQ(modified.String("/connection/_created"), created.String("/_timestamp"));
  EXPECT_EQ(modified.String("/connection/_modified"), modified.String("/_timestamp"));
  EXPECT_EQ(modified.Strings("/connection/tags"), (std::vector<std::string>{"again", "more"}));
}

TEST_F(ServerJournalTest, AfterAStopTheJournalStillAnswersTheSameAndVerifies) {
  const std::map<std::string, std::string> answers = scenario_->RetrieveAll();
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->log();
  for (const auto& [id, state] : State({})) {
    if (state.lifecycle == "ACTIVE") {
      EXPECT_EQ(state.connection, answers.at(id)) << id;
    }
  }
  const ToolRun verify = RunOn(data_dir(), {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_NE(verify.out.find("no problems"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace connectivity::tools::testing
