// Connection logs (REF §7.3): per connection, bounded logs of what happened,
// kept in memory while logging is enabled.
//
// Rules: logging is enabled by enableConnectionLogs, on create with desired
// status open and on open, for `duration` (CONNECTIVITY_LOGGER_LOG_DURATION);
// every retrieve while enabled extends it. A check every `check_interval`
// mutes and clears the logs whose time is up. Entries go to one logger per
// (category, type, address), each keeping the newest `success_capacity`
// successes and `failure_capacity` failures. A retrieve returns the newest
// entries that fit in `answer_bytes_max` of JSON, oldest first.
//
// Thread-safe. Not persisted: logs are operational detail, not history.
#ifndef CONNECTIVITY_SERVICE_CONNECTION_LOGS_H_
#define CONNECTIVITY_SERVICE_CONNECTION_LOGS_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/clock.h"
#include "src/base/mutex.h"

namespace connectivity::service {

struct LogEntry {
  std::string correlation_id = "<not-provided>";
  int64_t timestamp_us = 0;
  std::string category = "connection";  // source | target | response | connection
  std::string type = "other";           // consumed | dispatched | ... | other
  bool success = true;                  // level success / failure
  std::string message;
  std::string address;      // empty: none
  std::string entity_type;  // empty: none
  std::string entity_id;
};

struct LogsOptions {
  int64_t duration_us = 3600LL * 1000000;
  size_t success_capacity = 10;
  size_t failure_capacity = 10;
  int64_t check_interval_us = 300LL * 1000000;
  size_t answer_bytes_max = 250000;
};

struct LogsView {
  std::vector<LogEntry> entries;  // oldest first
  std::optional<int64_t> enabled_since_us;
  std::optional<int64_t> enabled_until_us;
};

// The JSON of one entry in Ditto's member order.
std::string LogEntryJson(const LogEntry& entry);

class ConnectionLogs {
 public:
  ConnectionLogs(LogsOptions options, const Clock& clock);
  ~ConnectionLogs();
  ConnectionLogs(const ConnectionLogs&) = delete;
  ConnectionLogs& operator=(const ConnectionLogs&) = delete;

  void Start() EXCLUDES(mutex_);  // the periodic expiry check
  void Stop() EXCLUDES(mutex_);

  void Enable(std::string_view id) EXCLUDES(mutex_);
  // Dropped unless logging is enabled for `id`.
  void Add(std::string_view id, LogEntry entry) EXCLUDES(mutex_);
  // Extends enabledUntil if enabled.
  LogsView Retrieve(std::string_view id) EXCLUDES(mutex_);
  // Clears the entries and logs "Successfully reset the logs." (if enabled).
  void Reset(std::string_view id) EXCLUDES(mutex_);
  // Disables and clears (delete, close of the connection's logging).
  void Disable(std::string_view id) EXCLUDES(mutex_);
  // Mutes and clears every log whose time is up; returns how many.
  size_t ExpireNow() EXCLUDES(mutex_);

 private:
  struct Logger {
    std::deque<LogEntry> successes;
    std::deque<LogEntry> failures;
  };
  struct Log {
    int64_t enabled_since_us = 0;
    int64_t enabled_until_us = 0;
    std::map<std::string, Logger> loggers;  // key: category \0 type \0 address
  };
  // The "connection-logs" thread: expires logs every check interval.
  void Run() EXCLUDES(mutex_);

  const LogsOptions options_;
  const Clock& clock_;
  Mutex mutex_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::unordered_map<std::string, Log> logs_ GUARDED_BY(mutex_);  // only enabled ones
  std::thread thread_;
};

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_CONNECTION_LOGS_H_
