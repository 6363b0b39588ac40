#include "src/tools/global_order.h"

#include <algorithm>
#include <string>
#include <vector>

namespace connectivity::tools {
namespace {

// On-disk bytes are compressed (connection JSON shrinks up to about 4x) and
// an Event costs about this much beyond its strings: together a high
// estimate per event, so that windows err towards less memory.
constexpr uint64_t kCompressionRatioMax = 4;
constexpr uint64_t kEventOverheadBytes = 128;
constexpr uint64_t kWindowEventsMin = 1024;

void CopyInto(const journal::EventView& view, journal::Event& event) {
  event.stream.assign(view.stream);
  event.revision = view.revision;
  event.sequence = view.sequence;
  event.timestamp_us = view.timestamp_us;
  event.type = view.type;
  event.payload.assign(view.payload);
}

// One ForEachEvent pass keeping the events with first <= sequence < end.
Status CollectWindow(journal::Journal& journal, uint64_t first, uint64_t end,
                     std::vector<journal::Event>& slots, std::vector<bool>& filled) {
  std::fill(filled.begin(), filled.end(), false);
  return journal.ForEachEvent([&](const journal::EventView& view) -> Status {
    if (view.sequence < first || view.sequence >= end) return Status::Ok();
    const uint64_t index = view.sequence - first;
    if (filled[index]) {
      return Status::Corruption("two events have sequence " + std::to_string(view.sequence) +
                                " (one is '" + std::string(view.stream) + "' revision " +
                                std::to_string(view.revision) + ")");
    }
    CopyInto(view, slots[index]);
    filled[index] = true;
    return Status::Ok();
  });
}

}  // namespace

uint64_t WindowEvents(uint64_t events, uint64_t events_bytes) {
  if (events == 0) return 1;
  const uint64_t per_event_bytes =
      events_bytes * kCompressionRatioMax / events + kEventOverheadBytes;
  const uint64_t window = std::max(kWindowBytesTarget / per_event_bytes, kWindowEventsMin);
  return std::min(window, events);
}

Status ForEachEventInGlobalOrder(journal::Journal& journal,
                                 const std::function<Status(const journal::Event&)>& visit,
                                 Progress& progress) {
  const uint64_t last = journal.last_sequence();
  const uint64_t window = WindowEvents(last, journal.Stats().events_bytes);
  std::vector<journal::Event> slots(last == 0 ? 0 : window);
  std::vector<bool> filled(slots.size());
  for (uint64_t first = 1; first <= last; first += window) {
    const uint64_t end = std::min(first + window, last + 1);  // exclusive
    CONNECTIVITY_RETURN_IF_ERROR(CollectWindow(journal, first, end, slots, filled));
    for (uint64_t sequence = first; sequence < end; ++sequence) {
      if (!filled[sequence - first]) {
        return Status::Corruption("no event has sequence " + std::to_string(sequence) +
                                  " (the global order has " + std::to_string(last) + ")");
      }
      if (!progress.Tick()) return InterruptedStatus();
      CONNECTIVITY_RETURN_IF_ERROR(visit(slots[sequence - first]));
    }
  }
  return Status::Ok();
}

}  // namespace connectivity::tools
