#include "tests/simulation/simulation.h"

#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <variant>

#include "src/model/connection.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"
#include "src/recovery/recovery.h"
#include "src/service/connection_service.h"
#include "tests/simulation/sim_disk.h"
#include "tests/simulation/sim_journal.h"

namespace connectivity::simulation {
namespace {

using projector::ConnectionState;

constexpr int kConnectionIds = 6;
constexpr int64_t kStartMicros = 1'796'000'000'000'000;  // 2026-11-30
constexpr size_t kRecentSteps = 40;

enum class Command { kCreate, kModify, kOpen, kClose, kDelete };

const char* CommandName(Command command) {
  switch (command) {
    case Command::kCreate: return "create";
    case Command::kModify: return "modify";
    case Command::kOpen: return "open";
    case Command::kClose: return "close";
    case Command::kDelete: return "delete";
  }
  return "?";
}

// A command the service acknowledged, with the connection it answered.
struct Acknowledged {
  uint64_t command = 0;
  std::string id;
  uint64_t revision = 0;
  std::string json;
  bool deleted = false;
};

// The fold of a journal image: every stream's state after each of its events.
using Folds = std::map<std::string, std::vector<ConnectionState>>;

class Simulation {
 public:
  explicit Simulation(const SimulationOptions& options)
      : options_(options), rng_(options.seed), clock_(kStartMicros) {
    result_.seed = options.seed;
  }

  SimulationResult Run() {
    Start();
    for (int step = 0; step < options_.steps && result_.ok; ++step) Step();
    if (result_.ok) Restart(RestartKind::kClean);  // every seed ends with a full check
    Stop();
    return std::move(result_);
  }

 private:
  enum class RestartKind { kClean, kKill, kPowerLoss };

  uint64_t Uniform(uint64_t below) { return below == 0 ? 0 : rng_() % below; }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  void Note(const std::string& line) {
    if (options_.trace) std::fprintf(stderr, "seed %llu: %s\n", static_cast<unsigned long long>(options_.seed), line.c_str());
    recent_.push_back(line);
    if (recent_.size() > kRecentSteps) recent_.pop_front();
  }

  void Fail(const std::string& what) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.failure = what;
    result_.recent.assign(recent_.begin(), recent_.end());
  }

  // --- process lifetime ---------------------------------------------------

  void Start() {
    journal_ = std::make_unique<SimJournal>(disk_, clock_);
    CheckSnapshotInvariant(disk_.current(), "at start-up");
    Result<recovery::Recovered> recovered = recovery::Recover(*journal_, clock_);
    if (!recovered.ok()) {
      Fail("recovery failed: " + recovered.status().ToString());
      return;
    }
    service::ServiceOptions options;
    options.snapshots.historical_every = 1 + Uniform(4);
    // Both start-up paths: a replay long enough for an immediate pass, and a short one.
    options.replay_snapshot_after_events = 1 + Uniform(8);
    Note("start: " + std::to_string(recovered->report.events_replayed) + " events replayed after watermark " +
         std::to_string(recovered->report.watermark));
    service_ = std::make_unique<service::ConnectionService>(*journal_, std::move(*recovered), options, clock_,
                                                            nullptr);
    CheckAfterRecovery();
  }

  void Stop() {
    service_.reset();
    journal_.reset();
  }

  void Restart(RestartKind kind) {
    ++result_.restarts;
    switch (kind) {
      case RestartKind::kClean: {
        Note("SIGTERM restart");
        journal_->Close();
        service_->Stop();
        if (journal_->health().ok()) (void)journal_->Flush();
        break;
      }
      case RestartKind::kKill:
        Note("kill -9 restart (" + std::to_string(journal_->queued()) + " appends dropped)");
        journal_->Abandon();
        disk_.Kill();
        break;
      case RestartKind::kPowerLoss: {
        ++result_.power_losses;
        const size_t survivors = Uniform(disk_.unsynced_writes() + 1);
        Note("power loss: " + std::to_string(survivors) + " of " + std::to_string(disk_.unsynced_writes()) +
             " unsynced writes survive");
        journal_->Abandon();
        disk_.Crash(survivors);
        break;
      }
    }
    // The dead process's last snapshot pass (in the destructor) meets a
    // frozen disk after a crash, as a real one would meet nothing at all.
    Stop();
    disk_.Restart();
    Start();
  }

  // --- one step ---------------------------------------------------------------

  void Step() {
    const bool stuck = !journal_->health().ok();
    const uint64_t roll = Uniform(100);
    if (stuck && roll < 30) return Restart(static_cast<RestartKind>(Uniform(3)));
    if (roll < 38) return SubmitCommand();
    if (roll < 62) return CommitBatch();
    if (roll < 70) return SnapshotPass();
    if (roll < 74) return MemtableFlush();
    if (roll < 77) return InjectFault();
    if (roll < 80) return ToggleFullDisk();
    if (roll < 83) return Restart(RestartKind::kPowerLoss);
    if (roll < 85) return Restart(RestartKind::kKill);
    if (roll < 87) return Restart(RestartKind::kClean);
    if (roll < 93) return AdvanceClock();
    return CheckServed("at a random step");
  }

