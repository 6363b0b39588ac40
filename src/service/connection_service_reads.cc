// ConnectionService's side that writes nothing to the journal: the logs, live counters, metrics
// and status of one connection (logs and live counters live in memory; metrics are computed from
// the journal's history, SPEC §4.5), test connection (connects, stores nothing), and the queries
// over every connection. Each runs on its caller's thread (HTTP or read worker) on the entries'
// current states. Commands and their decisions are in connection_service.cc.
#include "src/service/connection_service.h"

#include <algorithm>
#include <map>
#include <utility>

#include "src/projector/stored_connection.h"

namespace connectivity::service {

// --- logs and metrics ----------------------------------------------------------

std::variant<StatePtr, model::DittoError> ConnectionService::ExistingState(
    std::string_view id, const Preconditions& preconditions, bool is_read) const {
  std::shared_ptr<Entry> entry = registry_.Find(id);
  StatePtr state = entry ? entry->LoadState() : nullptr;
  if (!state || !state->exists()) return model::ConnectionNotFound(id);
  if (auto error = CheckPreconditions(preconditions, state.get(), is_read)) return std::move(*error);
  return state;
}

Outcome ConnectionService::EnableLogs(std::string_view id, const CommandOptions& options) {
  auto state = ExistingState(id, options.preconditions, /*is_read=*/false);
  if (auto* error = std::get_if<model::DittoError>(&state)) return Outcome{std::move(*error), nullptr, false};
  logs_.Enable(id);
  return Outcome{std::nullopt, std::get<StatePtr>(state), false};
}

Outcome ConnectionService::ResetLogs(std::string_view id, const CommandOptions& options) {
  auto state = ExistingState(id, options.preconditions, /*is_read=*/false);
  if (auto* error = std::get_if<model::DittoError>(&state)) return Outcome{std::move(*error), nullptr, false};
  logs_.Reset(id);
  return Outcome{std::nullopt, std::get<StatePtr>(state), false};
}

std::variant<LogsView, model::DittoError> ConnectionService::RetrieveLogs(
    std::string_view id, const Preconditions& preconditions) {
  auto state = ExistingState(id, preconditions, /*is_read=*/true);
  if (auto* error = std::get_if<model::DittoError>(&state)) return std::move(*error);
  return logs_.Retrieve(id);
}

Outcome ConnectionService::ResetMetrics(std::string_view id, const CommandOptions& options) {
  auto state = ExistingState(id, options.preconditions, /*is_read=*/false);
  if (auto* error = std::get_if<model::DittoError>(&state)) return Outcome{std::move(*error), nullptr, false};
  // Only live counters reset; the journal's are history (SPEC §4.5).
  live_.ResetMetrics(id);
  return Outcome{std::nullopt, std::get<StatePtr>(state), false};
}

std::variant<MetricsView, model::DittoError> ConnectionService::RetrieveMetrics(
    std::string_view id, const Preconditions& preconditions) {
  auto state = ExistingState(id, preconditions, /*is_read=*/true);
  if (auto* error = std::get_if<model::DittoError>(&state)) return std::move(*error);
  MetricsView view;
  view.state = std::get<StatePtr>(state);
  Result<ConnectionJournalMetrics> journal = ComputeJournalMetrics(journal_, *view.state, clock_.NowMicros());
  if (!journal.ok()) return model::ConnectionUnavailable(id);
  view.journal = std::move(*journal);
  view.live = live_.Status(id);
  return view;
}

std::variant<StatusView, model::DittoError> ConnectionService::RetrieveStatus(
    std::string_view id, const Preconditions& preconditions) {
  auto state = ExistingState(id, preconditions, /*is_read=*/true);
  if (auto* error = std::get_if<model::DittoError>(&state)) return std::move(*error);
  return StatusView{std::get<StatePtr>(state), live_.Status(id)};
}

std::vector<std::pair<std::string, uint64_t>> ConnectionService::LiveStatusCounts() const {
  std::map<std::string, uint64_t> counts;
  for (const char* status : {"open", "closed", "failed", "misconfigured", "unknown"}) counts[status] = 0;
  if (!live_.has_supervisor()) return {counts.begin(), counts.end()};
  ForEachConnection([&](const StatePtr& state) {
    if (projector::StoredConnectionStatus(state->json) != "open") return;
    if (std::optional<connect::LiveStatus> live = live_.Status(state->id)) ++counts[live->live_status];
  });
  return {counts.begin(), counts.end()};
}

void ConnectionService::Test(model::Connection connection, std::function<void(TestOutcome)> done) {
  std::shared_ptr<Entry> entry = registry_.Find(connection.id);
  if (entry && entry->LoadState()) {
    // Existing or deleted (REF §8: a deleted id still answers 409).
    return done(TestOutcome{std::nullopt, true});
  }
  auto shared = std::make_shared<const model::Connection>(std::move(connection));
  ValidateResolving(shared, std::make_shared<model::ResolvedHosts>(),
                    [this, shared, done = std::move(done)](std::optional<model::DittoError> error) {
                      if (error) return done(TestOutcome{std::move(error), false});
                      live_.Test(shared, [done](std::optional<model::DittoError> failed) {
                        done(TestOutcome{std::move(failed), false});
                      });
                    },
                    0);
}

// --- queries ----------------------------------------------------------------

Outcome ConnectionService::Retrieve(std::string_view id, const Preconditions& preconditions) const {
  std::shared_ptr<Entry> entry = registry_.Find(id);
  StatePtr state = entry ? entry->LoadState() : nullptr;
  if (!state || !state->exists()) return Outcome{model::ConnectionNotFound(id), state, false};
  if (auto error = CheckPreconditions(preconditions, state.get(), /*is_read=*/true)) {
    return Outcome{std::move(error), state, false};
  }
  return Outcome{std::nullopt, std::move(state), false};
}

void ConnectionService::ForEachConnection(const std::function<void(const StatePtr&)>& visit) const {
  registry_.ForEach([&visit](const std::string&, Entry& entry) {
    StatePtr state = entry.LoadState();
    if (state && state->exists()) visit(state);
  });
}

std::vector<StatePtr> ConnectionService::ConnectionsAfter(std::string_view after_id,
                                                         size_t count) const {
  std::vector<StatePtr> states;
  registry_.ForEachAfter(after_id, [&states, count](const std::string&, Entry& entry) {
    StatePtr state = entry.LoadState();
    if (state && state->exists()) states.push_back(std::move(state));
    return states.size() < count;
  });
  return states;
}

std::vector<std::string> ConnectionService::AllConnectionIds() const {
  std::vector<std::string> ids;
  ForEachConnection([&ids](const StatePtr& state) { ids.push_back(state->id); });
  return ids;
}

std::vector<std::string> ConnectionService::ConnectionIdsByTag(std::string_view tag) const {
  std::vector<std::string> ids;
  ForEachConnection([&ids, tag](const StatePtr& state) {
    const std::vector<std::string> tags = projector::StoredTags(state->json);
    if (std::find(tags.begin(), tags.end(), tag) != tags.end()) ids.push_back(state->id);
  });
  return ids;
}

std::array<uint64_t, projector::kEventTypeCount> ConnectionService::EventsByType() const {
  std::array<uint64_t, projector::kEventTypeCount> events{};
  for (size_t i = 0; i < events.size(); ++i) events[i] = events_by_type_[i].load();
  return events;
}

ConnectionCounts ConnectionService::Counts() const {
  ConnectionCounts counts;
  std::map<std::string, uint64_t, std::less<>> by_status;
  for (const char* status : {"open", "closed", "failed", "misconfigured", "unknown"}) {
    by_status[status] = 0;
  }
  registry_.ForEach([&](const std::string&, Entry& entry) {
    StatePtr state = entry.LoadState();
    if (!state) return;
    ++counts.total;
    if (state->deleted) {
      ++counts.deleted;
      return;
    }
    ++by_status[std::string(projector::StoredConnectionStatus(state->json))];
  });
  counts.by_desired_status.assign(by_status.begin(), by_status.end());
  return counts;
}

}  // namespace connectivity::service
