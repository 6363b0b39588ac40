// journal-replay export: the whole journal in the export format
// (export_format.h), in sequence order, to stdout or --output FILE.
#include <fstream>
#include <memory>
#include <string>

#include "src/tools/commands.h"
#include "src/tools/export_format.h"
#include "src/tools/global_order.h"
#include "src/tools/open.h"

namespace connectivity::tools {
namespace {

constexpr size_t kSinkWriteBytes = 1u << 20;

// Writes events 1..`events` (the journal as opened; a secondary instance
// sees no later writes) to `sink`.
Status ExportEvents(journal::Journal& journal, uint64_t events, std::ostream& sink,
                    Progress& progress) {
  std::string buffer;
  AppendExportHeader(events, &buffer);
  uint64_t written = 0;
  CONNECTIVITY_RETURN_IF_ERROR(ForEachEventInGlobalOrder(
      journal,
      [&](const journal::Event& event) -> Status {
        CONNECTIVITY_RETURN_IF_ERROR(AppendExportEvent(event, &buffer));
        ++written;
        // Hand the sink large pieces rather than one line at a time.
        if (buffer.size() >= kSinkWriteBytes) {
          sink.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          buffer.clear();
        }
        return Status::Ok();
      },
      progress));
  sink.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  sink.flush();
  if (written != events) {
    return Status::Corruption("exported " + std::to_string(written) +
                              " events, but the journal's last sequence is " +
                              std::to_string(events));
  }
  if (!sink) return Status::IOError("writing the export failed");
  return Status::Ok();
}

}  // namespace

ExitCode RunExport(const Invocation& invocation, Output& output) {
  Result<std::unique_ptr<OpenedJournal>> opened = OpenJournalForReading(invocation.data_dir, invocation.journal_uri);
  if (!opened.ok()) return FailOpen(output, invocation.journal_uri.empty() ? invocation.data_dir : invocation.journal_uri, opened.status());
  journal::Journal& journal = ***opened;
  std::ofstream file;
  if (!invocation.output_path.empty()) {
    file.open(invocation.output_path, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(output, ExitCode::kUsage, "cannot write " + invocation.output_path);
  }
  std::ostream& sink = invocation.output_path.empty() ? output.out : file;
  const uint64_t events = journal.last_sequence();
  Progress progress(output, "export", events);
  const Status status = ExportEvents(journal, events, sink, progress);
  progress.Finish();
  if (!status.ok()) return FailStatus(output, status);
  if (!invocation.output_path.empty()) {
    output.out << "exported " << GroupDigits(events) << " events to " << invocation.output_path
               << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