  void CommitBatch() {
    if (journal_->queued() == 0) return;
    const size_t count = 1 + Uniform(journal_->queued());
    Note("commit a batch of " + std::to_string(count) + " of " + std::to_string(journal_->queued()));
    journal_->Commit(count);
  }

  void SnapshotPass() {
    const Status status = service_->TakeSnapshot();
    Note("snapshot pass: " + (status.ok() ? std::string("ok") : status.ToString()));
  }

  void MemtableFlush() {
    const Status status = disk_.Flush();
    Note("memtable flush: " + (status.ok() ? std::string("ok") : status.ToString()));
  }

  void InjectFault() {
    ++result_.faults;
    const bool sync = Chance(0.5);
    disk_.InjectFault(sync ? SimFault::kFailSync : SimFault::kFailWrite);
    Note(sync ? "the next fsync fails" : "the next write fails");
  }

  void ToggleFullDisk() {
    disk_.SetFull(!disk_.full());
    Note(disk_.full() ? "the disk is full" : "the disk has room again");
  }

  void AdvanceClock() {
    const int64_t delta = static_cast<int64_t>(Uniform(3'000'000));
    clock_.AdvanceMicros(delta);
    Note("clock +" + std::to_string(delta) + " µs");
  }

  // --- commands ---------------------------------------------------------------

