// Process-wide heap allocation counts, from jemalloc's statistics when the
// binary links jemalloc (connectivityd does; src/CMakeLists.txt), so that the
// benchmarks can report allocations per request from GET /metrics.
//
// jemalloc is looked up through a weak symbol: binaries without it (tests,
// tools) link fine and report `available = false`. Any thread; each call
// refreshes jemalloc's statistics epoch (a few microseconds), so it is meant
// for scrapes, not for hot paths. Thread caches merge their counts into the
// arenas now and then, so a figure can lag by a few hundred allocations per
// thread: divide by thousands of requests, not by one.
#ifndef CONNECTIVITY_BASE_ALLOCATION_STATS_H_
#define CONNECTIVITY_BASE_ALLOCATION_STATS_H_

#include <cstdint>

namespace connectivity {

struct AllocationStats {
  bool available = false;
  uint64_t allocations = 0;      // malloc/new requests since start (small + large)
  uint64_t allocated_bytes = 0;  // bytes in live allocations now
};

AllocationStats ReadAllocationStats();

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_ALLOCATION_STATS_H_
