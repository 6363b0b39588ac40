// EncryptionMigration: key rotation and disabling of secrets at rest, online,
// with Ditto 3.9's piggyback commands (REF rows 18-20; Ditto's
// EncryptionMigrationActor, DocumentProcessor, MigrationProgress).
//
// What it does, from the configuration (as Ditto decides):
//   encryption enabled, key and old key  -> key rotation: every secret under
//                                           the old key (or in plaintext) is
//                                           re-encrypted with the key;
//   encryption enabled, key only         -> initial encryption: plaintext
//                                           secrets are encrypted; a document
//                                           that already holds an encrypted
//                                           secret is left alone (skipped);
//   encryption disabled, old key         -> disable: every encrypted secret
//                                           is decrypted, stored in plaintext;
//   encryption disabled, no old key      -> refused (ask.error, Ditto's text).
//
// Phases (Ditto's names), each in batches of migration.batch-size documents,
// throttled to migration.max-documents-per-minute (0: no limit):
//   "snapshots": the state rows and historical snapshots, walked together
//       in connection id order (one sequential scan of each column family).
//       A state row is never written here: the connections whose rows need
//       it go to the snapshotter, whose pass writes their current states in
//       the current form with the current watermark (see below); historical
//       snapshots (immutable, outside the invariant) are rewritten in place.
//       Progress id: the connection id (lastProcessedSnapshotId; the Pid is
//       Ditto's persistence id, "connection:<id>").
//   "journal": every event, in (connection, revision) order (a sequential
//       scan: looking each event up in global order cost half the time of a
//       migration); payloads that need it are rewritten in place
//       (Journal::RewritePayloads) in one batch with the progress, their
//       connection re-encrypted and their audit section (who made the change,
//       src/projector/event_payload.h) kept byte for byte. Progress
//       id: the sequence number of the last event processed
//       (lastProcessedJournalId), its connection (lastProcessedJournalPid).
//       Events of opens, closes and deletes carry no connection and are not
//       counted, as Ditto streams only documents that have the fields.
//   then every column family is compacted and the WAL rotated
//   (Journal::CompactAll), so that no file keeps an old plaintext or an
//   old-key value, and the phase becomes "completed". A completed disable
//   migration without failures removes the journal's encryption mark.
// A document whose secrets no configured key decrypts counts as failed and
// stays as it is (Ditto logs and goes on).
//
// The snapshot invariant (snapshotter.h: state rows + watermark W == fold
// of the events <= W) holds at every instant: rows are only written by
// snapshot passes, and a row the migration asks for is the connection's
// state taken under the lock that also publishes states and reports them
// to the snapshotter (ConnectionService::RewriteStateRows), so it is never
// newer than the watermark of the pass that writes it. Event rewrites
// change no event's meaning: the fold of the events is the same before and
// after, in plaintext.
//
// Durability: the progress (journal meta blob "encryption_migration", a
// JSON document like Ditto's progress document) is written after each
// batch of the snapshot phase and in the same atomic batch as each batch of
// event rewrites. After a crash or an abort, migrateEncryption with
// "resume": true continues after the last saved document; without it a
// migration starts over (and deletes the saved progress, as Ditto does).
// A dry run writes nothing: it counts what would change.
//
// Threads: commands come from HTTP threads and answer at once; the
// migration runs on its own thread ("migration"); every method is
// thread-safe.
#ifndef CONNECTIVITY_SERVICE_ENCRYPTION_MIGRATION_H_
#define CONNECTIVITY_SERVICE_ENCRYPTION_MIGRATION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "journal/journal.h"
#include "journal/snapshot_store.h"
#include "src/base/clock.h"
#include "src/base/mutex.h"
#include "src/crypto/connection_secrets.h"
#include "src/model/errors.h"

