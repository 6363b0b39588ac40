#include "src/http/monitoring_json.h"

#include <array>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"
#include "src/model/connection.h"
#include "src/projector/stored_connection.h"
#include "src/connect/live_status.h"

namespace connectivity::http {
namespace {

// Metric types per direction, in Ditto's enum order (REF §7.2).
constexpr std::array<std::string_view, 7> kInboundTypes = {
    "consumed", "mapped", "other", "dropped", "enforced", "acknowledged", "throttled"};
constexpr std::array<std::string_view, 7> kOutboundTypes = {
    "dispatched", "filtered", "mapped", "other", "dropped", "published", "acknowledged"};

void WriteZeroCounts(JsonWriter& w) {
  w.BeginObject().MemberInt("PT1M", 0).MemberInt("PT1H", 0).MemberInt("PT24H", 0);
  w.Key("lastMessageAt").Null().EndObject();
}

template <size_t N>
void WriteZeroAddressMetric(JsonWriter& w, const std::array<std::string_view, N>& types) {
  w.BeginObject();
  for (std::string_view type : types) {
    w.Key(type).BeginObject();
    w.Key("success");
    WriteZeroCounts(w);
    w.Key("failure");
    WriteZeroCounts(w);
    w.EndObject();
  }
  w.EndObject();
}

std::string_view AddressKey(std::string_view address) { return address.empty() ? "<empty>" : address; }

// The message counters: zero-filled for a desired-open connection (this
// service carries no messages), Ditto's null form for a closed one.
void WriteMessageMetrics(JsonWriter& w, const projector::ConnectionState& state) {
  const bool open = projector::StoredConnectionStatus(state.json) == "open";
  model::ParseOptions options;
  auto parsed = model::ParseConnection(state.json, options);
  const model::Connection* connection = std::get_if<model::Connection>(&parsed);
  const bool has_sources = open && connection != nullptr && !connection->sources.empty();
  w.Key("connectionMetrics").BeginObject();
  w.Key("inbound");
  if (has_sources) WriteZeroAddressMetric(w, kInboundTypes); else w.Null();
  w.Key("outbound");
  if (open) WriteZeroAddressMetric(w, kOutboundTypes); else w.Null();
  w.EndObject();
  w.MemberBool("containsFailures", false);
  w.Key("sourceMetrics").BeginObject().Key("addressMetrics");
  if (has_sources) {
    w.BeginObject();
    for (const model::Source& source : connection->sources) {
      for (const std::string& address : source.addresses) {
        w.Key(AddressKey(address));
        WriteZeroAddressMetric(w, kInboundTypes);
      }
    }
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
  w.Key("targetMetrics").BeginObject().Key("addressMetrics");
  if (open) {
    w.BeginObject();
    if (connection != nullptr) {
      for (const model::Target& target : connection->targets) {
        w.Key(AddressKey(target.address));
        WriteZeroAddressMetric(w, kOutboundTypes);
      }
    }
    w.Key("_responses");
    WriteZeroAddressMetric(w, kOutboundTypes);
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
}

void WriteTime(JsonWriter& w, std::string_view name, int64_t micros) {
  w.Key(name);
  if (micros == 0) w.Null(); else w.String(FormatIsoMicros(micros));
}

void WriteJournal(JsonWriter& w, const service::ConnectionJournalMetrics& journal) {
  w.Key("journal").BeginObject();
  w.Key("revision").Uint(journal.revision);
  WriteTime(w, "created", journal.created_us);
  WriteTime(w, "modified", journal.modified_us);
  w.Key("events").BeginObject();
  for (size_t i = 0; i < projector::kEventTypeCount; ++i) {
    const service::EventTypeMetrics& metrics = journal.events[i];
    w.Key(projector::EventTypeName(static_cast<projector::EventType>(i + 1))).BeginObject();
    w.Key("PT1M").Uint(metrics.windows.minute);
    w.Key("PT1H").Uint(metrics.windows.hour);
    w.Key("PT24H").Uint(metrics.windows.day);
    w.Key("total").Uint(metrics.total);
    WriteTime(w, "lastAt", metrics.last_us);
    w.EndObject();
  }
  w.EndObject().EndObject();
}


void WriteWindowed(JsonWriter& w, std::string_view name, const connect::WindowedCounter& counter,
                   int64_t now_us) {
  const connect::WindowedCounter::Counts counts = counter.Count(now_us);
  w.Key(name).BeginObject();
  w.Key("PT1M").Int(counts.last_minute);
  w.Key("PT1H").Int(counts.last_hour);
  w.Key("PT24H").Int(counts.last_day);
  WriteTime(w, "lastAt", counts.last_at_us);
  w.EndObject();
}

// SPEC §4.5's `live` object, always with its four members: a connection without a client (closed,
// or not yet connecting) has zero counters, `lastAt` and `connectedSince` null.
void WriteLive(JsonWriter& w, const std::optional<connect::LiveStatus>& live, int64_t now_us) {
  static const connect::LiveMetrics kNone;
  const connect::LiveMetrics& metrics = live ? live->metrics : kNone;
  w.Key("live").BeginObject();
  WriteWindowed(w, "connectAttempts", metrics.connect_attempts, now_us);
  WriteWindowed(w, "connectSuccesses", metrics.connect_successes, now_us);
  WriteWindowed(w, "connectFailures", metrics.connect_failures, now_us);
  WriteTime(w, "connectedSince", metrics.connected_since_us);
  w.EndObject();
}

void WriteResource(JsonWriter& w, const connect::ResourceStatus& resource) {
  w.BeginObject();
  w.Member("type", resource.type);
  w.Member("client", resource.client);
  if (!resource.address.empty() || resource.type != "client") w.Member("address", resource.address);
  w.Member("status", resource.status);
  if (resource.type == "client") w.Member("recoveryStatus", resource.recovery_status);
  if (!resource.status_details.empty()) w.Member("statusDetails", resource.status_details);
  if (resource.in_state_since_us != 0) w.Member("inStateSince", FormatIsoMicros(resource.in_state_since_us));
  w.EndObject();
}

void WriteResources(JsonWriter& w, std::string_view name, const std::vector<connect::ResourceStatus>& resources) {
  if (resources.empty()) return;
  w.Key(name).BeginArray();
  for (const connect::ResourceStatus& resource : resources) WriteResource(w, resource);
  w.EndArray();
}

// Ditto's answer for a connection without running clients: closed, since
// the last close (or the creation).
connect::LiveStatus SyntheticClosed(const projector::ConnectionState& state, std::string_view instance) {
  connect::LiveStatus live;
  live.live_status = "closed";
  live.recovery_status = "unknown";
  connect::ResourceStatus client;
  client.type = "client";
  client.client = std::string(instance);
  client.status = "closed";
  client.recovery_status = "unknown";
  client.status_details = "[DISCONNECTED] connection is closed";
  const int64_t closed_us = state.stats[projector::EventTypeIndex(projector::EventType::kClosed)].last_us;
  client.in_state_since_us = closed_us != 0 ? closed_us : state.created_us;
  live.client_status.push_back(std::move(client));
  return live;
}

}  // namespace

std::string StatusResponseJson(const service::StatusView& status, std::string_view instance) {
  const connect::LiveStatus live = status.live ? *status.live : SyntheticClosed(*status.state, instance);
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("type", "connectivity.responses:retrieveConnectionStatus");
  w.MemberInt("status", 200);
  w.Member("connectionId", status.state->id);
  w.Member("connectionStatus", projector::StoredConnectionStatus(status.state->json));
  w.Member("liveStatus", live.live_status);
  w.Member("recoveryStatus", live.recovery_status);
  if (live.connected_since_us != 0) w.Member("connectedSince", FormatIsoMicros(live.connected_since_us));
  WriteResources(w, "clientStatus", live.client_status);
  WriteResources(w, "sourceStatus", live.source_status);
  WriteResources(w, "targetStatus", live.target_status);
  WriteResources(w, "sshTunnelStatus", live.ssh_tunnel_status);
  w.EndObject();
  return out;
}



std::string MetricsResponseJson(const service::MetricsView& metrics, int64_t now_us) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("type", "connectivity.responses:retrieveConnectionMetrics");
  w.MemberInt("status", 200);
  w.Member("connectionId", metrics.state->id);
  WriteMessageMetrics(w, *metrics.state);
  WriteJournal(w, metrics.journal);
  WriteLive(w, metrics.live, now_us);
  w.EndObject();
  return out;
}

std::string LogsResponseJson(std::string_view connection_id, const service::LogsView& logs,
                             bool with_type_and_status) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  if (with_type_and_status) {
    w.Member("type", "connectivity.responses:retrieveConnectionLogs");
    w.MemberInt("status", 200);
  }
  w.Member("connectionId", connection_id);
  w.Key("connectionLogs").BeginArray();
  for (const service::LogEntry& entry : logs.entries) w.Raw(service::LogEntryJson(entry));
  w.EndArray();
  WriteTime(w, "enabledSince", logs.enabled_since_us.value_or(0));
  WriteTime(w, "enabledUntil", logs.enabled_until_us.value_or(0));
  w.EndObject();
  return out;
}

}  // namespace connectivity::http
