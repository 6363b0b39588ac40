// ConnectionService: the commands and queries on connections, knowing
// nothing of HTTP.
//
// Write path (ARCHITECTURE.md): a command is queued on its connection
// (RunSerialized), decided against the current state (exists? conflict?
// preconditions? validation), appended to the journal, and — once the
// group-commit writer has synced it — applied through projector::Apply,
// published, and only then answered through its callback. Callers are never
// blocked on fsync.
// Threads: commands are decided on the caller's thread (an HTTP worker) or,
// when queued behind an earlier command of the same connection, on the
// thread that finished that one; OnCommitted, the apply, the reply and the
// snapshotter's OnApplied run on the journal's completion thread
// ("journal-done"); an open's reply may come from the supervisor's thread.
// Reads answer from the in-memory states, which include every acknowledged
// write.
#ifndef CONNECTIVITY_SERVICE_CONNECTION_SERVICE_H_
#define CONNECTIVITY_SERVICE_CONNECTION_SERVICE_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/journal.h"
#include "src/base/clock.h"
#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/model/validation.h"
#include "src/recovery/recovery.h"
#include "src/service/connection_logs.h"
#include "src/service/encryption_mark.h"
#include "src/service/encryption_migration.h"
#include "src/service/history.h"
#include "src/service/journal_metrics.h"
#include "src/service/live_connections.h"
#include "src/service/preconditions.h"
#include "src/service/registry.h"
#include "src/service/snapshotter.h"

namespace connectivity::service {

struct ServiceOptions {
  model::ValidationConfig validation;
  SnapshotterOptions snapshots;
  LogsOptions logs;
  // Bounds of a test connection (timeout, outbound host rules).
  connect::ConnectSettings connect;
  // A replay longer than this at start-up is followed at once by a snapshot
  // pass (a shorter one is written by the next regular pass).
  uint64_t replay_snapshot_after_events = 1000;
  // Seals the secrets of every connection stored, opens what history reads
  // (src/projector/secret_codec.h). Must outlive the service.
  const projector::SecretCodec* secrets = &projector::PlainSecrets();
  // The encryption settings and keys, for the encryption migration (null:
  // none configured; the migration commands then answer Ditto's error).
  // Usually the same object as `secrets`. Must outlive the service.
  const crypto::ConnectionSecrets* encryption = nullptr;
};

struct CommandOptions {
  Preconditions preconditions;
  // ditto-sudo: a modify may change the connection type (REF §2.1).
  bool sudo = false;
  // Copied into connection log entries.
  std::string correlation_id = "<not-provided>";
};

struct Outcome {
  std::optional<model::DittoError> error;
  StatePtr state;        // the state after the command; null on some errors
  bool created = false;  // a modify that created the connection (upsert)
};
using OutcomeCallback = std::function<void(Outcome)>;

// A connection's metrics as far as the service knows them.
struct MetricsView {
  StatePtr state;
  ConnectionJournalMetrics journal;
  std::optional<connect::LiveStatus> live;  // absent unless supervised (desired open)
};

struct StatusView {
  StatePtr state;
  std::optional<connect::LiveStatus> live;  // absent unless supervised (desired open)
};

// The outcome of a test connection (REF §8).
struct TestOutcome {
  std::optional<model::DittoError> error;
  bool conflict = false;  // the id exists or existed: 409, no test
};

struct ConnectionCounts {
  uint64_t total = 0;
  uint64_t deleted = 0;
  // Existing connections by desired status (open, closed, failed, misconfigured, unknown).
  std::vector<std::pair<std::string, uint64_t>> by_desired_status;
};

class ConnectionService {
 public:
  // `supervisor` (may be null: no live connections) must outlive the service.
  ConnectionService(journal::Journal& journal, recovery::Recovered recovered,
                    ServiceOptions options, const Clock& clock,
                    connect::Supervisor* supervisor = nullptr);
  ~ConnectionService();
  ConnectionService(const ConnectionService&) = delete;
  ConnectionService& operator=(const ConnectionService&) = delete;

  // Starts the snapshotter (with a pass at once if the replay was long) and
  // reconnects the desired-open connections in the background.
  void Start();
  // Stops background work and writes a last snapshot pass. Call after the
  // HTTP server stopped and the journal drained.
  void Stop();
  // Writes a snapshot pass now (sync=false, like every pass).
  Status TakeSnapshot() { return snapshotter_.WritePass(); }

  // --- commands (answered through `done`, possibly on another thread) ---
  void Create(model::Connection connection, CommandOptions options, OutcomeCallback done);
  // Upsert: creates the connection if it does not exist (REF §2.1).
  void Modify(model::Connection connection, CommandOptions options, OutcomeCallback done);
  void Delete(std::string id, CommandOptions options, OutcomeCallback done);
  void Open(std::string id, CommandOptions options, OutcomeCallback done);
  void Close(std::string id, CommandOptions options, OutcomeCallback done);
  // Validation, then a real connect + handshake + close; nothing persisted.
  void Test(model::Connection connection, std::function<void(TestOutcome)> done);

  // --- queries (immediate) ---
  // The current state of an existing connection, or connection.notfound.
  Outcome Retrieve(std::string_view id, const Preconditions& preconditions) const;
  // How hono connections resolve (retrieveResolvedHonoConnection; connecting uses the same).
  const model::HonoSettings& hono_settings() const { return options_.connect.hono; }
  std::vector<std::string> AllConnectionIds() const;
  // Up to `count` existing connections with ids after `after_id`, in id order
  // (for answers streamed in pieces).
  std::vector<StatePtr> ConnectionsAfter(std::string_view after_id, size_t count) const;
  std::vector<std::string> ConnectionIdsByTag(std::string_view tag) const;
  // Calls `visit` for every existing connection in id order.
  void ForEachConnection(const std::function<void(const StatePtr&)>& visit) const;
  ConnectionCounts Counts() const;
  // Journal events by type since the journal began (for /metrics).
  std::array<uint64_t, projector::kEventTypeCount> EventsByType() const;

