// journal-replay stats: counts over one scan of the journal, plus sizes and
// snapshot counts. Needs no fold: a connection is deleted if its last event
// is connectionDeleted.
#include <array>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "journal/snapshot_store.h"
#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/tools/commands.h"
#include "src/tools/open.h"

namespace connectivity::tools {
namespace {

using projector::EventType;

struct JournalCounts {
  uint64_t events = 0;
  uint64_t connections = 0;
  uint64_t deleted = 0;
  // Per type code; index 0 counts codes the projector does not know.
  std::array<uint64_t, projector::kEventTypeCount + 1> by_type{};
  uint64_t revision_last_min = 0;  // over connections: their last revision
  uint64_t revision_last_max = 0;
  int64_t first_us = std::numeric_limits<int64_t>::max();
  int64_t last_us = std::numeric_limits<int64_t>::min();
  uint64_t last_sequence = 0;
  uint64_t events_bytes = 0;
  uint64_t snapshots_bytes = 0;
  uint64_t data_dir_bytes = 0;
  uint64_t state_rows = 0;
  uint64_t watermark = 0;
  uint64_t historical = 0;
};

// Adds up the connection that ended with `last_revision` / `last_type`.
void CountConnection(uint64_t last_revision, uint8_t last_type, JournalCounts& counts) {
  if (last_revision == 0) return;
  ++counts.connections;
  if (last_type == static_cast<uint8_t>(EventType::kDeleted)) ++counts.deleted;
  if (counts.revision_last_min == 0 || last_revision < counts.revision_last_min) {
    counts.revision_last_min = last_revision;
  }
  if (last_revision > counts.revision_last_max) counts.revision_last_max = last_revision;
}

Status CountEvents(journal::Journal& journal, Output& output, JournalCounts& counts) {
  Progress progress(output, "stats", journal.last_sequence());
  std::string stream;
  uint64_t last_revision = 0;
  uint8_t last_type = 0;
  CONNECTIVITY_RETURN_IF_ERROR(journal.ForEachEvent([&](const journal::EventView& view) {
    if (!progress.Tick()) return InterruptedStatus();
    if (view.stream != stream) {
      CountConnection(last_revision, last_type, counts);
      stream.assign(view.stream);
    }
    last_revision = view.revision;
    last_type = view.type;
    ++counts.events;
    const std::optional<EventType> type = projector::EventTypeFromCode(view.type);
    ++counts.by_type[type ? static_cast<size_t>(*type) : 0];
    counts.first_us = std::min(counts.first_us, view.timestamp_us);
    counts.last_us = std::max(counts.last_us, view.timestamp_us);
    return Status::Ok();
  }));
  CountConnection(last_revision, last_type, counts);
  return Status::Ok();
}

template <typename Cursor>
Result<uint64_t> CountRows(Cursor& cursor) {
  uint64_t rows = 0;
  while (true) {
    auto next = cursor.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return rows;
    ++rows;
  }
}

Status CountSnapshots(journal::Journal& journal, JournalCounts& counts) {
  Result<uint64_t> watermark = journal.snapshots().Watermark();
  if (!watermark.ok()) return watermark.status();
  counts.watermark = *watermark;
  Result<uint64_t> rows = CountRows(*journal.snapshots().ReadStateRows());
  if (!rows.ok()) return rows.status();
  counts.state_rows = *rows;
  Result<uint64_t> historical = CountRows(*journal.snapshots().ScanHistorical());
  if (!historical.ok()) return historical.status();
  counts.historical = *historical;
  return Status::Ok();
}

uint64_t DirectoryBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  uint64_t bytes = 0;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) bytes += it->file_size(error);
  }
  return bytes;
}

std::string TimeOrNone(const JournalCounts& counts, int64_t micros) {
  return counts.events == 0 ? std::string("none") : FormatIsoMicros(micros);
}

