// The baseline of the replay speed figure: a plain RocksDB iteration over
// the journal's events, touching each key and value without decoding,
// checksumming or applying anything.
#ifndef CONNECTIVITY_SRC_TOOLS_PLAIN_SCAN_H_
#define CONNECTIVITY_SRC_TOOLS_PLAIN_SCAN_H_

#include <cstdint>

#include "src/base/status.h"
#include "storage/store.h"

namespace connectivity::tools {

struct ScanFigures {
  uint64_t keys = 0;
  uint64_t bytes = 0;  // keys + values
  int64_t duration_us = 0;
  int64_t cpu_us = 0;  // user + system time of the process
};

// Wall-clock and CPU time since construction. CPU time (getrusage, every
// thread of the process) is the steadier figure on a machine shared with
// other work; wall time is what a user waits.
class Stopwatch {
 public:
  Stopwatch();
  int64_t WallMicros() const;
  int64_t CpuMicros() const;

 private:
  static int64_t ProcessCpuMicros();
  int64_t wall_start_us_;
  int64_t cpu_start_us_;
};

// Iterates the "events" column family of `store` (opened as in open.h) with
// the read options of the journal's own full scan (no block-cache fill,
// large readahead), so that the two differ only in what is done per event.
Result<ScanFigures> PlainScanEvents(const storage::Store& store);

// events per second, 0 for a zero duration.
double PerSecond(uint64_t count, int64_t duration_us);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_PLAIN_SCAN_H_
