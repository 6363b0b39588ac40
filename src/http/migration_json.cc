#include "src/http/migration_json.h"

#include "src/base/json_writer.h"
#include "src/base/time_format.h"

namespace connectivity::http {
namespace {

void Counts(JsonWriter& w, std::string_view key, const service::MigrationCounts& counts) {
  w.Key(key).BeginObject();
  w.Key("processed").Uint(counts.processed);
  w.Key("skipped").Uint(counts.skipped);
  w.Key("failed").Uint(counts.failed);
  w.EndObject();
}

void Progress(JsonWriter& w, const service::MigrationProgress& progress) {
  if (!progress.last_snapshot_id && !progress.last_journal_sequence && !progress.last_journal_id) return;
  w.Key("progress").BeginObject();
  if (progress.last_snapshot_id) {
    w.Member("lastProcessedSnapshotId", *progress.last_snapshot_id);
    w.Member("lastProcessedSnapshotPid", "connection:" + *progress.last_snapshot_id);
  }
  if (progress.last_journal_sequence) {
    w.Member("lastProcessedJournalId", std::to_string(*progress.last_journal_sequence));
  }
  if (progress.last_journal_id) w.Member("lastProcessedJournalPid", "connection:" + *progress.last_journal_id);
  w.EndObject();
}

}  // namespace

std::string MigrationStartedJson(const service::MigrationStarted& started) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("type", "connectivity.responses:migrateEncryption").MemberInt("status", started.status);
  w.Member("phase", started.phase).MemberBool("dryRun", started.dry_run).MemberBool("resumed", started.resumed);
  w.Member("startedAt", FormatIsoMicros(started.started_us));
  w.EndObject();
  return out;
}

std::string MigrationStatusJson(const service::MigrationStatusView& status) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("type", "connectivity.responses:migrateEncryptionStatus").MemberInt("status", 200);
  w.Member("phase", status.phase);
  Counts(w, "snapshots", status.progress.snapshots);
  Counts(w, "journalEvents", status.progress.journal);
  Progress(w, status.progress);
  w.Key("timing").BeginObject();
  w.Member("startedAt", FormatIsoMicros(status.progress.started_us));
  w.Member("updatedAt", FormatIsoMicros(status.updated_us));
  w.EndObject();
  w.MemberBool("dryRun", status.dry_run).MemberBool("migrationActive", status.active);
  w.EndObject();
  return out;
}

std::string MigrationAbortedJson(const service::MigrationAborted& aborted) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("type", "connectivity.responses:migrateEncryptionAbort").MemberInt("status", 200);
  w.Member("phase", aborted.phase);
  Counts(w, "snapshots", aborted.snapshots);
  Counts(w, "journalEvents", aborted.journal);
  w.Member("abortedAt", FormatIsoMicros(aborted.aborted_us));
  w.EndObject();
  return out;
}

}  // namespace connectivity::http
