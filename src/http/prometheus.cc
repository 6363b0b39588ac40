#include "src/http/prometheus.h"

#include <cstdio>

#include "src/base/allocation_stats.h"

namespace connectivity::http {
namespace {

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  char number[32];
  std::snprintf(number, sizeof(number), "%.17g", value);
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += number;
  out += '\n';
}

// A histogram of integer values shown in `unit_scale` units (1e-6: us -> s).
void Histogram(std::string& out, std::string_view name, std::string labels,
               const journal::HistogramSnapshot& histogram, double unit_scale) {
  const std::string prefix = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram.bounds.size(); ++i) {
    cumulative += histogram.counts[i];
    char bound[32];
    std::snprintf(bound, sizeof(bound), "%.17g", static_cast<double>(histogram.bounds[i]) * unit_scale);
    Sample(out, std::string(name) + "_bucket", prefix + "le=\"" + bound + "\"", static_cast<double>(cumulative));
  }
  Sample(out, std::string(name) + "_bucket", prefix + "le=\"+Inf\"", static_cast<double>(histogram.count));
  Sample(out, std::string(name) + "_sum", labels, static_cast<double>(histogram.sum) * unit_scale);
  Sample(out, std::string(name) + "_count", labels, static_cast<double>(histogram.count));
}

void WriteJournal(std::string& out, const journal::JournalMetrics& journal, bool writable) {
  Header(out, "connectivity_journal_appends_total", "counter", "Events appended to the journal (synced).");
  Sample(out, "connectivity_journal_appends_total", "", static_cast<double>(journal.events_written));
  Header(out, "connectivity_journal_batches_total", "counter", "Synced group-commit batches written.");
  Sample(out, "connectivity_journal_batches_total", "", static_cast<double>(journal.batches_written));
  Header(out, "connectivity_journal_appends_failed_total", "counter",
         "Appends refused after a storage failure or rejected as conflicting.");
  Sample(out, "connectivity_journal_appends_failed_total", "",
         static_cast<double>(journal.appends_failed + journal.appends_rejected));
  Header(out, "connectivity_journal_append_latency_seconds", "histogram",
         "Time from Append to the event being durable.");
  Histogram(out, "connectivity_journal_append_latency_seconds", "", journal.append_latency_us, 1e-6);
  Header(out, "connectivity_journal_sync_write_latency_seconds", "histogram",
         "Duration of each synced RocksDB batch write.");
  Histogram(out, "connectivity_journal_sync_write_latency_seconds", "", journal.sync_write_latency_us, 1e-6);
  Header(out, "connectivity_journal_batch_events", "histogram", "Events per group-commit batch.");
  Histogram(out, "connectivity_journal_batch_events", "", journal.batch_events, 1.0);
  Header(out, "connectivity_journal_writable", "gauge", "1 while the journal accepts writes.");
  Sample(out, "connectivity_journal_writable", "", writable ? 1 : 0);
  const journal::StorageMemory& memory = journal.storage_memory;
  Header(out, "connectivity_storage_memory_bytes", "gauge",
         "What RocksDB holds in memory, by kind (block_cache_capacity: the cache's cap).");
  Sample(out, "connectivity_storage_memory_bytes", "kind=\"memtables\"", static_cast<double>(memory.memtable_bytes));
  Sample(out, "connectivity_storage_memory_bytes", "kind=\"block_cache\"", static_cast<double>(memory.block_cache_bytes));
  Sample(out, "connectivity_storage_memory_bytes", "kind=\"block_cache_capacity\"",
         static_cast<double>(memory.block_cache_capacity));
  Sample(out, "connectivity_storage_memory_bytes", "kind=\"table_readers\"",
         static_cast<double>(memory.table_reader_bytes));
}

void WriteService(std::string& out, service::ConnectionService& service) {
  const service::ConnectionCounts counts = service.Counts();
  Header(out, "connectivity_connections", "gauge", "Existing connections by desired status.");
  for (const auto& [status, count] : counts.by_desired_status) {
    Sample(out, "connectivity_connections", "desired_status=\"" + status + "\"", static_cast<double>(count));
  }
  Header(out, "connectivity_connections_live", "gauge", "Desired-open connections by live status.");
  for (const auto& [status, count] : service.LiveStatusCounts()) {
    Sample(out, "connectivity_connections_live", "live_status=\"" + status + "\"", static_cast<double>(count));
  }
  Header(out, "connectivity_connections_deleted", "gauge", "Deleted connections (history kept).");
  Sample(out, "connectivity_connections_deleted", "", static_cast<double>(counts.deleted));
  Header(out, "connectivity_events_total", "counter", "Journal events by type, all time.");
  const std::array<uint64_t, projector::kEventTypeCount> events = service.EventsByType();
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string_view type = projector::EventTypeName(static_cast<projector::EventType>(i + 1));
    Sample(out, "connectivity_events_total", "type=\"" + std::string(type) + "\"", static_cast<double>(events[i]));
  }
  const service::SnapshotterStats snapshots = service.snapshotter_stats();
  Header(out, "connectivity_snapshot_passes_total", "counter", "Snapshot passes written.");
  Sample(out, "connectivity_snapshot_passes_total", "", static_cast<double>(snapshots.passes));
  Header(out, "connectivity_snapshots_written_total", "counter", "Snapshots written, by kind.");
  Sample(out, "connectivity_snapshots_written_total", "kind=\"state\"", static_cast<double>(snapshots.state_rows_written));
  Sample(out, "connectivity_snapshots_written_total", "kind=\"historical\"", static_cast<double>(snapshots.historical_written));
  const recovery::RecoveryReport& recovery = service.recovery_report();
  Header(out, "connectivity_recovery_duration_seconds", "gauge", "Duration of the last start-up recovery.");
  Sample(out, "connectivity_recovery_duration_seconds", "", static_cast<double>(recovery.duration_us) * 1e-6);
  Header(out, "connectivity_recovery_events_replayed", "gauge", "Events replayed at the last start-up.");
  Sample(out, "connectivity_recovery_events_replayed", "", static_cast<double>(recovery.events_replayed));
  Header(out, "connectivity_recovery_snapshot_rows_loaded", "gauge", "Snapshot rows loaded at the last start-up.");
  Sample(out, "connectivity_recovery_snapshot_rows_loaded", "", static_cast<double>(recovery.state_rows_loaded));
  Header(out, "connectivity_registry_entries", "gauge",
         "Connection ids the service holds (existing and deleted; never rejected ones).");
  Sample(out, "connectivity_registry_entries", "", static_cast<double>(service.registry_entries()));
  WriteJournal(out, service.journal().metrics(), service.health().ok());
}

}  // namespace

