// journal-replay import: an export (export_format.h) into an empty data dir.
//
// Every event goes through the journal's own writer (Journal::AppendAndWait)
// with its original revision as the expected one, so the writer's checks
// apply. The writer stamps each batch with max(clock, previous + 1 µs)
// (journal.h): appending one event at a time with a ManualClock set to the
// event's original timestamp reproduces that timestamp exactly, because the
// originals strictly increase; sequences come out the same because events
// go in sequence order. Each committed event is compared with its line
// anyway, so a mismatch stops the import instead of going unnoticed.
//
// One batch per event would mean one fsync per event; instead the import
// fills a staging directory beside the data dir with syncs deferred
// (deferred_sync.h), writes the snapshots as rebuild-snapshots does (so a
// server started on it loads state rows instead of replaying everything),
// closes it, makes it durable in one pass and renames it to the data dir.
// A crash or an error leaves no half-imported data dir behind, only the
// staging directory (removed on error).
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "src/base/clock.h"
#include "src/base/json_writer.h"
#include "journal/codec.h"
#include "src/projector/event_payload.h"
#include "src/projector/secret_codec.h"
#include "src/tools/commands.h"
#include "src/tools/deferred_sync.h"
#include "src/tools/export_format.h"
#include "src/tools/open.h"
#include "src/tools/rebuild.h"

