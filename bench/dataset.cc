#include "bench/dataset.h"

#include <condition_variable>
#include <mutex>
#include <random>
#include <vector>

#include "journal/journal.h"
#include "journal/snapshot_store.h"
#include "src/base/json_writer.h"
#include "src/model/connection.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"

namespace connectivity::bench {
namespace {

using projector::EventType;

std::string ConnectionId(uint64_t index) { return "bench-connection-" + std::to_string(index); }

void WriteSource(JsonWriter& w, uint64_t index, int number) {
  w.BeginObject();
  w.Key("addresses").BeginArray().String("telemetry/tenant-" + std::to_string(index % 97) + "/" + std::to_string(number)).EndArray();
  w.Key("authorizationContext").BeginArray().String("integration:bench-" + std::to_string(index % 13)).EndArray();
  w.Key("headerMapping").BeginObject()
      .Member("device-id", "{{ header:device_id }}")
      .Member("correlation-id", "{{ header:correlation-id }}")
      .EndObject();
  w.EndObject();
}

void WriteTarget(JsonWriter& w, uint64_t index) {
  w.BeginObject();
  w.Member("address", "events/{{ thing:id }}/" + std::to_string(index % 31));
  w.Key("topics").BeginArray().String("_/_/things/twin/events").String("_/_/things/live/messages").EndArray();
  w.Key("authorizationContext").BeginArray().String("integration:bench-out").EndArray();
  w.Key("headerMapping").BeginObject().Member("thing-id", "{{ thing:id }}").EndObject();
  w.EndObject();
}

// Submits appends without waiting for each, bounded in flight, so the
// group-commit writer batches them into few syncs.
class BulkAppender {
 public:
  explicit BulkAppender(journal::Journal& journal) : journal_(journal) {}

  void Append(journal::AppendRequest request) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [this] { return in_flight_ < kInFlightMax; });
    ++in_flight_;
    lock.unlock();
    journal_.Append(std::move(request), [this](const Status& status, const journal::Event&) {
      std::lock_guard guard(mutex_);
      if (!status.ok() && first_error_.ok()) first_error_ = status;
      --in_flight_;
      space_.notify_all();
    });
  }

  Status Wait() {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [this] { return in_flight_ == 0; });
    return first_error_;
  }

 private:
  static constexpr uint64_t kInFlightMax = 8192;
  journal::Journal& journal_;
  std::mutex mutex_;
  std::condition_variable space_;
  uint64_t in_flight_ = 0;
  Status first_error_;
};

// The event at step `step` (0-based) of a connection's history.
EventType EventAt(uint64_t step) {
  if (step == 0) return EventType::kCreated;
  switch (step % 3) {
    case 1: return EventType::kModified;
    case 2: return EventType::kOpened;
    default: return EventType::kClosed;
  }
}

// The append that takes connection `index` from `step` events to step + 1.
Result<journal::AppendRequest> EventRequest(uint64_t index, uint64_t step, uint32_t seed) {
  journal::AppendRequest request;
  request.stream = ConnectionId(index);
  request.expected_revision = step;
  const EventType type = EventAt(step);
  request.type = static_cast<uint8_t>(type);
  if (type == EventType::kCreated || type == EventType::kModified) {
    Result<std::string> payload = CanonicalConnectionJson(index, step, seed);
    if (!payload.ok()) return payload.status();
    request.payload = std::move(*payload);
  }
  return request;
}

}  // namespace

Result<std::string> CanonicalConnectionJson(uint64_t index, uint64_t variant, uint32_t seed) {
  auto parsed = model::ParseConnection(GeneratedConnectionJson(index, variant, seed), {});
  if (auto* error = std::get_if<model::DittoError>(&parsed)) return Status::Internal(error->ToJson());
  return model::SerializeConnection(std::get<model::Connection>(parsed));
}

