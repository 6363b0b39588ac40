#include "src/base/clock.h"

#include <time.h>

namespace connectivity {
namespace {
int64_t ReadClock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
}  // namespace

int64_t SystemClock::NowMicros() const { return ReadClock(CLOCK_REALTIME); }
int64_t SystemClock::MonotonicMicros() const { return ReadClock(CLOCK_MONOTONIC); }

SystemClock* SystemClock::Instance() {
  static SystemClock clock;
  return &clock;
}

}  // namespace connectivity
