#include "src/service/connection_service.h"

#include <algorithm>
#include <map>

#include "src/base/check.h"
#include "src/base/log.h"
#include "src/projector/apply.h"
#include "src/projector/event_payload.h"
#include "src/projector/stored_connection.h"

namespace connectivity::service {

using projector::EventType;

namespace {

uint8_t Code(EventType type) { return static_cast<uint8_t>(type); }

// Validation passes of one command that may each find names to resolve: a connection names at
// most three hosts (URI, SSH tunnel, token endpoint), each resolved once.
constexpr int kResolvePassesMax = 4;

model::DittoError QueueFull(std::string_view id, size_t limit) {
  model::DittoError error = model::ConnectionUnavailable(id);
  error.description = "More than " + std::to_string(limit) +
                      " commands wait for this connection; retry once earlier ones are answered.";
  return error;
}

// The snapshotter seals what it writes with the service's codec.
ServiceOptions WithSecretsInSnapshots(ServiceOptions options) {
  options.snapshots.secrets = options.secrets;
  return options;
}

}  // namespace

ConnectionService::ConnectionService(journal::Journal& journal, recovery::Recovered recovered,
                                     ServiceOptions options, const Clock& clock,
                                     connect::Supervisor* supervisor)
    : journal_(journal),
      options_(WithSecretsInSnapshots(std::move(options))),
      clock_(clock),
      recovery_report_(recovered.report),
      snapshotter_(journal, options_.snapshots, LoadRecovered(recovered)),
      mark_(journal),
      logs_(options_.logs, clock),
      history_(journal, *options_.secrets),
      live_(supervisor, options_.connect, logs_),
      read_workers_(options_.read_workers),
      migration_(journal, options_.encryption, MigrationHost(), clock) {
  registry_.ForEach([this](const std::string&, Entry& entry) {
    const StatePtr state = entry.LoadState();
    for (size_t i = 0; i < projector::kEventTypeCount; ++i) events_by_type_[i] += state->stats[i].total;
  });
  // Other instances' events (cluster mode); a journal with one writer has none.
  journal_.SetExternalEventHandler([this](const journal::Event& event) { ApplyExternal(event); });
}

SnapshotStart ConnectionService::LoadRecovered(recovery::Recovered& recovered) {
  registry_.Load(std::move(recovered.states));
  // Every connection the replayed tail changed, however short the tail:
  // their rows are older than the events the next pass's watermark covers.
  SnapshotStart start;
  start.applied_sequence = recovered.report.last_sequence;
  start.replayed.reserve(recovered.touched.size());
  for (const std::string& id : recovered.touched) {
    if (std::shared_ptr<Entry> entry = registry_.Find(id)) start.replayed.push_back(entry->LoadState());
  }
  return start;
}

ConnectionService::~ConnectionService() { Stop(); }

void ConnectionService::Start() {
  // After a long replay (or a rebuild), a pass at once keeps the next start short.
  if (recovery_report_.rebuilt ||
      recovery_report_.events_replayed >= options_.replay_snapshot_after_events) {
    snapshotter_.RequestPass();
  }
  snapshotter_.Start();
  logs_.Start();
  std::vector<StatePtr> states;
  ForEachConnection([&states](const StatePtr& state) { states.push_back(state); });
  live_.OpenAtStartup(std::move(states));
}

void ConnectionService::Stop() {
  migration_.Stop();  // it writes through the snapshotter
  read_workers_.Stop();
  live_.Stop();
  logs_.Stop();
  snapshotter_.Stop();
}

// --- commands -------------------------------------------------------------

void ConnectionService::Create(model::Connection connection, CommandOptions options,
                               OutcomeCallback done) {
  SubmitUpsert(std::make_shared<const model::Connection>(std::move(connection)), std::move(options),
               std::move(done), /*modify=*/false);
}

void ConnectionService::Modify(model::Connection connection, CommandOptions options,
                               OutcomeCallback done) {
  SubmitUpsert(std::make_shared<const model::Connection>(std::move(connection)), std::move(options),
               std::move(done), /*modify=*/true);
}

void ConnectionService::SubmitUpsert(std::shared_ptr<const model::Connection> connection,
                                     CommandOptions options, OutcomeCallback done, bool modify, bool current) {
  auto hosts = std::make_shared<model::ResolvedHosts>();
  auto decide_with = [this, connection, options, modify](bool validated) -> Decide {
    return [this, connection, options, modify, validated](const StatePtr& state,
                                                          const model::HostResolver& resolved) {
      return modify ? DecideModify(state, connection, options, resolved, validated)
                    : DecideCreate(state, connection, options, resolved, validated);
    };
  };
  std::string correlation_id = options.correlation_id;
  if (std::shared_ptr<Entry> entry = registry_.Find(connection->id)) {
    return Submit(entry, connection->id, decide_with(false), std::move(done), std::move(correlation_id),
                  std::move(hosts));
  }
  // A new id: the checks of a create on no state run first, and an entry is made only when they
  // pass. The command then runs as any other: its decision is taken again against the state it
  // finds (another create may have won meanwhile: 409), with the names resolved here.
  if (auto error = CheckPreconditions(options.preconditions, nullptr, /*is_read=*/false)) {
    if (journal_.shared() && !current) {
      // Cluster mode: another instance may have created it and acknowledged that already; the
      // refusal stands only if it is decided again once this one is as current as etcd.
      return journal_.AwaitCurrent([this, connection = std::move(connection), options = std::move(options),
                                    done = std::move(done), modify](const Status& status) mutable {
        if (!status.ok()) return done(Outcome{RefusalUnconfirmed(status), nullptr, false});
        SubmitUpsert(std::move(connection), std::move(options), std::move(done), modify, /*current=*/true);
      });
    }
    return done(Outcome{std::move(error), nullptr, false});
  }
  // The decision then skips the validation that passed here (same connection, same hosts).
  ValidateResolving(connection, hosts,
                    [this, connection, hosts, decide = decide_with(true), done = std::move(done),
                     correlation_id = std::move(correlation_id)](std::optional<model::DittoError> error) mutable {
                      if (error) return done(Outcome{std::move(error), nullptr, false});
                      Submit(registry_.FindOrCreate(connection->id), connection->id, std::move(decide),
                             std::move(done), std::move(correlation_id), hosts);
                    },
                    0);
}

void ConnectionService::ValidateResolving(std::shared_ptr<const model::Connection> connection, Hosts hosts,
                                          std::function<void(std::optional<model::DittoError>)> done,
                                          int passes) {
  std::optional<model::DittoError> error = model::ValidateConnection(*connection, options_.validation, *hosts);
  std::vector<std::string> missing = hosts->TakeMissing();
  if (missing.empty() || passes >= kResolvePassesMax) return done(std::move(error));
  ResolveMissing(std::move(missing), hosts, [this, connection, hosts, done = std::move(done), passes]() {
    ValidateResolving(connection, hosts, done, passes + 1);
  });
}

void ConnectionService::ResolveMissing(std::vector<std::string> missing, Hosts hosts, std::function<void()> then) {
  auto add = [hosts, then = std::move(then)](connect::ResolverPool::Results results) {
    for (auto& [host, addresses] : results) hosts->Add(std::move(host), std::move(addresses));
    then();
  };
  if (options_.host_lookups) return options_.host_lookups->Resolve(std::move(missing), std::move(add));
  // No pool (unit tests of the service): resolve here.
  const model::HostResolver& resolver =
      options_.validation.host_resolver ? *options_.validation.host_resolver : *model::SystemHostResolver();
  connect::ResolverPool::Results results;
  for (std::string& host : missing) {
    Result<std::vector<model::IpAddress>> addresses = resolver.Resolve(host, model::kHostResolveTimeoutUs);
    results.emplace_back(std::move(host), std::move(addresses));
  }
  add(std::move(results));
}

void ConnectionService::Delete(std::string id, CommandOptions options, OutcomeCallback done) {
  SubmitStatusChange(std::move(id), EventType::kDeleted, std::move(options), std::move(done));
}

void ConnectionService::Open(std::string id, CommandOptions options, OutcomeCallback done) {
  SubmitStatusChange(std::move(id), EventType::kOpened, std::move(options), std::move(done));
}

void ConnectionService::Close(std::string id, CommandOptions options, OutcomeCallback done) {
  SubmitStatusChange(std::move(id), EventType::kClosed, std::move(options), std::move(done));
}

void ConnectionService::SubmitStatusChange(std::string id, EventType type, CommandOptions options,
                                           OutcomeCallback done) {
  std::string correlation_id = options.correlation_id;
  SubmitExisting(std::move(id),
                 [this, type, options = std::move(options)](const StatePtr& state, const model::HostResolver& hosts) {
                   return DecideStatusChange(state, state->id, Code(type), options, hosts);
                 },
                 std::move(done), std::move(correlation_id));
}

void ConnectionService::SubmitExisting(std::string id, Decide decide, OutcomeCallback done,
                                       std::string correlation_id, bool current) {
  std::shared_ptr<Entry> entry = registry_.Find(id);
  if (!entry && journal_.shared() && !current) {
    // Cluster mode: another instance may have created it and acknowledged
    // that already; this one decides once it is as current as etcd.
    return journal_.AwaitCurrent([this, id = std::move(id), decide = std::move(decide), done = std::move(done),
                                  correlation_id = std::move(correlation_id)](const Status& status) mutable {
      if (!status.ok()) return done(Outcome{RefusalUnconfirmed(status), nullptr, false});
      SubmitExisting(std::move(id), std::move(decide), std::move(done), std::move(correlation_id), true);
    });
  }
  if (!entry) {
    // Never existed: no entry is made, so unknown ids cannot grow the registry.
    done(Outcome{model::ConnectionNotFound(id), nullptr, false});
    return;
  }
  Submit(entry, id,
         [decide = std::move(decide), id](const StatePtr& state, const model::HostResolver& hosts) {
           if (!state || !state->exists()) {
             Decision decision;
             decision.error = model::ConnectionNotFound(id);
             return decision;
           }
           return decide(state, hosts);
         },
         std::move(done), std::move(correlation_id), std::make_shared<model::ResolvedHosts>());
}

void ConnectionService::Submit(const std::shared_ptr<Entry>& entry, std::string_view id, Decide decide,
                               OutcomeCallback done, std::string correlation_id, Hosts hosts) {
  // Shared: answered here if the queue refuses the task, else by the task.
  auto answer = std::make_shared<OutcomeCallback>(std::move(done));
  const bool queued =
      RunSerialized(entry,
                    [this, entry, decide = std::make_shared<const Decide>(std::move(decide)), answer,
                     correlation_id = std::move(correlation_id), hosts = std::move(hosts)](std::function<void()> finish) mutable {
                      Execute(entry, std::move(decide), std::move(*answer), std::move(finish), std::move(correlation_id),
                              std::move(hosts), Attempt{});
                    },
                    options_.queued_commands_max);
  if (!queued) (*answer)(Outcome{QueueFull(id, options_.queued_commands_max), entry->LoadState(), false});
}

void ConnectionService::Execute(const std::shared_ptr<Entry>& entry, std::shared_ptr<const Decide> decide,
                                OutcomeCallback done, std::function<void()> finish,
                                std::string correlation_id, Hosts hosts, Attempt attempt) {
  const StatePtr state = entry->LoadState();
  Decision decision = (*decide)(state, *hosts);
  if (std::vector<std::string> missing = hosts->TakeMissing();
      !missing.empty() && attempt.resolve_passes < kResolvePassesMax) {
    // The validation needs a name not resolved yet: resolve it on the pool and decide again there.
    // The connection's queue stays held meanwhile, so its commands keep their order.
    return ResolveMissing(std::move(missing), hosts,
                          [this, entry, decide, done = std::move(done), finish = std::move(finish),
                           correlation_id = std::move(correlation_id), hosts, attempt]() {
                            Attempt next = attempt;
                            ++next.resolve_passes;
                            Execute(entry, decide, done, finish, correlation_id, hosts, next);
                          });
  }
  if (decision.error && journal_.shared() && !attempt.current && RefusedOnState(*decision.error)) {
    // Cluster mode: this instance's state may lag behind a write another
    // instance acknowledged (its watch delivers it a moment later), and a
    // refusal sends nothing to etcd that could conflict. So a refusal stands
    // only when decided again on state as current as etcd's (one quorum
    // read, shared like a read's); an acceptance needs no such wait: its
    // append compares the head revision.
    return journal_.AwaitCurrent([this, entry, decide = std::move(decide), done = std::move(done),
                                  finish = std::move(finish), correlation_id = std::move(correlation_id),
                                  hosts = std::move(hosts), attempt](const Status& status) mutable {
      if (!status.ok()) {
        done(Outcome{RefusalUnconfirmed(status), entry->LoadState(), false});
        return finish();
      }
      Attempt next = attempt;
      next.current = true;
      Execute(entry, std::move(decide), std::move(done), std::move(finish), std::move(correlation_id),
              std::move(hosts), next);
    });
  }
  if (decision.error) {
    done(Outcome{std::move(decision.error), state, false});
    finish();
    return;
  }
  journal::AppendRequest request;
  request.stream = decision.stream;
  request.expected_revision = state ? state->revision : 0;
  request.type = decision.event_type;
  if (options_.secrets->Seals() && projector::CarriesConnection(decision.event_type)) {
    // The journal gets the sealed form; the fold keeps decision.payload.
    if (Status marked = mark_.Ensure(); !marked.ok()) {
      done(Outcome{marked.IsNoSpace() ? model::StorageFull() : model::StorageUnavailable(), state, false});
      finish();
      return;
    }
    request.payload = decision.payload;
    if (Status sealed = options_.secrets->Seal(request.payload); !sealed.ok()) {
      done(Outcome{model::ConnectionConfigurationInvalid(sealed.message()), state, false});
      finish();
      return;
    }
  } else {
    request.payload = std::move(decision.payload);
    decision.payload.clear();
  }
  if (decision.origin) projector::AppendAudit(*decision.origin, request.payload);
  journal_.Append(std::move(request),
                  [this, entry, decide = std::move(decide), decision = std::move(decision), done = std::move(done),
                   finish = std::move(finish), correlation_id = std::move(correlation_id), hosts = std::move(hosts),
                   attempt](const Status& status, const journal::Event& event) mutable {
                    // Another writer (an instance of the cluster) changed the
                    // connection first; its event is applied by now: decide
                    // again on the new state (409, 412, or the change on top).
                    if (status.IsConflict() && attempt.conflict_retries < kConflictRetriesMax) {
                      Attempt next = attempt;
                      ++next.conflict_retries;
                      next.current = true;
                      return Execute(entry, std::move(decide), std::move(done), std::move(finish),
                                     std::move(correlation_id), std::move(hosts), next);
                    }
                    OnCommitted(entry, status, event, decision, done, correlation_id);
                    finish();
                  });
}

void ConnectionService::OnCommitted(const std::shared_ptr<Entry>& entry, const Status& status,
                                    const journal::Event& event, const Decision& decision,
                                    OutcomeCallback& done, const std::string& correlation_id) {
  const StatePtr before = entry->LoadState();
  if (!status.ok()) {
    done(Outcome{AppendError(status, event.stream), before, false});
    return;
  }
  auto after = std::make_shared<projector::ConnectionState>(before ? *before
                                                                   : projector::ConnectionState{});
  // A sealed payload was stored; the state in memory folds its plaintext.
  const Status applied =
      decision.payload.empty()
          ? projector::Apply(*after, event)
          : projector::Apply(*after, journal::Event{event.stream, event.revision, event.sequence,
                                                    event.timestamp_us, event.type, decision.payload});
  // The event was decided against exactly this state, with the connection's
  // commands serialised: failing to apply it is a bug, not an input error.
  CHECK(applied.ok(), applied.message().c_str());
  StatePtr published = std::move(after);
  // The sealed payload's body is the stored form of the new state's JSON.
  auto sealed_json = decision.payload.empty()
                         ? nullptr
                         : std::make_shared<const std::string>(projector::PayloadBody(event.payload));
  {
    MutexLock publish(publish_mutex_);
    {
      MutexLock lock(entry->mutex);
      entry->state = published;
    }
    snapshotter_.OnApplied(published, event.sequence, std::move(sealed_json));
  }
  ++events_by_type_[event.type - 1];  // Apply accepted it, so the type is valid
  LogLifecycle(*published, event, correlation_id);
  OnCommittedLive(decision, Outcome{std::nullopt, std::move(published), decision.created}, done);
}

bool ConnectionService::RefusedOnState(const model::DittoError& error) {
  return error.status == 404 || error.status == 409 || error.status == 412;
}

model::DittoError ConnectionService::RefusalUnconfirmed(const Status& status) {
  return model::ServiceUnavailable("Deciding on the current state needs a quorum of the etcd cluster: " +
                                   status.message());
}

model::DittoError ConnectionService::AppendError(const Status& status, std::string_view id) const {
  if (status.code() == ErrorCode::kInvalidArgument) return model::PayloadTooLarge(journal_.payload_bytes_max());
  // A shared journal (etcd) refuses for reasons of its own (no quorum, its
  // quota): its message says which, and nothing needs a restart.
  if (journal_.shared() && (status.IsNoSpace() || status.IsUnavailable())) {
    return model::ServiceUnavailable(status.message());
  }
  if (status.IsNoSpace()) return model::StorageFull();
  if (status.IsUnavailable()) return model::StorageUnavailable();
  return model::ConnectionUnavailable(id);
}

void ConnectionService::ApplyExternal(const journal::Event& stored) {
  // Another instance appended the stored form; the state in memory folds the plaintext.
  journal::Event event = stored;
  if (options_.secrets->Seals() || options_.encryption != nullptr) {
    if (Status opened = projector::OpenEvent(*options_.secrets, event); !opened.ok()) {
      log::Error("service", "an event of another instance does not decrypt; its secrets stay sealed in memory: " +
                                opened.message());
    }
  }
  std::shared_ptr<Entry> entry = registry_.FindOrCreate(event.stream);
  const StatePtr before = entry->LoadState();
  auto after = std::make_shared<projector::ConnectionState>(before ? *before : projector::ConnectionState{});
  const Status applied = projector::Apply(*after, event);
  // Events arrive in the journal's order, each once, as for our own: one
  // that does not apply means the projection diverged from the journal.
  CHECK(applied.ok(), applied.message().c_str());
  StatePtr published = std::move(after);
  {
    MutexLock publish(publish_mutex_);
    {
      MutexLock lock(entry->mutex);
      entry->state = published;
    }
    snapshotter_.OnApplied(published, event.sequence);
  }
  ++events_by_type_[event.type - 1];
  // The log names the other instance's request by the correlation id its audit section recorded.
  const Result<std::optional<projector::RequestOrigin>> origin = projector::PayloadOrigin(event.payload);
  LogLifecycle(*published, event,
               origin.ok() && origin->has_value() ? (*origin)->correlation_id : std::string("<not-provided>"));
  live_.OnExternal(published);
}

void ConnectionService::AwaitReadable(std::function<void(std::optional<model::DittoError>)> done) {
  if (!journal_.shared() || !options_.linearizable_reads) return done(std::nullopt);
  journal_.AwaitCurrent([this, done = std::move(done)](const Status& status) mutable {
    // On the journal's completion thread: the request goes on elsewhere.
    read_workers_.Post([status, done = std::move(done)] {
      if (status.ok()) return done(std::nullopt);
      done(model::ServiceUnavailable("Linearizable reads need a quorum of the etcd cluster: " + status.message() +
                                     " (--cluster-reads local serves this instance's state)"));
    });
  });
}

void ConnectionService::OnCommittedLive(const Decision& decision, Outcome outcome,
                                        OutcomeCallback& done) {
  switch (decision.effect) {
    case LiveEffect::kNone:
      return done(std::move(outcome));
    case LiveEffect::kClose:
      live_.Close(outcome.state->id);
      return done(std::move(outcome));
    case LiveEffect::kOpenAfterReply:
      done(outcome);
      return live_.Open(decision.connection, [](std::optional<model::DittoError>) {});
    case LiveEffect::kOpenThenReply:
      // The event stays persisted if connecting fails; the caller gets the error (REF §2.1).
      return live_.Open(decision.connection,
                        [done = std::move(done), outcome](std::optional<model::DittoError> error) mutable {
                          if (error) outcome.error = std::move(error);
                          done(std::move(outcome));
                        });
  }
}

void ConnectionService::LogLifecycle(const projector::ConnectionState& state,
                                     const journal::Event& event,
                                     const std::string& correlation_id) {
  const std::optional<EventType> type = projector::EventTypeFromCode(event.type);
  const bool open = projector::StoredConnectionStatus(state.json) == "open";
  // Logging is on while a connection is (desired) open, as Ditto enables it
  // on create-with-open and on open; a delete ends it.
  if (type == EventType::kDeleted) return logs_.Disable(state.id);
  if (open && (type == EventType::kCreated || type == EventType::kOpened ||
               type == EventType::kModified)) {
    logs_.Enable(state.id);
  }
  LogEntry entry;
  entry.correlation_id = correlation_id;
  entry.timestamp_us = event.timestamp_us;
  switch (*type) {
    case EventType::kCreated: entry.message = "Connection created."; break;
    case EventType::kModified: entry.message = "Connection modified."; break;
    case EventType::kOpened: entry.message = "Connection opened."; break;
    case EventType::kClosed: entry.message = "Connection closed."; break;
    case EventType::kDeleted: break;
  }
  logs_.Add(state.id, std::move(entry));
}

// --- decisions --------------------------------------------------------------

ConnectionService::Decision ConnectionService::DecideCreate(
    const StatePtr& state, const std::shared_ptr<const model::Connection>& shared,
    const CommandOptions& options, const model::HostResolver& hosts, bool validated) const {
  const model::Connection& connection = *shared;
  Decision decision;
  // Conflict is checked before validation, as Ditto does.
  if (state && state->exists()) {
    decision.error = model::ConnectionConflict(connection.id);
    return decision;
  }
  decision.error = CheckPreconditions(options.preconditions, state.get(), /*is_read=*/false);
  if (decision.error) return decision;
  if (!validated) decision.error = model::ValidateConnection(connection, options_.validation, hosts);
  if (decision.error) return decision;
  decision.stream = connection.id;
  decision.event_type = Code(EventType::kCreated);
  decision.payload = model::SerializeConnection(connection);
  decision.origin = options.origin;
  if (connection.connection_status == "open") {
    decision.effect = LiveEffect::kOpenAfterReply;
    decision.connection = shared;
  }
  return decision;
}

ConnectionService::Decision ConnectionService::DecideModify(
    const StatePtr& state, const std::shared_ptr<const model::Connection>& shared,
    const CommandOptions& options, const model::HostResolver& hosts, bool validated) const {
  const model::Connection& connection = *shared;
  if (!state || !state->exists()) {
    Decision decision = DecideCreate(state, shared, options, hosts, validated);
    decision.created = true;
    return decision;
  }
  Decision decision;
  decision.error = CheckPreconditions(options.preconditions, state.get(), /*is_read=*/false);
  if (decision.error) return decision;
  const std::string_view new_type = model::ConnectionTypeName(connection.connection_type);
  if (!options.sudo && new_type != projector::StoredConnectionType(state->json)) {
    decision.error = model::ConnectionConfigurationInvalid(
        "ConnectionType <" + std::string(new_type) + "> of existing connection <" + connection.id +
        "> cannot be changed!");
    return decision;
  }
  if (!validated) decision.error = model::ValidateConnection(connection, options_.validation, hosts);
  if (decision.error) return decision;
  decision.stream = connection.id;
  decision.event_type = Code(EventType::kModified);
  decision.payload = model::SerializeConnection(connection);
  decision.origin = options.origin;
  // Reconnect with the new configuration, or disconnect if no longer open.
  if (connection.connection_status == "open") {
    decision.effect = LiveEffect::kOpenThenReply;
    decision.connection = shared;
  } else if (projector::StoredConnectionStatus(state->json) == "open") {
    decision.effect = LiveEffect::kClose;
  }
  return decision;
}

ConnectionService::Decision ConnectionService::DecideStatusChange(
    const StatePtr& state, std::string_view id, uint8_t event_type,
    const CommandOptions& options, const model::HostResolver& hosts) const {
  Decision decision;
  decision.error = CheckPreconditions(options.preconditions, state.get(), /*is_read=*/false);
  if (decision.error) return decision;
  if (event_type == Code(EventType::kOpened)) {
    // Opening re-validates the stored connection (REF §4.4).
    model::ParseOptions parse_options;
    auto parsed = model::ParseConnection(state->json, parse_options);
    if (auto* error = std::get_if<model::DittoError>(&parsed)) {
      decision.error = std::move(*error);
      return decision;
    }
    decision.error =
        model::ValidateConnection(std::get<model::Connection>(parsed), options_.validation, hosts);
    if (decision.error) return decision;
    decision.effect = LiveEffect::kOpenThenReply;
    decision.connection = std::make_shared<const model::Connection>(std::move(std::get<model::Connection>(parsed)));
  } else {
    decision.effect = LiveEffect::kClose;  // close and delete disconnect
  }
  decision.stream = std::string(id);
  decision.event_type = event_type;
  decision.origin = options.origin;
  return decision;
}

// --- encryption migration -------------------------------------------------------

EncryptionMigration::Host ConnectionService::MigrationHost() {
  EncryptionMigration::Host host;
  host.rewrite_state_rows = [this](const std::vector<std::string>& ids) { return RewriteStateRows(ids); };
  host.ensure_mark = [this] { return mark_.Ensure(); };
  host.remove_mark = [this] { return mark_.Remove(); };
  return host;
}

Status ConnectionService::RewriteStateRows(const std::vector<std::string>& ids) {
  {
    MutexLock publish(publish_mutex_);
    std::vector<StatePtr> states;
    states.reserve(ids.size());
    for (const std::string& id : ids) {
      if (std::shared_ptr<Entry> entry = registry_.Find(id)) {
        if (StatePtr state = entry->LoadState()) states.push_back(std::move(state));
      }
    }
    snapshotter_.AddDirty(states);
  }
  return snapshotter_.WritePass();
}

}  // namespace connectivity::service
