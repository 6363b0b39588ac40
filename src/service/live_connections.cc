#include "src/service/live_connections.h"

#include "src/projector/stored_connection.h"
#include "src/connect/test_connection.h"

namespace connectivity::service {
namespace {

// Blocking test connections at once; beyond that they queue.
constexpr size_t kTestWorkers = 8;

}  // namespace

model::DittoError ConnectFailure(std::string_view id, const connect::ConnectOutcome& outcome) {
  model::DittoError error = model::ConnectionFailed(id, outcome.description);
  if (!outcome.message.empty()) error.message = outcome.message;  // e.g. AMQP 1.0's sources
  return error;
}

LiveConnections::LiveConnections(connect::Supervisor* supervisor, connect::ConnectSettings test_settings,
                                 ConnectionLogs& logs)
    : supervisor_(supervisor), test_settings_(std::move(test_settings)), logs_(logs), test_workers_(kTestWorkers) {
  if (supervisor_ == nullptr) return;
  supervisor_->SetEventListener([this](const connect::ConnectEvent& event) {
    LogEntry entry;
    entry.timestamp_us = event.timestamp_us;
    entry.success = event.success;
    entry.message = event.success ? "Connection successful: " + event.message
                                  : "Connection failed: " + event.message;
    logs_.Add(event.connection_id, std::move(entry));
    // The SSH tunnel's part, in SshTunnelActor's words.
    if (event.tunnel && !event.tunnel->detail.empty()) {
      LogEntry tunnel;
      tunnel.timestamp_us = event.timestamp_us;
      tunnel.success = event.tunnel->ok;
      tunnel.message = event.tunnel->detail;
      logs_.Add(event.connection_id, std::move(tunnel));
    }
    // One entry per address the broker refused, in the address's own logger.
    for (const connect::AddressCheck& refused : event.refused) {
      LogEntry address;
      address.timestamp_us = event.timestamp_us;
      address.success = false;
      address.category = refused.source ? "source" : "target";
      address.address = refused.address;
      address.message = std::string("The broker refused the ") + address.category + " address: " + refused.detail;
      logs_.Add(event.connection_id, std::move(address));
    }
  });
}

LiveConnections::~LiveConnections() { Stop(); }

void LiveConnections::Stop() {
  stopping_ = true;
  if (startup_.joinable()) startup_.join();
  test_workers_.Stop();
  if (supervisor_ != nullptr) supervisor_->SetEventListener(nullptr);
}

void LiveConnections::OpenAtStartup(std::vector<StatePtr> states) {
  if (placement_ != nullptr) {
    for (const StatePtr& state : states) OnExternal(state);
    return;
  }
  if (supervisor_ == nullptr) return;
  startup_ = std::thread([this, states = std::move(states)] {
    for (const StatePtr& state : states) {
      if (stopping_) return;
      if (projector::StoredConnectionStatus(state->json) != "open") continue;
      auto parsed = model::ParseConnection(state->json, model::ParseOptions{});
      if (auto* connection = std::get_if<model::Connection>(&parsed)) {
        logs_.Enable(connection->id);
        supervisor_->Open(*connection, [](const connect::ConnectOutcome&) {});
      }
    }
  });
}

void LiveConnections::OnExternal(const StatePtr& state) {
  if (placement_ == nullptr) return;
  if (!state->exists() || projector::StoredConnectionStatus(state->json) != "open") return placement_->Release(state->id);
  auto parsed = model::ParseConnection(state->json, model::ParseOptions{});
  if (auto* connection = std::get_if<model::Connection>(&parsed)) {
    logs_.Enable(connection->id);
    placement_->Desire(std::make_shared<const model::Connection>(std::move(*connection)),
                       [](std::optional<model::DittoError>) {});
  }
}

void LiveConnections::Open(std::shared_ptr<const model::Connection> connection,
                           std::function<void(std::optional<model::DittoError>)> first_attempt) {
  if (placement_ != nullptr) return placement_->Desire(std::move(connection), std::move(first_attempt));
  if (supervisor_ == nullptr) return first_attempt(std::nullopt);
  const std::string id = connection->id;
  supervisor_->Open(*connection, [id, first_attempt = std::move(first_attempt)](const connect::ConnectOutcome& outcome) {
    if (outcome.ok) return first_attempt(std::nullopt);
    first_attempt(ConnectFailure(id, outcome));
  });
}

void LiveConnections::Close(std::string_view id) {
  if (placement_ != nullptr) return placement_->Release(id);
  if (supervisor_ != nullptr) supervisor_->Close(id);
  logs_.Disable(id);  // the session's logs end with it, as Ditto's end with its client actors
}

void LiveConnections::Test(std::shared_ptr<const model::Connection> connection,
                           std::function<void(std::optional<model::DittoError>)> done) {
  if (supervisor_ == nullptr) {
    return done(model::ConnectionUnavailable(connection->id));
  }
  test_workers_.Post([this, connection = std::move(connection), done = std::move(done)] {
    const connect::ConnectOutcome outcome = connect::TestConnection(*connection, test_settings_);
    if (outcome.ok) return done(std::nullopt);
    done(ConnectFailure(connection->id, outcome));
  });
}

std::optional<connect::LiveStatus> LiveConnections::Status(std::string_view id) const {
  if (supervisor_ == nullptr) return std::nullopt;
  return supervisor_->Status(id);
}

void LiveConnections::ResetMetrics(std::string_view id) {
  if (supervisor_ != nullptr) supervisor_->ResetMetrics(id);
}

}  // namespace connectivity::service