void PrintJson(std::ostream& out, const JournalCounts& counts) {
  std::string text;
  JsonWriter w(text);
  w.BeginObject();
  w.Key("events").Uint(counts.events).Key("lastSequence").Uint(counts.last_sequence);
  w.Key("connections").BeginObject().Key("total").Uint(counts.connections);
  w.Key("live").Uint(counts.connections - counts.deleted).Key("deleted").Uint(counts.deleted);
  w.EndObject();
  w.Key("eventsByType").BeginObject();
  for (uint8_t code = 1; code <= projector::kEventTypeCount; ++code) {
    w.Key(projector::EventTypeName(static_cast<EventType>(code))).Uint(counts.by_type[code]);
  }
  if (counts.by_type[0] > 0) w.Key("unknown").Uint(counts.by_type[0]);
  w.EndObject();
  w.Key("lastRevision").BeginObject().Key("min").Uint(counts.revision_last_min);
  w.Key("max").Uint(counts.revision_last_max).EndObject();
  w.Key("firstEvent");
  counts.events == 0 ? w.Null() : w.String(FormatIsoMicros(counts.first_us));
  w.Key("lastEvent");
  counts.events == 0 ? w.Null() : w.String(FormatIsoMicros(counts.last_us));
  w.Key("bytes").BeginObject().Key("events").Uint(counts.events_bytes);
  w.Key("snapshots").Uint(counts.snapshots_bytes).Key("dataDir").Uint(counts.data_dir_bytes);
  w.EndObject();
  w.Key("snapshots").BeginObject().Key("stateRows").Uint(counts.state_rows);
  w.Key("watermark").Uint(counts.watermark).Key("historical").Uint(counts.historical);
  w.EndObject().EndObject();
  out << text << '\n';
}

std::string Mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1u << 20));
  return text;
}

void PrintHuman(std::ostream& out, const std::string& data_dir, const JournalCounts& counts) {
  out << "journal " << data_dir << "\n"
      << "events          " << GroupDigits(counts.events) << " (sequences 1.."
      << counts.last_sequence << ")\n"
      << "connections     " << GroupDigits(counts.connections) << " ("
      << GroupDigits(counts.connections - counts.deleted) << " live, "
      << GroupDigits(counts.deleted) << " deleted)\n"
      << "by type        ";
  for (uint8_t code = 1; code <= projector::kEventTypeCount; ++code) {
    out << " " << projector::EventTypeName(static_cast<EventType>(code)) << " "
        << GroupDigits(counts.by_type[code]) << (code < projector::kEventTypeCount ? "," : "");
  }
  if (counts.by_type[0] > 0) out << ", unknown " << GroupDigits(counts.by_type[0]);
  out << "\nlast revisions  " << counts.revision_last_min << ".." << counts.revision_last_max
      << " (per connection, lowest..highest)\n"
      << "first event     " << TimeOrNone(counts, counts.first_us) << "\n"
      << "last event      " << TimeOrNone(counts, counts.last_us) << "\n"
      << "size on disk    events " << Mebibytes(counts.events_bytes) << ", snapshots "
      << Mebibytes(counts.snapshots_bytes) << ", data dir " << Mebibytes(counts.data_dir_bytes)
      << "\n"
      << "snapshots       " << GroupDigits(counts.state_rows) << " state rows (watermark "
      << counts.watermark << "), " << GroupDigits(counts.historical) << " historical\n";
}

}  // namespace

ExitCode RunStats(const Invocation& invocation, Output& output) {
  Result<std::unique_ptr<OpenedJournal>> opened = OpenJournalForReading(invocation.data_dir, invocation.journal_uri);
  if (!opened.ok()) return FailOpen(output, invocation.journal_uri.empty() ? invocation.data_dir : invocation.journal_uri, opened.status());
  journal::Journal& journal = ***opened;
  JournalCounts counts;
  const journal::JournalStats sizes = journal.Stats();
  counts.last_sequence = sizes.last_sequence;
  counts.events_bytes = sizes.events_bytes;
  counts.snapshots_bytes = sizes.snapshots_bytes;
  counts.data_dir_bytes = DirectoryBytes(invocation.data_dir);
  Status status = CountEvents(journal, output, counts);
  if (status.ok()) status = CountSnapshots(journal, counts);
  if (!status.ok()) return FailStatus(output, status);
  if (invocation.json) {
    PrintJson(output.out, counts);
  } else {
    PrintHuman(output.out, invocation.journal_uri.empty() ? invocation.data_dir : invocation.journal_uri, counts);
  }
  output.out.flush();
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
