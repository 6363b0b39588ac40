// Event: one journal record as the rest of the program sees it.
//
// The journal knows events as typed records on named streams (one stream per
// connection id), not what they mean: `type` is a small code whose meaning
// the projector defines, `payload` is opaque bytes.
#ifndef CONNECTIVITY_JOURNAL_EVENT_H_
#define CONNECTIVITY_JOURNAL_EVENT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace connectivity::journal {

struct Event {
  // The stream (connection id). Never empty, never contains '\0'.
  std::string stream;
  // 1-based position in the stream; contiguous (no gaps) per stream.
  uint64_t revision = 0;
  // 1-based position in the global order; contiguous across the journal.
  // (The etcd journal: the event's rank in etcd's revision order. Its
  // stream reads leave it 0 for events older than the process's open, where
  // it would cost a scan of every key; global reads always set it.)
  uint64_t sequence = 0;
  // Commit time in microseconds since the epoch, set by the commit thread:
  // strictly increasing along `sequence` (max(now, previous + 1)). With
  // several writers (etcd) strictly increasing per stream only (SPEC §4.4).
  int64_t timestamp_us = 0;
  // Event type code; 0 is invalid.
  uint8_t type = 0;
  std::string payload;
};

// The same fields as views into the journal's read buffers, for full scans
// that must not copy (Journal::ForEachEvent). Valid only during the call
// that hands it out.
struct EventView {
  std::string_view stream;
  uint64_t revision = 0;
  uint64_t sequence = 0;
  int64_t timestamp_us = 0;
  uint8_t type = 0;
  std::string_view payload;
};

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_JOURNAL_EVENT_H_