  // --- logs and metrics (not journaled; REF §7.2, §7.3, SPEC §4.5) ---
  Outcome EnableLogs(std::string_view id, const CommandOptions& options);
  Outcome ResetLogs(std::string_view id, const CommandOptions& options);
  std::variant<LogsView, model::DittoError> RetrieveLogs(std::string_view id,
                                                         const Preconditions& preconditions);
  Outcome ResetMetrics(std::string_view id, const CommandOptions& options);
  std::variant<MetricsView, model::DittoError> RetrieveMetrics(std::string_view id,
                                                               const Preconditions& preconditions);
  std::variant<StatusView, model::DittoError> RetrieveStatus(std::string_view id,
                                                             const Preconditions& preconditions);
  // Supervised connections by live status (open, failed, ...), for /metrics.
  std::vector<std::pair<std::string, uint64_t>> LiveStatusCounts() const;

  // --- history (reads the journal) ---
  const History& history() const { return history_; }

  // --- encryption migration (Ditto's migrateEncryption* commands) ---
  EncryptionMigration& encryption_migration() { return migration_; }
  // Writes the current states of `ids` (existing or deleted) in a snapshot
  // pass, in the current stored form: how the migration rewrites state rows
  // without ever breaking the snapshot invariant (snapshotter.h).
  Status RewriteStateRows(const std::vector<std::string>& ids);

  // OK, or the journal's sticky write error.
  Status health() const { return journal_.health(); }
  const recovery::RecoveryReport& recovery_report() const { return recovery_report_; }
  SnapshotterStats snapshotter_stats() const { return snapshotter_.stats(); }
  journal::Journal& journal() { return journal_; }
  const Clock& clock() const { return clock_; }

 private:
  // What the outside world must do after a committed event.
  enum class LiveEffect {
    kNone,
    kClose,           // disconnect, then answer
    kOpenAfterReply,  // answer, then connect (create: Ditto answers 201 first)
    kOpenThenReply,   // connect, answer with the first attempt's outcome (open, modify)
  };
  // What a command decided against the current state.
  struct Decision {
    std::optional<model::DittoError> error;  // answer at once with this error
    std::string stream;                      // else append this event
    uint8_t event_type = 0;
    std::string payload;  // in memory form: secrets in plaintext
    bool created = false;
    LiveEffect effect = LiveEffect::kNone;
    std::shared_ptr<const model::Connection> connection;  // for kOpen*
  };
  using Decide = std::function<Decision(const StatePtr& state)>;

  // Loads the recovered states into the registry; returns what the
  // snapshotter must write before its watermark passes the replayed tail.
  SnapshotStart LoadRecovered(recovery::Recovered& recovered);
  void Submit(const std::shared_ptr<Entry>& entry, Decide decide, OutcomeCallback done,
              std::string correlation_id);
  void Execute(const std::shared_ptr<Entry>& entry, const Decide& decide, OutcomeCallback done,
               std::function<void()> finish, std::string correlation_id);
  void OnCommitted(const std::shared_ptr<Entry>& entry, const Status& status,
                   const journal::Event& event, const Decision& decision, OutcomeCallback& done,
                   const std::string& correlation_id);
  void OnCommittedLive(const Decision& decision, Outcome outcome, OutcomeCallback& done);
  // Connection log entries for a committed event (category connection).
  void LogLifecycle(const projector::ConnectionState& state, const journal::Event& event,
                    const std::string& correlation_id);
  // Open, close or delete an existing connection.
  void SubmitStatusChange(std::string id, projector::EventType type, CommandOptions options,
                          OutcomeCallback done);
  // Submits a command on an existing connection; 404 at once if it never existed.
  void SubmitExisting(std::string id, Decide decide, OutcomeCallback done,
                      std::string correlation_id);
  // The state of an existing connection after the preconditions, or the error.
  std::variant<StatePtr, model::DittoError> ExistingState(std::string_view id,
                                                          const Preconditions& preconditions,
                                                          bool is_read) const;

  EncryptionMigration::Host MigrationHost();

  Decision DecideCreate(const StatePtr& state,
                        const std::shared_ptr<const model::Connection>& connection,
                        const CommandOptions& options) const;
  Decision DecideModify(const StatePtr& state,
                        const std::shared_ptr<const model::Connection>& connection,
                        const CommandOptions& options) const;
  Decision DecideStatusChange(const StatePtr& state, std::string_view id, uint8_t event_type,
                              const CommandOptions& options) const;

  journal::Journal& journal_;
  const ServiceOptions options_;
  const Clock& clock_;
  const recovery::RecoveryReport recovery_report_;
  ConnectionRegistry registry_;
  Snapshotter snapshotter_;
  EncryptionMark mark_;  // before the first sealed append
  ConnectionLogs logs_;
  History history_;
  LiveConnections live_;
  std::array<std::atomic<uint64_t>, projector::kEventTypeCount> events_by_type_{};
  // Held while a committed state is published and reported to the
  // snapshotter, and while RewriteStateRows takes states: a state it takes
  // has always been reported (snapshotter.h, AddDirty).
  std::mutex publish_mutex_;
  EncryptionMigration migration_;  // last: stopped and destroyed first
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_CONNECTION_SERVICE_H_
