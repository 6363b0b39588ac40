#include "src/tools/plain_scan.h"

#include <memory>

#include "journal/codec.h"
#include "src/base/clock.h"

namespace connectivity::tools {

Result<ScanFigures> PlainScanEvents(const storage::Store& store) {
  const int64_t start_us = SystemClock::Instance()->MonotonicMicros();
  storage::ScanOptions scan;
  scan.full_scan = true;
  const std::unique_ptr<storage::Iterator> iterator =
      store.NewIterator(journal::kEventsColumnFamily, scan);
  ScanFigures figures;
  for (iterator->SeekToFirst(); iterator->Valid(); iterator->Next()) {
    ++figures.keys;
    figures.bytes += iterator->key().size() + iterator->value().size();
  }
  CONNECTIVITY_RETURN_IF_ERROR(iterator->status());
  figures.duration_us = SystemClock::Instance()->MonotonicMicros() - start_us;
  return figures;
}

double PerSecond(uint64_t count, int64_t duration_us) {
  if (duration_us <= 0) return 0;
  return static_cast<double>(count) * 1e6 / static_cast<double>(duration_us);
}

}  // namespace connectivity::tools
