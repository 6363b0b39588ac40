// journal-replay state: replays the journal through the projector and prints
// connection states in the retrieve shape (command_line.cc has the formats).
#include "src/tools/state.h"

#include <limits>
#include <memory>
#include <string>

#include "src/base/json_writer.h"
#include "src/tools/commands.h"
#include "src/tools/open.h"
#include "src/tools/stream_replayer.h"

namespace connectivity::tools {
namespace {

constexpr uint64_t kRevisionMax = std::numeric_limits<uint64_t>::max();

// Prints states, one line each.
class StatePrinter {
 public:
  StatePrinter(std::ostream& out, bool json) : out_(out), json_(json) {}

  void Print(const projector::ConnectionState& state) {
    std::string& text = out_.text();
    const std::string_view lifecycle = state.deleted ? "DELETED" : "ACTIVE";
    if (json_) {
      JsonWriter w(text);
      w.BeginObject();
      w.Member("id", state.id);
      w.Key("revision").Uint(state.revision);
      w.Member("lifecycle", lifecycle);
      w.Key("connection").Raw(state.json);
      w.EndObject();
    } else {
      text.append(state.id).append(" revision ").append(std::to_string(state.revision));
      text.append(" ").append(lifecycle).append(" ").append(state.json);
    }
    out_.EndLine();
  }

  void Flush() { out_.Flush(); }

 private:
  BufferedOut out_;
  const bool json_;
};

// Every connection: one pass over the journal in (connection, revision)
// order, one state at a time. With --at, events after the time are skipped
// (a connection's timestamps grow with its revisions).
Status StateOfEveryConnection(journal::Journal& journal, const Invocation& invocation,
                              StatePrinter& printer, Progress& progress) {
  const int64_t until_us = invocation.at_us.value_or(std::numeric_limits<int64_t>::max());
  StreamReplayer replayer(SecretsOf(invocation));
  const Status scanned = journal.ForEachEvent([&](const journal::EventView& view) -> Status {
    if (!progress.Tick()) return InterruptedStatus();
    if (replayer.StartsNewStream(view.stream)) {
      if (replayer.state().revision > 0) printer.Print(replayer.state());
      replayer.Reset();
    }
    if (view.timestamp_us > until_us) return Status::Ok();
    return replayer.Apply(view);
  });
  CONNECTIVITY_RETURN_IF_ERROR(scanned);
  if (replayer.state().revision > 0) printer.Print(replayer.state());
  return Status::Ok();
}

// One connection, from its first event up to --at-revision or --at.
Status StateOfOneConnection(journal::Journal& journal, const Invocation& invocation,
                            StatePrinter& printer) {
  const std::string& id = *invocation.connection;
  const uint64_t to_revision = invocation.at_revision.value_or(kRevisionMax);
  const int64_t until_us = invocation.at_us.value_or(std::numeric_limits<int64_t>::max());
  StreamReplayer replayer(SecretsOf(invocation));
  const std::unique_ptr<journal::EventCursor> cursor = journal.ReadStream(id, 1, to_revision);
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value() || (*event)->timestamp_us > until_us) break;
    CONNECTIVITY_RETURN_IF_ERROR(replayer.Apply(**event));
  }
  const projector::ConnectionState& state = replayer.state();
  if (state.revision == 0) {
    return Status::NotFound("no connection '" + id + "'" +
                            (invocation.at_us ? " at that time" : ""));
  }
  if (invocation.at_revision && state.revision != *invocation.at_revision) {
    return Status::NotFound("connection '" + id + "' has no revision " +
                            std::to_string(*invocation.at_revision) + " (its last is " +
                            std::to_string(state.revision) + ")");
  }
  printer.Print(state);
  return Status::Ok();
}

}  // namespace

StateRun PrintStates(const Invocation& invocation, std::ostream& out, Output& output) {
  StateRun run;
  Result<std::unique_ptr<OpenedJournal>> opened = OpenJournalForReading(invocation.data_dir, invocation.journal_uri);
  if (!opened.ok()) {
    run.status = opened.status();
    return run;
  }
  run.opened = true;
  journal::Journal& journal = ***opened;
  StatePrinter printer(out, invocation.json);
  Progress progress(output, "state", journal.last_sequence());
  run.status = invocation.connection
                   ? StateOfOneConnection(journal, invocation, printer)
                   : StateOfEveryConnection(journal, invocation, printer, progress);
  progress.Finish();
  printer.Flush();
  run.events = progress.done();
  return run;
}

ExitCode RunState(const Invocation& invocation, Output& output) {
  if (invocation.benchmark_plain_scan) {
    const ExitCode benchmark = RunStateBenchmark(invocation, output);
    if (benchmark != ExitCode::kOk) return benchmark;
  }
  const StateRun run = PrintStates(invocation, output.out, output);
  if (!run.opened) return FailOpen(output, invocation.data_dir, run.status);
  if (!run.status.ok()) return FailStatus(output, run.status);
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
