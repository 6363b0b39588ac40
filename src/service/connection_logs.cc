#include "src/service/connection_logs.h"

#include <algorithm>
#include <chrono>

#include "src/base/json_writer.h"
#include "src/base/time_format.h"

namespace connectivity::service {
namespace {

void Push(std::deque<LogEntry>& queue, LogEntry entry, size_t capacity) {
  queue.push_back(std::move(entry));
  while (queue.size() > capacity) queue.pop_front();
}

}  // namespace

std::string LogEntryJson(const LogEntry& entry) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Member("correlationId", entry.correlation_id);
  w.Member("timestamp", FormatIsoMicros(entry.timestamp_us));
  w.Member("category", entry.category);
  w.Member("type", entry.type);
  w.Member("level", entry.success ? "success" : "failure");
  w.Member("message", entry.message);
  if (!entry.address.empty()) w.Member("address", entry.address);
  if (!entry.entity_type.empty()) {
    w.Member("entityType", entry.entity_type);
    w.Member("entityId", entry.entity_id);
  }
  w.EndObject();
  return out;
}

ConnectionLogs::ConnectionLogs(LogsOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

ConnectionLogs::~ConnectionLogs() { Stop(); }

void ConnectionLogs::Start() { thread_ = std::thread([this] { Run(); }); }

void ConnectionLogs::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void ConnectionLogs::Run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(options_.check_interval_us);
    while (!stopping_ && wake_.WaitUntil(lock, deadline)) {
    }
    if (stopping_) break;
    lock.Unlock();
    ExpireNow();
    lock.Lock();
  }
}

void ConnectionLogs::Enable(std::string_view id) {
  const int64_t now = clock_.NowMicros();
  MutexLock lock(mutex_);
  Log& log = logs_[std::string(id)];
  if (log.enabled_since_us == 0) log.enabled_since_us = now;
  log.enabled_until_us = now + options_.duration_us;
}

void ConnectionLogs::Add(std::string_view id, LogEntry entry) {
  MutexLock lock(mutex_);
  const auto it = logs_.find(std::string(id));
  if (it == logs_.end()) return;  // muted
  if (entry.timestamp_us == 0) entry.timestamp_us = clock_.NowMicros();
  Logger& logger = it->second.loggers[entry.category + '\0' + entry.type + '\0' + entry.address];
  if (entry.success) {
    Push(logger.successes, std::move(entry), options_.success_capacity);
  } else {
    Push(logger.failures, std::move(entry), options_.failure_capacity);
  }
}

LogsView ConnectionLogs::Retrieve(std::string_view id) {
  LogsView view;
  std::vector<const LogEntry*> entries;
  MutexLock lock(mutex_);
  const auto it = logs_.find(std::string(id));
  if (it == logs_.end()) return view;
  Log& log = it->second;
  log.enabled_until_us = clock_.NowMicros() + options_.duration_us;
  view.enabled_since_us = log.enabled_since_us;
  view.enabled_until_us = log.enabled_until_us;
  for (const auto& [key, logger] : log.loggers) {
    for (const LogEntry& entry : logger.successes) entries.push_back(&entry);
    for (const LogEntry& entry : logger.failures) entries.push_back(&entry);
  }
  // Newest first until the answer would be too large, then oldest first.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LogEntry* a, const LogEntry* b) { return a->timestamp_us > b->timestamp_us; });
  size_t bytes = 0;
  for (const LogEntry* entry : entries) {
    bytes += LogEntryJson(*entry).size() + 1;
    if (bytes > options_.answer_bytes_max) break;
    view.entries.push_back(*entry);
  }
  std::reverse(view.entries.begin(), view.entries.end());
  return view;
}

void ConnectionLogs::Reset(std::string_view id) {
  {
    MutexLock lock(mutex_);
    const auto it = logs_.find(std::string(id));
    if (it == logs_.end()) return;
    it->second.loggers.clear();
  }
  LogEntry entry;
  entry.message = "Successfully reset the logs.";
  Add(id, std::move(entry));
}

void ConnectionLogs::Disable(std::string_view id) {
  MutexLock lock(mutex_);
  logs_.erase(std::string(id));
}

size_t ConnectionLogs::ExpireNow() {
  const int64_t now = clock_.NowMicros();
  MutexLock lock(mutex_);
  return std::erase_if(logs_, [now](const auto& item) { return item.second.enabled_until_us <= now; });
}

}  // namespace connectivity::service
