#include "src/tools/plain_scan.h"

#include <sys/resource.h>

#include <memory>

#include "journal/codec.h"
#include "src/base/clock.h"

namespace connectivity::tools {

Stopwatch::Stopwatch()
    : wall_start_us_(SystemClock::Instance()->MonotonicMicros()),
      cpu_start_us_(ProcessCpuMicros()) {}

int64_t Stopwatch::WallMicros() const {
  return SystemClock::Instance()->MonotonicMicros() - wall_start_us_;
}

int64_t Stopwatch::CpuMicros() const { return ProcessCpuMicros() - cpu_start_us_; }

int64_t Stopwatch::ProcessCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto micros = [](const timeval& time) {
    return static_cast<int64_t>(time.tv_sec) * 1'000'000 + time.tv_usec;
  };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

Result<ScanFigures> PlainScanEvents(const storage::Store& store) {
  const Stopwatch stopwatch;
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
  figures.duration_us = stopwatch.WallMicros();
  figures.cpu_us = stopwatch.CpuMicros();
  return figures;
}

double PerSecond(uint64_t count, int64_t duration_us) {
  if (duration_us <= 0) return 0;
  return static_cast<double>(count) * 1e6 / static_cast<double>(duration_us);
}

}  // namespace connectivity::tools