std::string_view RouteName(Route route) {
  static constexpr std::array<std::string_view, kRouteCount> kNames = {
      "health", "metrics", "piggyback", "connections", "connection", "connection_command",
      "connection_status", "connection_metrics", "connection_logs", "connection_history", "preflight", "other"};
  return kNames[static_cast<size_t>(route)];
}

HttpMetrics::HttpMetrics() {
  for (size_t i = 0; i < kRouteCount; ++i) {
    latency_us_.push_back(std::make_unique<journal::Histogram<kLatencyBoundsUs.size()>>(kLatencyBoundsUs));
  }
}

void HttpMetrics::Record(Route route, int status, uint64_t latency_us) {
  latency_us_[static_cast<size_t>(route)]->Record(latency_us);
  MutexLock lock(mutex_);
  ++requests_[{route, status}];
}

void HttpMetrics::Write(std::string& out) const {
  Header(out, "connectivity_http_requests_total", "counter", "HTTP requests by route and status code.");
  {
    MutexLock lock(mutex_);
    for (const auto& [key, count] : requests_) {
      Sample(out, "connectivity_http_requests_total",
             "route=\"" + std::string(RouteName(key.first)) + "\",code=\"" + std::to_string(key.second) + "\"",
             static_cast<double>(count));
    }
  }
  Header(out, "connectivity_http_request_duration_seconds", "histogram", "HTTP request latency by route.");
  for (size_t i = 0; i < kRouteCount; ++i) {
    const journal::HistogramSnapshot snapshot = latency_us_[i]->Snapshot();
    if (snapshot.count == 0) continue;
    Histogram(out, "connectivity_http_request_duration_seconds",
              "route=\"" + std::string(RouteName(static_cast<Route>(i))) + "\"", snapshot, 1e-6);
  }
}

namespace {

void WriteConnections(std::string& out, const ConnectionTable& connections) {
  Header(out, "connectivity_http_connections_open", "gauge",
         "Open HTTP connections (including refused ones until they close).");
  Sample(out, "connectivity_http_connections_open", "", static_cast<double>(connections.open()));
  Header(out, "connectivity_http_connections_refused_total", "counter",
         "HTTP connections refused over --max-connections (answered 503).");
  Sample(out, "connectivity_http_connections_refused_total", "", static_cast<double>(connections.rejected_total()));
  Header(out, "connectivity_http_request_timeouts_total", "counter",
         "Requests whose head or body did not arrive in time (answered 408).");
  Sample(out, "connectivity_http_request_timeouts_total", "", static_cast<double>(connections.timeouts_total()));
  Header(out, "connectivity_http_framing_errors_total", "counter",
         "Requests refused for their framing before routing (400, 413, 414, 417, 431).");
  Sample(out, "connectivity_http_framing_errors_total", "", static_cast<double>(connections.framing_errors_total()));
}

// jemalloc's counts, when the binary has it: the benchmarks divide their
// difference by the requests served (allocations per create).
void WriteAllocations(std::string& out) {
  const AllocationStats stats = ReadAllocationStats();
  if (!stats.available) return;
  Header(out, "connectivity_heap_allocations_total", "counter", "Heap allocations since start (jemalloc).");
  Sample(out, "connectivity_heap_allocations_total", "", static_cast<double>(stats.allocations));
  Header(out, "connectivity_heap_allocated_bytes", "gauge", "Bytes in live heap allocations (jemalloc).");
  Sample(out, "connectivity_heap_allocated_bytes", "", static_cast<double>(stats.allocated_bytes));
}

}  // namespace

std::string RenderPrometheus(const HttpMetrics& http, service::ConnectionService* service,
                             const ConnectionTable* connections) {
  std::string out;
  out.reserve(16384);
  Header(out, "connectivity_up", "gauge", "1 once recovery is done and the API serves.");
  Sample(out, "connectivity_up", "", service != nullptr ? 1 : 0);
  if (service != nullptr) WriteService(out, *service);
  if (connections != nullptr) WriteConnections(out, *connections);
  http.Write(out);
  WriteAllocations(out);
  return out;
}

}  // namespace connectivity::http