Status AppendReplayTail(journal::Journal& journal, const DatasetSpec& spec, uint64_t events) {
  if (spec.connections == 0) return Status::InvalidArgument("the data set has no connections");
  BulkAppender appender(journal);
  for (uint64_t k = 0; k < events; ++k) {
    const uint64_t step = spec.events_per_connection + k / spec.connections;
    Result<journal::AppendRequest> request = EventRequest(k % spec.connections, step, spec.seed);
    if (!request.ok()) return request.status();
    appender.Append(std::move(*request));
  }
  return appender.Wait();
}

std::string GeneratedConnectionJson(uint64_t index, uint64_t variant, uint32_t seed) {
  std::mt19937_64 random(seed * 1000003ULL + index);
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("id", ConnectionId(index));
  w.Member("name", "Benchmark connection " + std::to_string(index) + " v" + std::to_string(variant));
  w.Member("connectionType", "amqp-091");
  w.Member("connectionStatus", "closed");
  const std::string user_info = "bench:secret-" + std::to_string(random() % 100000);
  w.Member("uri", "amqp://" + user_info + "@127.0.0.1:5672/vhost");  // loopback, never opened
  w.Key("sources").BeginArray();
  WriteSource(w, index, 1);
  WriteSource(w, index, 2);
  w.EndArray();
  w.Key("targets").BeginArray();
  WriteTarget(w, index);
  w.EndArray();
  w.Key("specificConfig").BeginObject().Member("bench.seed", std::to_string(seed)).EndObject();
  w.Key("tags").BeginArray().String("bench").String("tenant-" + std::to_string(index % 97)).String("v" + std::to_string(variant)).EndArray();
  w.EndObject();
  return out;
}

Status GenerateDataset(const std::string& data_dir, const DatasetSpec& spec) {
  Result<std::unique_ptr<journal::Journal>> opened = journal::Journal::Open(data_dir, journal::JournalOptions{});
  if (!opened.ok()) return opened.status();
  journal::Journal& journal = **opened;
  BulkAppender appender(journal);
  // Step by step across all connections, as a live system interleaves them.
  for (uint64_t step = 0; step < spec.events_per_connection; ++step) {
    for (uint64_t index = 0; index < spec.connections; ++index) {
      Result<journal::AppendRequest> request = EventRequest(index, step, spec.seed);
      if (!request.ok()) return request.status();
      appender.Append(std::move(*request));
    }
  }
  CONNECTIVITY_RETURN_IF_ERROR(appender.Wait());
  if (!spec.write_state_rows) return Status::Ok();
  // State rows as a cleanly stopped server leaves them: fold each stream;
  // historical snapshots every `historical_every` revisions, as it writes them.
  std::vector<journal::StateRow> rows;
  std::vector<journal::HistoricalSnapshot> historical;
  std::unique_ptr<journal::EventCursor> cursor = journal.ScanAll();
  projector::ConnectionState state;
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value() || (**event).stream != state.id) {
      if (!state.id.empty()) rows.push_back({state.id, projector::EncodeSnapshot(state)});
      state = projector::ConnectionState{};
      if (!event->has_value()) break;
    }
    CONNECTIVITY_RETURN_IF_ERROR(projector::Apply(state, **event));
    if (spec.historical_every > 0 && state.revision % spec.historical_every == 0) {
      historical.push_back({state.id, state.revision, projector::EncodeSnapshot(state)});
    }
    if (historical.size() >= 10000) {
      CONNECTIVITY_RETURN_IF_ERROR(journal.snapshots().PutHistorical(historical, false));
      historical.clear();
    }
    if (rows.size() >= 10000) {
      CONNECTIVITY_RETURN_IF_ERROR(journal.snapshots().WriteStateRows(rows, journal.last_sequence(), false));
      rows.clear();
    }
  }
  CONNECTIVITY_RETURN_IF_ERROR(journal.snapshots().PutHistorical(historical, false));
  CONNECTIVITY_RETURN_IF_ERROR(journal.snapshots().WriteStateRows(rows, journal.last_sequence(), true));
  return journal.Flush();  // as a cleanly stopped server leaves it: no WAL to replay
}

}  // namespace connectivity::bench
