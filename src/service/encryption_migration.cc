#include "src/service/encryption_migration.h"

#include <pthread.h>
#include <simdjson.h>

#include <charconv>
#include <chrono>
#include <limits>

#include "journal/codec.h"
#include "journal/snapshot_store.h"
#include "src/base/json_writer.h"
#include "src/base/log.h"
#include "src/base/time_format.h"
#include "src/projector/event_payload.h"
#include "src/projector/secret_codec.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::service {
namespace {

constexpr std::string_view kComponent = "migration";
constexpr std::string_view kPersistenceIdPrefix = "connection:";  // Ditto's persistence ids (REF §3.2)

std::optional<MigrationPhase> PhaseFromName(std::string_view name) {
  for (MigrationPhase phase : {MigrationPhase::kSnapshots, MigrationPhase::kJournal, MigrationPhase::kCompleted}) {
    if (MigrationPhaseName(phase) == name) return phase;
  }
  return std::nullopt;
}

std::string CountsText(const MigrationCounts& counts) {
  return "p=" + std::to_string(counts.processed) + "/s=" + std::to_string(counts.skipped) +
         "/f=" + std::to_string(counts.failed);
}

uint64_t ReadCount(simdjson::dom::object object, std::string_view key) {
  uint64_t value = 0;
  return object[key].get_uint64().get(value) == simdjson::SUCCESS ? value : 0;
}

std::optional<std::string> ReadString(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

}  // namespace

void MigrationCounts::Add(MigrationOutcome outcome) {
  switch (outcome) {
    case MigrationOutcome::kProcessed: ++processed; break;
    case MigrationOutcome::kSkipped: ++skipped; break;
    case MigrationOutcome::kFailed: ++failed; break;
  }
}

std::string_view MigrationPhaseName(MigrationPhase phase) {
  switch (phase) {
    case MigrationPhase::kSnapshots: return "snapshots";
    case MigrationPhase::kJournal: return "journal";
    case MigrationPhase::kCompleted: return "completed";
  }
  return "completed";
}

// Ditto's progress document (MigrationProgressTracker), with our ids.
std::string EncodeMigrationProgress(const MigrationProgress& progress, int64_t updated_us) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("phase", MigrationPhaseName(progress.phase));
  if (progress.last_snapshot_id) {
    w.Member("lastProcessedSnapshotId", *progress.last_snapshot_id);
    w.Member("lastProcessedSnapshotPid", std::string(kPersistenceIdPrefix) + *progress.last_snapshot_id);
  }
  if (progress.last_journal_sequence) {
    w.Member("lastProcessedJournalId", std::to_string(*progress.last_journal_sequence));
  }
  if (progress.last_journal_id) {
    w.Member("lastProcessedJournalPid", std::string(kPersistenceIdPrefix) + *progress.last_journal_id);
  }
  if (progress.last_journal_revision) w.Key("lastProcessedJournalRevision").Uint(*progress.last_journal_revision);
  w.Key("snapshotsProcessed").Uint(progress.snapshots.processed);
  w.Key("snapshotsSkipped").Uint(progress.snapshots.skipped);
  w.Key("snapshotsFailed").Uint(progress.snapshots.failed);
  w.Key("journalProcessed").Uint(progress.journal.processed);
  w.Key("journalSkipped").Uint(progress.journal.skipped);
  w.Key("journalFailed").Uint(progress.journal.failed);
  w.Member("startedAt", FormatIsoMicros(progress.started_us));
  w.Member("updatedAt", FormatIsoMicros(updated_us));
  w.EndObject();
  return out;
}

