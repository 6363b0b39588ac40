#include "src/service/journal_metrics.h"

#include <algorithm>

#include "src/recovery/history.h"

namespace connectivity::service {

void CountInWindows(WindowCounts& counts, int64_t timestamp_us, int64_t now_us) {
  const int64_t age_us = now_us - timestamp_us;
  if (age_us < kDayUs) ++counts.day;
  if (age_us < kHourUs) ++counts.hour;
  if (age_us < kMinuteUs) ++counts.minute;
}

Result<ConnectionJournalMetrics> ComputeJournalMetrics(journal::Journal& journal,
                                                       const projector::ConnectionState& state,
                                                       int64_t now_us) {
  ConnectionJournalMetrics metrics;
  metrics.revision = state.revision;
  metrics.created_us = state.created_us;
  const auto& created = state.stats[projector::EventTypeIndex(projector::EventType::kCreated)];
  const auto& modified = state.stats[projector::EventTypeIndex(projector::EventType::kModified)];
  metrics.modified_us = std::max(created.last_us, modified.last_us);
  for (size_t i = 0; i < projector::kEventTypeCount; ++i) {
    metrics.events[i].total = state.stats[i].total;
    metrics.events[i].last_us = state.stats[i].last_us;
  }
  // The first revision inside the 24 h window: one after the last event at
  // or before its start (a binary search over the connection's revisions).
  Result<std::optional<uint64_t>> before = recovery::RevisionAtTime(journal, state.id, now_us - kDayUs);
  if (!before.ok()) return before.status();
  const uint64_t first = before->value_or(0) + 1;
  std::unique_ptr<journal::EventCursor> cursor = journal.ReadStream(state.id, first, state.revision);
  while (true) {
    Result<std::optional<journal::Event>> event = cursor->Next();
    if (!event.ok()) return event.status();
    if (!event->has_value()) break;
    const std::optional<projector::EventType> type = projector::EventTypeFromCode((**event).type);
    if (!type) continue;
    CountInWindows(metrics.events[projector::EventTypeIndex(*type)].windows, (**event).timestamp_us, now_us);
  }
  return metrics;
}

}  // namespace connectivity::service