  model::Connection MakeConnection(const std::string& id, bool open) {
    const std::string json = R"({"id":")" + id + R"(","connectionType":"mqtt","connectionStatus":")" +
                             (open ? "open" : "closed") +
                             R"(","uri":"tcp://127.0.0.1:1883","name":"v)" + std::to_string(++marker_) +
                             R"(","sources":[{"addresses":["sim/#"],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
    model::ParseOptions parse;
    auto parsed = model::ParseConnection(json, parse);
    if (auto* error = std::get_if<model::DittoError>(&parsed)) {
      Fail("the simulation's connection does not parse: " + error->ToJson());
      return model::Connection{};
    }
    return std::get<model::Connection>(std::move(parsed));
  }

  service::CommandOptions MakeOptions(const std::string& id) {
    service::CommandOptions options;
    if (!Chance(0.4)) return options;
    const service::Outcome current = service_->Retrieve(id, {});
    if (current.state && current.state->exists() && Chance(0.7)) {
      options.preconditions.if_match = service::EntityTag(*current.state);
    } else {
      options.preconditions.if_match = "\"rev:" + std::to_string(1000 + Uniform(10)) + "\"";
    }
    return options;
  }

  void SubmitCommand() {
    const std::string id = "c" + std::to_string(Uniform(kConnectionIds));
    const uint64_t roll = Uniform(100);
    const Command command = roll < 30   ? Command::kCreate
                            : roll < 55 ? Command::kModify
                            : roll < 68 ? Command::kOpen
                            : roll < 81 ? Command::kClose
                                        : Command::kDelete;
    const uint64_t number = ++result_.commands;
    Note("command " + std::to_string(number) + ": " + CommandName(command) + " " + id);
    auto done = [this, number, id, command](service::Outcome outcome) {
      OnOutcome(number, id, command, std::move(outcome));
    };
    service::CommandOptions options = MakeOptions(id);
    switch (command) {
      case Command::kCreate: return service_->Create(MakeConnection(id, Chance(0.3)), options, done);
      case Command::kModify: return service_->Modify(MakeConnection(id, Chance(0.3)), options, done);
      case Command::kOpen: return service_->Open(id, options, done);
      case Command::kClose: return service_->Close(id, options, done);
      case Command::kDelete: return service_->Delete(id, options, done);
    }
  }

  void OnOutcome(uint64_t number, const std::string& id, Command command, service::Outcome outcome) {
    if (outcome.error) {
      Note("  command " + std::to_string(number) + " answered " + std::to_string(outcome.error->status) + " " +
           outcome.error->error);
      return;
    }
    if (!outcome.state) return Fail("command " + std::to_string(number) + " succeeded without a state");
    ++result_.acknowledged;
    Note("  command " + std::to_string(number) + " acknowledged at revision " +
         std::to_string(outcome.state->revision));
    if ((command == Command::kDelete) != outcome.state->deleted) {
      return Fail("command " + std::to_string(number) + " (" + CommandName(command) + " " + id +
                  ") acknowledged a state with the wrong lifecycle");
    }
    ledger_.push_back(Acknowledged{number, id, outcome.state->revision, outcome.state->json,
                                   outcome.state->deleted});
  }

  // --- checks -----------------------------------------------------------------

  Folds FoldImage(const SimImage& image, uint64_t up_to_sequence) {
    Folds folds;
    for (const auto& [sequence, key] : image.order) {
      if (sequence > up_to_sequence) break;
      std::vector<ConnectionState>& states = folds[key.first];
      ConnectionState next = states.empty() ? ConnectionState{} : states.back();
      const Status applied = projector::Apply(next, image.events.at(key));
      if (!applied.ok()) {
        Fail("the journal does not fold: " + applied.ToString());
        return folds;
      }
      states.push_back(std::move(next));
    }
    return folds;
  }

  // State rows + watermark W == the fold of every event with sequence <= W.
  void CheckSnapshotInvariant(const SimImage& image, const std::string& when) {
    const uint64_t watermark = image.watermark;
    if (watermark > image.last_sequence()) {
      return Fail(when + ": watermark " + std::to_string(watermark) + " is past the journal's end " +
                  std::to_string(image.last_sequence()));
    }
    const Folds folds = FoldImage(image, watermark);
    for (const auto& [stream, states] : folds) {
      const auto row = image.state_rows.find(stream);
      if (row == image.state_rows.end()) {
        return Fail(when + ": no state row for '" + stream + "', which has " + std::to_string(states.size()) +
                    " events up to the watermark " + std::to_string(watermark));
      }
      Result<ConnectionState> decoded = projector::DecodeSnapshot(row->second);
      if (!decoded.ok()) return Fail(when + ": state row '" + stream + "' does not decode");
      if (!(*decoded == states.back())) {
        return Fail(when + ": state row '" + stream + "' is at revision " + std::to_string(decoded->revision) +
                    ", the fold up to the watermark " + std::to_string(watermark) + " at revision " +
                    std::to_string(states.back().revision));
      }
    }
    for (const auto& [stream, blob] : image.state_rows) {
      if (folds.count(stream) == 0) {
        return Fail(when + ": state row '" + stream + "' has no event up to the watermark " +
                    std::to_string(watermark));
      }
    }
  }

  void CheckAfterRecovery() {
    if (!result_.ok) return;
    const SimImage& image = disk_.current();
    const Folds folds = FoldImage(image, image.last_sequence());
    for (const Acknowledged& acked : ledger_) {
      const auto it = folds.find(acked.id);
      if (it == folds.end() || it->second.size() < acked.revision) {
        return Fail("LOST: command " + std::to_string(acked.command) + " on '" + acked.id +
                    "' was acknowledged at revision " + std::to_string(acked.revision) +
                    ", the journal has " + std::to_string(it == folds.end() ? 0 : it->second.size()) + " events");
      }
      const ConnectionState& state = it->second[acked.revision - 1];
      if (state.json != acked.json || state.deleted != acked.deleted) {
        return Fail("LOST: command " + std::to_string(acked.command) + " on '" + acked.id + "' at revision " +
                    std::to_string(acked.revision) + " acknowledged " + acked.json + ", the journal has " +
                    state.json);
      }
    }
    CheckServedAgainst(folds, "after recovery");
    CheckHistory();
  }

  void CheckServed(const std::string& when) {
    // A failed fsync leaves its batch readable in the journal but not applied.
    if (!journal_->health().ok()) return;
    Note("check what is served");
    const SimImage& image = disk_.current();
    CheckServedAgainst(FoldImage(image, image.last_sequence()), when);
  }

  void CheckServedAgainst(const Folds& folds, const std::string& when) {
    for (const auto& [id, states] : folds) {
      const service::Outcome served = service_->Retrieve(id, {});
      const ConnectionState& expected = states.back();
      if (expected.exists() != !served.error.has_value()) {
        return Fail(when + ": '" + id + "' is " + (expected.exists() ? "in" : "not in") +
                    " the journal's fold but retrieve answered " +
                    (served.error ? std::to_string(served.error->status) : std::string("200")));
      }
      if (served.state && !(*served.state == expected)) {
        return Fail(when + ": '" + id + "' is served at revision " + std::to_string(served.state->revision) +
                    ", the journal's fold is at revision " + std::to_string(expected.revision));
      }
    }
  }

  void CheckHistory() {
    for (int i = 0; i < 3 && !ledger_.empty() && result_.ok; ++i) {
      const Acknowledged& acked = ledger_[Uniform(ledger_.size())];
      const service::HistoricalState at = service_->history().AtRevision(acked.id, acked.revision);
      if (const auto* state = std::get_if<ConnectionState>(&at)) {
        if (acked.deleted || state->json != acked.json) {
          Fail("history of '" + acked.id + "' at revision " + std::to_string(acked.revision) +
               " differs from what was acknowledged");
        }
      } else if (!acked.deleted) {
        Fail("history of '" + acked.id + "' at revision " + std::to_string(acked.revision) + " answered " +
             std::get<model::DittoError>(at).error);
      }
    }
  }

  const SimulationOptions options_;
  std::mt19937_64 rng_;
  ManualClock clock_;
  SimDisk disk_;
  std::unique_ptr<SimJournal> journal_;
  std::unique_ptr<service::ConnectionService> service_;
  std::vector<Acknowledged> ledger_;
  std::deque<std::string> recent_;
  uint64_t marker_ = 0;
  SimulationResult result_;
};

}  // namespace

SimulationResult RunSimulation(const SimulationOptions& options) { return Simulation(options).Run(); }

}  // namespace connectivity::simulation