std::optional<MigrationProgress> DecodeMigrationProgress(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::object object;
  if (parser.parse(padded).get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  MigrationProgress progress;
  // As Ditto: an unknown phase reads as completed.
  const std::optional<std::string> phase = ReadString(object, "phase");
  progress.phase = phase ? PhaseFromName(*phase).value_or(MigrationPhase::kCompleted) : MigrationPhase::kCompleted;
  progress.last_snapshot_id = ReadString(object, "lastProcessedSnapshotId");
  if (const std::optional<std::string> sequence = ReadString(object, "lastProcessedJournalId")) {
    uint64_t value = 0;
    const auto [end, error] = std::from_chars(sequence->data(), sequence->data() + sequence->size(), value);
    if (error == std::errc() && end == sequence->data() + sequence->size()) progress.last_journal_sequence = value;
  }
  if (const std::optional<std::string> pid = ReadString(object, "lastProcessedJournalPid")) {
    progress.last_journal_id = pid->starts_with(kPersistenceIdPrefix) ? pid->substr(kPersistenceIdPrefix.size()) : *pid;
  }
  uint64_t revision = 0;
  if (object["lastProcessedJournalRevision"].get_uint64().get(revision) == simdjson::SUCCESS) {
    progress.last_journal_revision = revision;
  }
  progress.snapshots = {ReadCount(object, "snapshotsProcessed"), ReadCount(object, "snapshotsSkipped"),
                        ReadCount(object, "snapshotsFailed")};
  progress.journal = {ReadCount(object, "journalProcessed"), ReadCount(object, "journalSkipped"),
                      ReadCount(object, "journalFailed")};
  const std::optional<std::string> started = ReadString(object, "startedAt");
  progress.started_us = started ? ParseIsoMicros(*started).value_or(0) : 0;
  return progress;
}

EncryptionMigration::EncryptionMigration(journal::Journal& journal, const crypto::ConnectionSecrets* secrets,
                                         Host host, const Clock& clock)
    : journal_(journal),
      secrets_(secrets),
      host_(std::move(host)),
      clock_(clock),
      batch_size_(secrets != nullptr ? secrets->settings().migration_batch_size : 10),
      documents_per_minute_(secrets != nullptr ? secrets->settings().migration_max_documents_per_minute : 200) {}

EncryptionMigration::~EncryptionMigration() { Stop(); }

std::optional<model::DittoError> EncryptionMigration::MakePlan(Plan& plan) const {
  const bool enabled = secrets_ != nullptr && secrets_->settings().enabled;
  const crypto::AesKey* key = secrets_ != nullptr ? secrets_->key() : nullptr;
  const crypto::AesKey* old_key = secrets_ != nullptr ? secrets_->old_key() : nullptr;
  if (!enabled && old_key == nullptr) {
    return model::AskError(
        "Encryption is not enabled and no old key configured. Cannot migrate without encryption keys.");
  }
  if (enabled) {
    plan = Plan{key, key, old_key, old_key == nullptr};
  } else {
    plan = Plan{nullptr, old_key, key, false};  // disable: decrypt with the old key (and the key, if set)
  }
  return std::nullopt;
}

std::variant<MigrationStarted, model::DittoError> EncryptionMigration::Start(bool dry_run, bool resume) {
  MutexLock lock(mutex_);
  if (active_) {
    return model::AskError(
        "Migration already in progress. Use migrateEncryptionStatus to check progress or "
        "migrateEncryptionAbort to cancel.");
  }
  Plan plan;
  if (std::optional<model::DittoError> error = MakePlan(plan)) return std::move(*error);
  const int64_t now_us = clock_.NowMicros();
  MigrationProgress progress;
  progress.started_us = now_us;
  if (resume) {
    Result<std::optional<std::string>> saved = journal_.ReadMetaBlob(journal::kEncryptionMigrationKey);
    std::optional<MigrationProgress> loaded;
    if (saved.ok() && saved->has_value()) loaded = DecodeMigrationProgress(**saved);
    if (!loaded || loaded->phase == MigrationPhase::kCompleted) {
      log::Info(kComponent, std::string("resume requested but ") +
                                (loaded ? "the previous migration already completed" : "no previous migration found") +
                                ", nothing to do");
      MigrationProgress completed = loaded.value_or(progress);
      completed.phase = MigrationPhase::kCompleted;
      current_ = completed;
      dry_run_ = false;
      return MigrationStarted{200, "already_completed", false, true, now_us};
    }
    progress = *loaded;
  } else if (Status deleted = journal_.WriteMetaBlob(journal::kEncryptionMigrationKey, std::nullopt, false);
             !deleted.ok()) {
    log::Warn(kComponent, "the saved progress of an earlier migration was not deleted: " + deleted.message());
  }
  if (thread_.joinable()) thread_.join();  // the previous run has ended (not active)
  active_ = true;
  dry_run_ = dry_run;
  abort_requested_ = false;
  current_ = progress;
  run_documents_ = 0;
  run_started_monotonic_us_ = clock_.MonotonicMicros();
  const std::string mode = plan.target == nullptr ? "disable" : plan.initial ? "initial-encryption" : "key-rotation";
  log::Info(kComponent, "starting the encryption migration (mode=" + mode + ", dryRun=" +
                            (dry_run ? "true" : "false") + ", resume=" + (resume ? "true" : "false") + ")");
  thread_ = std::thread([this, plan, progress, dry_run] { Run(plan, progress, dry_run); });
  pthread_setname_np(thread_.native_handle(), "migration");
  return MigrationStarted{202, "started", dry_run, resume, now_us};
}

std::variant<MigrationStatusView, model::DittoError> EncryptionMigration::GetStatus() const {
  MutexLock lock(mutex_);
  const int64_t now_us = clock_.NowMicros();
  MigrationStatusView view;
  view.updated_us = now_us;
  if (current_) {
    view.progress = *current_;
    view.active = active_;
    view.dry_run = dry_run_;
  } else {
    // After a restart: the saved progress, or Ditto's fresh progress.
    Result<std::optional<std::string>> saved = journal_.ReadMetaBlob(journal::kEncryptionMigrationKey);
    std::optional<MigrationProgress> loaded;
    if (saved.ok() && saved->has_value()) loaded = DecodeMigrationProgress(**saved);
    MigrationProgress fresh;
    fresh.started_us = now_us;
    view.progress = loaded.value_or(fresh);
  }
  view.phase = std::string(view.active ? "in_progress:" : "") + std::string(MigrationPhaseName(view.progress.phase));
  return view;
}

std::variant<MigrationAborted, model::DittoError> EncryptionMigration::Abort() {
  MutexLock lock(mutex_);
  if (!active_) return model::AskError("No migration is currently running.");
  log::Info(kComponent, "abort requested for the running migration");
  abort_requested_ = true;
  changed_.NotifyAll();
  const MigrationProgress progress = current_.value_or(MigrationProgress{});
  return MigrationAborted{"aborted:" + std::string(MigrationPhaseName(progress.phase)), progress.snapshots,
                          progress.journal, clock_.NowMicros()};
}

void EncryptionMigration::Stop() {
  {
    MutexLock lock(mutex_);
    if (active_) abort_requested_ = true;
  }
  changed_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void EncryptionMigration::WaitIdle() const {
  MutexLock lock(mutex_);
  while (active_) changed_.Wait(lock);
}

bool EncryptionMigration::aborted() const {
  MutexLock lock(mutex_);
  return abort_requested_;
}

void EncryptionMigration::Publish(const MigrationProgress& progress) {
  MutexLock lock(mutex_);
  current_ = progress;
}

Status EncryptionMigration::SaveProgress(const MigrationProgress& progress, bool sync) {
  return journal_.WriteMetaBlob(journal::kEncryptionMigrationKey,
                                EncodeMigrationProgress(progress, clock_.NowMicros()), sync);
}

bool EncryptionMigration::Throttle(uint64_t documents) {
  MutexLock lock(mutex_);
  run_documents_ += documents;
  if (documents_per_minute_ > 0) {
    // Ditto's throttle: at most `documents_per_minute_` a minute since the run began.
    const int64_t due_us = run_started_monotonic_us_ +
                           static_cast<int64_t>(run_documents_ * 60'000'000 / documents_per_minute_);
    const int64_t wait_us = due_us - clock_.MonotonicMicros();
    if (wait_us > 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(wait_us);
      while (!abort_requested_ && changed_.WaitUntil(lock, deadline)) {
      }
    }
  }
  return !abort_requested_;
}

void EncryptionMigration::Run(Plan plan, MigrationProgress progress, bool dry_run) {
  const Status status = RunPhases(plan, progress, dry_run);
  bool was_aborted = false;
  {
    MutexLock lock(mutex_);
    was_aborted = abort_requested_;
  }
  if (was_aborted && !dry_run) {
    if (Status saved = SaveProgress(progress, true); !saved.ok()) {
      log::Error(kComponent, "the progress of the aborted migration was not saved: " + saved.message());
    }
  }
  if (!status.ok() && !was_aborted) {
    log::Error(kComponent, "the encryption migration failed (resume it with \"resume\": true): " + status.ToString());
  } else {
    log::Info(kComponent, std::string("encryption migration ") + (was_aborted ? "aborted" : "completed") +
                              " (dryRun=" + (dry_run ? "true" : "false") + "): snapshots(" +
                              CountsText(progress.snapshots) + "), journal(" + CountsText(progress.journal) +
                              "), finalPhase=" + (was_aborted ? "aborted:" : "") +
                              std::string(MigrationPhaseName(progress.phase)));
  }
  MutexLock lock(mutex_);
  current_ = progress;
  active_ = false;
  abort_requested_ = false;
  changed_.NotifyAll();
}

Status EncryptionMigration::RunPhases(const Plan& plan, MigrationProgress& progress, bool dry_run) {
  if (!dry_run && plan.target != nullptr) CONNECTIVITY_RETURN_IF_ERROR(host_.ensure_mark());
  if (progress.phase == MigrationPhase::kSnapshots) {
    const int64_t started_us = clock_.MonotonicMicros();
    CONNECTIVITY_RETURN_IF_ERROR(MigrateSnapshots(plan, progress, dry_run));
    if (aborted()) return Status::Ok();
    log::Info(kComponent, "snapshots done in " + std::to_string((clock_.MonotonicMicros() - started_us) / 1000) +
                              " ms: " + CountsText(progress.snapshots));
    progress.phase = MigrationPhase::kJournal;
    Publish(progress);
  }
  if (progress.phase == MigrationPhase::kJournal) {
    const int64_t started_us = clock_.MonotonicMicros();
    CONNECTIVITY_RETURN_IF_ERROR(MigrateJournal(plan, progress, dry_run));
    if (aborted()) return Status::Ok();
    log::Info(kComponent, "journal done in " + std::to_string((clock_.MonotonicMicros() - started_us) / 1000) +
                              " ms: " + CountsText(progress.journal) + ", up to sequence " +
                              std::to_string(progress.last_journal_sequence.value_or(0)));
    CONNECTIVITY_RETURN_IF_ERROR(Finish(plan, progress, dry_run));
  }
  return Status::Ok();
}

EncryptionMigration::Outcome EncryptionMigration::Migrate(const Plan& plan, std::string& json, bool rewrite) const {
  const crypto::SecretFields& fields = secrets_->fields();
  if (plan.target == nullptr && !crypto::SecretFields::MayHoldEncrypted(json)) return Outcome::kSkipped;
  const crypto::SecretCensus census = fields.Census(json, plan.read_key, plan.read_fallback);
  if (census.undecryptable > 0) return Outcome::kFailed;
  if (plan.target == nullptr) {
    if (census.encrypted == 0) return Outcome::kSkipped;
  } else if ((plan.initial && census.encrypted > 0) || (census.plaintext == 0 && census.old_key == 0)) {
    return Outcome::kSkipped;  // Ditto leaves a document with an encrypted field to an initial encryption
  }
  if (!rewrite) return Outcome::kProcessed;
  std::string migrated = json;
  if (!fields.Decrypt(migrated, plan.read_key, plan.read_fallback).ok()) return Outcome::kFailed;
  if (plan.target != nullptr && !fields.Encrypt(migrated, *plan.target).ok()) return Outcome::kFailed;
  json = std::move(migrated);
  return Outcome::kProcessed;
}

Status EncryptionMigration::MigrateSnapshots(const Plan& plan, MigrationProgress& progress, bool dry_run) {
  bool at_end = false;
  while (!at_end && !aborted()) CONNECTIVITY_RETURN_IF_ERROR(MigrateSnapshotBatch(plan, progress, dry_run, at_end));
  return Status::Ok();
}

Status EncryptionMigration::MigrateSnapshotBatch(const Plan& plan, MigrationProgress& progress, bool dry_run,
                                                 bool& at_end) {
  std::vector<std::string> rows;  // connections whose rows the snapshotter rewrites
  std::vector<journal::HistoricalSnapshot> historical;
  uint64_t documents = 0;
  {
    // Cursors per batch: they pin what they read, and the batch writes after them.
    const std::string after = progress.last_snapshot_id.value_or("");
    const std::unique_ptr<journal::StateRowCursor> row_cursor = journal_.snapshots().ReadStateRowsAfter(after);
    const std::unique_ptr<journal::HistoricalCursor> historical_cursor = journal_.snapshots().ScanHistoricalAfter(after);
    Result<std::optional<journal::StateRow>> row = row_cursor->Next();
    Result<std::optional<journal::HistoricalSnapshot>> snapshot = historical_cursor->Next();
    while (true) {
      if (!row.ok()) return row.status();
      if (!snapshot.ok()) return snapshot.status();
      if (!row->has_value() && !snapshot->has_value()) {
        at_end = true;
        break;
      }
      if (documents >= batch_size_) break;  // between connections only
      // The next connection: the smaller id of the two heads.
      const std::string id = !row->has_value()        ? (*snapshot)->stream
                             : !snapshot->has_value() ? (*row)->stream
                                                      : std::min((*row)->stream, (*snapshot)->stream);
      if (row->has_value() && (*row)->stream == id) {
        Result<projector::ConnectionState> state = projector::DecodeSnapshot((*row)->blob);
        const Outcome outcome = state.ok() ? Migrate(plan, state->json, /*rewrite=*/false) : Outcome::kFailed;
        progress.snapshots.Add(outcome);
        // The snapshotter writes the current state in the current form.
        if (outcome == Outcome::kProcessed) rows.push_back(id);
        ++documents;
        row = row_cursor->Next();
      }
      while (snapshot->has_value() && (*snapshot)->stream == id) {
        journal::HistoricalSnapshot& current = **snapshot;
        Result<projector::ConnectionState> state = projector::DecodeSnapshot(current.blob);
        const Outcome outcome = state.ok() ? Migrate(plan, state->json, /*rewrite=*/!dry_run) : Outcome::kFailed;
        progress.snapshots.Add(outcome);
        if (outcome == Outcome::kProcessed && !dry_run) {
          historical.push_back({id, current.revision, projector::EncodeSnapshot(*state)});
        }
        ++documents;
        snapshot = historical_cursor->Next();
        if (!snapshot.ok()) return snapshot.status();
      }
      progress.last_snapshot_id = id;
    }
  }
  if (!dry_run && documents > 0) {
    if (!rows.empty()) CONNECTIVITY_RETURN_IF_ERROR(host_.rewrite_state_rows(rows));
    if (!historical.empty()) CONNECTIVITY_RETURN_IF_ERROR(journal_.snapshots().PutHistorical(historical, false));
    CONNECTIVITY_RETURN_IF_ERROR(SaveProgress(progress, /*sync=*/false));
  }
  Publish(progress);
  Throttle(documents);
  return Status::Ok();
}

Status EncryptionMigration::MigrateJournal(const Plan& plan, MigrationProgress& progress, bool dry_run) {
  bool at_end = false;
  while (!at_end && !aborted()) {
    std::vector<journal::Journal::PayloadRewrite> rewrites;
    uint64_t documents = 0;
    {
      // A cursor per batch: it pins what it reads, and the batch writes after it.
      const std::unique_ptr<journal::EventCursor> cursor =
          progress.last_journal_id
              ? journal_.ScanFrom(*progress.last_journal_id, progress.last_journal_revision.value_or(0) + 1)
              : journal_.ScanAll();
      while (documents < batch_size_) {
        Result<std::optional<journal::Event>> next = cursor->Next();
        if (!next.ok()) return next.status();
        if (!next->has_value()) {
          at_end = true;
          break;
        }
        journal::Event& event = **next;
        progress.last_journal_sequence = event.sequence;
        progress.last_journal_id = event.stream;
        progress.last_journal_revision = event.revision;
        if (!projector::CarriesConnection(event.type)) continue;  // no secrets: not a document here
        ++documents;
        // The body is re-encrypted; the audit section (who made the change) stays as it was.
        std::string body(projector::PayloadBody(event.payload));
        const Outcome outcome = Migrate(plan, body, /*rewrite=*/!dry_run);
        progress.journal.Add(outcome);
        if (outcome == Outcome::kProcessed && !dry_run) {
          body.append(projector::PayloadAudit(event.payload));
          rewrites.push_back({std::move(event.stream), event.revision, event.type, event.timestamp_us,
                              event.sequence, std::move(body)});
        }
      }
    }
    if (!dry_run && (documents > 0 || !rewrites.empty())) {
      CONNECTIVITY_RETURN_IF_ERROR(journal_.RewritePayloads(
          rewrites, journal::kEncryptionMigrationKey, EncodeMigrationProgress(progress, clock_.NowMicros()), false));
    }
    Publish(progress);
    Throttle(documents);
  }
  return Status::Ok();
}

Status EncryptionMigration::Finish(const Plan& plan, MigrationProgress& progress, bool dry_run) {
  if (!dry_run) {
    // No file may keep an old plaintext or an old-key value.
    const int64_t started_us = clock_.MonotonicMicros();
    CONNECTIVITY_RETURN_IF_ERROR(journal_.CompactAll());
    log::Info(kComponent, "compacted every column family and rotated the WAL in " +
                              std::to_string((clock_.MonotonicMicros() - started_us) / 1000) + " ms");
  }
  progress.phase = MigrationPhase::kCompleted;
  if (dry_run) return Status::Ok();
  CONNECTIVITY_RETURN_IF_ERROR(SaveProgress(progress, /*sync=*/true));
  if (plan.target == nullptr && progress.snapshots.failed == 0 && progress.journal.failed == 0) {
    // Nothing encrypted is left: a server without a key may open it again.
    CONNECTIVITY_RETURN_IF_ERROR(host_.remove_mark());
  }
  return Status::Ok();
}

}  // namespace connectivity::service
