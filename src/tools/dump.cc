// journal-replay dump: events in journal order as Ditto event JSON lines.
//
// A created/modified event carries the connection with its hidden fields as
// they were after the event (_created survives modifies), which only a fold
// from the connection's first event knows: every connection is folded from
// revision 1 even when the filters print a later part of it.
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>

#include "src/projector/apply.h"
#include "src/projector/event_json.h"
#include "src/projector/secret_codec.h"
#include "src/tools/commands.h"
#include "src/tools/global_order.h"
#include "src/tools/open.h"

namespace connectivity::tools {
namespace {

bool Matches(const Invocation& invocation, const journal::Event& event) {
  if (invocation.from_revision && event.revision < *invocation.from_revision) return false;
  if (invocation.to_revision && event.revision > *invocation.to_revision) return false;
  if (invocation.since_us && event.timestamp_us < *invocation.since_us) return false;
  if (invocation.until_us && event.timestamp_us > *invocation.until_us) return false;
  if (invocation.types.empty()) return true;
  for (const projector::EventType type : invocation.types) {
    if (static_cast<uint8_t>(type) == event.type) return true;
  }
  return false;
}

class EventPrinter {
 public:
  EventPrinter(const Invocation& invocation, std::ostream& out)
      : invocation_(invocation), secrets_(SecretsOf(invocation)), out_(out) {}

  // Folds `event` into `state` and prints it if it passes the filters; with
  // a key, the secrets are decrypted first.
  Status Fold(projector::ConnectionState& state, const journal::Event& stored) {
    const journal::Event* folded = &stored;
    if (secrets_.can_decrypt() && projector::CarriesConnection(stored.type)) {
      opened_ = stored;
      CONNECTIVITY_RETURN_IF_ERROR(projector::OpenEvent(secrets_, opened_));
      folded = &opened_;
    }
    const journal::Event& event = *folded;
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(state, event));
    if (!Matches(invocation_, event)) return Status::Ok();
    out_.text().append(projector::DittoEventJson(event, state));
    out_.EndLine();
    return Status::Ok();
  }

  void Flush() { out_.Flush(); }

 private:
  const Invocation& invocation_;
  const crypto::ConnectionSecrets& secrets_;
  journal::Event opened_;
  BufferedOut out_;
};

Status DumpOneConnection(journal::Journal& journal, const Invocation& invocation,
                         EventPrinter& printer) {
  const std::string& id = *invocation.connection;
  const uint64_t to_revision =
      invocation.to_revision.value_or(std::numeric_limits<uint64_t>::max());
  const std::unique_ptr<journal::EventCursor> cursor = journal.ReadStream(id, 1, to_revision);
  projector::ConnectionState state;
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value()) break;
    if (invocation.until_us && (*event)->timestamp_us > *invocation.until_us) break;
    CONNECTIVITY_RETURN_IF_ERROR(printer.Fold(state, **event));
  }
  if (state.revision == 0) {
    Result<uint64_t> last = journal.LastRevision(id);
    if (!last.ok()) return last.status();
    if (*last == 0) return Status::NotFound("no connection '" + id + "' in the journal");
  }
  return Status::Ok();
}

// Every connection, in global order, folding all of them side by side.
Status DumpEveryConnection(journal::Journal& journal, EventPrinter& printer, Progress& progress) {
  std::unordered_map<std::string, projector::ConnectionState> states;
  return ForEachEventInGlobalOrder(
      journal,
      [&](const journal::Event& event) -> Status {
        return printer.Fold(states[event.stream], event);
      },
      progress);
}

}  // namespace

ExitCode RunDump(const Invocation& invocation, Output& output) {
  Result<std::unique_ptr<OpenedJournal>> opened = OpenJournalForReading(invocation.data_dir, invocation.journal_uri);
  if (!opened.ok()) return FailOpen(output, invocation.journal_uri.empty() ? invocation.data_dir : invocation.journal_uri, opened.status());
  journal::Journal& journal = ***opened;
  EventPrinter printer(invocation, output.out);
  Progress progress(output, "dump", journal.last_sequence());
  const Status status = invocation.connection ? DumpOneConnection(journal, invocation, printer)
                                              : DumpEveryConnection(journal, printer, progress);
  progress.Finish();
  printer.Flush();
  if (!status.ok()) return FailStatus(output, status);
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