namespace connectivity::service {

enum class MigrationPhase : uint8_t { kSnapshots, kJournal, kCompleted };
// "snapshots", "journal", "completed".
std::string_view MigrationPhaseName(MigrationPhase phase);

// How one document (state row, historical snapshot, event) fared.
enum class MigrationOutcome : uint8_t {
  kProcessed,  // rewritten (or, in a dry run, would be)
  kSkipped,    // already in the target form
  kFailed,     // no configured key decrypts a secret; left as it is
};

struct MigrationCounts {
  uint64_t processed = 0;
  uint64_t skipped = 0;
  uint64_t failed = 0;
  void Add(MigrationOutcome outcome);
  uint64_t total() const { return processed + skipped + failed; }
};

// Ditto's MigrationProgress.
struct MigrationProgress {
  MigrationPhase phase = MigrationPhase::kSnapshots;
  std::optional<std::string> last_snapshot_id;  // connection id
  std::optional<uint64_t> last_journal_sequence;
  std::optional<std::string> last_journal_id;   // the connection of that event
  std::optional<uint64_t> last_journal_revision;  // and its revision (where to resume)
  MigrationCounts snapshots;
  MigrationCounts journal;
  int64_t started_us = 0;
};

// The progress as the journal keeps it (a JSON document), and back.
std::string EncodeMigrationProgress(const MigrationProgress& progress, int64_t updated_us);
std::optional<MigrationProgress> DecodeMigrationProgress(std::string_view json);

// Answers, in Ditto's shapes (src/http/piggyback.cc writes them).
struct MigrationStarted {
  int status = 202;           // 202 started, 200 already_completed
  std::string phase;          // "started" or "already_completed"
  bool dry_run = false;
  bool resumed = false;
  int64_t started_us = 0;     // now (as Ditto answers)
};
struct MigrationStatusView {
  std::string phase;          // "in_progress:<phase>" while active, else "<phase>"
  MigrationProgress progress;
  bool dry_run = false;
  bool active = false;
  int64_t updated_us = 0;     // now
};
struct MigrationAborted {
  std::string phase;          // "aborted:<phase>"
  MigrationCounts snapshots;
  MigrationCounts journal;
  int64_t aborted_us = 0;
};

class EncryptionMigration {
 public:
  // What the migration needs from the service around it.
  struct Host {
    // Writes the current states of `ids` in a snapshot pass (see above).
    std::function<Status(const std::vector<std::string>& ids)> rewrite_state_rows;
    // Before the first encrypted value: the journal's encryption mark.
    std::function<Status()> ensure_mark;
    // After a completed disable migration without failures.
    std::function<Status()> remove_mark;
  };

  // `secrets` (null: no encryption configured) and `journal` must outlive it.
  EncryptionMigration(journal::Journal& journal, const crypto::ConnectionSecrets* secrets, Host host,
                      const Clock& clock);
  ~EncryptionMigration();
  EncryptionMigration(const EncryptionMigration&) = delete;
  EncryptionMigration& operator=(const EncryptionMigration&) = delete;

  // migrateEncryption: starts (or resumes) in the background. The errors are
  // Ditto's (ask.error): already running, or nothing to migrate with.
  std::variant<MigrationStarted, model::DittoError> Start(bool dry_run, bool resume);
  // migrateEncryptionStatus: the run in memory, else the saved progress.
  std::variant<MigrationStatusView, model::DittoError> GetStatus() const;
  // migrateEncryptionAbort: the run stops after its current batch.
  std::variant<MigrationAborted, model::DittoError> Abort();
  // Aborts a run and waits for it (shutdown).
  void Stop();
  // Waits until no run is active (tests, benchmarks).
  void WaitIdle() const;

 private:
  // What a run turns secrets into.
  struct Plan {
    const crypto::AesKey* target = nullptr;  // null: plaintext
    const crypto::AesKey* read_key = nullptr;
    const crypto::AesKey* read_fallback = nullptr;
    bool initial = false;  // no old key: documents with an encrypted secret stay
  };
  using Outcome = MigrationOutcome;

  std::optional<model::DittoError> MakePlan(Plan& plan) const;
  void Run(Plan plan, MigrationProgress progress, bool dry_run);
  Status RunPhases(const Plan& plan, MigrationProgress& progress, bool dry_run);
  Status MigrateSnapshots(const Plan& plan, MigrationProgress& progress, bool dry_run);
  // One batch of whole connections; sets `at_end` after the last.
  Status MigrateSnapshotBatch(const Plan& plan, MigrationProgress& progress, bool dry_run, bool& at_end);
  Status MigrateJournal(const Plan& plan, MigrationProgress& progress, bool dry_run);
  Status Finish(const Plan& plan, MigrationProgress& progress, bool dry_run);
  // How a stored connection JSON fares; `json` is rewritten when processed.
  Outcome Migrate(const Plan& plan, std::string& json, bool rewrite) const;
  Status SaveProgress(const MigrationProgress& progress, bool sync);
  void Publish(const MigrationProgress& progress);
  // Waits as the throttle says; false if the run was aborted meanwhile.
  bool Throttle(uint64_t documents);
  bool aborted() const;

  journal::Journal& journal_;
  const crypto::ConnectionSecrets* const secrets_;
  const Host host_;
  const Clock& clock_;
  const uint64_t batch_size_;
  const uint64_t documents_per_minute_;

  mutable Mutex mutex_;
  mutable CondVar changed_;
  bool active_ GUARDED_BY(mutex_) = false;
  bool dry_run_ GUARDED_BY(mutex_) = false;
  bool abort_requested_ GUARDED_BY(mutex_) = false;
  std::optional<MigrationProgress> current_ GUARDED_BY(mutex_);
  int64_t run_started_monotonic_us_ GUARDED_BY(mutex_) = 0;
  uint64_t run_documents_ GUARDED_BY(mutex_) = 0;  // examined, for the throttle
  std::thread thread_;                           // started and joined under mutex_'s protocol
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_ENCRYPTION_MIGRATION_H_
