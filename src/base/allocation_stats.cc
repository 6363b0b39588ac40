#include "src/base/allocation_stats.h"

#include <cstddef>

// jemalloc's control interface (Debian builds it without a symbol prefix).
// Weak: null when the binary does not link jemalloc.
extern "C" int mallctl(const char* name, void* old_value, size_t* old_size, void* new_value,
                       size_t new_size) __attribute__((weak));

namespace connectivity {
namespace {

bool ReadCounter(const char* name, uint64_t* value) {
  size_t size = sizeof(*value);
  return mallctl(name, value, &size, nullptr, 0) == 0 && size == sizeof(*value);
}

bool ReadSize(const char* name, uint64_t* value) {
  size_t bytes = 0;
  size_t size = sizeof(bytes);
  if (mallctl(name, &bytes, &size, nullptr, 0) != 0 || size != sizeof(bytes)) return false;
  *value = bytes;
  return true;
}

}  // namespace

AllocationStats ReadAllocationStats() {
  AllocationStats stats;
  if (mallctl == nullptr) return stats;
  // Writing the epoch makes jemalloc refresh the statistics it reports.
  uint64_t epoch = 1;
  size_t epoch_size = sizeof(epoch);
  if (mallctl("epoch", &epoch, &epoch_size, &epoch, sizeof(epoch)) != 0) return stats;
  // 4096 is MALLCTL_ARENAS_ALL: the sum over every arena.
  uint64_t small = 0;
  uint64_t large = 0;
  if (!ReadCounter("stats.arenas.4096.small.nrequests", &small) ||
      !ReadCounter("stats.arenas.4096.large.nrequests", &large) ||
      !ReadSize("stats.allocated", &stats.allocated_bytes)) {
    return AllocationStats{};
  }
  stats.available = true;
  stats.allocations = small + large;
  return stats;
}

}  // namespace connectivity
