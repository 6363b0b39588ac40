// The `journal` object of a connection's metrics (SPEC §4.5): counts of its
// events by type in exact sliding windows ending now (1 min, 1 h, 24 h),
// totals and last times. Computed from the journal, so it is the same after
// a restart, and never reset (history is not erased).
#ifndef CONNECTIVITY_SERVICE_JOURNAL_METRICS_H_
#define CONNECTIVITY_SERVICE_JOURNAL_METRICS_H_

#include <array>
#include <cstdint>

#include "journal/journal.h"
#include "src/base/status.h"
#include "src/projector/connection_state.h"

namespace connectivity::service {

inline constexpr int64_t kMinuteUs = 60LL * 1000000;
inline constexpr int64_t kHourUs = 60 * kMinuteUs;
inline constexpr int64_t kDayUs = 24 * kHourUs;

struct WindowCounts {
  uint64_t minute = 0;
  uint64_t hour = 0;
  uint64_t day = 0;
};

struct EventTypeMetrics {
  WindowCounts windows;
  uint64_t total = 0;
  int64_t last_us = 0;  // 0: never
};

struct ConnectionJournalMetrics {
  uint64_t revision = 0;
  int64_t created_us = 0;   // the latest create
  int64_t modified_us = 0;  // the latest create or modify
  std::array<EventTypeMetrics, projector::kEventTypeCount> events{};
};

// Reads the connection's events of the last 24 hours from the journal.
Result<ConnectionJournalMetrics> ComputeJournalMetrics(journal::Journal& journal,
                                                       const projector::ConnectionState& state,
                                                       int64_t now_us);

// Adds one event at `timestamp_us` to the windows ending at `now_us`.
void CountInWindows(WindowCounts& counts, int64_t timestamp_us, int64_t now_us);

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_JOURNAL_METRICS_H_
