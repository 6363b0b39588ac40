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
// No command waits on DNS on any of those threads: a validation that needs a
// name resolved hands it to ServiceOptions::host_lookups and the command is
// decided again on that pool's thread (which then also answers errors).
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
#include "src/connect/resolver.h"
#include "src/model/connection.h"
#include "src/model/errors.h"
#include "src/model/validation.h"
#include "src/projector/request_origin.h"
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
#include "src/service/worker_pool.h"

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
  // Commands waiting per connection behind the running one (--max-queued-commands); more are
  // answered 503 connectivity:connection.unavailable.
  size_t queued_commands_max = 256;
  // Resolves the hosts a validation checks (REF §4.2 item 7), off the HTTP and journal threads;
  // null: resolved on the calling thread with validation.host_resolver (unit tests).
  std::shared_ptr<connect::ResolverPool> host_lookups;
  // Shared journal (cluster mode): reads wait for this instance to have
  // applied everything committed before them (--cluster-reads
  // linearizable); false serves them from the local state (local).
  bool linearizable_reads = true;
  // Threads that go on with requests after a read barrier.
  size_t read_workers = 4;
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
  // Who sent the command and from where (the audit trail): stored with the
  // command's event (src/projector/event_payload.h) and shown as its
  // `_metadata`. Unset (a command from no request): the event has none.
  std::optional<projector::RequestOrigin> origin;
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
  // Registry entries: every id that exists or existed (a rejected create leaves none).
  size_t registry_entries() const { return registry_.size(); }
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

  // --- cluster mode (a journal other instances append to) ---
  // Calls `done` (nullopt) once a read may be served: at once unless the
  // journal is shared and reads are linearizable; then after this instance
  // applied every event committed before the call, on a read worker. Without
  // an etcd quorum: a 503 error.
  void AwaitReadable(std::function<void(std::optional<model::DittoError>)> done);
  bool NeedsReadBarrier() const { return journal_.shared() && options_.linearizable_reads; }
  // Cluster mode: src/cluster places the live clients (on this instance or
  // another). Set before Start(); must outlive the service's Stop().
  void SetPlacement(cluster::Placement* placement) { live_.SetPlacement(placement); }
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
    std::optional<projector::RequestOrigin> origin;  // appended to the stored payload
    bool created = false;
    LiveEffect effect = LiveEffect::kNone;
    std::shared_ptr<const model::Connection> connection;  // for kOpen*
  };
  // `hosts` resolves the hosts the validation checks: names resolved ahead, never DNS.
  using Decide = std::function<Decision(const StatePtr& state, const model::HostResolver& hosts)>;
  using Hosts = std::shared_ptr<model::ResolvedHosts>;

  // Loads the recovered states into the registry; returns what the
  // snapshotter must write before its watermark passes the replayed tail.
  SnapshotStart LoadRecovered(recovery::Recovered& recovered);
  // Create and modify: a command on an id without an entry is checked before one is made.
  // `current`: the state is known as current as the shared journal's (cluster mode).
  void SubmitUpsert(std::shared_ptr<const model::Connection> connection, CommandOptions options,
                    OutcomeCallback done, bool modify, bool current = false);
  void Submit(const std::shared_ptr<Entry>& entry, std::string_view id, Decide decide, OutcomeCallback done,
              std::string correlation_id, Hosts hosts);
  // Where a command's decision stands: Execute decides again after resolving names the
  // validation needs, after a conflict with another instance's write, and (cluster mode) before
  // standing by a refusal decided on state that may lag behind etcd.
  struct Attempt {
    int resolve_passes = 0;    // at most kResolvePassesMax
    int conflict_retries = 0;  // at most kConflictRetriesMax
    bool current = false;      // the state is known as current as the shared journal's
  };
  // Decides and appends; on a conflict (another instance wrote first) decides
  // again, at most kConflictRetriesMax times. Shared journal: a refusal
  // (404, 409, 412) decided on state not known `current` waits for
  // AwaitCurrent() and is decided again.
  void Execute(const std::shared_ptr<Entry>& entry, std::shared_ptr<const Decide> decide, OutcomeCallback done,
               std::function<void()> finish, std::string correlation_id, Hosts hosts, Attempt attempt);
  // Validates `connection`; names it needs are resolved on the pool and it validates again there.
  void ValidateResolving(std::shared_ptr<const model::Connection> connection, Hosts hosts,
                         std::function<void(std::optional<model::DittoError>)> done, int passes);
  // Resolves `missing` into `hosts` (on the pool, or here without one), then calls `then`.
  void ResolveMissing(std::vector<std::string> missing, Hosts hosts, std::function<void()> then);
  // A refusal that depends on the connection's state (404, 409, 412).
  static bool RefusedOnState(const model::DittoError& error);
  // The 503 of a refusal that could not be confirmed on current state.
  static model::DittoError RefusalUnconfirmed(const Status& status);
  // The answer to a failed append.
  model::DittoError AppendError(const Status& status, std::string_view id) const;
  // An event of another instance: the same fold, publication and snapshot
  // bookkeeping as our own (on the journal's completion thread).
  void ApplyExternal(const journal::Event& event);
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
  // Submits a command on an existing connection; 404 at once if it never
  // existed (shared journal: once AwaitCurrent() says so, unless `current`).
  void SubmitExisting(std::string id, Decide decide, OutcomeCallback done,
                      std::string correlation_id, bool current = false);
  // The state of an existing connection after the preconditions, or the error.
  std::variant<StatePtr, model::DittoError> ExistingState(std::string_view id,
                                                          const Preconditions& preconditions,
                                                          bool is_read) const;

  EncryptionMigration::Host MigrationHost();

  // `validated`: ValidateConnection already passed for this connection with
  // these hosts (SubmitUpsert's check of a new id), so it is not run again:
  // its outcome depends only on the connection, options_.validation and the
  // hosts, none of which the state changes.
  Decision DecideCreate(const StatePtr& state,
                        const std::shared_ptr<const model::Connection>& connection,
                        const CommandOptions& options, const model::HostResolver& hosts,
                        bool validated) const;
  Decision DecideModify(const StatePtr& state,
                        const std::shared_ptr<const model::Connection>& connection,
                        const CommandOptions& options, const model::HostResolver& hosts,
                        bool validated) const;
  Decision DecideStatusChange(const StatePtr& state, std::string_view id, uint8_t event_type,
                              const CommandOptions& options, const model::HostResolver& hosts) const;

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
  WorkerPool read_workers_;
  static constexpr int kConflictRetriesMax = 64;
  // Held while a committed state is published and reported to the
  // snapshotter, and while RewriteStateRows takes states: a state it takes
  // has always been reported (snapshotter.h, AddDirty).
  Mutex publish_mutex_;
  EncryptionMigration migration_;  // last: stopped and destroyed first
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_CONNECTION_SERVICE_H_