namespace connectivity::tools {
namespace {

namespace fs = std::filesystem;

// OK if `data_dir` does not exist or is an empty directory.
Status CheckEmpty(const std::string& data_dir) {
  std::error_code error;
  if (!fs::exists(data_dir, error)) return Status::Ok();
  if (!fs::is_directory(data_dir, error)) {
    return Status::InvalidArgument(data_dir + " exists and is not a directory");
  }
  if (!fs::is_empty(data_dir, error) || error) {
    return Status::InvalidArgument("import needs an empty data directory; " + data_dir +
                                   " is not empty (import never merges into a journal)");
  }
  return Status::Ok();
}

Status LineError(uint64_t line_number, const Status& status) {
  return Status(status.code(), "line " + std::to_string(line_number) + ": " + status.message());
}

// Appends `event` (parsed from a line) and checks that the journal gave it
// the same sequence and timestamp.
Status ImportEvent(journal::Journal& journal, ManualClock& clock, journal::Event& event) {
  clock.SetMicros(event.timestamp_us);
  const uint64_t sequence = event.sequence;
  const int64_t timestamp_us = event.timestamp_us;
  Result<journal::Event> committed = journal.AppendAndWait(journal::AppendRequest{
      std::move(event.stream), event.revision - 1, event.type, std::move(event.payload)});
  if (!committed.ok()) return committed.status();
  if (committed->sequence != sequence || committed->timestamp_us != timestamp_us) {
    return Status::InvalidArgument(
        "the journal gave the event sequence " + std::to_string(committed->sequence) + " at " +
        std::to_string(committed->timestamp_us) + " µs instead of sequence " +
        std::to_string(sequence) + " at " + std::to_string(timestamp_us) +
        " µs (sequences must be 1, 2, 3, ... and timestamps strictly increasing)");
  }
  return Status::Ok();
}

// True if the event's connection holds a secret in the encrypted form.
bool HoldsEncryptedSecret(const journal::Event& event, const crypto::ConnectionSecrets& secrets) {
  const std::string_view body = projector::PayloadBody(event.payload);
  return projector::CarriesConnection(event.type) && crypto::SecretFields::MayHoldEncrypted(body) &&
         secrets.fields().Census(body, nullptr, nullptr).encrypted > 0;
}

Result<uint64_t> ImportEvents(std::istream& input, journal::Journal& journal, ManualClock& clock,
                              const crypto::ConnectionSecrets& secrets, bool& encrypted_seen, Output& output) {
  // std::getline has no bound: a line over kExportLineBytesMax is refused
  // after it was read, which costs memory on hostile input only.
  std::string line;
  if (!std::getline(input, line)) return Status::InvalidArgument("the input is empty");
  Result<uint64_t> events = ParseExportHeader(line);
  if (!events.ok()) return LineError(1, events.status());
  Progress progress(output, "import", *events);
  uint64_t line_number = 1;
  journal::Event event;
  while (std::getline(input, line)) {
    ++line_number;
    if (line.size() > kExportLineBytesMax) {
      return LineError(line_number, Status::InvalidArgument("line too long"));
    }
    const Status parsed = ParseExportEvent(line, &event);
    if (!parsed.ok()) return LineError(line_number, parsed);
    if (event.revision == 0) {
      return LineError(line_number, Status::InvalidArgument("revision 0 (revisions start at 1)"));
    }
    encrypted_seen = encrypted_seen || HoldsEncryptedSecret(event, secrets);
    const Status imported = ImportEvent(journal, clock, event);
    if (!imported.ok()) return LineError(line_number, imported);
    if (!progress.Tick()) return InterruptedStatus();
  }
  if (input.bad()) return Status::IOError("reading the input failed");
  if (progress.done() != *events) {
    return Status::InvalidArgument("the header announces " + std::to_string(*events) +
                                   " events, the input holds " + std::to_string(progress.done()) +
                                   " (truncated?)");
  }
  return *events;
}

// A fresh staging directory next to `data_dir` (same file system, so the
// final rename is atomic): <parent>/.<name>.import-XXXXXX
Result<std::string> MakeStagingDir(const std::string& data_dir) {
  const fs::path target = fs::absolute(fs::path(data_dir)).lexically_normal();
  const fs::path name = target.has_filename() ? target.filename() : target.parent_path().filename();
  const fs::path parent =
      target.has_filename() ? target.parent_path() : target.parent_path().parent_path();
  std::string pattern = (parent / ("." + name.string() + ".import-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::InvalidArgument("cannot create a staging directory in " + parent.string() +
                                   ": " + std::strerror(errno));
  }
  return pattern;
}

struct ImportFigures {
  uint64_t events = 0;
  RebuildFigures snapshots;
};

// Imports `input` into the journal created in `staging` and closes it.
Result<ImportFigures> ImportInto(const std::string& staging, std::istream& input,
                                 const Invocation& invocation, Output& output) {
  const DeferredSyncEnv deferred = MakeDeferredSyncEnv();
  ManualClock clock(0);
  journal::JournalOptions options;
  options.mode = journal::OpenMode::kReadWrite;
  options.env = deferred.env.get();
  options.clock = &clock;
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(staging, options);
  if (!journal.ok()) return journal.status();
  ImportFigures figures;
  bool encrypted_seen = false;
  Result<uint64_t> events = ImportEvents(input, **journal, clock, SecretsOf(invocation), encrypted_seen, output);
  if (!events.ok()) return events.status();
  figures.events = *events;
  if (encrypted_seen) {
    // As the server marks its journal before its first encrypted write: a
    // server without a key must refuse this journal (encryption_mark.h).
    CONNECTIVITY_RETURN_IF_ERROR(
        (*journal)->WriteMetaBlob(journal::kEncryptionMarkKey, std::string_view("1"), /*sync=*/false));
  }
  Result<RebuildFigures> snapshots =
      RebuildSnapshots(**journal, invocation.snapshot_threshold, output);
  if (!snapshots.ok()) return snapshots.status();
  figures.snapshots = *snapshots;
  (*journal)->Close();
  return figures;
}

// Makes `staging` durable and renames it to `data_dir`.
Status Publish(const std::string& staging, const std::string& data_dir) {
  CONNECTIVITY_RETURN_IF_ERROR(SyncTree(staging));
  std::error_code error;
  // rename(2) replaces an empty directory and fails on a non-empty one, so
  // a data dir filled meanwhile is never overwritten.
  fs::rename(staging, data_dir, error);
  if (error)
    return Status::IOError("cannot rename " + staging + " to " + data_dir + ": " + error.message());
  return SyncDirectory(fs::absolute(fs::path(data_dir)).lexically_normal().parent_path());
}

void PrintFigures(const ImportFigures& figures, const Invocation& invocation, std::ostream& out) {
  if (invocation.json) {
    std::string text;
    JsonWriter w(text);
    w.BeginObject().Key("events").Uint(figures.events);
    w.Key("stateRows").Uint(figures.snapshots.state_rows);
    w.Key("historical").Uint(figures.snapshots.historical).EndObject();
    out << text << "\n";
    return;
  }
  out << "imported " << GroupDigits(figures.events) << " events into " << invocation.data_dir
      << "; wrote " << GroupDigits(figures.snapshots.state_rows) << " state rows and "
      << GroupDigits(figures.snapshots.historical) << " historical snapshots\n";
}

}  // namespace

// Into the cluster's etcd journal, which must be empty: the same events, one
// transaction each, in the export's order, so that etcd's revision order
// gives them the same sequences, and the same timestamps (the etcd journal
// stamps max(clock, the stream's previous + 1 µs) with the clock set to the
// original). Instances keep their snapshots locally: none are written here.
ExitCode RunImportIntoEtcd(const Invocation& invocation, std::istream& input, Output& output) {
  ManualClock clock(0);
  Result<std::unique_ptr<OpenedJournal>> opened = OpenEtcdJournalForWriting(invocation.journal_uri, &clock);
  if (!opened.ok()) return Fail(output, ExitCode::kUsage, opened.status().message());
  journal::Journal& journal = ***opened;
  if (journal.last_sequence() != 0) {
    return Fail(output, ExitCode::kUsage,
                "import needs an empty journal; the etcd journal at " + invocation.journal_uri + " holds " +
                    std::to_string(journal.last_sequence()) + " events (import never merges into a journal)");
  }
  // Encrypted secrets travel as they are; cluster mode refuses to run with encryption (daemon.cc).
  bool encrypted_seen = false;
  Result<uint64_t> events = ImportEvents(input, journal, clock, SecretsOf(invocation), encrypted_seen, output);
  journal.Close();
  if (!events.ok()) {
    if (Interrupted()) return FailStatus(output, events.status());
    return Fail(output, ExitCode::kProblems,
                "import failed after the events before the reported line (the etcd journal keeps them; "
                "clear its prefix before importing again): " + events.status().message());
  }
  if (invocation.json) {
    output.out << "{\"events\":" << *events << ",\"stateRows\":0,\"historical\":0}\n";
  } else {
    output.out << "imported " << GroupDigits(*events) << " events into " << invocation.journal_uri
               << " (each instance keeps its own snapshots)\n";
  }
  return ExitCode::kOk;
}

ExitCode RunImport(const Invocation& invocation, Output& output) {
  if (!invocation.journal_uri.empty()) {
    std::ifstream file;
    if (!invocation.input_path.empty()) {
      file.open(invocation.input_path, std::ios::binary);
      if (!file) return Fail(output, ExitCode::kUsage, "cannot read " + invocation.input_path);
    }
    return RunImportIntoEtcd(invocation, invocation.input_path.empty() ? std::cin : file, output);
  }
  const Status empty = CheckEmpty(invocation.data_dir);
  if (!empty.ok()) return Fail(output, ExitCode::kUsage, empty.message());
  std::ifstream file;
  if (!invocation.input_path.empty()) {
    file.open(invocation.input_path, std::ios::binary);
    if (!file) return Fail(output, ExitCode::kUsage, "cannot read " + invocation.input_path);
  }
  std::istream& input = invocation.input_path.empty() ? std::cin : file;
  Result<std::string> staging = MakeStagingDir(invocation.data_dir);
  if (!staging.ok()) return Fail(output, ExitCode::kUsage, staging.status().message());
  Result<ImportFigures> figures = ImportInto(*staging, input, invocation, output);
  Status status = figures.ok() ? Publish(*staging, invocation.data_dir) : figures.status();
  if (!status.ok()) {
    std::error_code error;
    fs::remove_all(*staging, error);
    if (Interrupted()) return FailStatus(output, status);
    return Fail(output, ExitCode::kProblems,
                "import failed, nothing was imported: " + status.message());
  }
  PrintFigures(*figures, invocation, output.out);
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
